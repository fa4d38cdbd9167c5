// The tokenizer: Python source to physical lines, tokens and logical lines, losslessly (every
// offset points into the text as given). It only has to answer "where does each logical
// statement start and end, and what are its tokens", so it never mistakes text in strings or
// comments for code. It builds no AST.
import {
  BOM, CLOSERS, ID_RE, isEolChar, isStringPrefix, MAX_NESTING, NUM_RE, OPENERS, OPS1, OPS2, OPS3, skipEscape,
} from './grammar.js'
import { checkStaticBlocks } from './blocks.js'
import { checkIndentation } from './indentation.js'
import { lineLocator, markUnclaimedLines, splitPhysicalLines } from './lines.js'
import { buildLogicalLine, type LineContext } from './logical.js'
import { scanString } from './strings.js'
import type { LogicalLine, PythonScan, ScanError, Token, TokenType } from './types.js'

/** The tokenizer's state while it walks the text. */
interface Scanner extends LineContext {
  pos: number
  errors: ScanError[]
  logicalLines: LogicalLine[]
  /** Tokens of the logical line being read (no comments), and the offset it starts at. */
  cur: Token[]
  curStart: number | null
  /** Open brackets: inside them line breaks do not end the logical line. */
  /** Open brackets; `tooDeep` on the one at MAX_NESTING once the error is said for what it holds. */
  stack: Array<{ close: string; line: number; tooDeep?: boolean }>
}

/** Reads what starts at `s.pos` with character `c`; false when it is not its kind of token. */
type Rule = (s: Scanner, c: string) => boolean

function push(s: Scanner, type: TokenType, start: number, end: number, value?: string | null): void {
  const tok: Token = { type, text: s.text.slice(start, end), start, end, line: s.lineOf(start) }
  if (value !== undefined) tok.value = value
  if (type !== 'comment') {
    if (s.curStart === null) s.curStart = start
    s.cur.push(tok)
  }
}

const error = (s: Scanner, offset: number, message: string): void => {
  s.errors.push({ line: s.lineOf(offset), message })
}

/** Close the current logical line; `lastOffset` lies on its last physical line. */
function finish(s: Scanner, lastOffset: number): void {
  if (s.cur.length > 0 && s.curStart !== null) {
    s.logicalLines.push(buildLogicalLine(s, s.logicalLines.length, s.cur, s.curStart, lastOffset))
  }
  s.cur = []
  s.curStart = null
}

/** A string literal whose prefix (`prefixLen` characters) starts at `s.pos`. */
function stringToken(s: Scanner, prefixLen: number): void {
  const str = scanString(s.text, s.pos, prefixLen)
  if (str.error) error(s, s.pos, str.error)
  push(s, 'string', s.pos, str.end, str.value)
  s.pos = str.end
}

const whitespace: Rule = (s) => {
  s.pos++
  return true
}

/** A line break ends the logical line unless a bracket is open. */
const lineBreak: Rule = (s, c) => {
  const len = c === '\r' && s.text[s.pos + 1] === '\n' ? 2 : 1
  if (s.stack.length === 0) finish(s, s.pos)
  s.pos += len
  return true
}

const comment: Rule = (s) => {
  let e = s.pos
  while (e < s.text.length && !isEolChar(s.text[e])) e++
  push(s, 'comment', s.pos, e)
  s.pos = e
  return true
}

/** `\` before a line break joins the lines; anywhere else it is an error. */
const backslash: Rule = (s) => {
  if (isEolChar(s.text[s.pos + 1])) {
    if (s.curStart === null) s.curStart = s.pos
    s.pos = skipEscape(s.text, s.pos)
    return true
  }
  error(s, s.pos, 'unexpected character after line continuation')
  push(s, 'error', s.pos, s.pos + 1)
  s.pos++
  return true
}

const quoted: Rule = (s) => {
  stringToken(s, 0)
  return true
}

/** A name, or the prefix of a string literal (`rb'...'`). */
const word: Rule = (s) => {
  ID_RE.lastIndex = s.pos
  const id = ID_RE.exec(s.text)
  if (!id) return false
  const after = s.pos + id[0].length
  if (isStringPrefix(s.text, id[0], after)) {
    stringToken(s, id[0].length)
    return true
  }
  push(s, 'name', s.pos, after)
  s.pos = after
  return true
}

const number: Rule = (s) => {
  NUM_RE.lastIndex = s.pos
  const num = NUM_RE.exec(s.text)
  if (!num) return false
  push(s, 'number', s.pos, s.pos + num[0].length)
  s.pos += num[0].length
  return true
}

/** The longest operator at `s.pos`; brackets are matched as they open and close. */
const operator: Rule = (s, c) => {
  const { text, pos } = s
  const op = OPS3.find((o) => text.startsWith(o, pos)) ?? OPS2.find((o) => text.startsWith(o, pos)) ??
    (OPS1.includes(c) ? c : undefined)
  if (op === undefined) return false
  if (op in OPENERS) {
    const limit = s.stack[MAX_NESTING - 1]
    if (limit !== undefined && !limit.tooDeep) {
      limit.tooDeep = true
      error(s, pos, 'too many nested parentheses')
    }
    s.stack.push({ close: OPENERS[op]!, line: s.lineOf(pos) })
  } else if (CLOSERS.has(op)) {
    const top = s.stack.pop()
    if (!top) error(s, pos, `unmatched '${op}'`)
    else if (top.close !== op) error(s, pos, `closing '${op}' does not match '${top.close}' expected`)
  }
  push(s, 'op', pos, pos + op.length)
  s.pos += op.length
  return true
}

const invalid: Rule = (s, c) => {
  const width = (c.codePointAt(0) ?? 0) > 0xffff ? 2 : 1
  error(s, s.pos, `invalid character '${s.text.slice(s.pos, s.pos + width)}'`)
  push(s, 'error', s.pos, s.pos + width)
  s.pos += width
  return true
}

/** Characters that decide the token on their own. */
const BY_CHAR: Record<string, Rule> = {
  ' ': whitespace, '\t': whitespace, '\f': whitespace,
  '\n': lineBreak, '\r': lineBreak,
  '#': comment,
  '\\': backslash,
  '"': quoted, "'": quoted,
}

/** Everything else, tried in order. */
const OTHERS: Rule[] = [word, number, operator, invalid]

/**
 * Tokenize Python source into physical and logical lines. Never throws: problems Python would
 * reject are listed in `errors` (callers should not edit such a file).
 */
export function scanPython(text: string): PythonScan {
  const bom = text.startsWith(BOM)
  const lines = splitPhysicalLines(text)
  const s: Scanner = {
    text, bom, lines, lineOf: lineLocator(lines),
    pos: bom ? 1 : 0, errors: [], logicalLines: [], cur: [], curStart: null, stack: [],
  }
  while (s.pos < text.length) {
    const c = text[s.pos]!
    const rule = BY_CHAR[c]
    if (rule) rule(s, c)
    else OTHERS.some((r) => r(s, c))
  }
  for (const open of s.stack) s.errors.push({ line: open.line, message: `'${open.close}' never closed` })
  // Python refuses a NUL anywhere in the source, comments and strings included.
  const nul = text.indexOf('\0')
  if (nul !== -1) s.errors.unshift({ line: s.lineOf(nul), message: 'source code cannot contain null bytes' })
  finish(s, Math.max(0, text.length - 1))
  checkIndentation(s.logicalLines, s.errors)
  // Blocks are read from the indentation: only sound indentation says how deep they nest.
  if (s.errors.length === 0) checkStaticBlocks(s.logicalLines, s.errors)
  markUnclaimedLines(text, lines, bom)
  return { bom, lines, logicalLines: s.logicalLines, errors: s.errors }
}
