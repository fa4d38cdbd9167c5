// A jscodeshift-style collection over the tree: find, filter, walk up, edit, print.
//
//   config(text).findDirectives('WSGIDaemonProcess').forEach((p) => setOption(p.node, 'threads', '4'))
//
// Walks are iterative (visit.ts), and a path found by a search links to its parent's chain of
// ancestors instead of holding a copy of it: a file may nest thousands deep, and a copy of the
// ancestors per node found would cost the square of the depth.
import * as edit from './edit.js'
import type { ParentNode } from './edit.js'
import { parse } from './parse.js'
import { print } from './print.js'
import type { Content, Directive, ParseOptions, Root, Section } from './types.js'
import { CONTINUE, SKIP, visit } from './visit.js'

/** A node with the chain of parents above it (root first, direct parent last). */
export interface NodePath<T extends Content = Content> {
  node: T
  ancestors: ParentNode[]
  parent: ParentNode
}

/** The ancestors of a node, innermost first: shared by every path below the same parent. */
interface Chain {
  node: ParentNode
  up: Chain | undefined
}

/** A path whose ancestors are read from its chain when asked for (then kept). */
class ChainPath<T extends Content> implements NodePath<T> {
  private list: ParentNode[] | undefined

  constructor(
    readonly node: T,
    readonly chain: Chain,
  ) {}

  get parent(): ParentNode {
    return this.chain.node
  }

  get ancestors(): ParentNode[] {
    if (this.list === undefined) {
      const list: ParentNode[] = []
      for (let c: Chain | undefined = this.chain; c !== undefined; c = c.up) list.push(c.node)
      this.list = list.reverse()
    }
    return this.list
  }
}

/** The chain of a path's ancestors (made from its array when the path is not a ChainPath). */
function chainOf(path: NodePath): Chain | undefined {
  if (path instanceof ChainPath) return path.chain
  let chain: Chain | undefined
  for (const node of path.ancestors) chain = { node, up: chain }
  return chain
}

type Matcher<T extends Content> = string | ((node: T, path: NodePath<T>) => boolean)

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

function matches<T extends Content>(path: NodePath<T>, name: Matcher<T> | undefined, predicate?: (node: T, path: NodePath<T>) => boolean): boolean {
  const node = path.node as Directive | Section
  if (typeof name === 'string' && !same(node.name, name)) return false
  if (typeof name === 'function' && !name(path.node, path)) return false
  return predicate ? predicate(path.node, path) : true
}

/**
 * Call `found` with each descendant of `start.node` in document order, and the chain of its
 * ancestors (that of `start` below it). Sections in `walked` were walked before, with all that
 * is below them: their descendants are passed over. Those walked now are added to it.
 */
function eachDescendant(start: Chain, walked: Set<ParentNode>, found: (node: Content, chain: Chain) => void): void {
  const chains = new Map<ParentNode, Chain>([[start.node, start]])
  walked.add(start.node)
  visit(start.node, (node: Content | Root, _: number | undefined, parent: ParentNode | undefined) => {
    if (parent === undefined) return CONTINUE
    const chain = chains.get(parent) as Chain
    found(node as Content, chain)
    if (node.type !== 'section') return CONTINUE
    if (walked.has(node)) return SKIP
    walked.add(node)
    chains.set(node, { node, up: chain })
    return CONTINUE
  })
}

export class Collection<T extends Content = Content> {
  constructor(
    readonly root: Root,
    private readonly items: NodePath<T>[],
    /** A collection made by config(): its searches start at the root. */
    private readonly fromRoot = false,
  ) {}

  get length(): number {
    return this.items.length
  }

  size(): number {
    return this.items.length
  }

  paths(): NodePath<T>[] {
    return this.items.slice()
  }

  nodes(): T[] {
    return this.items.map((p) => p.node)
  }

  at(index: number): Collection<T> {
    const p = this.items.at(index)
    return new Collection(this.root, p ? [p] : [])
  }

  /** Descendants of type `type` (of every node in the collection, or of the root). */
  find<K extends Content['type']>(
    type: K,
    name?: Matcher<Extract<Content, { type: K }>>,
    predicate?: (node: Extract<Content, { type: K }>, path: NodePath<Extract<Content, { type: K }>>) => boolean,
  ): Collection<Extract<Content, { type: K }>> {
    type N = Extract<Content, { type: K }>
    const found: NodePath<N>[] = []
    const seen = new Set<Content>()
    const starts: Chain[] = this.fromRoot
      ? [{ node: this.root, up: undefined }]
      : this.items.filter((p) => p.node.type === 'section').map((p) => ({ node: p.node as Section, up: chainOf(p) }))
    const walked = new Set<ParentNode>()
    for (const start of starts) {
      // A section inside one walked before: all that is below it was found then.
      if (walked.has(start.node)) continue
      eachDescendant(start, walked, (node, chain) => {
        if (node.type !== type || seen.has(node)) return
        seen.add(node)
        const path = new ChainPath(node as N, chain)
        if (matches(path, name, predicate)) found.push(path)
      })
    }
    return new Collection(this.root, found)
  }

  findDirectives(name?: Matcher<Directive>, predicate?: (node: Directive, path: NodePath<Directive>) => boolean): Collection<Directive> {
    return this.find('directive', name, predicate)
  }

  findSections(name?: Matcher<Section>, predicate?: (node: Section, path: NodePath<Section>) => boolean): Collection<Section> {
    return this.find('section', name, predicate)
  }

  filter(predicate: (path: NodePath<T>, index: number) => boolean): Collection<T> {
    return new Collection(this.root, this.items.filter(predicate))
  }

  forEach(callback: (path: NodePath<T>, index: number) => void): this {
    this.items.slice().forEach(callback)
    return this
  }

  map<U>(callback: (path: NodePath<T>, index: number) => U): U[] {
    return this.items.map(callback)
  }

  some(predicate: (path: NodePath<T>) => boolean): boolean {
    return this.items.some(predicate)
  }

  /** The nearest enclosing section of each node (optionally of a name), deduplicated. */
  closest(name?: Matcher<Section>): Collection<Section> {
    const out: NodePath<Section>[] = []
    const seen = new Set<Section>()
    for (const p of this.items) {
      for (let c = chainOf(p); c !== undefined; c = c.up) {
        const a = c.node
        if (a.type !== 'section') continue
        const path = new ChainPath(a, c.up as Chain)
        if (matches(path, name)) {
          if (!seen.has(a)) out.push(path)
          seen.add(a)
          break
        }
      }
    }
    return new Collection(this.root, out)
  }

  /** Insert before each node: `make` is a node (copied for each place) or builds one per place. */
  insertBefore(make: Content | ((path: NodePath<T>) => Content)): this {
    this.items.forEach((p, i) => edit.insertBefore(p.parent, p.node, build(make, p, i), this.root))
    return this
  }

  insertAfter(make: Content | ((path: NodePath<T>) => Content)): this {
    this.items.forEach((p, i) => edit.insertAfter(p.parent, p.node, build(make, p, i), this.root))
    return this
  }

  remove(): this {
    for (const p of this.items) edit.remove(p.parent, p.node)
    return this
  }

  replaceWith(make: Content | ((path: NodePath<T>) => Content)): this {
    this.items.forEach((p, i) => edit.replaceWith(p.parent, p.node, build(make, p, i)))
    return this
  }

  toSource(): string | Buffer {
    return print(this.root)
  }
}

/** The node for the i-th place: made by `make`, or a copy of it after the first place. */
function build<T extends Content>(make: Content | ((path: NodePath<T>) => Content), path: NodePath<T>, i: number): Content {
  if (typeof make === 'function') return make(path)
  return i === 0 ? make : edit.cloneNode(make)
}

/** Start a collection from a tree or from source text (like jscodeshift's `j(source)`). */
export function config(source: Root | string | Uint8Array, options?: ParseOptions): Collection<never> {
  const root = typeof source === 'string' || source instanceof Uint8Array ? parse(source, options) : source
  return new Collection<never>(root, [], true)
}
