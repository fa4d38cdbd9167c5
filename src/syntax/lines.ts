// Logical lines as Apache 2.4's ap_cfg_getline reads them: a physical line ends at LF only (a
// lone CR is white space to Apache). When the text read so far ends in `\` right before the line
// ending, the `\` and the line ending are dropped and the next physical line is appended. That
// looks at the text read so far, so `x\\` + LF continues too (keeping one `\`), an empty line
// after it drops that `\` as well, and a `\` + LF at the end of the file is simply dropped.
// (Verified on Apache 2.4.71; util.c's "[^\\]\\[\r]\n only" comment is older than its code.)
// A NUL ends the line for Apache (it reads each line as a C string): the rest of that physical
// line is not read, and the line does not continue, whatever it ends with (verified too).
import { BACKSLASH } from './char-codes.js'

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
  /** For a continued line: where each run of `text` comes from in the source. */
  segments?: Segment[]
}

/** `length` characters of the joined text from `textStart` stand at `sourceStart` in the source. */
export interface Segment {
  textStart: number
  sourceStart: number
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
  while (pos < s.length) {
    const line = readLogicalLine(s, pos, lineNo)
    out.push(line)
    lineNo += countLf(s, line.start, line.end)
    pos = line.end
  }
  return out
}

/** Number of LFs in s[from, to). */
export function countLf(s: string, from: number, to: number): number {
  let n = 0
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++
  return n
}

/**
 * The logical line that starts at `start` (a line start), on physical line `lineNo`. `nul`: the
 * offset of the first NUL at or after `start` (-1: none), when the caller knows it.
 */
export function readLogicalLine(s: string, start: number, lineNo: number, nul?: number): LogicalLine {
  const n = s.length
  const segments: Segment[] = []
  let pos = start
  let length = 0
  let count = 0
  let continued = false
  for (;;) {
    const lf = s.indexOf('\n', pos)
    const end = lf === -1 ? n : lf + 1
    const contentEnd = end - eolLength(s, end, pos)
    count++
    const at = nul === undefined ? indexOfNul(s, pos, contentEnd) : nul < contentEnd ? nul : -1
    if (at !== -1) {
      // Apache reads up to the NUL: the rest of the physical line is dropped, with its `\`.
      length = push(segments, length, pos, at - pos)
      pos = end
      break
    }
    // The text read so far ends in `\`: this line's, or the last kept one's when this one is empty.
    const last = segments[segments.length - 1]
    const endsInBackslash =
      contentEnd > pos
        ? s.charCodeAt(contentEnd - 1) === BACKSLASH
        : last !== undefined && s.charCodeAt(last.sourceStart + last.length - 1) === BACKSLASH
    if (contentEnd === end || !endsInBackslash) {
      length = push(segments, length, pos, contentEnd - pos)
      pos = end
      break
    }
    continued = true
    if (contentEnd > pos) length = push(segments, length, pos, contentEnd - 1 - pos)
    else {
      // An empty line after a kept `\`: that `\` goes.
      length--
      if (--last.length === 0) segments.pop()
    }
    pos = end
    if (pos >= n) break
  }
  if (!continued) return { start, end: pos, line: lineNo, lines: count, text: s.slice(start, start + length) }
  // Joined from an array, not with `+=`: a flat string, read as fast as the file's text.
  const text = segments.map((g) => s.slice(g.sourceStart, g.sourceStart + g.length)).join('')
  return { start, end: pos, line: lineNo, lines: count, text, segments }
}

/** Offset of the first NUL in s[from, to), or -1 (bounded: not indexOf, which would read on). */
export function indexOfNul(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0) return i
  return -1
}

/** Add a run of `length` source characters at the end of the joined text; returns its new length. */
function push(segments: Segment[], textLength: number, sourceStart: number, length: number): number {
  if (length > 0) segments.push({ textStart: textLength, sourceStart, length })
  return textLength + length
}

/**
 * Map an offset in a logical line's joined text back to an offset in the source. A start offset
 * lands on the character at `at`; an end offset lands just after the character before `at`, so a
 * word never takes in the continuation that follows it.
 */
export function sourceOffset(l: LogicalLine, at: number, bias: 'start' | 'end' = 'start'): number {
  const segments = l.segments
  if (segments === undefined) return l.start + at
  if (segments.length === 0) return l.start
  if (bias === 'end' && at > 0) return charOffset(segments, at - 1) + 1
  if (at >= l.text.length) {
    const last = segments[segments.length - 1]
    return last.sourceStart + last.length
  }
  return charOffset(segments, at)
}

function charOffset(segments: Segment[], at: number): number {
  let lo = 0
  let hi = segments.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (segments[mid].textStart <= at) lo = mid
    else hi = mid - 1
  }
  const seg = segments[lo]
  return seg.sourceStart + Math.min(at - seg.textStart, seg.length - 1)
}
