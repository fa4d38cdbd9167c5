// Template branches in the model: a directive inside `{% if %}` ... `{% endif %}` (or an ERB/EPP
// block, or an Include that stands in one) is read only in some renderings of the template. A
// decision resting on it holds only when it renders wherever the application does: two
// definitions in the `if` and `else` of one block are alternatives, not a duplicate, and a
// WSGIProcessGroup in an `if` the application is outside of decides only sometimes.
import { branchesByNode, exclusive, isLoop, type BranchStep } from '../syntax/template-tree.js'
import type { Content, Directive, Root } from '../syntax/types.js'
import type { Located } from './types.js'

export type { BranchStep }

/** What a record's branches are looked up from: its node, its file and the Includes that led to it. */
type Placed = Pick<Located, 'node' | 'file' | 'scope'>

export interface Branches {
  /** The template branches `record` is in, through the Includes that led to it, outermost first. */
  of(record: Placed): BranchStep[]
  /** The file of a block's opening control line (asked of a step `of` returned). */
  fileOf(step: BranchStep): string
}

/** Branches of the records of one model: each file's tree is walked once, on first ask. */
export function createBranches(trees: ReadonlyMap<string, Root>): Branches {
  const byFile = new Map<string, Map<Content, BranchStep[]>>()
  const files = new Map<Directive, string>()
  const memo = new WeakMap<Placed, BranchStep[]>()
  const inFile = (file: string, node: Content): BranchStep[] => {
    let steps = byFile.get(file)
    if (steps === undefined) {
      const tree = trees.get(file)
      byFile.set(file, (steps = tree === undefined || !hasControls(tree) ? NO_STEPS : branchesByNode(tree)))
      for (const list of steps.values()) for (const s of list) files.set(opening(s), file)
    }
    return steps.get(node) ?? NONE
  }
  return {
    fileOf: (step) => files.get(opening(step)) ?? '',
    of(record) {
      // Most records are read where they are written: their file's answer, as it is.
      if (record.scope.includes.length === 0) return inFile(record.file, record.node)
      let steps = memo.get(record)
      if (steps !== undefined) return steps
      steps = []
      for (const step of record.scope.includes) steps.push(...inFile(step.file, step.node))
      steps.push(...inFile(record.file, record.node))
      memo.set(record, steps)
      return steps
    },
  }
}

const NONE: BranchStep[] = []
const NO_STEPS = new Map<Content, BranchStep[]>()

/** A tree with no template block has no branches: most configs, looked at once. */
function hasControls(tree: Root): boolean {
  const stack: Content[] = [...tree.children]
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.type === 'directive' && n.data?.control !== undefined) return true
    if (n.type === 'section') stack.push(...n.children)
  }
  return false
}

/** The control line that opens a block: how one block is known wherever it is read. */
const opening = (s: BranchStep): Directive => s.block.branches[0].control

const sameStep = (a: BranchStep, b: BranchStep): boolean => opening(a) === opening(b) && a.branch === b.branch

/** True when every branch of `steps` is one of `context`'s: it renders wherever `context` does. */
export function within(steps: readonly BranchStep[], context: readonly BranchStep[]): boolean {
  return steps.every((s) => context.some((c) => sameStep(s, c)))
}

/** The first step of `steps` that `context` does not take: the block it renders only in some branches of. */
export function outside(steps: readonly BranchStep[], context: readonly BranchStep[]): BranchStep | undefined {
  return steps.find((s) => !context.some((c) => sameStep(s, c)))
}

/** The outermost loop `steps` are in (`{% for %}`, `.each do`): what is there renders once per item. */
export function loopOf(steps: readonly BranchStep[]): BranchStep | undefined {
  // Its first branch is the body (a `{% for %}`'s `{% else %}` renders once, when there is no item).
  return steps.find((s) => s.branch === 0 && isLoop(s.block))
}

/** True when no rendering holds both. */
export { exclusive }

/** Blocks tried at most in one question: a hostile template of many blocks gets "not provable". */
const BUDGET = 256

/**
 * True when in every rendering that has `context`, one of `items` renders too: one is in all of
 * `context`'s branches, or for each branch of a block that some rendering must take (an `if` with
 * an `else`), one renders with it (`WSGIDaemonProcess x` in both the `if` and the `else`).
 */
export function alwaysWith(items: ReadonlyArray<readonly BranchStep[]>, context: readonly BranchStep[]): boolean {
  const budget = { left: BUDGET }
  const holds = (ctx: readonly BranchStep[]): boolean => {
    const live = items.filter((i) => !exclusive(i, ctx))
    if (live.some((i) => within(i, ctx))) return true
    const tried = new Set<Directive>()
    for (const item of live) {
      const s = outside(item, ctx)
      if (s === undefined || !s.block.exhaustive || tried.has(opening(s))) continue
      tried.add(opening(s))
      if (--budget.left < 0) return false
      if (s.block.branches.every((_, branch) => holds([...ctx, { block: s.block, branch }]))) return true
    }
    return false
  }
  return holds(context)
}

/** Whether one of `others` renders wherever `record` does (see WsgiModel.rendersWith). */
export function rendersWith(branches: Branches, record: Placed, others: readonly Placed[]): 'always' | 'sometimes' | 'never' {
  const mine = branches.of(record)
  const live = others.filter((o) => !exclusive(branches.of(o), mine))
  if (live.length === 0) return 'never'
  // A line whose inline conditionals write it differently is only what the model read in some renderings.
  return alwaysWith(live.filter((o) => !rendersApart(o.node)).map((o) => branches.of(o)), mine) ? 'always' : 'sometimes'
}

/**
 * A line whose inline conditionals render different words (`{% if a %}WSGIProcessGroup x{% else
 * %}WSGIProcessGroup y{% endif %}`): the model reads the first rendering, which others do not write.
 */
export function rendersApart(node: Content): boolean {
  const alternatives = node.type === 'directive' || node.type === 'section' ? node.data?.alternatives : undefined
  if (alternatives === undefined) return false
  const [first] = alternatives
  return alternatives.some((a) => a.kind !== first.kind || a.args.join(' ') !== first.args.join(' '))
}
