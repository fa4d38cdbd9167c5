// Children built on first access. The parser reads a file's structure at once but makes the
// nodes of a parent (the root, a section) only when `children` is first read, as tree-sitter and
// rowan make their node objects on demand: a tree that is printed without being walked costs a
// scan, not a node per line. After the first read (or a write), `children` is an ordinary data
// property holding an ordinary array, and the node is a plain object like any other.
import type { Content, Root, Section } from './types.js'

type Parent = Root | Section

/** Where the text of a parent's children, not yet built, is in the source. */
interface Pending {
  text: string
  from: number
  to: number
}

const pending = new WeakMap<Parent, Pending>()

/**
 * Make `node.children` the array `build()` returns, built on first read; until then it prints as
 * text[from, to). `node` must already have its `children` key (so that key order stays the same).
 */
export function deferChildren(node: Parent, text: string, from: number, to: number, build: () => Content[]): void {
  pending.set(node, { text, from, to })
  Object.defineProperty(node, 'children', {
    configurable: true,
    enumerable: true,
    get(this: Parent): Content[] {
      const children = build()
      settle(this, children)
      return children
    },
    set(this: Parent, children: Content[]) {
      settle(this, children)
    },
  })
}

function settle(node: Parent, children: Content[]): void {
  pending.delete(node)
  Object.defineProperty(node, 'children', { value: children, writable: true, enumerable: true, configurable: true })
}

/** The source text of `node`'s children while they are not built yet; undefined once they are. */
export function pendingChildrenText(node: Parent): string | undefined {
  const p = pending.get(node)
  return p === undefined ? undefined : p.text.slice(p.from, p.to)
}

/** True while `node.children` has not been read or written since parsing. */
export function childrenPending(node: Parent): boolean {
  return pending.has(node)
}
