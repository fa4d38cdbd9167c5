// Logical lines as Apache's ap_cfg_getline reads them: a physical line ends at LF only (a lone CR
// is white space to Apache), and a line whose last character before the line ending is a single
// `\` continues on the next line; the `\` and the line ending are dropped from the joined text.

export interface LogicalLine {
  /** Offset of the first byte of the first physical line. */
  start: number
  /** Offset just past the line ending of the last physical line (or end of input). */
  end: number
  /** 1-based number of the first physical line. */
  line: number
  /** Number of physical lines. */
  lines: number
  /** The joined text Apache reads: continuations removed, line ending removed. */
  text: string
  /** For each removed continuation: offset in `text` where it was, and its length in the source. */
  joins: Join[]
}

export interface Join {
  /** Offset in the joined text at which the continuation stood. */
  at: number
  /** Length of `\` + line ending in the source. */
  length: number
}

/** Length of the line ending at the end of [start, end) (`\n` or `\r\n`), 0 if none. */
function eolLength(s: string, end: number, start: number): number {
  if (end > start && s.charCodeAt(end - 1) === 10) {
    return end - 1 > start && s.charCodeAt(end - 2) === 13 ? 2 : 1
  }
  return 0
}

export function logicalLines(s: string): LogicalLine[] {
  const out: LogicalLine[] = []
  let pos = 0
  let lineNo = 1
  const n = s.length
  while (pos < n) {
    const start = pos
    const line = lineNo
    let text = ''
    const joins: Join[] = []
    let count = 0
    for (;;) {
      const lf = s.indexOf('\n', pos)
      const end = lf === -1 ? n : lf + 1
      count++
      const eol = eolLength(s, end, pos)
      const contentEnd = end - eol
      // `[^\\]\\[\r]\n` continues; `\\` at the end does not.
      const continued =
        eol > 0 &&
        end < n &&
        contentEnd > pos &&
        s.charCodeAt(contentEnd - 1) === 92 &&
        !(contentEnd - 2 >= pos && s.charCodeAt(contentEnd - 2) === 92)
      if (continued) {
        text += s.slice(pos, contentEnd - 1)
        joins.push({ at: text.length, length: eol + 1 })
        pos = end
        lineNo++
        continue
      }
      text += s.slice(pos, contentEnd)
      pos = end
      if (eol > 0) lineNo++
      break
    }
    out.push({ start, end: pos, line, lines: count, text, joins })
  }
  return out
}

/**
 * Map an offset in a logical line's joined text back to an offset in the source. At a join, a
 * start offset lands after the continuation and an end offset before it.
 */
export function sourceOffset(l: LogicalLine, at: number, bias: 'start' | 'end' = 'start'): number {
  let shift = 0
  for (const j of l.joins) {
    if (j.at < at || (j.at === at && bias === 'start')) shift += j.length
    else break
  }
  return l.start + at + shift
}
