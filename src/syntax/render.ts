// Re-spelling an edited directive: only the words that changed are rewritten; the indentation,
// spacing, quoting and `\` continuation layout of the others stay as the user wrote them.
import { diffArrays } from 'diff/lib/diff/array.js'
import { logicalLines, sourceOffset } from './lines.js'
import { checkName, checkValue, refuseAfterOpenQuote } from './guard.js'
import { isUnchanged, markSpelled } from './snapshot.js'
import { controlOf, templateEnd } from './templates.js'
import type { Directive } from './types.js'
import { isSpace, quoteWord, splitWords, type Word } from './words.js'

/** True when `word` starts with a template block statement (`{% if x %}`, `<% end %>`). */
function startsWithStatement(word: string): boolean {
  const end = templateEnd(word, 0, word.length)
  return end !== -1 && controlOf(word.slice(0, end)) !== undefined
}

/** True when `word` is one template block statement and nothing else (`{% if big %}` on a continuation line). */
function isStatement(word: string): boolean {
  return templateEnd(word, 0, word.length) === word.length && controlOf(word) !== undefined
}

/** One word of a directive's source and the text that separates it from the word before. */
export interface Piece {
  sep: string
  text: string
  value: string
  quote: Word['quote']
  /** A quoted word without its closing quote: it takes the rest of the line. */
  open: boolean
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
    pieces.push({ sep: raw.slice(last, start), text: raw.slice(start, end), value: w.value, quote: w.quote, open: w.open === true })
    last = end
  }
  return { pieces, suffix: raw.slice(last) }
}

function layoutText(layout: Layout): string {
  let out = ''
  for (const p of layout.pieces) out += p.sep + p.text
  return out + layout.suffix
}

const startsLine = (sep: string): boolean => sep.includes('\n')

/** Remove pieces[k] (k ≥ 1) so that no line is left holding only a `\`. */
function removePiece(pieces: Piece[], k: number): void {
  const next = pieces[k + 1]
  if (startsLine(pieces[k].sep) && next !== undefined && !startsLine(next.sep)) {
    next.sep = pieces[k].sep
    // Now first on its line: a bare `#word` there would look like a comment line.
    if (next.text.startsWith('#')) Object.assign(next, { text: quoteWord(next.value, '"'), quote: '"' })
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

/** A directive line a template writes in pieces (`{% if %}A …{% else %}B …{% endif %}`): no edit can re-spell it. */
export class TemplateLineError extends TypeError {}

/** The directive's text for its current `name` and `args`. */
export function renderDirective(node: Directive): string {
  return isUnchanged(node) ? node.raw : spell(node.raw, node.name, node.args)
}

/**
 * `raw` spelled for `name` and `args`: the words that changed are spelled anew, and checked
 * (guard.ts: a TypeError for what would not read back); the others keep their text and layout.
 */
export function spell(raw: string, name: string, args: readonly string[]): string {
  const layout = layoutOf(raw)
  const pieces = layout.pieces
  // A block statement among the words ({% if %} first, or on a continuation line): each
  // rendering holds other words. Words before it may only be dropped, and it and what follows
  // stay as written (an option appended would land after the statement, in one branch only).
  const k = pieces.findIndex((p, i) => (i === 0 ? startsWithStatement(p.text) : isStatement(p.text)))
  const refuse = (): never => {
    throw new TemplateLineError(
      `Cannot re-spell ${JSON.stringify(pieces[0].text)}...: a template block statement (${JSON.stringify(pieces[k].text)}) stands among its words, which are not one directive's in every rendering; edit the template by hand`,
    )
  }
  if (k === 0 || (k > 0 && !onlyRemovesBefore(pieces, k, name, args))) refuse()
  const tail = k === -1 ? '' : pieces.slice(k).map((p) => p.sep + p.text).join('') + layout.suffix
  const spelled = spellPieces(layout, name, args, raw)
  if (k > 0 && !spelled.endsWith(tail)) refuse()
  return spelled
}

/**
 * Whether `args` only drops words that stand before pieces[k]: the model reads such a directive
 * up to the statement only, so a word it adds or changes may clash with one in a branch.
 */
function onlyRemovesBefore(pieces: readonly Piece[], k: number, name: string, args: readonly string[]): boolean {
  if (pieces[0].value !== name) return false
  let j = 0
  for (let i = 1; i < pieces.length; i++) {
    if (j < args.length && args[j] === pieces[i].value) j++
    else if (i >= k) return false
  }
  return j === args.length
}

function spellPieces(layout: Layout, name: string, args: readonly string[], raw: string): string {
  const pieces = layout.pieces
  if (pieces.length === 0) {
    // No source words: spelled from scratch, on the raw's line ending.
    checkName(name)
    const eol = /\r?\n$/.exec(raw)?.[0] ?? ''
    return [name, ...args.map((a) => newWord(a, '', '').text)].join(' ') + eol
  }
  if (pieces[0].value !== name) {
    checkName(name)
    pieces[0] = { ...pieces[0], text: quoteWord(name), value: name, quote: '', open: false }
  }
  const out = arrange(pieces, args)
  // A word with an open quote is the last of its line; kept as it is, nothing may follow it.
  const last = pieces[pieces.length - 1]
  const at = last.open ? out.indexOf(last) : -1
  const after = at === -1 ? undefined : out.slice(at + 1).find((p) => !p.gone)
  if (after !== undefined) refuseAfterOpenQuote(name, last.text, after.value)
  for (let i = 1; i < out.length; ) {
    if (out[i].gone) removePiece(out, i)
    else i++
  }
  return layoutText({ pieces: out, suffix: layout.suffix })
}

/**
 * Every old word (removed ones marked) and every new one, in order: the removed ones are dropped
 * after, as a removal needs to see its right neighbour to keep the line layout.
 */
function arrange(pieces: Piece[], args: readonly string[]): Array<Piece & { gone?: boolean }> {
  const oldArgs = pieces.slice(1).map((p) => p.value)
  const quote = preferredQuote(pieces)
  const out: Array<Piece & { gone?: boolean }> = [pieces[0]]
  let k = 1
  const changes = diffArrays(oldArgs, args.slice())
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
        out.push(newWord(added[i], old.quote, old.sep))
      }
      for (let i = paired; i < change.value.length; i++) out.push({ ...pieces[k++], gone: true })
      for (let i = paired; i < added.length; i++) out.push(newWord(added[i], quote, ' '))
    } else {
      for (const value of change.value) out.push(newWord(value, quote, appendSep(out)))
    }
  }
  return out
}

/** A word spelled anew, after `sep`. */
function newWord(value: string, quote: Word['quote'], sep: string): Piece {
  checkValue(value)
  // A bare `#word` first on a continued line looks like a comment line there (and is reported).
  const q = quote === '' && startsLine(sep) && value.startsWith('#') ? '"' : quote
  return { sep, text: quoteWord(value, q), value, quote: q, open: false }
}

/** Set a directive's name/args and re-spell its raw text at once. */
export function respell(node: Directive): void {
  node.raw = renderDirective(node)
  markSpelled(node)
}
