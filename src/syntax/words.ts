// Apache's word splitting (server/util.c: ap_getword_conf and substring_conf), with the source
// range of every word so an edit can replace one word and leave the rest of the text alone.
// A template expression (`{{ a }}`, `{% if x %}`, `<%= @a %>`, see templates.ts) is read whole,
// as its template engine reads it: the white space and quotes inside it do not end the word.
import { hasSpaceOutsideTemplates, isTemplated, templateEnd } from './templates.js'
import { BACKSLASH, DOUBLE_QUOTE, LEFT_BRACE, LT, SINGLE_QUOTE } from './char-codes.js'

export interface Word {
  /** The value Apache sees: quotes removed, `\\` and `\<quote>` unescaped. */
  value: string
  /** Offsets of the word's source text (quotes included) in the string that was split. */
  start: number
  end: number
  /** The quote character the word was written with, or '' for a bare word. */
  quote: '' | '"' | "'"
  /** A quoted word whose closing quote is missing: it takes the rest of the line. */
  open?: true
}

// apr_isspace: the C locale's isspace.
export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f'
}

/** isSpace for a char code: space, or \t \n \v \f \r (9 to 13). */
export function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}


/** Where a template expression starting at text[i] ends, or -1 (cheap for other characters). */
function spanEnd(text: string, i: number, to: number): number {
  const c = text.charCodeAt(i)
  return c === LEFT_BRACE || c === LT ? templateEnd(text, i, to) : -1
}

// Inside quotes `\\` and `\<quote>` are escapes; in a bare word only `\\`. (replace, not `+=`: a
// string built a character at a time is a chain of small strings, kept as long as the value.)
const ESCAPES = { '': /\\(\\)/g, '"': /\\([\\"])/g, "'": /\\([\\'])/g }

function unescape(text: string, quote: string): string {
  if (!text.includes('\\')) return text
  return text.replace(ESCAPES[quote as keyof typeof ESCAPES], '$1')
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
        const end = spanEnd(text, j, to)
        if (end !== -1) j = end
        else if (text[j] === '\\' && j + 1 < to && (text[j + 1] === c || text[j + 1] === '\\')) j += 2
        else j++
      }
      const value = unescape(text.slice(i + 1, Math.min(j, to)), c)
      // An unterminated quote takes the rest of the line, as in Apache.
      if (j < to) words.push({ value, start, end: ++j, quote: c })
      else words.push({ value, start, end: to, quote: c, open: true })
      i = j
    } else {
      let j = i
      while (j < to && !isSpace(text[j])) {
        const end = spanEnd(text, j, to)
        j = end !== -1 ? end : j + 1
      }
      words.push({ value: unescape(text.slice(i, j), ''), start, end: j, quote: '' })
      i = j
    }
  }
}

// Strings that repeat (names, `all`, `granted`, `On`, ...) are kept once: a direct-mapped cache
// indexed by a hash of the characters, computed while scanning them (for whole lines, of a few of
// them: sampleHash). A miss costs one slot; a hit is checked in place (startsWith), so a word seen
// before costs no new string at all. A cache lives as long as one parse: a cached string may be a
// slice of the file's text, which it keeps alive.
const MAX_CACHE_BITS = 13
/** Longer words are mostly unique (paths, host names): not worth a slot. */
const MAX_CACHED_LENGTH = 40

/**
 * log2 of a cache size for a text of `length` characters: about a slot per 32 characters (a line),
 * from 64 to 2^maxBits slots, so that a small file does not pay for a large cache.
 */
export function cacheBits(length: number, maxBits = MAX_CACHE_BITS): number {
  let bits = 6
  while (bits < maxBits && 1 << (bits + 5) < length) bits++
  return bits
}

/** One string for each short string seen again (see above). */
export class StringCache {
  private readonly cache: string[]
  private readonly bits: number
  private readonly mask: number

  constructor(bits = MAX_CACHE_BITS) {
    this.bits = bits
    this.mask = (1 << bits) - 1
    this.cache = new Array<string>(this.mask + 1).fill('')
  }

  /** text.slice(from, to), the cached string when it is the same (`h`: a hash of the slice). */
  slice(text: string, from: number, to: number, h = hashOf(text, from, to)): string {
    const length = to - from
    if (length > MAX_CACHED_LENGTH) return text.slice(from, to)
    const slot = (h ^ (h >>> this.bits)) & this.mask
    const cached = this.cache[slot]
    if (cached.length === length && text.startsWith(cached, from)) return cached
    return (this.cache[slot] = text.slice(from, to))
  }

  /** The cached string equal to `s` when there is one, else `s` (cached from now on). */
  intern(s: string): string {
    return this.slice(s, 0, s.length)
  }
}

/**
 * Reads word values as splitWords does, without source ranges or an object a word. The values
 * (and their hashes) go into arrays that are reused from line to line: read() returns how many of
 * their first entries are this line's (the rest is stale).
 */
export class WordReader {
  readonly words: string[] = []
  /** Hash of each word's characters, for callers that cache what they make of the words. */
  readonly hashes: number[] = []
  /** State of the word being read: its hash, and whether it holds a `\\` to resolve. */
  private h = 0
  private escaped = false

  constructor(readonly strings = new StringCache()) {}

  /** Read the words of text[from, to) into words/hashes; returns how many there are. */
  read(text: string, from: number, to: number): number {
    const words = this.words
    const hashes = this.hashes
    let n = 0
    let i = from
    for (;;) {
      while (i < to && isSpaceCode(text.charCodeAt(i))) i++
      if (i >= to) return n
      const c = text.charCodeAt(i)
      this.escaped = false
      this.h = 0
      if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
        const j = this.quoted(text, i + 1, to, c)
        words[n] = this.escaped ? unescape(text.slice(i + 1, j), text[i]) : this.strings.slice(text, i + 1, j, this.h)
        // An unterminated quote takes the rest of the line, as in Apache.
        i = j < to ? j + 1 : j
      } else {
        let j = i
        let h = 0
        let end: number
        for (; j < to; j++) {
          const d = text.charCodeAt(j)
          if (isSpaceCode(d)) break
          if (d === BACKSLASH) this.escaped = true
          else if ((d === LEFT_BRACE || d === LT) && (end = templateEnd(text, j, to)) !== -1) {
            this.h = h
            j = this.span(text, j, end) - 1
            h = this.h
            continue
          }
          h = (Math.imul(h, 31) + d) | 0
        }
        this.h = h
        words[n] = this.escaped ? unescape(text.slice(i, j), '') : this.strings.slice(text, i, j, h)
        i = j
      }
      hashes[n++] = this.h
    }
  }

  /** The end of a quoted word's text from `j` (its closing quote, or `to`). */
  private quoted(text: string, j: number, to: number, quote: number): number {
    let h = this.h
    while (j < to) {
      const d = text.charCodeAt(j)
      if (d === quote) break
      let end: number
      if ((d === LEFT_BRACE || d === LT) && (end = templateEnd(text, j, to)) !== -1) {
        this.h = h
        j = this.span(text, j, end)
        h = this.h
        continue
      }
      if (d === BACKSLASH && j + 1 < to) {
        const next = text.charCodeAt(j + 1)
        if (next === quote || next === BACKSLASH) {
          this.escaped = true
          j += 2
          continue
        }
      }
      h = (Math.imul(h, 31) + d) | 0
      j++
    }
    this.h = h
    return j
  }

  /** Take in the template expression text[from, to) whole; returns `to`. */
  private span(text: string, from: number, to: number): number {
    let h = this.h
    for (let k = from; k < to; k++) {
      const d = text.charCodeAt(k)
      if (d === BACKSLASH) this.escaped = true
      h = (Math.imul(h, 31) + d) | 0
    }
    this.h = h
    return to
  }
}

/**
 * A hash of text[from, to) from its length and four of its characters: for strings the cache
 * only may hold (it compares them whole), when reading all characters costs more than it saves.
 */
export function sampleHash(text: string, from: number, to: number): number {
  const n = to - from
  let h = Math.imul(n ^ text.charCodeAt(from + (n >> 1)), 0x9e3779b1)
  h = Math.imul(h ^ text.charCodeAt(from + (n >> 2)), 0x85ebca6b)
  h = Math.imul(h ^ text.charCodeAt(to - 1 - (n >> 2)), 0xc2b2ae35)
  return Math.imul(h ^ text.charCodeAt(to - 1), 0x27d4eb2f) ^ (h >>> 15)
}

function hashOf(text: string, from: number, to: number): number {
  let h = 0
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0
  return h
}

/**
 * Write a value so that splitWords reads it back as one word, keeping a preferred quote style. A
 * templated value is written as it is when it reads back whole (the spaces inside its
 * expressions do not split it): quotes around it would be text the template did not have.
 */
export function quoteWord(value: string, prefer: '' | '"' | "'" = ''): string {
  const templated = isTemplated(value)
  const spaced = templated ? hasSpaceOutsideTemplates(value) : /[\s]/.test(value)
  const needsQuotes = value === '' || spaced || value.startsWith('"') || value.startsWith("'")
  // A bare `\\` reads as one `\`, and a final `\` would continue the line.
  const bareOk = !needsQuotes && !value.includes('\\\\') && !value.endsWith('\\')
  if ((prefer === '' || templated) && bareOk) return value
  const quote = prefer === '' ? (value.includes('"') && !value.includes("'") ? "'" : '"') : prefer
  // Inside quotes only `\\` and `\<quote>` are escapes.
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === quote) out += '\\' + c
    else if (c === '\\' && (value[i + 1] === '\\' || value[i + 1] === quote || i === value.length - 1)) out += '\\\\'
    else out += c
  }
  if (templated && out.length !== value.length) {
    throw new TypeError(`Cannot write ${JSON.stringify(value)} as one word: its template expressions would need escapes inside quotes`)
  }
  return quote + out + quote
}
