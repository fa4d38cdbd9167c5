// The parser: Apache httpd configuration text (or bytes) to a lossless syntax tree.
//
// Reading rules follow httpd's server/config.c and util.c: logical lines (see lines.ts), leading
// and trailing white space ignored, `#` starts a comment only as the first character of a
// logical line, a line starting with `<` + letter is a section tag (one tag per line: text after
// the first `>` belongs to the tag's arguments, and the last `>` ends it), words split as
// ap_getword_conf does. `<Macro>` bodies are read as mod_macro does: up to the matching
// `</Macro>`, so sections inside them need not balance before expansion.
//
// One pass, line by line, straight into nodes: a line that does not continue (nearly all of them)
// is read in place in the file's text, where offsets are columns of the current line; only a
// continued line is joined into a logical line first (lines.ts) and mapped back through its
// segments. Memory is what limits a large file, so a node is one object literal of a fixed shape,
// its `raw` a slice of the text, and its arrays exactly as long as they need to be.
import type { Point, Position } from 'unist'
import { VFileMessage } from 'vfile-message'
import { decode, dominantEol } from './decode.js'
import { countLf, readLogicalLine, sourceOffset, type LogicalLine } from './lines.js'
import { markParsed, NO_ARGS } from './snapshot.js'
import type { Blank, Comment, Content, Directive, ParseOptions, Root, Section, Tag } from './types.js'
import { isSpaceCode, sampleHash, StringCache, WordReader } from './words.js'

/** One logical line, classified: what the tree builder needs to place it. */
interface Item {
  kind: 'blank' | 'comment' | 'directive' | 'open' | 'close'
  raw: string
  /** Tag or directive name as written (without `<` / `</`). */
  name: string
  /** Frozen for directives and close tags (see snapshot.ts), not for open tags. */
  args: string[]
  position: Position
  /** For comments. */
  value: string
  /** For tags without their closing `>`. */
  unterminated: boolean
  /** A directive whose name is the plain first word of `raw` (see snapshot.ts). */
  plainName: boolean
}

const BACKSLASH = 92
const CR = 13
const HASH = 35
const LT = 60
const GT = 62
const SLASH = 47
const PERCENT = 37
const LEFT_BRACE = 123
const DOUBLE_QUOTE = 34
const SINGLE_QUOTE = 39

const TEMPLATE_START = /^(?:<%|\{%|\{\{|\{#)/

const ARGS_CACHE_MASK = (1 << 12) - 1

export function parse(input: string | Uint8Array, options: ParseOptions = {}): Root {
  const isString = typeof input === 'string'
  const { text, encoding } = isString ? { text: input, encoding: 'utf8' as const } : decode(input)
  const diagnostics: VFileMessage[] = []
  const reader = new Reader(text, new TreeBuilder(diagnostics, options.path))
  const end = reader.read()
  return {
    type: 'root',
    children: reader.builder.finish(),
    position: { start: { line: 1, column: 1, offset: 0 }, end },
    data: {
      ...(options.path !== undefined ? { path: options.path } : {}),
      input: isString ? 'string' : 'buffer',
      encoding,
      eol: dominantEol(text),
      diagnostics,
    },
  }
}

/** Reads the text line by line and hands each logical line, classified, to the builder. */
class Reader {
  /** See the end of this module. */
  static idle: Reader | undefined
  /** Physical line number at `lineStart`, the start of the line being read. */
  private line = 1
  private lineStart = 0
  /** Trimmed bounds of the last classified line, in the string it was read from. */
  private s = 0
  private e = 0
  private readonly wordReader = new WordReader()
  private readonly raws = new StringCache()
  /** Args arrays made so far, by a hash of their words: frozen, so lines alike can share one. */
  private readonly argsCache: string[][] = new Array<string[]>(ARGS_CACHE_MASK + 1).fill(NO_ARGS)
  /** Reused for every line: the builder copies what it keeps. */
  private readonly item: Item = {
    kind: 'blank',
    raw: '',
    name: '',
    args: NO_ARGS,
    position: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
    value: '',
    unterminated: false,
    plainName: false,
  }

  constructor(
    private readonly text: string,
    readonly builder: TreeBuilder,
  ) {}

  /** Read the whole text; returns the point at its end. */
  read(): Point {
    const text = this.text
    const n = text.length
    let pos = 0
    while (pos < n) {
      const lf = text.indexOf('\n', pos)
      if (lf === -1) {
        this.physicalLine(pos, n, n)
        break
      }
      const contentEnd = lf > pos && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf
      if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === BACKSLASH) {
        pos = this.continuedLine(pos)
        continue
      }
      this.physicalLine(pos, contentEnd, lf + 1)
      this.line++
      pos = this.lineStart = lf + 1
    }
    return this.point(n)
  }

  /** A point on the current physical line. */
  private point(offset: number): Point {
    return { line: this.line, column: offset - this.lineStart + 1, offset }
  }

  /** A logical line that is one physical line: [start, contentEnd) read in place. */
  private physicalLine(start: number, contentEnd: number, end: number): void {
    const item = this.item
    this.classify(this.text, start, contentEnd)
    // Short lines repeat too (`    </Directory>`, `    Require valid-user`).
    item.raw = this.raws.slice(this.text, start, end, sampleHash(this.text, start, end))
    const startPoint = this.point(this.s)
    // A blank line has no text: its position is the empty span where its white space ends.
    item.position = { start: startPoint, end: this.s === this.e ? startPoint : this.point(this.e) }
    this.builder.add(item)
  }

  /** A logical line continued with `\`: joined first, positions mapped back to the source. */
  private continuedLine(start: number): number {
    const text = this.text
    const line = readLogicalLine(text, start, this.line)
    const item = this.item
    this.classify(line.text, 0, line.text.length)
    item.plainName = false
    item.raw = text.slice(line.start, line.end)
    const startPoint = this.sourcePoint(line, sourceOffset(line, this.s, 'start'))
    item.position = {
      start: startPoint,
      end: this.s === this.e ? startPoint : this.sourcePoint(line, sourceOffset(line, this.e, 'end')),
    }
    this.builder.add(item)
    this.line += countLf(text, line.start, line.end)
    this.lineStart = line.end > 0 ? text.lastIndexOf('\n', line.end - 1) + 1 : 0
    return line.end
  }

  /** The point at a source offset inside a continued logical line. */
  private sourcePoint(line: LogicalLine, offset: number): Point {
    // The logical line starts a physical line, so the search stops at its start at the latest.
    const lineStart = offset > 0 ? this.text.lastIndexOf('\n', offset - 1) + 1 : 0
    const lineNo = line.line + countLf(this.text, line.start, lineStart)
    return { line: lineNo, column: offset - lineStart + 1, offset }
  }

  /**
   * The words read, from the second to the `count`th, as a frozen array of exactly that length;
   * the one made for an earlier line with the same words when the cache still has it
   * (`Require all granted`, `AllowOverride None`, ...).
   */
  private argsOf(count: number): string[] {
    if (count <= 1) return NO_ARGS
    const { words, hashes } = this.wordReader
    let h = count
    for (let i = 1; i < count; i++) h = (Math.imul(h, 31) + hashes[i]) | 0
    const slot = (h ^ (h >>> 16)) & ARGS_CACHE_MASK
    const cached = this.argsCache[slot]
    if (cached.length === count - 1 && sameWords(cached, words)) return cached
    return (this.argsCache[slot] = Object.freeze(words.slice(1, count)) as string[])
  }

  /** Classify the logical line t[from, to) (no line ending) into the item, and set s/e. */
  private classify(t: string, from: number, to: number): void {
    const item = this.item
    let s = from
    while (s < to && isSpaceCode(t.charCodeAt(s))) s++
    let e = to
    while (e > s && isSpaceCode(t.charCodeAt(e - 1))) e--
    this.s = s
    this.e = e
    item.name = ''
    item.args = NO_ARGS
    item.value = ''
    item.unterminated = false
    item.plainName = false
    if (s === e) {
      item.kind = 'blank'
      return
    }
    const c = t.charCodeAt(s)
    if (c === HASH) {
      item.kind = 'comment'
      item.value = t.slice(s + 1, e)
      return
    }
    if (c === LT && s + 1 < e && t.charCodeAt(s + 1) !== PERCENT) {
      const close = t.charCodeAt(s + 1) === SLASH
      const nameStart = s + (close ? 2 : 1)
      if (nameStart < e && isLetter(t.charCodeAt(nameStart))) {
        if (close) this.closeTag(t, s, e)
        else this.openTag(t, nameStart, e)
        return
      }
    }
    const count = this.wordReader.read(t, s, e)
    item.kind = 'directive'
    item.name = this.wordReader.words[0]
    item.args = this.argsOf(count)
    const first = item.name.charCodeAt(0)
    if ((first === LT || first === LEFT_BRACE) && TEMPLATE_START.test(item.name)) return
    // A bare first word that reads as written is the name as raw spells it (snapshot.ts).
    item.plainName = c !== DOUBLE_QUOTE && c !== SINGLE_QUOTE && t.startsWith(item.name, s)
  }

  /** `</Name>`: Apache compares the first word with `</Name>`; more words are an error. */
  private closeTag(t: string, s: number, e: number): void {
    const item = this.item
    const count = this.wordReader.read(t, s, e)
    const word = this.wordReader.words[0]
    const terminated = word.charCodeAt(word.length - 1) === GT
    item.kind = 'close'
    item.name = this.wordReader.strings.intern(word.slice(2, terminated ? -1 : word.length))
    item.args = this.argsOf(count)
    item.unterminated = !terminated
  }

  /** `<Name args>`: the name ends at white space or `>`, the args at the last `>`. */
  private openTag(t: string, nameStart: number, e: number): void {
    const item = this.item
    let nameEnd = nameStart
    while (nameEnd < e && !isSpaceCode(t.charCodeAt(nameEnd)) && t.charCodeAt(nameEnd) !== GT) nameEnd++
    // Apache's section handlers cut the arguments at the last `>` and ignore what follows it.
    let gt = e - 1
    while (gt >= nameEnd && t.charCodeAt(gt) !== GT) gt--
    const unterminated = gt < nameEnd
    const count = this.wordReader.read(t, nameEnd, unterminated ? e : gt)
    item.kind = 'open'
    item.name = this.wordReader.strings.slice(t, nameStart, nameEnd)
    // Not frozen: a section's args are its own (a flat macro body freezes them, see flatNode).
    item.args = this.wordReader.words.slice(0, count)
    item.unterminated = unterminated
  }
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

/** args equals words[1...]. */
function sameWords(args: string[], words: string[]): boolean {
  for (let i = 0; i < args.length; i++) if (args[i] !== words[i + 1]) return false
  return true
}

const isMacro = (name: string): boolean => name.length === 5 && name.toLowerCase() === 'macro'

/** Tag names match case-insensitively, as in Apache (the same case first: no new strings). */
function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase()
}

/** A `<Macro>` whose body is being read: its lines are kept until the matching `</Macro>`. */
interface MacroBody {
  section: Section
  depth: number
  items: Item[]
}

/**
 * Builds the tree from classified lines, in order. Sections nest by name, case-insensitively.
 * The children of the open sections wait in one array, `pending` (the root's children first), and
 * are sliced off into an array of their own when their section ends.
 */
class TreeBuilder {
  private readonly pending: Content[] = []
  /** Open sections, outermost first, and where each one's children start in `pending`. */
  private readonly sections: Section[] = []
  private readonly starts: number[] = []
  private macro: MacroBody | null = null

  /** Structural problems found so far. */
  problems = 0

  /**
   * `diagnostics`: where problems are reported; null for a macro body, which only needs to know
   * whether it balances. (No callback: code that calls one closure per parse is thrown away with it.)
   */
  constructor(
    private readonly diagnostics: VFileMessage[] | null,
    private readonly path: string | undefined,
  ) {}

  private report(reason: string, place: Position, ruleId: string): void {
    this.problems++
    if (this.diagnostics === null) return
    const message = new VFileMessage(reason, { place, ruleId, source: 'wsgi-migrate' })
    message.fatal = true
    if (this.path !== undefined) message.file = this.path
    this.diagnostics.push(message)
  }

  add(item: Item): void {
    if (this.macro !== null) return this.addToMacro(this.macro, item)
    switch (item.kind) {
      case 'blank':
        this.pending.push({ type: 'blank', raw: item.raw, position: item.position } satisfies Blank)
        return
      case 'comment':
        this.pending.push(commentFrom(item))
        return
      case 'directive':
        this.pending.push(directiveFrom(item))
        return
      case 'open':
        return this.open(item)
      case 'close':
        return this.close(item)
    }
  }

  /** The children of the root; sections still open are reported and end at their last child. */
  finish(): Content[] {
    if (this.macro !== null) this.endMacro(this.macro, null)
    while (this.sections.length > 0) this.unclosed(this.pop(), '')
    return this.pending
  }

  private open(item: Item): void {
    if (item.unterminated) {
      this.report(`<${item.name}> directive missing closing '>': end the tag with '>'`, item.position, 'unterminated-tag')
    }
    const open: Tag = { raw: item.raw, name: item.name, position: item.position }
    const section: Section = {
      type: 'section',
      name: item.name,
      args: item.args,
      open,
      close: null,
      children: [],
      position: item.position,
    }
    this.pending.push(section)
    if (isMacro(item.name)) {
      this.macro = { section, depth: 1, items: [] }
      return
    }
    this.sections.push(section)
    this.starts.push(this.pending.length)
  }

  private close(item: Item): void {
    const sections = this.sections
    let depth = sections.length - 1
    while (depth >= 0 && !sameName(sections[depth].name, item.name)) depth--
    if (depth < 0) {
      const expected = sections.length > 0 ? ` (expected </${sections[sections.length - 1].name}>)` : ''
      this.report(
        `</${item.name}> closes no open <${item.name}>${expected}: remove it or add the missing open tag`,
        item.position,
        'stray-close',
      )
      const stray = directiveFrom(item)
      stray.data = { strayClose: true }
      this.pending.push(stray)
      return
    }
    const at = item.position.start
    while (sections.length - 1 > depth) this.unclosed(this.pop(), ` before </${item.name}> at ${at.line}:${at.column}`)
    this.closeWith(this.pop(), item)
  }

  /** Take the innermost open section off the stack, with its children. */
  private pop(): Section {
    const section = this.sections.pop() as Section
    const start = this.starts.pop() as number
    section.children = this.pending.splice(start)
    return section
  }

  private closeWith(section: Section, item: Item): void {
    if (item.unterminated) {
      // Apache 2.4: "</Directory> directive missing closing '>'", for `</Directory` and `</Directory >`.
      this.report(
        `</${item.name}> directive missing closing '>': write the close tag as </${item.name}>`,
        item.position,
        'unterminated-tag',
      )
    }
    section.close = { raw: item.raw, name: item.name, position: item.position }
    section.position = { start: (section.open.position as Position).start, end: item.position.end }
  }

  private unclosed(s: Section, why: string): void {
    const sameLine = s.args.some((a) => a.toLowerCase().includes(`</${s.name.toLowerCase()}`))
    this.report(
      `<${s.name}> is never closed${why}: add </${s.name}> on a line of its own` +
        (sameLine ? ' (Apache reads one tag per line: a close tag after `>` on the same line does not count)' : ''),
      s.open.position as Position,
      'unclosed-section',
    )
    endAtLastChild(s)
  }

  /**
   * mod_macro reads a `<Macro>` body as raw lines up to the matching `</Macro>` (nested `<Macro>`
   * counted).
   */
  private addToMacro(macro: MacroBody, item: Item): void {
    if (item.kind === 'open' && isMacro(item.name)) macro.depth++
    else if (item.kind === 'close' && isMacro(item.name) && --macro.depth === 0) {
      this.macro = null
      return this.endMacro(macro, item)
    }
    macro.items.push({ ...item })
  }

  /** The body is built as a tree when it balances, else flat: its tags stay directives. */
  private endMacro({ section, items }: MacroBody, close: Item | null): void {
    const body = new TreeBuilder(null, undefined)
    for (const item of items) body.add(item)
    const children = body.finish()
    section.children = body.problems === 0 ? children : items.map(flatNode)
    if (close !== null) return this.closeWith(section, close)
    this.report(`<${section.name}> is never closed: add </${section.name}> on a line of its own`, section.open.position as Position, 'unclosed-section')
    endAtLastChild(section)
  }
}

/** An unclosed section ends where its last child does (at its open tag without children). */
function endAtLastChild(s: Section): void {
  const open = s.open.position as Position
  const last = s.children[s.children.length - 1]
  s.position = { start: open.start, end: (last?.position ?? open).end }
}

function commentFrom(item: Item): Comment {
  return { type: 'comment', value: item.value, raw: item.raw, position: item.position }
}

function directiveFrom(item: Item): Directive {
  const name = item.kind === 'open' ? `<${item.name}` : item.kind === 'close' ? `</${item.name}` : item.name
  const node: Directive = { type: 'directive', name, args: item.args, raw: item.raw, position: item.position }
  if (item.kind === 'directive' && !item.plainName && TEMPLATE_START.test(item.name)) node.data = { template: true }
  markParsed(node, item.plainName)
  return node
}

/** A line of an unbalanced macro body: tags become directives marked macroTag. */
function flatNode(item: Item): Content {
  if (item.kind === 'blank') return { type: 'blank', raw: item.raw, position: item.position }
  if (item.kind === 'comment') return commentFrom(item)
  if (item.kind === 'open') Object.freeze(item.args)
  const node = directiveFrom(item)
  if (item.kind !== 'directive') node.data = { macroTag: true }
  return node
}

// Optimized code checks the shape (V8 "map") of the objects it works on, and V8 forgets the shape
// of a class's instances once none is left, throwing that code away: an idle instance of each
// keeps their shapes between parses, so that each parse of a series runs at full speed at once.
Reader.idle = new Reader('', new TreeBuilder(null, undefined))
