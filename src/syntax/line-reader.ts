// Reading one logical line of a file: what it is (for the scan), and in full (for the node
// builder): its name, words, comment text, raw text and position. Words are split as httpd's
// ap_getword_conf does (words.ts); tags as server/config.c reads them (tags.ts); a line that
// starts with a template block statement as template-lines.ts reads it.
import type { Point, Position } from 'unist'
import { countLf, readLogicalLine, sourceOffset, type LogicalLine } from './lines.js'
import { BLANK, CLOSE, COMMENT, CONTINUED, DIRECTIVE, LineTable, OPEN } from './line-table.js'
import { NO_ARGS } from './snapshot.js'
import { endsWithGt, isCloseTag, lastGt, tagNameEnd, tagNameStart } from './tags.js'
import { readTemplateLine, unbalancedStatement, type Alternative, type TemplateLine } from './template-lines.js'
import { controlOf, TEMPLATE_START, type Control } from './templates.js'
import { cacheBits, isSpaceCode, sampleHash, StringCache, WordReader } from './words.js'
import { AT, CR, DOUBLE_QUOTE, HASH, LEFT_BRACE, LF, LT, PERCENT, SINGLE_QUOTE } from './char-codes.js'

/** One logical line, read in full: what the node builder needs to make its node. */
export interface Item {
  kind: 'blank' | 'comment' | 'directive' | 'open' | 'close'
  raw: string
  /** Tag or directive name as written (without `<` / `</`). */
  name: string
  /** Frozen for directives and close tags (see snapshot.ts), not for open tags. */
  args: readonly string[]
  position: Position
  /** For comments. */
  value: string
  /** For tags without their closing `>`. */
  unterminated: boolean
  /** A directive whose name is the plain first word of `raw` (see snapshot.ts). */
  plainName: boolean
  /** A line a template engine fills in, opaque to Apache's reading (data.template). */
  template: boolean
  /** Its block statements, for a line that opens, switches or ends template blocks. */
  controls: Control[] | undefined
  /** How a line with inline template conditionals renders. */
  alternatives: Alternative[] | undefined
}

const KIND_OF = { blank: BLANK, comment: COMMENT, directive: DIRECTIVE, open: OPEN, close: CLOSE }

/** A word that is a template block statement without the rest of its block (`{% if x %}`, `<% end %>`). */
function isStatementWord(word: string): boolean {
  const c = word.charCodeAt(0)
  return (c === LEFT_BRACE || c === LT) && word.charCodeAt(1) === 37 && unbalancedStatement(word) !== undefined
}

/**
 * The block statements a continued directive leaves unmatched, when they only open blocks
 * (`WSGIScriptAlias / x \` `{% if a %}`, `opt`, then `{% endif %}` on a line of its own) or only
 * close them (`opt \` `{% endif %}`): then it is a control line as well as a directive. Else
 * (a branch, or closes before opens) undefined: it stays a template line.
 */
function unmatchedIn(args: readonly string[]): Control[] | undefined {
  const open: Control[] = []
  const close: Control[] = []
  for (const word of args) {
    if (!isStatementWord(word)) continue
    // One statement a word: `{% if a %}{% if b %}` is not simple.
    const c = controlOf(word)
    if (c === undefined || c.role === 'branch') return undefined
    if (c.role === 'open') open.push(c)
    else if (open.pop() === undefined) close.push(c)
  }
  if (open.length > 0 && close.length > 0) return undefined
  return open.length > 0 ? open : close.length > 0 ? close : undefined
}

/** A line that may start with a template block statement: `{%` or `<%` (not `<%=`, `<%#`, `<%%`). */
function mayStartStatement(t: string, s: number): boolean {
  const c = t.charCodeAt(s)
  if (t.charCodeAt(s + 1) !== PERCENT) return false
  if (c === LEFT_BRACE) return true
  const d = t.charCodeAt(s + 2)
  return c === LT && d !== 61 && d !== HASH && d !== PERCENT
}

const ARGS_CACHE_BITS = 12

export class LineReader {
  /** See the end of this module. */
  static idle: LineReader | undefined
  readonly table: LineTable
  /** The name of the last tag kindOf() read, and whether it lacks its `>`. */
  tagName = ''
  tagUnterminated = false
  /** The words after a close tag's first (`</VirtualHost> </IfModule>`), from kindOf. */
  tagArgs: readonly string[] = NO_ARGS
  /** From kindOf: the block statements of a template control line (else undefined), and whether the line is a template's. */
  controls: Control[] | undefined = undefined
  template = false
  /** Physical line number at `lineStart`, the start of the line being read. */
  private line = 1
  private lineStart = 0
  /** Trimmed bounds of the last classified line, in the string it was read from. */
  private s = 0
  private e = 0
  private readonly wordReader: WordReader
  private readonly raws: StringCache
  /** Args arrays made so far, by a hash of their words: frozen, so lines alike can share one. */
  private readonly argsCache: Array<readonly string[]>
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
    template: false,
    controls: undefined,
    alternatives: undefined,
  }

  constructor(readonly text: string) {
    const bits = cacheBits(text.length)
    this.wordReader = new WordReader(new StringCache(bits))
    this.raws = new StringCache(bits)
    const argsBits = cacheBits(text.length, ARGS_CACHE_BITS)
    this.argsMask = (1 << argsBits) - 1
    this.argsCache = new Array<readonly string[]>(this.argsMask + 1).fill(NO_ARGS)
    // Config lines average 30 to 40 characters; the table grows when a file has shorter ones.
    this.table = new LineTable((text.length >> 5) + 16)
  }

  /**
   * What the logical line t[from, to) is (BLANK ... OPEN, CLOSE for any close tag), reading no
   * more than that takes: the words of directives wait until the line is read in full. For a
   * tag, sets tagName and tagUnterminated.
   */
  kindOf(t: string, from: number, to: number): number {
    this.controls = undefined
    this.template = false
    let s = from
    while (s < to && isSpaceCode(t.charCodeAt(s))) s++
    if (s === to) return BLANK
    const c = t.charCodeAt(s)
    if (c === HASH) return COMMENT
    if (c !== LT && c !== LEFT_BRACE) return DIRECTIVE
    let e = to
    while (e > s && isSpaceCode(t.charCodeAt(e - 1))) e--
    if (mayStartStatement(t, s)) {
      const kind = this.templateKind(readTemplateLine(t, s, e))
      if (kind !== -1) return kind
    }
    const nameStart = c === LT ? tagNameStart(t, s, e) : -1
    if (nameStart === -1) {
      this.template = TEMPLATE_START.test(t.slice(s, s + 3))
      return DIRECTIVE
    }
    if (isCloseTag(t, nameStart)) {
      this.closeTag(t, s, e)
      this.tagName = this.item.name
      this.tagUnterminated = this.item.unterminated
      this.tagArgs = this.item.args
      return CLOSE
    }
    const nameEnd = tagNameEnd(t, nameStart, e)
    this.tagName = this.wordReader.strings.slice(t, nameStart, nameEnd)
    this.tagUnterminated = lastGt(t, nameEnd, e) === -1
    return OPEN
  }

  /** kindOf for a line that starts with a template block statement; -1 when it has none. */
  private templateKind(line: TemplateLine): number {
    if (line.controls !== undefined) {
      this.controls = line.controls
      this.template = true
      return DIRECTIVE
    }
    if (line.alternatives === undefined) return -1
    const agreed = line.agreed
    if (agreed === undefined) {
      this.template = true
      return DIRECTIVE
    }
    this.tagName = agreed.name
    this.tagUnterminated = false
    this.tagArgs = agreed.args
    return KIND_OF[agreed.kind]
  }

  /** True when line `i`'s text holds `{%` or `<%` (a cheap test before reading it in full). */
  mayHoldStatement(i: number): boolean {
    const t = this.text
    for (let k = this.table.start[i] + 1, end = this.table.start[i + 1]; k < end; k++) {
      if (t.charCodeAt(k) !== PERCENT) continue
      const c = t.charCodeAt(k - 1)
      if (c === LEFT_BRACE || c === LT) return true
    }
    return false
  }

  /** The block statements continued directive line `i` leaves unmatched (see unmatchedIn), read in full; undefined for most lines. */
  continuedControls(i: number): Control[] | undefined {
    return this.itemAt(i).controls
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
      // A directive continued into block statements it leaves open or closes: a control line too (below).
      if (this.item.template && this.item.kind === 'directive') this.item.controls = unmatchedIn(this.item.args)
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
  private argsOf(count: number): readonly string[] {
    if (count <= 1) return NO_ARGS
    const { words, hashes } = this.wordReader
    let h = count
    for (let i = 1; i < count; i++) h = (Math.imul(h, 31) + hashes[i]) | 0
    const slot = (h ^ (h >>> 16)) & this.argsMask
    const cached = this.argsCache[slot]
    if (cached.length === count - 1 && sameWords(cached, words)) return cached
    return (this.argsCache[slot] = Object.freeze(words.slice(1, count)))
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
    item.template = false
    item.controls = undefined
    item.alternatives = undefined
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
    if ((c === LT || c === LEFT_BRACE) && mayStartStatement(t, s) && this.templateItem(t, s, e)) return
    const nameStart = c === LT ? tagNameStart(t, s, e) : -1
    if (nameStart !== -1) {
      if (isCloseTag(t, nameStart)) this.closeTag(t, s, e)
      else this.openTag(t, nameStart, e)
      return
    }
    this.directive(t, s, e)
    const first = item.name.charCodeAt(0)
    if ((first === LT || first === LEFT_BRACE || first === AT || first === PERCENT) && TEMPLATE_START.test(item.name)) {
      item.template = true
      return
    }
    // Continued into a block statement (`... \` then `{% if x %}`): the engine drops that line,
    // so what it renders is not what Apache reads here.
    if (item.args.some(isStatementWord)) item.template = true
    // A bare first word that reads as written is the name as raw spells it (snapshot.ts).
    item.plainName = c !== DOUBLE_QUOTE && c !== SINGLE_QUOTE && t.startsWith(item.name, s)
  }

  /** The trimmed line t[s, e) as a directive: its first word and the others. */
  private directive(t: string, s: number, e: number): void {
    const count = this.wordReader.read(t, s, e)
    this.item.kind = 'directive'
    this.item.name = this.wordReader.words[0]
    this.item.args = this.argsOf(count)
  }

  /**
   * The trimmed line t[s, e), which may start with a template block statement, read as
   * template-lines.ts reads it; false when it has no statement (then it is read as usual).
   */
  private templateItem(t: string, s: number, e: number): boolean {
    const line = readTemplateLine(t, s, e)
    const item = this.item
    if (line.controls === undefined && line.alternatives === undefined) return false
    item.controls = line.controls
    item.alternatives = line.alternatives
    const agreed = line.agreed
    if (agreed === undefined) {
      this.directive(t, s, e)
      item.template = true
      return true
    }
    item.kind = agreed.kind as Item['kind']
    item.name = agreed.name
    // An open tag's args are its section's own; a directive's and a close tag's are frozen.
    item.args = agreed.kind === 'open' ? agreed.args.slice() : Object.freeze(agreed.args.slice())
    return true
  }

  /** `</Name>`: Apache compares the first word with `</Name>`; more words are an error. */
  private closeTag(t: string, s: number, e: number): void {
    const item = this.item
    const count = this.wordReader.read(t, s, e)
    const word = this.wordReader.words[0]
    const terminated = endsWithGt(word)
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
    // Not frozen: a section's args are its own (a flat macro body freezes them, see build.ts).
    item.args = this.wordReader.words.slice(0, count)
    item.unterminated = unterminated
  }
}

/** args equals words[1...]. */
function sameWords(args: readonly string[], words: string[]): boolean {
  for (let i = 0; i < args.length; i++) if (args[i] !== words[i + 1]) return false
  return true
}

// Optimized code checks the shape (V8 "map") of the objects it works on, and V8 forgets the shape
// of a class's instances once none is left, throwing that code away: an idle instance keeps the
// shapes between parses, so that each parse of a series runs at full speed at once.
LineReader.idle = new LineReader('')
