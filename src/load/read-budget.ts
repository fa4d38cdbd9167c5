// A bound on reading in place. Apache reads an included file again wherever it is included, and
// so does the model: eight files each including the next ten times are ten million reads (a run
// ran out of memory on them). The load reads each file from disk once; here the reads in place
// are counted from the Include graph, and an Include of a top file that would take the run past
// the budget is not followed, with an error naming it (the run then fails, as it should).
import type { Directive } from '../syntax/types.js'
import { directives, type IncludeGraph } from './include-graph.js'
import type { LoadError } from './load.js'
import type { Loaded } from './loaded.js'

/** Files read in place per run, at most: real servers read hundreds. */
export const MAX_READS_IN_PLACE = 50_000

/** An Include statement that pulls files in, and what they are. */
type Statement = { node: Directive; targets: readonly string[] }
/** A statement and the file it is in. */
type Placed = Statement & { file: string }

/**
 * `graph` as it is while reading in place stays within `budget` files; past it, with an error
 * naming the Include of a top file where the budget runs out, a graph whose Includes pull nothing
 * in (the run fails; its model then reads each file once, whatever the Includes would multiply).
 */
export function boundReads(graph: IncludeGraph, files: readonly Loaded[], errors: LoadError[], budget = MAX_READS_IN_PLACE): IncludeGraph {
  const statements = statementsOf(graph, files)
  const reads = readsInPlace(statements, budget)
  let total = 0
  for (const top of topsOf(graph, statements)) {
    total += 1
    for (const s of statements.get(top) ?? []) {
      total += costOf(s, reads)
      if (total <= budget) continue
      errors.push(tooMany({ ...s, file: top }, heaviest({ ...s, file: top }, statements, reads, budget), budget))
      return { ...graph, targets: () => [], includes: () => [], roots: [...statements.keys()] }
    }
  }
  return graph
}

/** Each config file's Include statements that pull something in, in reading order. */
function statementsOf(graph: IncludeGraph, files: readonly Loaded[]): Map<string, Statement[]> {
  const out = new Map<string, Statement[]>()
  for (const l of files) {
    if (l.file.kind !== 'apache' || l.envvars) continue
    const list: Statement[] = []
    for (const node of directives(l.file.tree)) {
      const targets = graph.targets(node)
      if (targets.length > 0) list.push({ node, targets })
    }
    out.set(l.file.path, list)
  }
  return out
}

const costOf = (s: Statement, reads: ReadonlyMap<string, number>): number => s.targets.reduce((sum, t) => sum + (reads.get(t) ?? 0), 0)

/**
 * How many files reading each file reads in place (itself included), counted up to `budget + 1`;
 * an Include back into a file being counted (a cycle, which Apache and the model stop) counts 0.
 * Depth first with a stack of frames: Include chains are as long as a hostile tree makes them.
 */
function readsInPlace(statements: ReadonlyMap<string, Statement[]>, budget: number): Map<string, number> {
  const reads = new Map<string, number>()
  const counting = new Set<string>()
  for (const start of statements.keys()) {
    if (reads.has(start)) continue
    const stack = [{ file: start, targets: targetsOf(statements, start), next: 0, sum: 1 }]
    counting.add(start)
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      const target = frame.targets[frame.next++]
      if (target === undefined) {
        stack.pop()
        counting.delete(frame.file)
        reads.set(frame.file, frame.sum)
        const parent = stack[stack.length - 1]
        if (parent !== undefined) parent.sum = Math.min(budget + 1, parent.sum + frame.sum)
      } else if (reads.has(target)) {
        frame.sum = Math.min(budget + 1, frame.sum + reads.get(target)!)
      } else if (!counting.has(target) && statements.has(target)) {
        counting.add(target)
        stack.push({ file: target, targets: targetsOf(statements, target), next: 0, sum: 1 })
      } else if (!counting.has(target)) {
        frame.sum = Math.min(budget + 1, frame.sum + 1) // a file with no Includes of its own
      }
    }
  }
  return reads
}

const targetsOf = (statements: ReadonlyMap<string, Statement[]>, file: string): string[] => (statements.get(file) ?? []).flatMap((s) => [...s.targets])

/** Where reading starts, as the model reads: the graph's roots, then files only reachable through a cycle. */
function topsOf(graph: IncludeGraph, statements: ReadonlyMap<string, Statement[]>): string[] {
  const reached = new Set<string>()
  const tops: string[] = []
  for (const top of [...graph.roots, ...statements.keys()]) {
    if (reached.has(top)) continue
    tops.push(top)
    const stack = [top]
    for (let file = stack.pop(); file !== undefined; file = stack.pop()) {
      if (reached.has(file)) continue
      reached.add(file)
      stack.push(...graph.includes(file))
    }
  }
  return tops
}

/** Below `s`, the innermost Include that alone reads more than `budget` files (where the fan-out is); `s` if none. */
function heaviest(s: Placed, statements: ReadonlyMap<string, Statement[]>, reads: ReadonlyMap<string, number>, budget: number): Placed {
  const seen = new Set<Directive>([s.node])
  for (let at = s; ;) {
    const inner = at.targets.flatMap((file) => (statements.get(file) ?? []).map((x) => ({ ...x, file })))
    const next = inner.find((x) => !seen.has(x.node) && costOf(x, reads) > budget)
    if (next === undefined) return at
    seen.add(next.node)
    at = next
  }
}

const where = (s: Placed): string => {
  const start = s.node.position?.start
  return `${s.file}${start ? `:${start.line}:${start.column}` : ''}`
}

function tooMany(s: Placed, inner: Placed, budget: number): LoadError {
  const { node } = s
  const start = node.position?.start
  const named = (x: Placed): string => `${x.node.name} ${x.node.args[0] ?? ''}`
  const message =
    `${where(s)}: ${named(s)}: here Apache's reading passes ${budget.toLocaleString('en-US')} files in place ` +
    `(a file is read again wherever it is included${inner === s ? '' : `; ${named(inner)} at ${where(inner)} alone reads more`}); ` +
    'no Include is followed. Include each file from fewer places'
  return { code: 'io', file: s.file, ...(start ? { line: start.line, column: start.column } : {}), message }
}
