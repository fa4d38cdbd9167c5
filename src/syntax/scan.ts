// The scan: the whole text once, line by line, into the line table (line-table.ts). Each logical
// line is classified as cheaply as that allows (line-reader.ts kindOf) and handed to the section
// matcher (sections.ts), so that the structure and every structural problem are known at the end.
// Lines Apache reads other than they look are reported on the way (line-checks.ts).
import type { Point } from 'unist'
import { checkContinuedComments, reportNul } from './line-checks.js'
import { readLogicalLine } from './lines.js'
import { BLANK, COMMENT, CONTINUED, KIND_MASK } from './line-table.js'
import type { LineReader } from './line-reader.js'
import type { Reporter } from './report.js'
import type { SectionMatcher } from './sections.js'
import { BACKSLASH, CR } from './char-codes.js'


/** Scan `reader.text` into `reader.table`; returns the point at its end and the dominant eol. */
export function scan(reader: LineReader, matcher: SectionMatcher, reporter: Reporter): { end: Point; eol: string } {
  return new Scanner(reader, matcher, reporter).run()
}

class Scanner {
  /** Line endings seen, for the dominant one. */
  private crlf = 0
  private lf = 0
  /** The next NUL at or after the line being read (-1: none): lines with one are read as lines.ts reads them. */
  private nul: number

  constructor(
    private readonly reader: LineReader,
    private readonly matcher: SectionMatcher,
    private readonly reporter: Reporter,
  ) {
    this.nul = reader.text.indexOf('\0')
  }

  run(): { end: Point; eol: string } {
    const { text, table } = this.reader
    const n = text.length
    let pos = 0
    let line = 1
    let lastLineStart = 0
    while (pos < n) {
      if (this.nul !== -1 && this.nul < pos) this.nul = text.indexOf('\0', pos)
      const at = text.indexOf('\n', pos)
      const isCrlf = at > pos && text.charCodeAt(at - 1) === CR
      const lineEnd = at === -1 ? n : at
      const contentEnd = isCrlf ? at - 1 : lineEnd
      let next: number
      if ((at !== -1 && contentEnd > pos && text.charCodeAt(contentEnd - 1) === BACKSLASH) || (this.nul !== -1 && this.nul < lineEnd)) {
        next = this.slowLine(pos, line)
        line += this.countLines(pos, next)
      } else {
        next = at === -1 ? n : at + 1
        const kind = this.reader.kindOf(text, pos, contentEnd)
        this.matcher.add(table.push(pos, next, line, kind), kind)
        if (at !== -1) {
          line++
          if (isCrlf) this.crlf++
          else this.lf++
        }
      }
      if (at !== -1) lastLineStart = text.lastIndexOf('\n', next - 1) + 1
      pos = next
    }
    this.matcher.finish()
    // Apache ends lines at LF only: a CR-only file is one line to it, so new lines get LF.
    const eol = this.crlf > this.lf ? '\r\n' : '\n'
    return { end: { line, column: n - lastLineStart + 1, offset: n }, eol }
  }

  /**
   * A logical line read through lines.ts (continued with `\`, or holding a NUL), from `pos` on
   * physical line `line`: added to the table and the matcher; returns where the next one starts.
   */
  private slowLine(pos: number, line: number): number {
    const { text, table } = this.reader
    const logical = readLogicalLine(text, pos, line, this.nul)
    const next = logical.end
    const kind = this.reader.kindOf(logical.text, 0, logical.text.length) | CONTINUED
    if (this.nul !== -1 && this.nul < next) reportNul(this.reporter, text, pos, line, this.nul)
    const k = kind & KIND_MASK
    if (logical.lines > 1 && k !== COMMENT && k !== BLANK) checkContinuedComments(this.reporter, text, pos, next, line, logical.text)
    this.matcher.add(table.push(pos, next, line, kind), kind)
    return next
  }

  /** The LFs of text[from, to), counted by the line ending they make. */
  private countLines(from: number, to: number): number {
    const text = this.reader.text
    let n = 0
    for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) {
      n++
      if (i > 0 && text.charCodeAt(i - 1) === CR) this.crlf++
      else this.lf++
    }
    return n
  }
}
