// Children built on first access. The parser reads a file's structure at once but makes its
// nodes only when the root's `children` is first read, as tree-sitter and rowan make their node
// objects on demand: a tree that is printed without being walked costs a scan, not a node per
// line. After the first read (or a write), `children` is an ordinary data property holding an
// ordinary array, and the root is a plain object like any other. (Only the root: an accessor
// turns an object into a slow dictionary-mode one, a cost that a node per section would make
// larger than what it saves when a tree is walked.)
import type { Content, Root } from './types.js'

/** Where the text of a root's children, not yet built, is in the source, and how to build them. */
interface Pending {
  text: string
  from: number
  to: number
  build: () => Content[]
  /** The children, once built, of a root that was frozen before they were read. */
  built?: Content[]
}

const pending = new WeakMap<Root, Pending>()

const noChildren = (): Content[] => []

// One accessor for every deferred root: V8 then gives them all one shape, where an accessor made
// per root would make a new shape (hidden class) per root, which costs far more.
const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: Root): Content[] {
    const p = pending.get(this)
    // Only reachable through a root deferChildren set up, which settle() turns into a value.
    if (p === undefined) throw new Error('wsgi-migrate: children accessor on a root that has no deferred children')
    if (p.built !== undefined) return p.built
    const children = p.build()
    // A frozen (or sealed) root keeps its accessor: the children are kept here instead.
    if (Object.isFrozen(this) || Object.isSealed(this)) {
      p.built = children
      // What built them (the parser's line table and caches) is no longer needed.
      p.build = noChildren
    } else settle(this, children)
    return children
  },
  set(this: Root, children: Content[]) {
    settle(this, children)
  },
}

/**
 * Make `node.children` the array `build()` returns, built on first read; until then it prints as
 * text[from, to). `node` must already have its `children` key (so that key order stays the same).
 */
export function deferChildren(node: Root, text: string, from: number, to: number, build: () => Content[]): void {
  pending.set(node, { text, from, to, build })
  Object.defineProperty(node, 'children', accessor)
}

function settle(node: Root, children: Content[]): void {
  pending.delete(node)
  Object.defineProperty(node, 'children', { value: children, writable: true, enumerable: true, configurable: true })
}

/** The source text of `node`'s children while they are not built yet; undefined once they are. */
export function pendingChildrenText(node: Root): string | undefined {
  const p = pending.get(node)
  return p === undefined || p.built !== undefined ? undefined : p.text.slice(p.from, p.to)
}

/** True while `node.children` has not been read or written since parsing. */
export function childrenPending(node: Root): boolean {
  const p = pending.get(node)
  return p !== undefined && p.built === undefined
}
