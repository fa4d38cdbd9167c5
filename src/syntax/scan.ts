// The scan: the whole text once, line by line, into the line table (line-table.ts). Each logical
// line is classified as cheaply as that allows (line-reader.ts kindOf) and handed to the section
// matcher (sections.ts), so that the structure and every structural problem are known at the end.
// Lines Apache reads other than they look are reported on the way (line-checks.ts).
import type { Point } from 'unist'
import { checkContinuedComments, reportNul } from './line-checks.js'
import { indexOfNul, readLogicalLine } from './lines.js'
import { CONTINUED, KIND_MASK, COMMENT, BLANK } from './line-table.js'
import type { LineReader } from './line-reader.js'
import type { Reporter } from './report.js'
import type { SectionMatcher } from './sections.js'

const BACKSLASH = 92
const CR = 13

/** Line ending counts, for the dominant one. */
interface Eols {
  crlf: number
  lf: number
}

/** Scan `reader.text` into `reader.table`; returns the point at its end and the dominant eol. */
export function scan(reader: LineReader, matcher: SectionMatcher, reporter: Reporter): { end: Point; eol: string } {
  const text = reader.text
  const table = reader.table
  const n = text.length
  const eols: Eols = { crlf: 0, lf: 0 }
  let pos = 0
  let line = 1
  let lastLineStart = 0
  // The next NUL at or after `pos` (-1: none): lines with one are read as lines.ts reads them.
  let nul = text.indexOf('\0')
  while (pos < n) {
    if (nul !== -1 && nul < pos) nul = text.indexOf('\0', pos)
    const at = text.indexOf('\n', pos)
    const isCrlf = at > pos && text.charCodeAt(at - 1) === CR
    const lineEnd = at === -1 ? n : at
    const contentEnd = isCrlf ? at - 1 : lineEnd
    let next: number
    if ((at !== -1 && contentEnd > pos && text.charCodeAt(contentEnd - 1) === BACKSLASH) || (nul !== -1 && nul < lineEnd)) {
      next = slowLine(reader, matcher, reporter, pos, line, eols)
    } else {
      if (at !== -1) {
        if (isCrlf) eols.crlf++
        else eols.lf++
      }
      next = at === -1 ? n : at + 1
      const kind = reader.kindOf(text, pos, contentEnd)
      matcher.add(table.push(pos, next, line, kind), kind)
    }
    if (at !== -1) {
      line += next === at + 1 ? 1 : countLines(text, pos, next)
      lastLineStart = text.lastIndexOf('\n', next - 1) + 1
    }
    pos = next
  }
  matcher.finish()
  // Apache ends lines at LF only: a CR-only file is one line to it, so new lines get LF.
  const eol = eols.crlf > eols.lf ? '\r\n' : '\n'
  return { end: { line, column: n - lastLineStart + 1, offset: n }, eol }
}

/**
 * A logical line read through lines.ts (continued with `\`, or holding a NUL), from `pos` on
 * physical line `line`: added to the table and the matcher; returns where the next one starts.
 */
function slowLine(reader: LineReader, matcher: SectionMatcher, reporter: Reporter, pos: number, line: number, eols: Eols): number {
  const text = reader.text
  const logical = readLogicalLine(text, pos, line)
  const next = logical.end
  const kind = reader.kindOf(logical.text, 0, logical.text.length) | CONTINUED
  for (let i = text.indexOf('\n', pos); i !== -1 && i < next; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === CR) eols.crlf++
    else eols.lf++
  }
  const nul = indexOfNul(text, pos, next)
  if (nul !== -1) reportNul(reporter, text, pos, line, nul)
  const k = kind & KIND_MASK
  if (logical.lines > 1 && k !== COMMENT && k !== BLANK) checkContinuedComments(reporter, text, pos, next, line, logical.text)
  matcher.add(reader.table.push(pos, next, line, kind), kind)
  return next
}

function countLines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++
  return n
}
