// Physical lines of a Python file: where each starts and ends, its line ending, and the lookup
// from an offset to its line number.
import type { Eol, PhysicalLine } from './types.js'

/** `\r` alone counts as a line break too: Python's tokenizer reads it as one. */
export function splitPhysicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = []
  let start = 0
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) {
      const eol: Eol = c === 13 ? (text.charCodeAt(i + 1) === 10 ? '\r\n' : '\r') : '\n'
      const end = i + eol.length
      lines.push({ line: lines.length + 1, start, contentEnd: i, end, eol, role: 'blank', logical: null })
      start = end
      i = end
    } else {
      i++
    }
  }
  if (start < n) {
    lines.push({ line: lines.length + 1, start, contentEnd: n, end: n, eol: '', role: 'blank', logical: null })
  }
  return lines
}

/** The 1-based line holding `offset` (binary search over the line starts). */
export function lineLocator(lines: readonly PhysicalLine[]): (offset: number) => number {
  return (offset) => {
    let lo = 0
    let hi = lines.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lines[mid]!.start <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }
}

/** Where the text of a line (or a run of lines starting at `start`) begins: after a BOM on line 1. */
export const textStart = (start: number, bom: boolean): number => (start === 0 && bom ? 1 : start)

/** Lines outside every logical line are comments or blank. */
export function markUnclaimedLines(text: string, lines: PhysicalLine[], bom: boolean): void {
  for (const pl of lines) {
    if (pl.logical === null) {
      pl.role = /^[ \t\f]*#/.test(text.slice(textStart(pl.start, bom), pl.contentEnd)) ? 'comment' : 'blank'
    }
  }
}
