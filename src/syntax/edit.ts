// Edits that keep the user's layout: new lines take the indentation and line ending of their
// neighbours, removals take whole lines, option edits touch only the option's own word.
import { checkLayout, checkName, checkValue } from './guard.js'
import { readLogicalLine } from './lines.js'
import { checkNewNode } from './new-node.js'
import { renderDirective, respell, spell } from './render.js'
import { markSpelled } from './snapshot.js'
import { templateBlocks } from './template-tree.js'
import { indexOutsideTemplates, isTemplated } from './templates.js'
import type { Content, Directive, ParentNode, Root, Section } from './types.js'
import { CONTINUE, EXIT, visit } from './visit.js'
import { quoteWord, splitWords } from './words.js'

export type { ParentNode }

// A physical line ends at LF only; a lone CR is white space to Apache (see lines.ts).
const EOL_AT_END = /\r?\n$/

/** The text a node starts with on its line (its indentation). */
export function indentOf(node: Content): string {
  const raw = node.type === 'section' ? node.open.raw : node.raw
  return /^[ \t]*/.exec(raw)?.[0] ?? ''
}

/** The line ending a node's last line ends with ('' at the end of a file without one). */
export function eolOf(node: Content): string {
  const raw = lastRaw(node)
  return EOL_AT_END.exec(raw)?.[0] ?? ''
}

/**
 * The node whose own text is the last line of `node`: `node`, or for an unclosed section (or
 * one closed on its last child's line, `</VirtualHost> </IfModule>`), its last child's (at any
 * depth: a loop, as a file may nest thousands deep).
 */
function lastLineOwner(node: Content): Content {
  while (node.type === 'section' && (node.close === null || node.close.raw === '')) {
    const last = node.children[node.children.length - 1]
    if (last === undefined) break
    node = last
  }
  return node
}

function lastRaw(node: Content): string {
  const owner = lastLineOwner(node)
  if (owner.type === 'section') return owner.close ? owner.close.raw : owner.open.raw
  // A directive whose name/args were edited but not yet respelled: its text as it will print.
  return owner.type === 'directive' ? renderDirective(owner) : owner.raw
}

/** Give `node` a line ending when it has none: it is about to be followed by another line. */
function endLine(node: Content, eol: string): void {
  if (eolOf(node) === '') setLastRaw(node, lastRaw(node) + eol)
}

/**
 * `raw` followed by `eol` and, when its last line ends in a `\` that would continue it into the
 * next line (a continuation into the end of the file, which Apache drops there), by the empty
 * line(s) that end it: a new line after it stays a line of its own. No byte of `raw` changes.
 */
export function endLogicalLine(raw: string, eol: string): string {
  let out = EOL_AT_END.test(raw) ? raw : raw + eol
  // A `\` kept from `\\` takes an empty line too (lines.ts): at most a few rounds.
  for (let i = 0; i < 4 && readLogicalLine(out + 'X', 0, 1).end > out.length; i++) out += eol
  return out
}

/**
 * Make `node`'s last line end its logical line, with a line ending (see endLogicalLine). A `\`
 * that ended the file without a line ending was a word to Apache, and is a continuation now: a
 * directive's args are read again (Apache refused that word in nearly every directive).
 */
function endLogical(node: Content, eol: string): void {
  const raw = lastRaw(node)
  const ended = endLogicalLine(raw, EOL_AT_END.exec(raw)?.[0] ?? eol)
  if (ended === raw) return
  setLastRaw(node, ended)
  const owner = lastLineOwner(node)
  if (owner.type !== 'directive' || !/\\[ \t]*$/.test(raw)) return
  const [name, ...args] = splitWords(readLogicalLine(ended, 0, 1).text).map((w) => w.value)
  if (name === owner.name) {
    owner.args = args
    markSpelled(owner)
  }
}

function dropEol(node: Content): void {
  const eol = eolOf(node)
  if (eol !== '') setLastRaw(node, lastRaw(node).slice(0, -eol.length))
}

function setLastRaw(node: Content, raw: string): void {
  const owner = lastLineOwner(node)
  if (owner.type === 'section') {
    if (owner.close) owner.close.raw = raw
    else owner.open.raw = raw
  } else if (owner.type === 'directive') {
    owner.raw = raw
    markSpelled(owner)
  } else owner.raw = raw
}

/** The indentation one level deeper than the file's sections use, guessed from the file. */
export function indentUnit(root: Root): string {
  let unit: string | undefined
  /** The indentation of each section walked into. */
  const indents = new Map<ParentNode, string>([[root, '']])
  visit(root, (node: Content | Root, _: number | undefined, parent: ParentNode | undefined) => {
    if (parent === undefined || node.type === 'root' || node.type === 'blank' || node.type === 'comment' || isTemplateLine(node)) return CONTINUE
    const depth = indents.get(parent) as string
    const own = indentOf(node)
    if (own.length > depth.length && own.startsWith(depth)) {
      unit = own.slice(depth.length)
      return EXIT
    }
    if (node.type === 'section') indents.set(node, own)
    return CONTINUE
  })
  return unit ?? '    '
}

/** A template's own line (`{% if x %}`, `{{ extra }}`): templates indent those their own way. */
const isTemplateLine = (node: Content): boolean => node.type === 'directive' && node.data?.template === true

/** Indentation for a new child of `parent`: that of its children, else one level deeper. */
export function childIndent(parent: ParentNode, root: Root): string {
  const sample = parent.children.find((c) => (c.type === 'directive' && !isTemplateLine(c)) || c.type === 'section')
  if (sample) return indentOf(sample)
  if (parent.type === 'root') return ''
  return indentOf(parent) + indentUnit(root)
}

export interface NewDirective {
  indent?: string
  eol?: string
}

/**
 * A directive node spelled from values, ready to insert. A TypeError refuses a name that is not a
 * directive name and values, indentation or line ending that would not keep it on its line(s).
 */
export function createDirective(name: string, args: readonly string[], options: NewDirective = {}): Directive {
  const indent = options.indent ?? ''
  const eol = options.eol ?? '\n'
  checkName(name)
  for (const arg of args) checkValue(arg)
  checkLayout(indent, eol)
  const raw = indent + [name, ...args.map((a) => quoteWord(a))].join(' ') + eol
  // markSpelled freezes a copy of `args` (a frozen array spells the same words wherever it is).
  const node: Directive = { type: 'directive', name, args, raw }
  markSpelled(node)
  return node
}

function indexIn(parent: ParentNode, node: Content): number {
  const i = parent.children.indexOf(node)
  if (i === -1) throw new Error('node is not a child of the given parent')
  return i
}

/** Insert `node` before `ref` in `parent`; a node without a line ending gets one (`ref` follows it). */
export function insertBefore(parent: ParentNode, ref: Content, node: Content, root?: Root): void {
  const at = indexIn(parent, ref)
  checkNewNode(node)
  endLine(node, eolOf(ref) || root?.data.eol || '\n')
  parent.children.splice(at, 0, node)
}

/**
 * Insert `node` after `ref`. When `ref` ends the file without a line ending, the new line goes
 * last and the file still ends without one.
 */
export function insertAfter(parent: ParentNode, ref: Content, node: Content, root?: Root): void {
  checkNewNode(node)
  placeAfter(parent, ref, node, root)
}

function placeAfter(parent: ParentNode, ref: Content, node: Content, root: Root | undefined): void {
  const at = indexIn(parent, ref)
  const refEol = eolOf(ref)
  const nodeEol = eolOf(node)
  endLogical(ref, root?.data.eol ?? (nodeEol || '\n'))
  if (refEol === '') dropEol(node)
  else endLine(node, refEol)
  parent.children.splice(at + 1, 0, node)
}

/** Append `node` as the last child of `parent` (before its close tag). */
export function append(parent: ParentNode, node: Content, root?: Root): void {
  checkNewNode(node)
  // A section closed by a template block with lines in its branches: before the block, in every rendering.
  const block = closingBlock(parent)
  if (block !== undefined) return insertBefore(parent, block, node)
  const last = parent.children[parent.children.length - 1]
  if (last) return placeAfter(parent, last, node, root)
  if (parent.type === 'section' && parent.open.raw !== '') {
    const openEol = EOL_AT_END.exec(parent.open.raw)?.[0] ?? ''
    parent.open.raw = endLogicalLine(parent.open.raw, root?.data.eol ?? (eolOf(node) || '\n'))
    // The open tag ended a file without a final line ending: the new line goes last, without one.
    if (openEol === '') dropEol(node)
    else endLine(node, openEol)
  }
  parent.children.push(node)
}

/** The first control line of the template block at the end of `parent` that its close tag ends (data.closing). */
function closingBlock(parent: ParentNode): Content | undefined {
  const closing = parent.type === 'section' ? parent.data?.closing : undefined
  if (closing === undefined) return undefined
  return templateBlocks(parent).find((b) => b.end === closing)?.branches[0].control
}

/**
 * Remove a node with all of its lines (a continued directive goes whole). When it was the last
 * line of a file without a final line ending, the new last line loses its line ending too.
 */
export function remove(parent: ParentNode, node: Content): void {
  const at = indexIn(parent, node)
  const wasLast = at === parent.children.length - 1
  parent.children.splice(at, 1)
  if (wasLast && eolOf(node) === '') {
    if (at > 0) dropEol(parent.children[at - 1])
    else if (parent.type === 'section') {
      // The open tag is the new last line of the file.
      const eol = EOL_AT_END.exec(parent.open.raw)?.[0] ?? ''
      if (eol !== '') parent.open.raw = parent.open.raw.slice(0, -eol.length)
    }
  }
}

/** Replace `node` with `replacement`, which takes over its line ending (none at the end of a file without one). */
export function replaceWith(parent: ParentNode, node: Content, replacement: Content): void {
  const at = indexIn(parent, node)
  checkNewNode(replacement)
  const eol = eolOf(node)
  const own = eolOf(replacement)
  if (own !== eol) setLastRaw(replacement, lastRaw(replacement).slice(0, lastRaw(replacement).length - own.length) + eol)
  parent.children.splice(at, 1, replacement)
}

// The setters below spell the new text first: what they refuse (a TypeError, see guard.ts) leaves
// the node as it was.

/** Rename a directive; everything else on its lines stays. */
export function renameDirective(node: Directive, name: string): void {
  const raw = spell(node.raw, name, node.args)
  node.name = name
  node.raw = raw
  markSpelled(node)
}

/** Replace a directive's arguments; unchanged words keep their spelling and layout. */
export function setArgs(node: Directive, args: readonly string[]): void {
  const raw = spell(node.raw, node.name, args)
  node.args = args.slice()
  node.raw = raw
  markSpelled(node)
}

// mod_wsgi options are `key=value` words; names are matched exactly (lower case), as mod_wsgi does.

export interface OptionRef {
  key: string
  value: string
  /** Index in `node.args`. */
  index: number
}

/**
 * The `key=value` words of a directive. An `=` inside a template expression is no separator, and
 * a word whose key is templated (`{{ k }}=1`) names no option: a template word is never split.
 */
export function options(node: Directive): OptionRef[] {
  const out: OptionRef[] = []
  node.args.forEach((arg, index) => {
    const eq = indexOutsideTemplates(arg, '=')
    if (eq > 0 && !isTemplated(arg.slice(0, eq))) out.push({ key: arg.slice(0, eq), value: arg.slice(eq + 1), index })
  })
  return out
}

export function getOption(node: Directive, key: string): OptionRef | undefined {
  return options(node).find((o) => o.key === key)
}

/** Set `key=value`: in place when present (its layout kept), else appended after the last word. */
export function setOption(node: Directive, key: string, value: string): void {
  checkName(key, 'option name')
  checkValue(value, `value of option ${key}`)
  const found = getOption(node, key)
  const args = node.args.slice()
  if (found) args[found.index] = `${key}=${value}`
  else args.push(`${key}=${value}`)
  setArgs(node, args)
}

/** Remove `key=...` (every occurrence); a word alone on a continued line takes its line along. */
export function removeOption(node: Directive, key: string): boolean {
  const drop = new Set(options(node).filter((o) => o.key === key).map((o) => o.index))
  const args = node.args.filter((_, i) => !drop.has(i))
  if (args.length === node.args.length) return false
  setArgs(node, args)
  return true
}

/** Rename `key=value` to `newKey=value` in place. */
export function renameOption(node: Directive, key: string, newKey: string): boolean {
  checkName(newKey, 'option name')
  const found = getOption(node, key)
  if (!found) return false
  const args = node.args.slice()
  args[found.index] = `${newKey}=${found.value}`
  setArgs(node, args)
  return true
}

/**
 * A deep copy of a node that prints like it (for putting one made node in several places: a
 * shared object would make an edit of one place an edit of all).
 */
export function cloneNode<T extends Content>(node: T): T {
  const top = copyNode(node)
  // Sections are copied with their children level by level: a loop, not a call per level.
  const pending: Array<[Section, Section]> = top.type === 'section' ? [[node as Section, top]] : []
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next
    to.children = from.children.map((child) => {
      const copy = copyNode(child)
      if (copy.type === 'section') pending.push([child as Section, copy])
      return copy
    })
  }
  return top as T
}

/** A copy of one node; a section's children are left to cloneNode. */
function copyNode(n: Content): Content {
  if (n.type === 'directive') {
    respell(n)
    // respell froze n.args: the copy can share them.
    const c: Directive = { ...n, ...(n.data ? { data: { ...n.data } } : {}) }
    markSpelled(c)
    return c
  }
  if (n.type === 'section') return { ...n, args: n.args.slice(), open: { ...n.open }, close: n.close && { ...n.close }, children: [] }
  return { ...n }
}
