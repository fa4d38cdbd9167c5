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
  /** The children, once built, of a root that was frozen or sealed before they were read. */
  built?: Content[]
}

// The state sits on the root itself, under a key that JSON, spread, structuredClone and deep
// equality all pass over (a symbol, not enumerable): so a Proxy of the root, an object made with
// the root as prototype, or a copy of its property descriptors, all find it through `this`.
const PENDING = Symbol('wsgi-migrate: children not built yet')

type Deferred = Root & { [PENDING]?: Pending }

const noChildren = (): Content[] => []

// One accessor for every deferred root: V8 then gives them all one shape, where an accessor made
// per root would make a new shape (hidden class) per root, which costs far more.
const accessor = {
  configurable: true,
  enumerable: true,
  get(this: Deferred): Content[] {
    const p = this[PENDING]
    if (p === undefined) throw new Error('wsgi-migrate: children accessor on a root that has no deferred children')
    if (p.built !== undefined) return p.built
    const children = p.build()
    keep(this, p, children)
    return children
  },
  set(this: Deferred, children: Content[]) {
    if (Object.isFrozen(this)) throw new TypeError("Cannot assign to read only property 'children' of a frozen syntax tree")
    keep(this, this[PENDING], children)
  },
} satisfies PropertyDescriptor

/**
 * Make `root.children` the array `build()` returns, built on first read; until then it prints as
 * text[from, to). `root` must already have its `children` key (so that key order stays the same).
 */
export function deferChildren(root: Root, text: string, from: number, to: number, build: () => Content[]): void {
  const p: Pending = { text, from, to, build }
  Object.defineProperty(root, PENDING, { value: p, writable: true, enumerable: false, configurable: true })
  Object.defineProperty(root, 'children', accessor)
}

/** Make `children` the root's: a data property, or kept aside when the root is sealed or frozen. */
function keep(node: Deferred, p: Pending | undefined, children: Content[]): void {
  if (Object.isSealed(node)) {
    // The accessor can no longer be replaced: it serves these children from now on, and what
    // built them (the parser's line table and caches) is no longer needed.
    const done: Pending = { text: '', from: 0, to: 0, build: noChildren, built: children }
    // A frozen root's own slot is read-only too: the state it points to changes instead.
    if (Object.isFrozen(node) && p !== undefined) Object.assign(p, done)
    else if (Object.isFrozen(node)) throw new TypeError('wsgi-migrate: a frozen copy of an unread syntax tree cannot build its children')
    else node[PENDING] = done
    return
  }
  Object.defineProperty(node, 'children', { value: children, writable: true, enumerable: true, configurable: true })
  node[PENDING] = undefined
}

/** True while `root.children` has not been read or written since parsing. */
export function childrenPending(root: Root): boolean {
  // The accessor still in place (not replaced by defineProperty or deleted) and never used.
  const getter = Object.getOwnPropertyDescriptor(root, 'children')?.get
  return getter === accessor.get && (root as Deferred)[PENDING]?.built === undefined
}

/** The source text of the root's children while they are not built yet; undefined once they are. */
export function pendingChildrenText(root: Root): string | undefined {
  if (!childrenPending(root)) return undefined
  const p = (root as Deferred)[PENDING] as Pending
  return p.text.slice(p.from, p.to)
}
