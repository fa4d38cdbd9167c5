// String literals: where one ends, and its value. f-/t-string replacement fields are scanned as
// code, so a quote or comment sign inside them neither ends the literal nor hides one. Fields and
// the strings in them are scanned by recursion, so their nesting is bounded as Python bounds it.
import { decodeString } from './escapes.js'
import { ID_RE, isEolChar, isQuote, isStringPrefix, skipEscape } from './grammar.js'

export interface StringScan {
  end: number
  value: string | null
  error: string | null
}

/**
 * f-strings and their fields nest at most this deep (CPython 3.12's MAXFSTRINGLEVEL, and Python
 * allows far less nesting in format specs); deeper is "too many nested f-strings".
 */
const MAX_FSTRING_NESTING = 150

/** How deep the scan is in f-strings and their fields; `tooDeep` once past the limit (everything unwinds). */
interface Nesting {
  level: number
  tooDeep: boolean
}

/**
 * Scan a string literal whose prefix starts at `pos`. f-/t-strings are read the Python 3.12 way
 * (replacement fields may hold strings with the same quote); for code older Pythons accept this
 * gives the same boundaries, since they forbid that quote inside a field.
 */
export function scanString(text: string, pos: number, prefixLen: number): StringScan {
  const nesting: Nesting = { level: 0, tooDeep: false }
  const scan = scanNested(text, pos, prefixLen, nesting)
  if (!nesting.tooDeep) return scan
  // Python stops there: the rest of the line (of the file, in a triple-quoted string) is the string.
  const triple = text.startsWith(text[pos + prefixLen]!.repeat(3), pos + prefixLen)
  let end = pos
  while (!triple && end < text.length && !isEolChar(text[end]!)) end++
  return { end: triple ? text.length : end, value: null, error: 'too many nested f-strings' }
}

function scanNested(text: string, pos: number, prefixLen: number, nesting: Nesting): StringScan {
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
      i = scanField(text, i + 1, q, triple, nesting)
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

/** Scan an f-string replacement field after its `{`; returns the offset after its `}` (the end when too deep). */
function scanField(text: string, i: number, q: string, triple: boolean, nesting: Nesting): number {
  const n = text.length
  if (nesting.tooDeep || nesting.level === MAX_FSTRING_NESTING) {
    nesting.tooDeep = true
    return n
  }
  nesting.level++
  const end = scanFieldBody(text, i, q, triple, nesting)
  nesting.level--
  return nesting.tooDeep ? n : end
}

function scanFieldBody(text: string, i: number, q: string, triple: boolean, nesting: Nesting): number {
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
      i = scanNested(text, i, 0, nesting).end
      continue
    }
    ID_RE.lastIndex = i
    const m = ID_RE.exec(text)
    if (m) {
      const after = i + m[0].length
      i = isStringPrefix(text, m[0], after) ? scanNested(text, i, m[0].length, nesting).end : after
      continue
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++
    else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1)
    else if (ch === '}') {
      if (depth === 0) return i + 1
      depth--
    } else if (ch === ':' && depth === 0) return scanFormatSpec(text, i + 1, q, triple, nesting)
    i++
  }
  return i
}

/** Scan a format spec (after `:` in a field); nested `{...}` fields are allowed there. */
function scanFormatSpec(text: string, i: number, q: string, triple: boolean, nesting: Nesting): number {
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
      i = scanField(text, i + 1, q, triple, nesting)
      continue
    }
    if (ch === '}') return i + 1
    i++
  }
  return i
}
