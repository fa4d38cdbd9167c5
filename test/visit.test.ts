// The iterative visitors (src/syntax/visit.ts) against the packages whose contract they keep:
// unist-util-visit and unist-util-visit-parents. On random trees, with random tests and visitors
// that return every kind of result and change the tree as they go (remove themselves, insert or
// remove siblings, replace children), both walk the same nodes in the same order, with the same
// indexes, parents and ancestors, throw the same errors, and leave the same tree. Then a tree
// 20,000 deep, where the packages run out of stack.
import test from 'ava'
import fc from 'fast-check'
import type { Node, Parent } from 'unist'
import { visit as packageVisit } from 'unist-util-visit'
import { visitParents as packageVisitParents } from 'unist-util-visit-parents'
import { CONTINUE, EXIT, SKIP, visit, visitParents } from '../src/syntax/visit.js'

interface TestNode extends Node {
  id: number
  children?: TestNode[]
}

// ---------------------------------------------------------------------------------------------
// Random trees

/** A tree shape: a type, and children (a parent) or none (a leaf). */
interface Shape {
  type: string
  children?: Shape[]
}

const TYPES = ['a', 'b', 'c'] as const

const { shape } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TYPES).map((type) => ({ type })),
    fc.record({ type: fc.constantFrom(...TYPES), children: fc.array(tie('shape'), { maxLength: 4 }) }),
  ),
}))

const rootShape = fc.array(shape, { maxLength: 5 }).map((children): Shape => ({ type: 'root', children }))

/** A fresh tree of the shape, nodes numbered in document order. */
function grow(s: Shape, ids = { next: 0 }): TestNode {
  const node: TestNode = { type: s.type, id: ids.next++ }
  if (s.children) node.children = s.children.map((c) => grow(c, ids))
  return node
}

// ---------------------------------------------------------------------------------------------
// Random visitors: a plan says what the n-th call does, so that two walks of equal trees make the
// same calls as long as they walk alike.

type Move =
  | { kind: 'return'; value: 'nothing' | 'continue' | 'skip' | 'exit' | 'garbage' }
  | { kind: 'index'; wrap: 'bare' | 'continue' | 'skip'; relative: boolean; n: number }
  | { kind: 'remove-self'; then: 'skip' | 'index' }
  | { kind: 'insert-after' | 'insert-before' | 'remove-next' | 'replace-children' | 'empty-children' }

const move: fc.Arbitrary<Move> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('return' as const), value: fc.constantFrom('nothing' as const, 'continue' as const, 'skip' as const, 'exit' as const, 'garbage' as const) }), weight: 6 },
  {
    arbitrary: fc.record({
      kind: fc.constant('index' as const),
      wrap: fc.constantFrom('bare' as const, 'continue' as const, 'skip' as const),
      relative: fc.boolean(),
      n: fc.integer({ min: -2, max: 5 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('remove-self' as const), then: fc.constantFrom('skip' as const, 'index' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constantFrom('insert-after' as const, 'insert-before' as const, 'remove-next' as const, 'replace-children' as const, 'empty-children' as const) }), weight: 2 },
)

const RETURNS = { nothing: undefined, continue: CONTINUE, skip: SKIP, exit: EXIT, garbage: 'garbage' }

/** Past this many calls every visitor says EXIT: a plan may insert a sibling after every node. */
const MAX_CALLS = 300

/** What a walk did: one line per call, and the error it ended with. */
interface Run {
  log: string[]
  error?: string
  tree: unknown
}

function runPlan(plan: Move[], tree: TestNode, walk: (enter: Visitor, exit: Visitor | undefined) => void, withExit: boolean): Run {
  const log: string[] = []
  let calls = 0
  let ids = 10_000
  const shown: Array<{ array: Parent[]; ids: string }> = []
  const fresh = (): TestNode => ({ type: 'new', id: ids++ })
  const act = (phase: string) => (node: TestNode, index: number | undefined, parent: Parent | undefined, ancestors?: Parent[]) => {
    const ancestry = ancestors ? ancestors.map((a) => (a as TestNode).id).join('/') : '-'
    if (ancestors) shown.push({ array: ancestors, ids: ancestry })
    log.push(`${phase} ${node.id} @${index} in ${(parent as TestNode | undefined)?.id} [${ancestry}]`)
    if (++calls > MAX_CALLS) return EXIT
    const m = plan[calls % plan.length]
    const siblings = (parent as TestNode | undefined)?.children
    switch (m.kind) {
      case 'return':
        return RETURNS[m.value]
      case 'index': {
        const at = m.relative && index !== undefined ? index + m.n : m.n
        return m.wrap === 'bare' ? at : [m.wrap === 'skip' ? SKIP : CONTINUE, at]
      }
      case 'remove-self':
        if (siblings === undefined || index === undefined) return undefined
        siblings.splice(index, 1)
        return m.then === 'skip' ? SKIP : [SKIP, index]
      case 'insert-after':
        if (siblings && index !== undefined) siblings.splice(index + 1, 0, fresh())
        return undefined
      case 'insert-before':
        if (siblings === undefined || index === undefined) return undefined
        siblings.splice(index, 0, fresh())
        return index + 2
      case 'remove-next':
        if (siblings && index !== undefined) siblings.splice(index + 1, 1)
        return undefined
      case 'replace-children':
        if (node.children) node.children = [fresh(), fresh()]
        return undefined
      case 'empty-children':
        if (node.children) node.children = []
        return undefined
    }
  }
  try {
    walk(act('enter') as Visitor, withExit ? (act('exit') as Visitor) : undefined)
  } catch (error) {
    return { log, error: (error as Error).message, tree }
  }
  // An ancestors array a visitor was given keeps what it held then.
  for (const s of shown) {
    const now = s.array.map((a) => (a as TestNode).id).join('/')
    if (now !== s.ids) throw new Error(`an ancestors array changed after it was shown: ${s.ids} -> ${now}`)
  }
  return { log, tree: structuredClone(tree) }
}

type Visitor = (node: TestNode, index: number | undefined, parent: Parent | undefined, ancestors?: Parent[]) => unknown

// ---------------------------------------------------------------------------------------------
// Tests

const testArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.constantFrom(...TYPES),
  fc.constant(['a', 'root']),
  fc.constant({ type: 'b' }),
  fc.constant((node: TestNode, index?: number) => node.id % 2 === 0 || index === 1),
)

const parametersArb = fc.record({
  shape: rootShape,
  plan: fc.array(move, { minLength: 1, maxLength: 12 }),
  test: testArb,
  reverse: fc.boolean(),
  withExit: fc.boolean(),
  /** Whether to pass the test at all (the two-argument forms). */
  passTest: fc.boolean(),
})

type Parameters = typeof parametersArb extends fc.Arbitrary<infer P> ? P : never

/** Call a visit function with or without a test and with one visitor or an enter/exit pair. */
function call(fn: (...args: unknown[]) => unknown, tree: Node, p: Parameters, enter: unknown, exit: unknown): void {
  const visitors = exit === undefined ? enter : { enter, exit }
  if (p.passTest) fn(tree, p.test, visitors, p.reverse)
  else fn(tree, visitors, p.reverse)
}

type Walker = (...args: unknown[]) => unknown
/** A runPlan visitor in the signature of `visit` or of `visitParents`. */
type Adapt = (visitor: Visitor) => unknown

/** Walk equal random trees with the package and with ours: the same calls, errors and tree. */
function sameAsPackage(t: { deepEqual: (a: unknown, b: unknown) => void }, theirs: Walker, mine: Walker, adapt: Adapt): void {
  fc.assert(
    fc.property(parametersArb, (p) => {
      const run = (fn: Walker): Run => {
        const tree = grow(p.shape)
        return runPlan(p.plan, tree, (enter, exit) => call(fn, tree, p, adapt(enter), exit && adapt(exit)), p.withExit)
      }
      t.deepEqual(run(mine), run(theirs))
    }),
    { numRuns: 3000 },
  )
}

test('visit: the same walk as unist-util-visit on random trees, tests, results and edits', (t) => {
  sameAsPackage(t, packageVisit as Walker, visit as Walker, (v) => (n: TestNode, i: number, parent: Parent) => v(n, i, parent))
})

test('visitParents: the same walk as unist-util-visit-parents on random trees, tests, results and edits', (t) => {
  sameAsPackage(t, packageVisitParents as Walker, visitParents as Walker, (v) => (n: TestNode, ancestors: Parent[], i: number) =>
    v(n, i, ancestors[ancestors.length - 1], ancestors),
  )
})

test('visit, visitParents: the same errors as the packages for bad arguments', (t) => {
  const tree = grow({ type: 'root', children: [{ type: 'a' }] })
  const cases: unknown[][] = [[null, () => {}], [tree, 'a', 1], [tree, { enter: 1, exit: () => {} }], [tree, { enter: () => {} }], [tree, 0, () => {}], [tree, 5]]
  for (const args of cases) {
    for (const [mine, theirs] of [[visit, packageVisit], [visitParents, packageVisitParents]] as const) {
      const expected = t.throws(() => (theirs as (...a: unknown[]) => void)(...args))
      const actual = t.throws(() => (mine as (...a: unknown[]) => void)(...args))
      t.is(actual?.message, expected?.message, JSON.stringify(args.slice(1).map(String)))
    }
  }
})

/** A chain `depth` parents deep, a leaf at the bottom. */
function chain(depth: number): TestNode {
  const root: TestNode = { type: 'root', id: 0, children: [] }
  let node = root
  for (let i = 1; i <= depth; i++) {
    const next: TestNode = { type: i === depth ? 'leaf' : 'parent', id: i, ...(i === depth ? {} : { children: [] }) }
    ;(node.children as TestNode[]).push(next)
    node = next
  }
  return root
}

test('visit, visitParents: a tree 20,000 deep is walked in full, in and out', (t) => {
  const depth = 20_000
  const tree = chain(depth)
  const order: number[] = []
  visit(tree, { enter: (n: TestNode) => void order.push(n.id), exit: (n: TestNode) => void order.push(-n.id) })
  t.is(order.length, 2 * (depth + 1))
  t.deepEqual(order.slice(0, 3), [0, 1, 2])
  t.deepEqual(order.slice(-3), [-2, -1, -0])
  let leafAncestors: Parent[] = []
  let parents = 0
  // Every 1,000th level (every level costs a copy of the ancestors each, as in the packages).
  visitParents(tree, (n: Node) => (n as TestNode).id % 1000 === 0, () => void parents++)
  visitParents(tree, 'leaf', (_: Node, ancestors: Parent[]) => void (leafAncestors = ancestors))
  t.is(parents, depth / 1000 + 1)
  t.is(leafAncestors.length, depth)
  t.is((leafAncestors[0] as TestNode).id, 0)
  t.is((leafAncestors[depth - 1] as TestNode).id, depth - 1)
  // Reverse, with EXIT deep down: nothing after it.
  const seen: number[] = []
  visit(tree, (n: TestNode) => (seen.push(n.id), n.id === depth - 5 ? EXIT : CONTINUE), true)
  t.is(seen.length, depth - 4)
})
