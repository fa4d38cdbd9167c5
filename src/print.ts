// The printer: a syntax tree back to text, byte for byte where nothing was edited.
import { encode } from './decode.js'
import { renderDirective } from './render.js'
import type { ConfigNode, Root } from './types.js'

/** Print a tree: a Buffer when it was parsed from bytes (same encoding), else a string. */
export function print(tree: Root): string | Buffer
export function print(tree: ConfigNode): string | Buffer
export function print(tree: ConfigNode): string | Buffer {
  const text = toText(tree)
  if (tree.type === 'root' && tree.data.input === 'buffer') return encode(text, tree.data.encoding)
  return text
}

/** Print a node or tree as a string, whatever the input kind was. */
export function toText(node: ConfigNode): string {
  const parts: string[] = []
  write(node, parts)
  return parts.join('')
}

function write(node: ConfigNode, out: string[]): void {
  switch (node.type) {
    case 'root':
      for (const child of node.children) write(child, out)
      return
    case 'section':
      out.push(node.open.raw)
      for (const child of node.children) write(child, out)
      if (node.close) out.push(node.close.raw)
      return
    case 'directive':
      out.push(renderDirective(node))
      return
    default:
      out.push(node.raw)
  }
}
