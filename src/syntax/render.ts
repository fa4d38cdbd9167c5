// Re-spelling an edited directive: only the words that changed are rewritten; the indentation,
// spacing, quoting and `\` continuation layout of the others stay as the user wrote them.
import { diffArrays } from 'diff/lib/diff/array.js'
import { logicalLines, sourceOffset } from './lines.js'
import { isUnchanged, markSpelled } from './snapshot.js'
import type { Directive } from './types.js'
import { isSpace, quoteWord, splitWords, type Word } from './words.js'

/** One word of a directive's source and the text that separates it from the word before. */
export interface Piece {
  sep: string
  text: string
  value: string
  quote: Word['quote']
}

export interface Layout {
  /** pieces[0] is the name; pieces[0].sep is the indentation. */
  pieces: Piece[]
  /** Trailing white space and line ending. */
  suffix: string
}

/** Cut a directive's raw text into its words and the text around them. */
export function layoutOf(raw: string): Layout {
  const line = logicalLines(raw)[0]
  if (line === undefined) return { pieces: [], suffix: '' }
  const t = line.text
  let s = 0
  while (s < t.length && isSpace(t[s])) s++
  let e = t.length
  while (e > s && isSpace(t[e - 1])) e--
  const pieces: Piece[] = []
  let last = 0
  for (const w of splitWords(t, s, e)) {
    const start = sourceOffset(line, w.start, 'start') - line.start
    const end = sourceOffset(line, w.end, 'end') - line.start
    pieces.push({ sep: raw.slice(last, start), text: raw.slice(start, end), value: w.value, quote: w.quote })
    last = end
  }
  return { pieces, suffix: raw.slice(last) }
}

export function layoutText(layout: Layout): string {
  let out = ''
  for (const p of layout.pieces) out += p.sep + p.text
  return out + layout.suffix
}

const startsLine = (sep: string): boolean => sep.includes('\n')

/** Remove pieces[k] (k ≥ 1) so that no line is left holding only a `\`. */
export function removePiece(pieces: Piece[], k: number): void {
  const next = pieces[k + 1]
  if (startsLine(pieces[k].sep) && next !== undefined && !startsLine(next.sep)) {
    next.sep = pieces[k].sep
  }
  pieces.splice(k, 1)
}

function preferredQuote(pieces: Piece[]): Word['quote'] {
  for (const p of pieces) if (p.quote !== '') return p.quote
  return ''
}

/** Separator for a word appended after the last one: one per line if the user lays them so. */
function appendSep(pieces: Piece[]): string {
  const args = pieces.slice(1)
  if (args.length >= 2 && args.every((p) => startsLine(p.sep))) return args[args.length - 1].sep
  return ' '
}

/** The directive's text for its current `name` and `args`. */
export function renderDirective(node: Directive): string {
  if (isUnchanged(node)) return node.raw
  const layout = layoutOf(node.raw)
  const pieces = layout.pieces
  if (pieces.length === 0) {
    // A node without source words: spell it from scratch on the raw's line ending.
    const eol = /\r?\n$/.exec(node.raw)?.[0] ?? ''
    return [node.name, ...node.args.map((a) => quoteWord(a))].join(' ') + eol
  }
  if (pieces[0].value !== node.name) pieces[0] = { ...pieces[0], text: quoteWord(node.name), value: node.name, quote: '' }

  const oldArgs = pieces.slice(1).map((p) => p.value)
  const quote = preferredQuote(pieces)
  // First lay out every old word (removed ones marked) and every new one in order, then drop the
  // removed ones: a removal needs to see its right neighbour to keep the line layout.
  const out: Array<Piece & { gone?: boolean }> = [pieces[0]]
  let k = 1
  const changes = diffArrays(oldArgs, node.args.slice())
  for (let c = 0; c < changes.length; c++) {
    const change = changes[c]
    if (!change.added && !change.removed) {
      for (let i = 0; i < change.value.length; i++) out.push(pieces[k++])
    } else if (change.removed) {
      const next = changes[c + 1]
      const added = next?.added ? next.value : []
      if (next?.added) c++
      const paired = Math.min(change.value.length, added.length)
      for (let i = 0; i < paired; i++) {
        const old = pieces[k++]
        out.push({ ...old, text: quoteWord(added[i], old.quote), value: added[i] })
      }
      for (let i = paired; i < change.value.length; i++) out.push({ ...pieces[k++], gone: true })
      for (let i = paired; i < added.length; i++) out.push({ sep: ' ', text: quoteWord(added[i], quote), value: added[i], quote })
    } else {
      for (const value of change.value) out.push({ sep: appendSep(out), text: quoteWord(value, quote), value, quote })
    }
  }
  for (let i = 1; i < out.length; ) {
    if (out[i].gone) removePiece(out, i)
    else i++
  }
  return layoutText({ pieces: out, suffix: layout.suffix })
}

/** Set a directive's name/args and re-spell its raw text at once. */
export function respell(node: Directive): void {
  node.raw = renderDirective(node)
  markSpelled(node)
}
