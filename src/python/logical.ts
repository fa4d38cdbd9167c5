// Logical lines: the tokens of one Python logical line (joined over brackets, backslashes and
// triple-quoted strings) become a LogicalLine with its indentation, its kind and its statements.
import { CLOSERS, COMPOUND_KEYWORDS, OPENERS } from './grammar.js'
import { indentWidthOf } from './indentation.js'
import { textStart } from './lines.js'
import type { LogicalLine, PhysicalLine, Statement, Token } from './types.js'

/** What building a logical line needs to know about the file. */
export interface LineContext {
  text: string
  bom: boolean
  lines: PhysicalLine[]
  lineOf: (offset: number) => number
}

/** `if`, `def`, a decorator, or a `match`/`case` header (soft keywords: not `match = 1`). */
function isCompound(tokens: Token[], opensBlock: boolean): boolean {
  const head = tokens[0]!
  if (head.type === 'name' && COMPOUND_KEYWORDS.has(head.text)) return true
  if (head.type === 'op' && head.text === '@') return true
  return head.type === 'name' && (head.text === 'match' || head.text === 'case') && opensBlock &&
    tokens.length > 2 && !(tokens[1]!.type === 'op' && ['=', '.', ':'].includes(tokens[1]!.text))
}

/**
 * Split on `;` outside brackets; empty pieces (a trailing `;`) are dropped. A stray closer does
 * not take the depth below zero, so it hides no later `;`.
 */
function splitStatements(tokens: Token[]): Token[][] {
  const segments: Token[][] = []
  let seg: Token[] = []
  let depth = 0
  for (const t of tokens) {
    if (t.type === 'op') {
      if (t.text in OPENERS) depth++
      else if (CLOSERS.has(t.text)) depth = Math.max(0, depth - 1)
      else if (t.text === ';' && depth === 0) {
        if (seg.length > 0) segments.push(seg)
        seg = []
        continue
      }
    }
    seg.push(t)
  }
  if (seg.length > 0) segments.push(seg)
  return segments
}

function statementsOf(ctx: LineContext, index: number, tokens: Token[], topLevel: boolean): Statement[] {
  const segments = splitStatements(tokens)
  return segments.map((toks) => {
    const s = toks[0]!
    const e = toks[toks.length - 1]!
    return {
      logical: index,
      startLine: s.line,
      endLine: ctx.lineOf(Math.max(e.start, e.end - 1)),
      start: s.start,
      end: e.end,
      text: ctx.text.slice(s.start, e.end),
      tokens: toks,
      sharedLine: segments.length > 1,
      topLevel,
    }
  })
}

/**
 * The logical line `index` made of `tokens` (comments left out), from offset `firstOffset` to
 * `lastOffset` (on its last physical line). Its physical lines are marked as belonging to it.
 */
export function buildLogicalLine(
  ctx: LineContext,
  index: number,
  tokens: Token[],
  firstOffset: number,
  lastOffset: number,
): LogicalLine {
  const startLine = ctx.lineOf(firstOffset)
  const endLine = ctx.lineOf(lastOffset)
  const first = ctx.lines[startLine - 1]!
  const last = ctx.lines[endLine - 1]!
  const indent = /^[ \t\f]*/.exec(ctx.text.slice(textStart(first.start, ctx.bom), first.contentEnd))![0]
  const lastTok = tokens[tokens.length - 1]!
  const opensBlock = lastTok.type === 'op' && lastTok.text === ':'
  const compound = isCompound(tokens, opensBlock)
  const indentWidth = indentWidthOf(indent)
  const statements = statementsOf(ctx, index, tokens, indentWidth === 0 && !compound)
  for (let l = startLine; l <= endLine; l++) {
    const pl = ctx.lines[l - 1]!
    pl.role = l === startLine ? 'start' : 'continuation'
    pl.logical = index
  }
  return {
    index, startLine, endLine, start: first.start, end: last.end, indent, indentWidth, compound, opensBlock, tokens, statements,
  }
}
