// String literals: where one ends, and its value. f-/t-string replacement fields are scanned as
// code, so a quote or comment sign inside them neither ends the literal nor hides one.
import { decodeString } from './escapes.js'
import { ID_RE, isEolChar, isQuote, isStringPrefix, skipEscape } from './grammar.js'

export interface StringScan {
  end: number
  value: string | null
  error: string | null
}

/**
 * Scan a string literal whose prefix starts at `pos`. f-/t-strings are read the Python 3.12 way
 * (replacement fields may hold strings with the same quote); for code older Pythons accept this
 * gives the same boundaries, since they forbid that quote inside a field.
 */
export function scanString(text: string, pos: number, prefixLen: number): StringScan {
  const n = text.length
  const prefix = text.slice(pos, pos + prefixLen).toLowerCase()
  const q = text[pos + prefixLen]!
  const q3 = q + q + q
  const triple = text.startsWith(q3, pos + prefixLen)
  const bodyStart = pos + prefixLen + (triple ? 3 : 1)
  const templ = prefix.includes('f') || prefix.includes('t')
  let fields = false
  let i = bodyStart
  while (i < n) {
    const ch = text[i]
    if (ch === '\\') {
      // `\{` in an f-string does not hide the field from Python; only skip the backslash.
      i = templ && text[i + 1] === '{' ? i + 1 : skipEscape(text, i)
      continue
    }
    if (triple ? text.startsWith(q3, i) : ch === q) {
      const end = i + (triple ? 3 : 1)
      const value = fields ? null : decodeString(text.slice(bodyStart, i), prefix)
      return { end, value, error: null }
    }
    if (!triple && isEolChar(ch)) return { end: i, value: null, error: 'unterminated string literal' }
    if (templ && ch === '{') {
      if (text[i + 1] === '{') {
        i += 2
        continue
      }
      fields = true
      i = scanField(text, i + 1, q, triple)
      continue
    }
    i++
  }
  return {
    end: n,
    value: null,
    error: triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal',
  }
}

/** Scan an f-string replacement field after its `{`; returns the offset after its `}`. */
function scanField(text: string, i: number, q: string, triple: boolean): number {
  const n = text.length
  let depth = 0
  while (i < n) {
    const ch = text[i]!
    if (isEolChar(ch)) {
      if (!triple) return i
      i++
      continue
    }
    if (ch === '\\') {
      i = skipEscape(text, i)
      continue
    }
    if (isQuote(ch)) {
      i = scanString(text, i, 0).end
      continue
    }
    ID_RE.lastIndex = i
    const m = ID_RE.exec(text)
    if (m) {
      const after = i + m[0].length
      i = isStringPrefix(text, m[0], after) ? scanString(text, i, m[0].length).end : after
      continue
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++
    else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1)
    else if (ch === '}') {
      if (depth === 0) return i + 1
      depth--
    } else if (ch === ':' && depth === 0) return scanFormatSpec(text, i + 1, q, triple)
    i++
  }
  return i
}

/** Scan a format spec (after `:` in a field); nested `{...}` fields are allowed there. */
function scanFormatSpec(text: string, i: number, q: string, triple: boolean): number {
  const n = text.length
  const q3 = q + q + q
  while (i < n) {
    const ch = text[i]
    if (isEolChar(ch) && !triple) return i
    if (triple ? text.startsWith(q3, i) : ch === q) return i
    if (ch === '\\') {
      i = skipEscape(text, i)
      continue
    }
    if (ch === '{') {
      i = scanField(text, i + 1, q, triple)
      continue
    }
    if (ch === '}') return i + 1
    i++
  }
  return i
}
