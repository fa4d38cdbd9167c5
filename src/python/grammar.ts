// Python's lexical vocabulary, as far as the reader needs it: identifier and number shapes,
// string prefixes, operators, brackets and keywords (Python 2 and 3 together).

export const BOM = '\uFEFF'

export const ID_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy
export const NUM_RE = /(?:\d|\.\d)(?:[\w.]|(?<=[eE])[+-])*/y

/** Python 2 and 3 string prefixes (plus 3.14 t-strings), compared lower-cased. */
export const STRING_PREFIXES = new Set([
  'r', 'u', 'b', 'f', 't', 'ur', 'br', 'rb', 'fr', 'rf', 'tr', 'rt',
])

/** Operators by length, longest first: the tokenizer takes the longest that matches. */
export const OPS3 = ['**=', '//=', '>>=', '<<=', '...']
export const OPS2 = [
  '==', '!=', '<>', '<=', '>=', '**', '//', '<<', '>>', '->', ':=',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
]
export const OPS1 = '+-*/%@&|^~<>()[]{},:;.=`!'

export const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
export const CLOSERS = new Set([')', ']', '}'])

/**
 * Brackets nest at most this deep (CPython's tokenizer MAXLEVEL; Python 2 and 3.8 give up far
 * earlier): deeper is "too many nested parentheses", so the reader need not follow it.
 */
export const MAX_NESTING = 200

export const COMPOUND_KEYWORDS = new Set([
  'if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'def', 'class', 'async',
])

export const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with',
  'yield',
])

export const isQuote = (c: string | undefined): boolean => c === '"' || c === "'"
export const isEolChar = (c: string | undefined): boolean => c === '\n' || c === '\r'

/** Skip a backslash and what it escapes; `\` + CRLF escapes both characters. */
export function skipEscape(text: string, i: number): number {
  if (text[i + 1] === '\r' && text[i + 2] === '\n') return i + 3
  return Math.min(i + 2, text.length)
}

/** Does `word`, followed by a quote at `after`, start a string literal (`rb'...'`)? */
export const isStringPrefix = (text: string, word: string, after: number): boolean =>
  isQuote(text[after]) && STRING_PREFIXES.has(word.toLowerCase())
