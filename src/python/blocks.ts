// Python's other nesting limit: its compiler refuses a 21st statically nested block
// (CO_MAXBLOCKS, "too many statically nested blocks"). Loops, `with` items and `try` open such
// blocks; `if`, `match` and `else` of a loop do not; `def` and `class` start over at zero. The
// counts are CPython 3.11's, which the tests check against (an `except` body sits in two blocks,
// a `try` with `finally` in one more); other versions may accept a little more.
import { CLOSERS, OPENERS } from './grammar.js'
import type { LogicalLine, ScanError, Token } from './types.js'

const MAX_BLOCKS = 20

/** Clauses that continue the statement before them at their indentation. */
const CLAUSES = new Set(['except', 'else', 'finally', 'elif'])

/** A `try` statement: the depth around it and which clauses it has. */
interface TryInfo {
  depth: number
  except: boolean
  finally: boolean
}

/** A block header at `indent` whose body is `depth` blocks deep. */
interface Open {
  indent: number
  depth: number
}

interface Walk {
  lines: LogicalLine[]
  /** The `try` an `except`, `else` or `finally` at each indentation continues (none: a loop's, an if's). */
  tries: Map<number, TryInfo | undefined>
}

/** The statement keyword a logical line starts with (`async` skipped). */
function headOf(l: LogicalLine): string {
  const [a, b] = l.tokens
  const head = a?.type === 'name' && a.text === 'async' ? b : a
  return head?.type === 'name' ? head.text : ''
}

/** Commas between items at bracket depth `at` (a trailing one separates nothing). */
function itemCount(toks: Token[], at: number): number {
  let depth = 0
  let n = 1
  toks.forEach((t, i) => {
    if (t.type !== 'op') return
    if (t.text in OPENERS) depth++
    else if (CLOSERS.has(t.text)) depth--
    else if (t.text === ',' && depth === at && toks[i + 1] && !CLOSERS.has(toks[i + 1]!.text)) n++
  })
  return n
}

/** Where the bracket opened by `toks[0]` closes. */
function closingOf(toks: Token[]): number {
  let depth = 0
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!
    if (t.type === 'op' && t.text in OPENERS) depth++
    else if (t.type === 'op' && CLOSERS.has(t.text) && --depth === 0) return i
  }
  return -1
}

/** `with a, b:` and `with (a as x, b as y):` hold two items: one block each. */
function withItems(tokens: Token[]): number {
  const items = tokens.slice(tokens[0]!.text === 'async' ? 2 : 1, -1)
  // The parenthesized form (Python 3.9+): brackets that close right before the colon.
  const wrapped = items[0]?.text === '(' && closingOf(items) === items.length - 1
  return itemCount(items, wrapped ? 1 : 0)
}

/** The clauses (`except`, `finally`) of the `try` at logical line `i`. */
function tryInfo(w: Walk, i: number, depth: number): TryInfo {
  const info = { depth, except: false, finally: false }
  const indent = w.lines[i]!.indentWidth
  for (let j = i + 1; j < w.lines.length; j++) {
    const l = w.lines[j]!
    if (l.indentWidth > indent) continue
    const head = headOf(l)
    if (l.indentWidth < indent || !CLAUSES.has(head) || head === 'elif') break
    if (head === 'except') info.except = true
    if (head === 'finally') info.finally = true
  }
  return info
}

/** How deep the body of the header at logical line `i` is, given the depth around it. */
const BODY_DEPTH: Record<string, (w: Walk, i: number, depth: number) => number> = {
  for: (_w, _i, d) => d + 1,
  while: (_w, _i, d) => d + 1,
  with: (w, i, d) => d + withItems(w.lines[i]!.tokens),
  def: () => 0,
  class: () => 0,
  try: (w, i, d) => {
    const t = tryInfo(w, i, d)
    w.tries.set(w.lines[i]!.indentWidth, t)
    return d + 1 + (t.except && t.finally ? 1 : 0)
  },
  except: (w, i, d) => {
    const t = w.tries.get(w.lines[i]!.indentWidth)
    return t ? t.depth + 2 + (t.finally ? 1 : 0) : d
  },
  else: (w, i, d) => {
    const t = w.tries.get(w.lines[i]!.indentWidth)
    return t ? t.depth + (t.finally ? 1 : 0) : d
  },
  finally: (w, i, d) => {
    const t = w.tries.get(w.lines[i]!.indentWidth)
    return t ? t.depth + 1 : d
  },
}

/** The end (exclusive) of the statement at logical line `i`: its header and its block. */
function endOf(lines: LogicalLine[], i: number, to: number): number {
  let j = i + 1
  while (j < to && lines[j]!.indentWidth > lines[i]!.indentWidth) j++
  return j
}

/** Which clause of a `try` the compiler reads first: the body, then `else`, then the handlers. */
const CLAUSE_ORDER: Record<string, number> = { try: 0, else: 1, except: 2, finally: 3 }

/** Logical line indexes in the order the compiler meets them (so its first error is found). */
function compileOrder(lines: LogicalLine[]): number[] {
  const out: number[] = []
  const block = (from: number, to: number): void => {
    for (let i = from; i < to;) {
      const parts: Array<[number, number]> = [[i, endOf(lines, i, to)]]
      let next = parts[0]![1]
      if (headOf(lines[i]!) === 'try') {
        while (next < to && lines[next]!.indentWidth === lines[i]!.indentWidth && headOf(lines[next]!) in CLAUSE_ORDER) {
          parts.push([next, endOf(lines, next, to)])
          next = parts[parts.length - 1]![1]
        }
        parts.sort((a, b) => CLAUSE_ORDER[headOf(lines[a[0]]!)]! - CLAUSE_ORDER[headOf(lines[b[0]]!)]!)
      }
      for (const [a, b] of parts) {
        out.push(a)
        block(a + 1, b)
      }
      i = next
    }
  }
  block(0, lines.length)
  return out
}

/**
 * The statement that would open a 21st nested block, the first the compiler meets, as Python's
 * compiler refuses it. Run on a file whose indentation is sound (the blocks are read from it).
 */
export function checkStaticBlocks(lines: LogicalLine[], errors: ScanError[]): void {
  const w: Walk = { lines, tries: new Map() }
  const open: Open[] = []
  const tooDeep = new Set<number>()
  lines.forEach((l, i) => {
    while (open.length > 0 && open[open.length - 1]!.indent >= l.indentWidth) open.pop()
    const around = open[open.length - 1]?.depth ?? 0
    const head = headOf(l)
    const bodyDepth = l.compound ? BODY_DEPTH[head]?.(w, i, around) ?? around : around
    if (!CLAUSES.has(head) && head !== 'try') w.tries.set(l.indentWidth, undefined)
    // `else` and `finally` open no block of their own beyond what their `try` already did.
    if (bodyDepth > MAX_BLOCKS && head !== 'else' && head !== 'finally') tooDeep.add(i)
    if (l.opensBlock) open.push({ indent: l.indentWidth, depth: bodyDepth })
  })
  if (tooDeep.size === 0) return
  const first = compileOrder(lines).find((i) => tooDeep.has(i))!
  errors.push({ line: lines[first]!.startLine, message: 'too many statically nested blocks' })
}
