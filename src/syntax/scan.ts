// The scan: the whole text once, line by line, into the line table (line-table.ts). Each logical
// line is classified as cheaply as that allows (line-reader.ts kindOf) and handed to the section
// matcher (sections.ts), so that the structure and every structural problem are known at the end.
import type { Point } from 'unist'
import { readLogicalLine } from './lines.js'
import { CONTINUED } from './line-table.js'
import type { LineReader } from './line-reader.js'
import type { SectionMatcher } from './sections.js'

const BACKSLASH = 92
const CR = 13

/** Scan `reader.text` into `reader.table`; returns the point at its end and the dominant eol. */
export function scan(reader: LineReader, matcher: SectionMatcher): { end: Point; eol: string } {
  const text = reader.text
  const table = reader.table
  const n = text.length
  let pos = 0
  let line = 1
  let lastLineStart = 0
  let crlf = 0
  let lf = 0
  while (pos < n) {
    const at = text.indexOf('\n', pos)
    let kind: number
    let next: number
    let lines = 1
    if (at === -1) {
      kind = reader.kindOf(text, pos, n)
      next = n
      lines = 0
    } else {
      const isCrlf = at > pos && text.charCodeAt(at - 1) === CR
      const contentEnd = isCrlf ? at - 1 : at
      if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === BACKSLASH) {
        const logical = readLogicalLine(text, pos, line)
        kind = reader.kindOf(logical.text, 0, logical.text.length) | CONTINUED
        next = logical.end
        lines = 0
        for (let i = text.indexOf('\n', pos); i !== -1 && i < next; i = text.indexOf('\n', i + 1)) {
          lines++
          if (i > 0 && text.charCodeAt(i - 1) === CR) crlf++
          else lf++
        }
      } else {
        kind = reader.kindOf(text, pos, contentEnd)
        next = at + 1
        if (isCrlf) crlf++
        else lf++
      }
    }
    matcher.add(table.push(pos, next, line, kind), kind)
    if (lines > 0) {
      line += lines
      lastLineStart = text.lastIndexOf('\n', next - 1) + 1
    }
    pos = next
  }
  matcher.finish()
  // Apache ends lines at LF only: a CR-only file is one line to it, so new lines get LF.
  const eol = crlf > lf ? '\r\n' : '\n'
  return { end: { line, column: n - lastLineStart + 1, offset: n }, eol }
}
