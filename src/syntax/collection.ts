// A jscodeshift-style collection over the tree: find, filter, walk up, edit, print.
//
//   config(text).findDirectives('WSGIDaemonProcess').forEach((p) => setOption(p.node, 'threads', '4'))
import { SKIP, visitParents } from 'unist-util-visit-parents'
import * as edit from './edit.js'
import type { ParentNode } from './edit.js'
import { parse } from './parse.js'
import { print } from './print.js'
import type { Content, Directive, ParseOptions, Root, Section } from './types.js'

/** A node with the chain of parents above it (root first, direct parent last). */
export interface NodePath<T extends Content = Content> {
  node: T
  ancestors: ParentNode[]
  parent: ParentNode
}

type Matcher<T extends Content> = string | ((node: T, path: NodePath<T>) => boolean)

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

function matches<T extends Content>(path: NodePath<T>, name: Matcher<T> | undefined, predicate?: (node: T, path: NodePath<T>) => boolean): boolean {
  const node = path.node as Directive | Section
  if (typeof name === 'string' && !same(node.name, name)) return false
  if (typeof name === 'function' && !name(path.node, path)) return false
  return predicate ? predicate(path.node, path) : true
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
    const starts: Array<{ node: ParentNode; ancestors: ParentNode[] }> =
      this.fromRoot
        ? [{ node: this.root, ancestors: [] }]
        : this.items.filter((p) => p.node.type === 'section').map((p) => ({ node: p.node as Section, ancestors: [...p.ancestors, p.node as Section] }))
    for (const start of starts) {
      visitParents(start.node as never, (node: Content | Root, parents: Array<Content | Root>) => {
        if (node === start.node) return
        if (node.type === type && !seen.has(node)) {
          seen.add(node)
          // `parents` starts at start.node, which ends start.ancestors.
          const ancestors = [...start.ancestors.slice(0, -1), ...(parents as ParentNode[])]
          const path: NodePath<N> = { node: node as N, ancestors, parent: ancestors[ancestors.length - 1] }
          if (matches(path, name, predicate)) found.push(path)
        }
        // Comments, blanks and directives have no children to walk.
        return node.type === 'section' || node.type === 'root' ? undefined : SKIP
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
      for (let i = p.ancestors.length - 1; i >= 0; i--) {
        const a = p.ancestors[i]
        if (a.type !== 'section') continue
        const path: NodePath<Section> = { node: a, ancestors: p.ancestors.slice(0, i), parent: p.ancestors[i - 1] }
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
