// The printer: a syntax tree back to text, byte for byte where nothing was edited.
import { pendingChildrenText } from './lazy-children.js'
import { renderDirective } from './render.js'
import { isUnchanged } from './snapshot.js'
import type { ConfigNode, Content, Directive, Encoding, Root, Section } from './types.js'

/** Print a tree: a Buffer when it was parsed from bytes (same encoding), else a string. */
export function print(tree: Root): string | Buffer
export function print(tree: ConfigNode): string | Buffer
export function print(tree: ConfigNode): string | Buffer {
  if (tree.type === 'root' && tree.data.input === 'buffer') return toBytes(tree, tree.data.encoding)
  return toText(tree)
}

/** Print a node or tree as a string, whatever the input kind was. */
export function toText(node: ConfigNode): string {
  const parts: string[] = []
  eachPart(node, (part) => parts.push(part), new Map())
  return parts.join('')
}

/**
 * The bytes of toText(tree) in `encoding`, in a Buffer of the exact size: the tree is walked twice
 * (sizes, then bytes), so that neither the text nor a list of all its parts is ever made (for a
 * large file, each is as big as the file again). Parts are joined into chunks of about 64 KB on
 * the way, because encoding is a call into Node that costs more than the copy for short strings.
 */
function toBytes(tree: Root, encoding: Encoding): Buffer {
  const rendered = new Map<Directive, string>()
  let size = 0
  if (encoding === 'latin1') {
    // One byte a character (as Buffer.from writes it: the low byte of each code unit).
    eachPart(tree, (part) => (size += part.length), rendered)
  } else {
    let splitPair = false
    const chunks = new Chunks((chunk) => (size += Buffer.byteLength(chunk, encoding)))
    eachPart(
      tree,
      (part) => {
        // A surrogate pair split over two parts is one character: only the joined text has it.
        if (isHighSurrogate(part.charCodeAt(part.length - 1))) splitPair = true
        chunks.add(part)
      },
      rendered,
    )
    chunks.end()
    if (splitPair) return Buffer.from(toText(tree), encoding)
  }
  const out = Buffer.allocUnsafe(size)
  let at = 0
  const chunks = new Chunks((chunk) => (at += out.write(chunk, at, encoding)))
  eachPart(tree, (part) => chunks.add(part), rendered)
  chunks.end()
  return out
}

/** Joins the strings it is given into chunks of about CHUNK characters, handed to `flush`. */
class Chunks {
  private readonly parts: string[] = []
  private length = 0

  constructor(private readonly flush: (chunk: string) => void) {}

  add(part: string): void {
    this.parts.push(part)
    this.length += part.length
    if (this.length >= CHUNK) this.end()
  }

  /** Flush what is left. */
  end(): void {
    if (this.parts.length === 0) return
    this.flush(this.parts.join(''))
    this.parts.length = 0
    this.length = 0
  }
}

const CHUNK = 1 << 16

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff

/**
 * Call `fn` with the text of each line-owning piece of `node`, in order. Edited directives are
 * rendered once and kept in `rendered`, for a second walk. One loop over a stack of the sections
 * being printed, not one call per level: a file may nest thousands deep.
 */
function eachPart(node: ConfigNode, fn: (part: string) => void, rendered: Map<Directive, string>): void {
  if (node.type !== 'root' && node.type !== 'section') return fn(leafText(node, rendered))
  if (node.type === 'root') {
    // A tree whose nodes were never built prints its text.
    const source = pendingChildrenText(node)
    if (source !== undefined) return fn(source)
  } else fn(node.open.raw)
  const parents: Array<Root | Section> = [node]
  const next: number[] = [0]
  for (let depth = 0; depth >= 0; ) {
    const parent = parents[depth]
    const i = next[depth]++
    if (i === parent.children.length) {
      if (parent.type === 'section' && parent.close) fn(parent.close.raw)
      depth--
      continue
    }
    const child = parent.children[i]
    if (child.type !== 'section') fn(leafText(child, rendered))
    else {
      fn(child.open.raw)
      parents[++depth] = child
      next[depth] = 0
    }
  }
}

function leafText(node: Content, rendered: Map<Directive, string>): string {
  if (node.type === 'directive') return isUnchanged(node) ? node.raw : renderedText(node, rendered)
  return (node as Exclude<Content, Section>).raw
}

function renderedText(node: Directive, rendered: Map<Directive, string>): string {
  let text = rendered.get(node)
  if (text === undefined) rendered.set(node, (text = renderDirective(node)))
  return text
}
