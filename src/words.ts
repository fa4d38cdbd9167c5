// Apache's word splitting (server/util.c: ap_getword_conf and substring_conf), with the source
// range of every word so an edit can replace one word and leave the rest of the text alone.

export interface Word {
  /** The value Apache sees: quotes removed, `\\` and `\<quote>` unescaped. */
  value: string
  /** Offsets of the word's source text (quotes included) in the string that was split. */
  start: number
  end: number
  /** The quote character the word was written with, or '' for a bare word. */
  quote: '' | '"' | "'"
}

// apr_isspace: the C locale's isspace.
export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f'
}

function unescape(text: string, quote: string): string {
  if (!text.includes('\\')) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    const next = text[i + 1]
    if (c === '\\' && (next === '\\' || (quote !== '' && next === quote))) {
      out += next
      i++
    } else out += c
  }
  return out
}

/** Split `text` from `from` to `to` into words the way ap_getword_conf does. */
export function splitWords(text: string, from = 0, to = text.length): Word[] {
  const words: Word[] = []
  let i = from
  for (;;) {
    while (i < to && isSpace(text[i])) i++
    if (i >= to) return words
    const start = i
    const c = text[i]
    if (c === '"' || c === "'") {
      let j = i + 1
      while (j < to && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < to && (text[j + 1] === c || text[j + 1] === '\\')) j += 2
        else j++
      }
      const value = unescape(text.slice(i + 1, j), c)
      // An unterminated quote takes the rest of the line, as in Apache.
      if (j < to) j++
      words.push({ value, start, end: j, quote: c })
      i = j
    } else {
      let j = i
      while (j < to && !isSpace(text[j])) j++
      words.push({ value: unescape(text.slice(i, j), ''), start, end: j, quote: '' })
      i = j
    }
  }
}

/** Write a value so that splitWords reads it back as one word, keeping a preferred quote style. */
export function quoteWord(value: string, prefer: '' | '"' | "'" = ''): string {
  const needsQuotes =
    value === '' || /[\s]/.test(value) || value.startsWith('"') || value.startsWith("'")
  // A bare `\\` reads as one `\`, and a final `\` would continue the line.
  const bareOk = !needsQuotes && !value.includes('\\\\') && !value.endsWith('\\')
  if (prefer === '' && bareOk) return value
  const quote = prefer === '' ? (value.includes('"') && !value.includes("'") ? "'" : '"') : prefer
  // Inside quotes only `\\` and `\<quote>` are escapes.
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === quote) out += '\\' + c
    else if (c === '\\' && (value[i + 1] === '\\' || value[i + 1] === quote || i === value.length - 1)) out += '\\\\'
    else out += c
  }
  return quote + out + quote
}
