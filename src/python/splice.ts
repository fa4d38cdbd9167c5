// Edits of a script's text at token offsets, applied at once, with the lines each one stands on:
// in the new text for a replacement or insertion, in the original for a removal (as a fix's
// `editScript` wants them).
import type { LineRange } from '../syntax/locate.js'

/** Replace `text.slice(start, end)` with `insert`; `''` for a removal. */
export interface TextEdit {
  start: number
  end: number
  insert: string
}

export interface SpliceResult {
  text: string
  /** One range per edit, in the order given. */
  lines: LineRange[]
}

/** 1-based line of `offset` in `text` (a CRLF or a lone CR ends a line, as Python reads it). */
function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++
  }
  return line
}

/** The line range a span covers; a span ending right after a line break ends on the line before. */
function spanLines(text: string, start: number, end: number): LineRange {
  const first = lineAt(text, start)
  const last = end > start && /[\r\n]/.test(text[end - 1] ?? '') ? lineAt(text, end - 1) : lineAt(text, end)
  return { start: first, end: Math.max(first, last) }
}

/** Apply non-overlapping edits (any order); throws on overlap, which would be a bug of the caller. */
export function splice(text: string, edits: readonly TextEdit[]): SpliceResult {
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end)
  let out = ''
  let at = 0
  const where: Array<{ start: number; end: number; removal: boolean }> = new Array(edits.length)
  for (const { e, i } of order) {
    if (e.start < at || e.end < e.start) throw new RangeError('splice: overlapping edits')
    out += text.slice(at, e.start)
    where[i] = { start: out.length, end: out.length + e.insert.length, removal: e.insert === '' }
    out += e.insert
    at = e.end
  }
  out += text.slice(at)
  const lines = edits.map((e, i) => {
    const w = where[i]!
    return w.removal ? spanLines(text, e.start, e.end) : spanLines(out, w.start, w.end)
  })
  return { text: out, lines }
}
