// `visit` and `visitParents` with the contract of unist-util-visit and unist-util-visit-parents
// (a test, enter and exit visitors, CONTINUE / SKIP / EXIT, index returns, reverse), but walking
// with a loop over an explicit stack instead of a call per level: those packages recurse, and run
// out of stack between 5,000 and 10,000 levels of nesting, which a hostile file reaches easily.
//
// As with the packages, an `ancestors` array a visitor is given keeps its contents: the walker
// hands out its own stack, and copies it before changing it once a visitor has seen it. So
// visitParents costs, as the packages do, a copy of the ancestors for each visited node below a
// parent that was visited too (quadratic in the depth when every level is visited); `visit`
// (parent only) costs nothing per level.
import type { Node, Parent } from 'unist'
import { convert, type Test } from 'unist-util-is'
import type { BuildVisitor, BuildVisitors } from 'unist-util-visit'
import { CONTINUE, EXIT, SKIP, type ActionTuple, type BuildVisitor as BuildParentsVisitor, type BuildVisitors as BuildParentsVisitors, type VisitorResult } from 'unist-util-visit-parents'

export { CONTINUE, EXIT, SKIP }
export type { Test }

/** What both visitors have in common: the node, its index, and its ancestors or parent. */
type Call = (node: Node, index: number | undefined, ancestors: Parent[] | undefined, parent: Parent | undefined) => VisitorResult
type Check = (node: unknown, index?: number | null, parent?: Parent | null) => boolean

interface Walk {
  is: Check
  enter?: Call
  exit?: Call
  reverse: boolean
  /** Whether visitors take the ancestors (visitParents) or the parent (visit). */
  ancestors: boolean
}

/** unist-util-visit-parents' visitParents(tree[, test], enter | visitors[, reverse]), iterative. */
export function visitParents<Tree extends Node, Check extends Test>(tree: Tree, check: Check, enter: BuildParentsVisitor<Tree, Check>, reverse?: boolean | null): undefined
export function visitParents<Tree extends Node, Check extends Test>(tree: Tree, check: Check, visitors: BuildParentsVisitors<Tree, Check>, reverse?: boolean | null): undefined
export function visitParents<Tree extends Node>(tree: Tree, enter: BuildParentsVisitor<Tree>, reverse?: boolean | null): undefined
export function visitParents<Tree extends Node>(tree: Tree, visitors: BuildParentsVisitors<Tree>, reverse?: boolean | null): undefined
export function visitParents(tree: Node, a: unknown, b?: unknown, c?: unknown): undefined {
  const call = (f: Function): Call => (node, index, ancestors) => f(node, ancestors, index)
  walk(tree, prepare(tree, [a, b, c], call, true))
  return undefined
}

/** unist-util-visit's visit(tree[, test], visitor | visitors[, reverse]), iterative. */
export function visit<Tree extends Node, Check extends Test>(tree: Tree, check: Check, visitor: BuildVisitor<Tree, Check>, reverse?: boolean | null): undefined
export function visit<Tree extends Node, Check extends Test>(tree: Tree, check: Check, visitors: BuildVisitors<Tree, Check>, reverse?: boolean | null): undefined
export function visit<Tree extends Node>(tree: Tree, visitor: BuildVisitor<Tree>, reverse?: boolean | null): undefined
export function visit<Tree extends Node>(tree: Tree, visitors: BuildVisitors<Tree>, reverse?: boolean | null): undefined
export function visit(tree: Node, a: unknown, b?: unknown, c?: unknown): undefined {
  const call = (f: Function): Call => (node, index, _, parent) => f(node, index, parent)
  // unist-util-visit reads its arguments, then hands them to visitParents as (test, visitors,
  // reverse): an error about bad visitors names what that second reading finds.
  const hasTest = isVisitors(b)
  walk(tree, prepare(tree, hasTest ? [a, b, c] : [undefined, a, b], call, false))
  return undefined
}

const isVisitors = (x: unknown): boolean => typeof x === 'function' || (x !== null && typeof x === 'object')

/**
 * Read the arguments as the packages do: the test is optional, so a visitor (or visitors object)
 * in third place means there is one.
 */
function prepare(tree: Node, [a, b, c]: unknown[], call: (f: Function) => Call, ancestors: boolean): Walk {
  if (!tree || typeof tree !== 'object') throw new Error('Unexpected value `' + String(tree) + '` for `tree`, expected node')
  const hasTest = isVisitors(b)
  const check = hasTest ? a : undefined
  const { enter, exit } = visitorsOf(hasTest ? b : a)
  const test = convert(check as Test)
  return {
    // As in the packages: a falsy test (`''` too) lets every node through.
    is: check ? test : () => true,
    enter: enter && call(enter),
    exit: exit && call(exit),
    reverse: Boolean(hasTest ? c : b),
    ancestors,
  }
}

/** The enter and exit visitors, with the packages' errors for anything else. */
function visitorsOf(visitors: unknown): { enter?: Function; exit?: Function } {
  if (typeof visitors === 'function') return { enter: visitors }
  if (visitors === null || typeof visitors !== 'object') {
    throw new Error('Unexpected value `' + String(visitors) + '` for `enter` or `visitors`, expected visitor or object with visitors')
  }
  const { enter, exit } = visitors as { enter?: unknown; exit?: unknown }
  if (enter !== null && enter !== undefined && typeof enter !== 'function') {
    throw new Error('Unexpected value `' + String(enter) + '` for `visitors.enter`, expected optional visitor')
  }
  if (typeof exit !== 'function') {
    throw new Error(
      'Unexpected value `' + String(exit) + '` for `visitors.exit`, expected visitor (pass a visitor directly if you only want an enter visitor)',
    )
  }
  return { enter: (enter ?? undefined) as Function | undefined, exit }
}

const EMPTY: Readonly<ActionTuple> = []

/** A visitor's return value as a tuple, as the packages read it. */
function toResult(value: VisitorResult): Readonly<ActionTuple> {
  if (Array.isArray(value)) return value
  if (typeof value === 'number') return [CONTINUE, value]
  return value === null || value === undefined ? EMPTY : [value]
}

/** A parent whose children are being walked. */
interface Frame {
  node: Parent
  index: number | undefined
  matches: boolean
  /** What entering it returned: its result when its exit visitor does not return one. */
  result: Readonly<ActionTuple>
  /** The child to walk next. */
  offset: number
}

/**
 * Depth first, as the packages do it: enter a node; walk its children unless it said SKIP (a
 * child's index return says which sibling is next); exit it. EXIT, from either, stops all.
 */
function walk(tree: Node, options: Walk): void {
  const { is, enter, reverse } = options
  const step = reverse ? -1 : 1
  const frames: Frame[] = []
  const ancestors = new Ancestors(options.ancestors)
  let node: Node = tree
  let index: number | undefined
  for (;;) {
    const parent = frames.length > 0 ? frames[frames.length - 1].node : undefined
    const matches = is(node, index, parent)
    let result: Readonly<ActionTuple> = EMPTY
    if (enter !== undefined && matches) {
      result = toResult(enter(node, index, ancestors.shown(), parent))
      if (result[0] === EXIT) return
    }
    const children = 'children' in node ? (node as Parent).children : undefined
    let done: Readonly<ActionTuple> | undefined
    if (children && result[0] !== SKIP) {
      frames.push({ node: node as Parent, index, matches, result, offset: reverse ? children.length - 1 : 0 })
      ancestors.push(node as Parent)
    } else {
      done = exitNode(node, index, matches, result, parent, ancestors, options)
      if (done[0] === EXIT) return
    }
    // On to the next node: the next child of the innermost parent, or up when it has no more.
    for (;;) {
      const frame = frames[frames.length - 1]
      if (frame === undefined) return
      if (done !== undefined) frame.offset = typeof done[1] === 'number' ? done[1] : frame.offset + step
      const siblings = frame.node.children
      if (frame.offset > -1 && frame.offset < siblings.length) {
        node = siblings[frame.offset]
        index = frame.offset
        break
      }
      frames.pop()
      ancestors.pop()
      const up = frames.length > 0 ? frames[frames.length - 1].node : undefined
      done = exitNode(frame.node, frame.index, frame.matches, frame.result, up, ancestors, options)
      if (done[0] === EXIT) return
    }
  }
}

/** Leave a node: its exit visitor's EXIT or index when it returns one, else what entering it said. */
function exitNode(
  node: Node,
  index: number | undefined,
  matches: boolean,
  result: Readonly<ActionTuple>,
  parent: Parent | undefined,
  ancestors: Ancestors,
  { exit }: Walk,
): Readonly<ActionTuple> {
  if (exit === undefined || !matches) return result
  const exitResult = toResult(exit(node, index, ancestors.shown(), parent))
  if (exitResult[0] === SKIP) {
    throw new Error('Unexpected value `' + String(exitResult[0]) + '` from `exit`, expected `CONTINUE`, `EXIT`, index, or nothing')
  }
  return exitResult[0] === EXIT || typeof exitResult[1] === 'number' ? exitResult : result
}

/** The ancestors of the node being visited: one array, copied before a change once it was shown. */
class Ancestors {
  private stack: Parent[] = []
  private seen = false

  constructor(private readonly kept: boolean) {}

  /** The array for a visitor (undefined when visitors take the parent only). */
  shown(): Parent[] | undefined {
    if (!this.kept) return undefined
    this.seen = true
    return this.stack
  }

  push(node: Parent): void {
    if (!this.kept) return
    if (this.seen) {
      this.stack = this.stack.concat([node])
      this.seen = false
    } else this.stack.push(node)
  }

  pop(): void {
    if (!this.kept) return
    if (this.seen) {
      this.stack = this.stack.slice(0, -1)
      this.seen = false
    } else this.stack.pop()
  }

}
