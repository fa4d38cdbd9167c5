// Where nodes stand in printed output: 1-based line ranges, for reports.
import { renderDirective } from './render.js'
import type { Content, Root, Tag } from './types.js'
import { visit } from './visit.js'

export interface LineRange {
  start: number
  end: number
}

const countLines = (text: string): number => {
  let n = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++
  return n
}

/** Line range of every node of the tree as it prints now (indentation and line ending excluded). */
export function lineRanges(root: Root): Map<Content, LineRange> {
  const out = new Map<Content, LineRange>()
  let line = 1
  const text = (raw: string): void => {
    line += countLines(raw)
  }
  const span = (raw: string): LineRange => {
    // A node's last line is the one its line ending closes; a node without one ends where it is.
    const body = raw.replace(/(?:\r?\n)+$/, '')
    const lead = /^[ \t\r\n]*/.exec(body)?.[0] ?? ''
    return { start: line + countLines(lead), end: line + countLines(body) }
  }
  /** The spans of the open tags of the sections being walked. */
  const opens: LineRange[] = []
  visit(root, {
    enter(node: Content | Root) {
      if (node.type === 'root') return
      if (node.type === 'section') {
        opens.push(span(node.open.raw))
        text(node.open.raw)
        return
      }
      const raw = node.type === 'directive' ? renderDirective(node) : node.raw
      out.set(node, span(raw))
      text(raw)
    },
    exit(node: Content | Root) {
      if (node.type !== 'section') return
      const open = opens.pop() as LineRange
      // An unclosed section ends where its last line does (not on the line after it).
      const last = node.children[node.children.length - 1]
      // A section closed on its last child's line (`</VirtualHost> </IfModule>`) ends there too.
      const own = node.close !== null && node.close.raw !== ''
      const end = own ? span((node.close as Tag).raw).end : last ? (out.get(last) as LineRange).end : open.end
      if (node.close) text(node.close.raw)
      out.set(node, { start: open.start, end })
    },
  })
  return out
}
