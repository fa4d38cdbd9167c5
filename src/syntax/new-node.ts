// What a node put into a tree may be: its text must read back as that very node. A comment or
// blank line holds its `raw` as it is, and a section its tags' `raw`, so a made-up one could
// print anything: `{ type: 'blank', raw: 'Include /etc/shadow\n' }` would add an Include. The
// node's text is parsed again and compared, node for node, with what it claims to be (types,
// names, args); a NUL, a lone carriage return, or a last line that would continue into the next
// one is refused too. Each refusal is a TypeError that says why, as the edit helpers' (guard.ts).
import { parse } from './parse.js'
import { toText } from './print.js'
import { logicalLines } from './lines.js'
import type { Content, Root, Section } from './types.js'

const KINDS = new Set(['directive', 'section', 'comment', 'blank'])

const show = (text: string): string => JSON.stringify(text.length > 80 ? text.slice(0, 77) + '...' : text)

/** How a node is named in a refusal. */
function describe(node: Content): string {
  if (node.type === 'directive') return `directive ${node.name}`
  if (node.type === 'section') return `section <${node.name}>`
  return node.type === 'comment' ? 'comment' : 'blank line'
}

/** Refuse a node whose text would not read back as that node, alone on its line(s). `verb`: for the message. */
export function checkNewNode(node: Content, verb = 'insert'): void {
  if (typeof node !== 'object' || node === null || !KINDS.has((node as Content).type)) {
    throw new TypeError(`Cannot ${verb} ${show(String((node as Content | null)?.type ?? node))}: it is not a node (a directive, section, comment or blank line)`)
  }
  const what = describe(node)
  const printed = toText(node)
  // A node inserted gets a line ending; one written in place at the end of a file keeps none.
  const last = verb === 'write' && !printed.endsWith('\n')
  const text = last || printed.endsWith('\n') ? printed : printed + '\n'
  const why = textProblem(text, !last)
  if (why !== undefined) throw new TypeError(`Cannot ${verb} ${what} ${show(printed)}: ${why}`)
  const mismatch = differs(node, parse(text, { lazy: false }))
  if (mismatch !== undefined) throw new TypeError(`Cannot ${verb} ${what} ${show(printed)}: ${mismatch}`)
}

function textProblem(text: string, followed: boolean): string | undefined {
  if (text.includes('\0')) return 'it holds a NUL character, where Apache would end the line'
  if (/\r(?!\n)/.test(text)) return 'it holds a carriage return (\\r) that ends no line, a line break to other tools'
  if (!followed) return undefined
  const lines = logicalLines(text + 'X')
  if (lines[lines.length - 1]!.start !== text.length) return 'its last line ends in "\\", which would continue it into the line after it'
  return undefined
}

/** How `tree` (the node's text, parsed) differs from the node; undefined when it reads back as it. */
function differs(node: Content, tree: Root): string | undefined {
  if (tree.children.length !== 1) return `it reads back as ${tree.children.length} lines or nodes (${tree.children.map(describe).join(', ')}), not one`
  // Pairs of (claimed, read back), walked with a stack: a section may nest thousands deep.
  const pending: Array<[Content, Content]> = [[node, tree.children[0]!]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [claimed, read] = next
    const why = nodeDiffers(claimed, read)
    if (why !== undefined) return why
    if (claimed.type !== 'section') continue
    const children = (read as Section).children
    if (children.length !== claimed.children.length) {
      return `${describe(claimed)} reads back with ${children.length} children, not ${claimed.children.length}`
    }
    claimed.children.forEach((child, i) => pending.push([child, children[i]!]))
  }
  return undefined
}

function nodeDiffers(claimed: Content, read: Content): string | undefined {
  if (read.type !== claimed.type) return `it reads back as a ${describe(read)}, not as a ${describe(claimed)}`
  if (claimed.type === 'comment' || claimed.type === 'blank') return undefined
  const other = read as typeof claimed
  if (other.name !== claimed.name) return `it reads back as ${describe(other)}, not ${describe(claimed)}`
  const args = JSON.stringify(claimed.args)
  if (JSON.stringify(other.args) !== args) return `${describe(claimed)} reads back with the args ${JSON.stringify(other.args)}, not ${args}`
  if (claimed.type === 'section' && claimed.close === null) return 'a new section needs its close tag'
  return undefined
}
