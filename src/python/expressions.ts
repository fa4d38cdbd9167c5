// A tiny expression reader over tokens: just enough for call chains (`site.addsitedir(...)`,
// `open(p).read()`) and string literals. Anything else reads as `other`, and so does what is
// nested deeper than Python accepts (MAX_NESTING): the reader recurses into brackets, so their
// depth is what bounds it, whatever a hostile script holds.
import { CLOSERS, KEYWORDS, MAX_NESTING, OPENERS } from './grammar.js'
import type { Token } from './types.js'

export type Expr =
  | { kind: 'str'; value: string | null }
  | { kind: 'name'; name: string }
  | { kind: 'attr'; object: Expr; name: string }
  | { kind: 'call'; callee: Expr; args: Arg[] }
  | { kind: 'other' }

export interface Arg {
  keyword: string | null
  star: boolean
  value: Expr
  tokens: Token[]
}

const OTHER: Expr = { kind: 'other' }

export const isOp = (t: Token | undefined, text: string): boolean => t?.type === 'op' && t.text === text
export const isName = (t: Token | undefined, text?: string): boolean =>
  t?.type === 'name' && (text === undefined || t.text === text)

/** Index of the bracket closing the one at `i`, or -1. */
function matching(toks: Token[], i: number): number {
  let depth = 0
  for (let j = i; j < toks.length; j++) {
    const t = toks[j]!
    if (t.type !== 'op') continue
    if (t.text in OPENERS) depth++
    else if (CLOSERS.has(t.text)) {
      depth--
      if (depth === 0) return j
    }
  }
  return -1
}

/** Split on `sep` outside brackets. */
export function splitTopLevel(toks: Token[], sep: string): Token[][] {
  const parts: Token[][] = []
  let part: Token[] = []
  let depth = 0
  for (const t of toks) {
    if (t.type === 'op') {
      if (t.text in OPENERS) depth++
      else if (CLOSERS.has(t.text)) depth--
      else if (t.text === sep && depth === 0) {
        parts.push(part)
        part = []
        continue
      }
    }
    part.push(t)
  }
  parts.push(part)
  return parts
}

interface Read {
  expr: Expr
  next: number
}

/** A string (adjacent literals concatenate at compile time: 'a' 'b' is one constant). */
function readStrings(toks: Token[], i: number): Read {
  let value: string | null = ''
  while (toks[i]?.type === 'string') {
    const v: string | null | undefined = toks[i]!.value
    value = value === null || v === null || v === undefined ? null : value + v
    i++
  }
  return { expr: { kind: 'str', value }, next: i }
}

/** A string, a name, or a parenthesized expression (a tuple reads as `other`); `depth`: brackets around `toks`. */
function readAtom(toks: Token[], i: number, depth: number): Read | null {
  const t = toks[i]
  if (!t) return null
  if (t.type === 'string') return readStrings(toks, i)
  if (t.type === 'name' && !KEYWORDS.has(t.text)) return { expr: { kind: 'name', name: t.text }, next: i + 1 }
  if (!isOp(t, '(')) return null
  const j = matching(toks, i)
  if (j < 0) return null
  const inner = toks.slice(i + 1, j)
  const expr = inner.length === 0 || splitTopLevel(inner, ',').length > 1 ? OTHER : readSlice(inner, depth + 1)
  return { expr, next: j + 1 }
}

/** `.name`, `(args)` or `[...]` after `expr` at `i`; null when none follows or a bracket is unclosed. */
function readTrailer(toks: Token[], i: number, expr: Expr, depth: number): Read | null | undefined {
  const t = toks[i]
  if (isOp(t, '.') && isName(toks[i + 1])) {
    return { expr: { kind: 'attr', object: expr, name: toks[i + 1]!.text }, next: i + 2 }
  }
  if (!isOp(t, '(') && !isOp(t, '[')) return undefined
  const j = matching(toks, i)
  if (j < 0) return null
  // A subscript is not a shape activation code takes.
  const call: Expr = isOp(t, '(') ? { kind: 'call', callee: expr, args: readArgs(toks.slice(i + 1, j), depth + 1) } : OTHER
  return { expr: call, next: j + 1 }
}

/** An atom and its trailers; null when the tokens at `i` do not start one or a bracket is unclosed. */
function readPrimary(toks: Token[], i: number, depth: number): Read | null {
  let read = readAtom(toks, i, depth)
  while (read) {
    const more = readTrailer(toks, read.next, read.expr, depth)
    if (more === undefined) return read
    read = more
  }
  return null
}

/** Read a whole token slice as one primary expression; anything else is `other`. */
export function parseSlice(toks: Token[]): Expr {
  return readSlice(toks, 0)
}

function readSlice(toks: Token[], depth: number): Expr {
  if (depth > MAX_NESTING) return OTHER
  const r = readPrimary(toks, 0, depth)
  return r && r.next === toks.length ? r.expr : OTHER
}

function readArgs(toks: Token[], depth: number): Arg[] {
  if (toks.length === 0) return []
  const parts = splitTopLevel(toks, ',')
  if (parts[parts.length - 1]!.length === 0) parts.pop()
  return parts.map((p) => {
    if (isOp(p[0], '*') || isOp(p[0], '**')) {
      return { keyword: null, star: true, value: readSlice(p.slice(1), depth), tokens: p }
    }
    if (isName(p[0]) && isOp(p[1], '=')) {
      return { keyword: p[0]!.text, star: false, value: readSlice(p.slice(2), depth), tokens: p }
    }
    return { keyword: null, star: false, value: readSlice(p, depth), tokens: p }
  })
}

export const positional = (args: Arg[]): Arg[] => args.filter((a) => a.keyword === null && !a.star)

/** Dotted name of a callee (`site.addsitedir`), or null. A loop: attribute chains have no bound. */
export function dotted(e: Expr): string | null {
  const names: string[] = []
  let at = e
  for (; at.kind === 'attr'; at = at.object) names.push(at.name)
  if (at.kind !== 'name') return null
  names.push(at.name)
  return names.reverse().join('.')
}
