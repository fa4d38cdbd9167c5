// The parser: Apache httpd configuration text (or bytes) to a lossless syntax tree.
//
// Reading rules follow httpd's server/config.c and util.c: logical lines (see lines.ts), leading
// and trailing white space ignored, `#` starts a comment only as the first character of a
// logical line, a line starting with `<` + letter is a section tag (one tag per line: text after
// the first `>` belongs to the tag's arguments, and the last `>` ends it), words split as
// ap_getword_conf does. `<Macro>` bodies are read as mod_macro does: up to the matching
// `</Macro>`, so sections inside them need not balance before expansion.
//
// Two steps. The scan reads the whole text once, line by line, and keeps a line table: where each
// logical line starts, its physical line number, what it is (blank, comment, directive, open or
// close tag) and, for an open tag, where its children end. It matches sections and reports every
// structural problem, so `data.diagnostics` is complete when parse returns. The nodes are made
// from the table, every line read in full (words, positions), when the root's `children` is first
// read (lazy-children.ts), or at once with `{ lazy: false }`. A node and its position take some
// 200 bytes, the table 13 bytes a line: a tree that is only printed (a file a run leaves alone)
// costs little more than its text.
import type { Point, Position } from 'unist'
import { VFileMessage } from 'vfile-message'
import { decode } from './decode.js'
import { deferChildren } from './lazy-children.js'
import { countLf, readLogicalLine, sourceOffset, type LogicalLine } from './lines.js'
import { markParsed, NO_ARGS } from './snapshot.js'
import type { Blank, Comment, Content, Directive, ParseOptions, Root, Section, Tag } from './types.js'
import { cacheBits, isSpaceCode, sampleHash, StringCache, WordReader } from './words.js'

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
const LF = 10
const HASH = 35
const LT = 60
const GT = 62
const SLASH = 47
const PERCENT = 37
const LEFT_BRACE = 123
const DOUBLE_QUOTE = 34
const SINGLE_QUOTE = 39

const TEMPLATE_START = /^(?:<%|\{%|\{\{|\{#)/

const ARGS_CACHE_BITS = 12

// What a logical line is, in the line table: a kind, and flags.
const BLANK = 0
const COMMENT = 1
const DIRECTIVE = 2
const OPEN = 3
/** A close tag that closes a section (it is read with its section, not as a node of its own). */
const CLOSE = 4
/** A close tag that closes nothing: a directive, marked strayClose. */
const STRAY = 5
const KIND_MASK = 7
/** Continued with `\`: read through lines.ts. */
const CONTINUED = 8
/** An open tag whose section has a close tag (at `end`). */
const CLOSED = 16
/** An open `<Macro>` tag: its body is built as mod_macro reads it. */
const MACRO = 32

export function parse(input: string | Uint8Array, options: ParseOptions = {}): Root {
  const isString = typeof input === 'string'
  const { text, encoding } = isString ? { text: input, encoding: 'utf8' as const } : decode(input)
  const diagnostics: VFileMessage[] = []
  const reader = new Reader(text)
  const { end, eol } = reader.scan(new Structure(reader, diagnostics, options.path))
  const root: Root = {
    type: 'root',
    children: NO_CHILDREN,
    position: { start: { line: 1, column: 1, offset: 0 }, end },
    data: {
      ...(options.path !== undefined ? { path: options.path } : {}),
      input: isString ? 'string' : 'buffer',
      encoding,
      eol,
      diagnostics,
    },
  }
  const count = reader.table.count
  if (count === 0) root.children = []
  else if (options.lazy === false) root.children = reader.nodes(0, count)
  else deferChildren(root, text, 0, text.length, () => reader.nodes(0, count))
  return root
}

/** Placeholder for a `children` key that is set right after it (never handed out). */
const NO_CHILDREN: Content[] = Object.freeze([]) as unknown as Content[]

/** The logical lines of a file: parallel typed arrays, a few bytes a line. */
class LineTable {
  count = 0
  /** Offset of each line's first character; start[count] is the end of the text. */
  start: Int32Array
  /** Physical line number each logical line starts on. */
  line: Int32Array
  kind: Uint8Array
  /** For an open tag: the index of the first line after its children (its close tag, if any). */
  end: Int32Array

  constructor(capacity: number) {
    this.start = new Int32Array(capacity + 1)
    this.line = new Int32Array(capacity)
    this.kind = new Uint8Array(capacity)
    this.end = new Int32Array(capacity)
  }

  /** Add a line [start, end) on physical line `line`; returns its index. */
  push(start: number, end: number, line: number, kind: number): number {
    const i = this.count
    if (i === this.line.length) this.grow()
    this.start[i] = start
    this.start[i + 1] = end
    this.line[i] = line
    this.kind[i] = kind
    this.count = i + 1
    return i
  }

  private grow(): void {
    const capacity = this.line.length * 2 + 16
    const grown = <T extends Int32Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size)
      b.set(a)
      return b
    }
    this.start = grown(this.start, capacity + 1)
    this.line = grown(this.line, capacity)
    this.kind = grown(this.kind, capacity)
    this.end = grown(this.end, capacity)
  }
}

/** Reads the text: scans it into the line table, then reads single lines in full on demand. */
class Reader {
  /** See the end of this module. */
  static idle: Reader | undefined
  readonly table: LineTable
  /** Physical line number at `lineStart`, the start of the line being read. */
  private line = 1
  private lineStart = 0
  /** Trimmed bounds of the last classified line, in the string it was read from. */
  private s = 0
  private e = 0
  /** The name of the last tag the scan read, and whether it lacks its `>`. */
  tagName = ''
  tagUnterminated = false
  private readonly wordReader: WordReader
  private readonly raws: StringCache
  /** Nodes made and not yet handed to their parent (see nodes()). */
  private readonly pending: Content[] = []
  /** Args arrays made so far, by a hash of their words: frozen, so lines alike can share one. */
  private readonly argsCache: string[][]
  private readonly argsMask: number
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

  constructor(readonly text: string) {
    const bits = cacheBits(text.length)
    this.wordReader = new WordReader(new StringCache(bits))
    this.raws = new StringCache(bits)
    const argsBits = cacheBits(text.length, ARGS_CACHE_BITS)
    this.argsMask = (1 << argsBits) - 1
    this.argsCache = new Array<string[]>(this.argsMask + 1).fill(NO_ARGS)
    // Config lines average 30 to 40 characters; the table grows when a file has shorter ones.
    this.table = new LineTable((text.length >> 5) + 16)
  }

  /** Scan the whole text into the table; returns the point at its end and the dominant eol. */
  scan(structure: Structure): { end: Point; eol: string } {
    const text = this.text
    const table = this.table
    const n = text.length
    let pos = 0
    let line = 1
    let lastLineStart = 0
    let crlf = 0
    let lf = 0
    while (pos < n) {
      const at = text.indexOf('\n', pos)
      let kind: number
      let next: number
      let lines = 1
      if (at === -1) {
        kind = this.kindOf(text, pos, n)
        next = n
        lines = 0
      } else {
        const isCrlf = at > pos && text.charCodeAt(at - 1) === CR
        const contentEnd = isCrlf ? at - 1 : at
        if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === BACKSLASH) {
          const logical = readLogicalLine(text, pos, line)
          kind = this.kindOf(logical.text, 0, logical.text.length) | CONTINUED
          next = logical.end
          lines = 0
          for (let i = text.indexOf('\n', pos); i !== -1 && i < next; i = text.indexOf('\n', i + 1)) {
            lines++
            if (i > 0 && text.charCodeAt(i - 1) === CR) crlf++
            else lf++
          }
        } else {
          kind = this.kindOf(text, pos, contentEnd)
          next = at + 1
          if (isCrlf) crlf++
          else lf++
        }
      }
      structure.add(table.push(pos, next, line, kind), kind)
      if (lines > 0) {
        line += lines
        lastLineStart = text.lastIndexOf('\n', next - 1) + 1
      }
      pos = next
    }
    structure.finish()
    // Apache ends lines at LF only: a CR-only file is one line to it, so new lines get LF.
    const eol = crlf > lf ? '\r\n' : '\n'
    return { end: { line, column: n - lastLineStart + 1, offset: n }, eol }
  }

  /**
   * What the logical line t[from, to) is (BLANK ... OPEN, CLOSE for any close tag), reading no
   * more than that takes: the words of directives wait until the line is read in full.
   */
  private kindOf(t: string, from: number, to: number): number {
    let s = from
    while (s < to && isSpaceCode(t.charCodeAt(s))) s++
    if (s === to) return BLANK
    const c = t.charCodeAt(s)
    if (c === HASH) return COMMENT
    if (c !== LT) return DIRECTIVE
    let e = to
    while (e > s && isSpaceCode(t.charCodeAt(e - 1))) e--
    const nameStart = tagNameStart(t, s, e)
    if (nameStart === -1) return DIRECTIVE
    if (t.charCodeAt(s + 1) === SLASH) {
      this.closeTag(t, s, e)
      this.tagName = this.item.name
      this.tagUnterminated = this.item.unterminated
      return CLOSE
    }
    const nameEnd = tagNameEnd(t, nameStart, e)
    this.tagName = this.wordReader.strings.slice(t, nameStart, nameEnd)
    this.tagUnterminated = lastGt(t, nameEnd, e) === -1
    return OPEN
  }

  /** Line `i` of the table read in full, into the shared item (copy what you keep). */
  itemAt(i: number): Item {
    const table = this.table
    const text = this.text
    const start = table.start[i]
    const end = table.start[i + 1]
    this.line = table.line[i]
    this.lineStart = start
    if ((table.kind[i] & CONTINUED) !== 0) {
      this.continuedLine(start)
    } else {
      let contentEnd = end
      if (end > start && text.charCodeAt(end - 1) === LF) {
        contentEnd = end - 1
        if (contentEnd > start && text.charCodeAt(contentEnd - 1) === CR) contentEnd--
      }
      this.physicalLine(start, contentEnd, end)
    }
    return this.item
  }

  /**
   * The nodes of lines [from, to): the root's children, with theirs. One loop, not one call per
   * level (a file may nest thousands deep): the nodes of every open level wait on one stack and
   * are spliced off when their section ends, so that each parent gets an array of just its size.
   */
  nodes(from: number, to: number): Content[] {
    const { kind: kinds, end: ends } = this.table
    const out = this.pending
    const first = out.length
    /** The sections whose children are being read, where those start in `out`, and where to go on. */
    const open: Section[] = []
    const starts: number[] = []
    const resume: number[] = []
    const limits: number[] = []
    let i = from
    let limit = to
    for (;;) {
      while (i < limit) {
        const kind = kinds[i]
        if ((kind & KIND_MASK) !== OPEN) {
          out.push(this.leaf(i, kind))
          i++
          continue
        }
        const end = ends[i]
        const next = end + ((kind & CLOSED) !== 0 ? 1 : 0)
        const section = this.section(i)
        out.push(section)
        if (end === i + 1) section.children = []
        else if ((kind & MACRO) !== 0) section.children = this.macroBody(i + 1, end)
        else {
          open.push(section)
          starts.push(out.length)
          resume.push(next)
          limits.push(limit)
          i++
          limit = end
          continue
        }
        i = next
      }
      const section = open.pop()
      if (section === undefined) return out.splice(first)
      section.children = out.splice(starts.pop() as number)
      i = resume.pop() as number
      limit = limits.pop() as number
    }
  }

  /** The node of line `i`, which is not an open tag. */
  private leaf(i: number, kind: number): Content {
    const item = this.itemAt(i)
    if ((kind & KIND_MASK) === BLANK) return { type: 'blank', raw: item.raw, position: item.position } satisfies Blank
    if ((kind & KIND_MASK) === COMMENT) return commentFrom(item)
    const node = directiveFrom(item)
    if (item.kind === 'close') node.data = { strayClose: true }
    return node
  }

  /** The section opened on line `i`, its close tag and position; nodes() gives it its children. */
  private section(i: number): Section {
    const table = this.table
    const kind = table.kind[i]
    const end = table.end[i]
    // The item is shared: what is read from it is read before the next line is.
    const item = this.itemAt(i)
    const start = item.position.start
    const section = sectionFrom(item, NO_CHILDREN)
    if ((kind & CLOSED) !== 0) {
      const close = this.itemAt(end)
      section.close = { raw: close.raw, name: close.name, position: close.position }
      section.position = { start, end: close.position.end }
    } else if (end > i + 1) {
      // An unclosed section ends where its last child does: on its last line.
      section.position = { start, end: this.itemAt(end - 1).position.end }
    }
    return section
  }

  /** The children of a `<Macro>` whose body is lines [from, to). */
  private macroBody(from: number, to: number): Content[] {
    const items: Item[] = []
    for (let i = from; i < to; i++) items.push({ ...this.itemAt(i) })
    return macroChildren(items)
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
  }

  /** A logical line continued with `\`: joined first, positions mapped back to the source. */
  private continuedLine(start: number): void {
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
    const slot = (h ^ (h >>> 16)) & this.argsMask
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
    const nameStart = c === LT ? tagNameStart(t, s, e) : -1
    if (nameStart !== -1) {
      if (t.charCodeAt(s + 1) === SLASH) this.closeTag(t, s, e)
      else this.openTag(t, nameStart, e)
      return
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
    const nameEnd = tagNameEnd(t, nameStart, e)
    const gt = lastGt(t, nameEnd, e)
    const unterminated = gt === -1
    const count = this.wordReader.read(t, nameEnd, unterminated ? e : gt)
    item.kind = 'open'
    item.name = this.wordReader.strings.slice(t, nameStart, nameEnd)
    // Not frozen: a section's args are its own (a flat macro body freezes them, see flatNode).
    item.args = this.wordReader.words.slice(0, count)
    item.unterminated = unterminated
  }
}

/**
 * Matches sections over the line table as the scan adds lines, and reports structural problems
 * (with diagnostics that Apache's own messages inspired). Sections nest by name,
 * case-insensitively; a close tag for an outer section ends the inner ones still open.
 */
class Structure {
  /** Lines of the open sections, outermost first, and their names. */
  private readonly open: number[] = []
  private readonly names: string[] = []
  /** The `<Macro>` whose body is being read, and how many `<Macro>` deep the body is. */
  private macro = -1
  private macroDepth = 0

  constructor(
    private readonly reader: Reader,
    private readonly diagnostics: VFileMessage[],
    private readonly path: string | undefined,
  ) {}

  add(i: number, kind: number): void {
    const k = kind & KIND_MASK
    if (k !== OPEN && k !== CLOSE) return
    const reader = this.reader
    const name = reader.tagName
    const unterminated = reader.tagUnterminated
    if (this.macro !== -1) {
      // mod_macro reads a body as raw lines up to the matching `</Macro>` (nested ones counted).
      if (!isMacro(name)) return
      if (k === OPEN) this.macroDepth++
      else if (--this.macroDepth === 0) {
        this.closeWith(this.macro, i, name, unterminated)
        this.macro = -1
      }
      return
    }
    if (k === OPEN) {
      if (unterminated) {
        this.report(`<${name}> directive missing closing '>': end the tag with '>'`, i, 'unterminated-tag')
      }
      if (isMacro(name)) {
        this.reader.table.kind[i] |= MACRO
        this.macro = i
        this.macroDepth = 1
        return
      }
      this.open.push(i)
      this.names.push(name)
      return
    }
    const names = this.names
    let depth = names.length - 1
    while (depth >= 0 && !sameName(names[depth], name)) depth--
    if (depth < 0) {
      const expected = names.length > 0 ? ` (expected </${names[names.length - 1]}>)` : ''
      this.report(`</${name}> closes no open <${name}>${expected}: remove it or add the missing open tag`, i, 'stray-close')
      reader.table.kind[i] = (kind & ~KIND_MASK) | STRAY
      return
    }
    if (names.length - 1 > depth) {
      const at = reader.itemAt(i).position.start
      const why = ` before </${name}> at ${at.line}:${at.column}`
      while (names.length - 1 > depth) this.unclosed(i, why)
    }
    this.closeWith(this.pop(i), i, name, unterminated)
  }

  /** End the sections still open at the end of the text. */
  finish(): void {
    const count = this.reader.table.count
    if (this.macro !== -1) {
      this.reader.table.end[this.macro] = count
      const name = this.reader.itemAt(this.macro).name
      this.report(`<${name}> is never closed: add </${name}> on a line of its own`, this.macro, 'unclosed-section')
    }
    while (this.names.length > 0) this.unclosed(count, '')
  }

  /** Take the innermost open section off the stack; its children end before line `end`. */
  private pop(end: number): number {
    const i = this.open.pop() as number
    this.names.pop()
    this.reader.table.end[i] = end
    return i
  }

  private closeWith(open: number, close: number, name: string, unterminated: boolean): void {
    this.reader.table.end[open] = close
    this.reader.table.kind[open] |= CLOSED
    if (unterminated) {
      // Apache 2.4: "</Directory> directive missing closing '>'", for `</Directory` and `</Directory >`.
      this.report(`</${name}> directive missing closing '>': write the close tag as </${name}>`, close, 'unterminated-tag')
    }
  }

  private unclosed(end: number, why: string): void {
    const i = this.pop(end)
    const { name, args } = this.reader.itemAt(i)
    const sameLine = args.some((a) => a.toLowerCase().includes(`</${name.toLowerCase()}`))
    this.report(
      `<${name}> is never closed${why}: add </${name}> on a line of its own` +
        (sameLine ? ' (Apache reads one tag per line: a close tag after `>` on the same line does not count)' : ''),
      i,
      'unclosed-section',
    )
  }

  private report(reason: string, line: number, ruleId: string): void {
    const place = this.reader.itemAt(line).position
    const message = new VFileMessage(reason, { place, ruleId, source: 'wsgi-migrate' })
    message.fatal = true
    if (this.path !== undefined) message.file = this.path
    this.diagnostics.push(message)
  }
}

/**
 * Where the name of the tag on the trimmed line t[s, e) starts (after `<` or `</`), or -1 when
 * the line is no tag: `<` + a letter, not `<%` (a template).
 */
function tagNameStart(t: string, s: number, e: number): number {
  if (t.charCodeAt(s) !== LT || s + 1 >= e || t.charCodeAt(s + 1) === PERCENT) return -1
  const nameStart = s + (t.charCodeAt(s + 1) === SLASH ? 2 : 1)
  return nameStart < e && isLetter(t.charCodeAt(nameStart)) ? nameStart : -1
}

/** An open tag's name ends at white space or `>`. */
function tagNameEnd(t: string, nameStart: number, e: number): number {
  let nameEnd = nameStart
  while (nameEnd < e && !isSpaceCode(t.charCodeAt(nameEnd)) && t.charCodeAt(nameEnd) !== GT) nameEnd++
  return nameEnd
}

/**
 * The last `>` of t[nameEnd, e), where Apache's section handlers cut the arguments (ignoring
 * what follows it); -1 when there is none (the tag is unterminated).
 */
function lastGt(t: string, nameEnd: number, e: number): number {
  let gt = e - 1
  while (gt >= nameEnd && t.charCodeAt(gt) !== GT) gt--
  return gt < nameEnd ? -1 : gt
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
 * Builds the tree of a `<Macro>` body from its lines read in full, in order, and counts the
 * problems that make it read flat instead. Sections nest by name, case-insensitively. The children
 * of the open sections wait in one array, `pending` (the body's children first), and are sliced
 * off into an array of their own when their section ends.
 */
class TreeBuilder {
  private readonly pending: Content[] = []
  /** Open sections, outermost first, and where each one's children start in `pending`. */
  private readonly sections: Section[] = []
  private readonly starts: number[] = []
  private macro: MacroBody | null = null

  /** Structural problems found so far. */
  problems = 0

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

  /** The children of the body; sections still open end at their last child. */
  finish(): Content[] {
    if (this.macro !== null) this.endMacro(this.macro, null)
    while (this.sections.length > 0) this.unclosed(this.pop())
    return this.pending
  }

  private open(item: Item): void {
    if (item.unterminated) this.problems++
    const section = sectionFrom(item, [])
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
      this.problems++
      const stray = directiveFrom(item)
      stray.data = { strayClose: true }
      this.pending.push(stray)
      return
    }
    while (sections.length - 1 > depth) this.unclosed(this.pop())
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
    if (item.unterminated) this.problems++
    section.close = { raw: item.raw, name: item.name, position: item.position }
    section.position = { start: (section.open.position as Position).start, end: item.position.end }
  }

  private unclosed(s: Section): void {
    this.problems++
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

  private endMacro({ section, items }: MacroBody, close: Item | null): void {
    section.children = macroChildren(items)
    if (close !== null) return this.closeWith(section, close)
    this.problems++
    endAtLastChild(section)
  }
}

/** A `<Macro>` body is built as a tree when it balances, else flat: its tags stay directives. */
function macroChildren(items: Item[]): Content[] {
  const body = new TreeBuilder()
  for (const item of items) body.add(item)
  const children = body.finish()
  return body.problems === 0 ? children : items.map(flatNode)
}

/** A section from its open tag, not closed (yet). */
function sectionFrom(item: Item, children: Content[]): Section {
  const open: Tag = { raw: item.raw, name: item.name, position: item.position }
  return { type: 'section', name: item.name, args: item.args, open, close: null, children, position: item.position }
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
Reader.idle = new Reader('')
