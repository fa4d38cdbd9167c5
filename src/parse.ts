// The parser: Apache httpd configuration text (or bytes) to a lossless syntax tree.
//
// Reading rules follow httpd's server/config.c and util.c: logical lines (see lines.ts), leading
// and trailing white space ignored, `#` starts a comment only as the first character of a
// logical line, a line starting with `<` + letter is a section tag (one tag per line: text after
// the first `>` belongs to the tag's arguments, and the last `>` ends it), words split as
// ap_getword_conf does. `<Macro>` bodies are read as mod_macro does: up to the matching
// `</Macro>`, so sections inside them need not balance before expansion.
import type { Point, Position } from 'unist'
import { VFileMessage } from 'vfile-message'
import { decode, dominantEol } from './decode.js'
import { logicalLines, sourceOffset, type LogicalLine } from './lines.js'
import { remember } from './snapshot.js'
import type { Blank, Comment, Content, Directive, ParseOptions, Root, Section, Tag } from './types.js'
import { isSpace, splitWords } from './words.js'

interface Item {
  kind: 'blank' | 'comment' | 'directive' | 'open' | 'close'
  line: LogicalLine
  raw: string
  /** Tag or directive name as written (without `<` / `</`). */
  name: string
  args: string[]
  position: Position
  /** For comments. */
  value?: string
  /** For open tags without a closing `>`. */
  unterminated?: boolean
}

const TEMPLATE_START = /^(?:<%|\{%|\{\{|\{#)/

export function parse(input: string | Uint8Array, options: ParseOptions = {}): Root {
  const isString = typeof input === 'string'
  const { text, encoding } = isString ? { text: input, encoding: 'utf8' as const } : decode(input)
  const lineStarts = lineStartOffsets(text)
  const point = (offset: number): Point => {
    let lo = 0
    let hi = lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (lineStarts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1, offset }
  }
  const diagnostics: VFileMessage[] = []
  const report = (reason: string, place: Position | Point, ruleId: string): void => {
    const message = new VFileMessage(reason, { place, ruleId, source: 'wsgi-migrate' })
    message.fatal = true
    if (options.path !== undefined) message.file = options.path
    diagnostics.push(message)
  }

  const items = logicalLines(text).map((line) => classify(text, line, point))
  const children = build(items, 0, items.length, report, point).children

  return {
    type: 'root',
    children,
    position: { start: point(0), end: point(text.length) },
    data: {
      ...(options.path !== undefined ? { path: options.path } : {}),
      input: isString ? 'string' : 'buffer',
      encoding,
      eol: dominantEol(text),
      diagnostics,
    },
  }
}

function lineStartOffsets(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

function classify(text: string, line: LogicalLine, point: (o: number) => Point): Item {
  const t = line.text
  let s = 0
  while (s < t.length && isSpace(t[s])) s++
  let e = t.length
  while (e > s && isSpace(t[e - 1])) e--
  const raw = text.slice(line.start, line.end)
  const startPoint = point(sourceOffset(line, s, 'start'))
  // A blank line has no text: its position is the empty span where its white space ends.
  const position: Position = { start: startPoint, end: s === e ? startPoint : point(sourceOffset(line, e, 'end')) }
  const base = { line, raw, position, name: '', args: [] as string[] }
  if (s === e) return { ...base, kind: 'blank' }
  if (t[s] === '#') return { ...base, kind: 'comment', value: t.slice(s + 1, e) }
  if (t[s] === '<' && !TEMPLATE_START.test(t.slice(s, s + 2))) {
    const close = t[s + 1] === '/'
    const nameStart = s + (close ? 2 : 1)
    if (/[A-Za-z]/.test(t[nameStart] ?? '')) {
      if (close) {
        // Apache compares the first word with `</Name>`; anything else on the line is an error.
        const words = splitWords(t, s, e)
        const word = words[0].value
        const name = word.slice(2).replace(/>$/, '')
        return { ...base, kind: 'close', name, args: words.slice(1).map((w) => w.value) }
      }
      let nameEnd = nameStart
      while (nameEnd < e && !isSpace(t[nameEnd]) && t[nameEnd] !== '>') nameEnd++
      // Apache's section handlers cut the arguments at the last `>` and ignore what follows it.
      const gt = t.lastIndexOf('>', e - 1)
      const unterminated = gt < nameEnd
      const argsEnd = unterminated ? e : gt
      const args = splitWords(t, nameEnd, argsEnd).map((w) => w.value)
      return { ...base, kind: 'open', name: t.slice(nameStart, nameEnd), args, unterminated }
    }
  }
  const words = splitWords(t, s, e)
  return { ...base, kind: 'directive', name: words[0].value, args: words.slice(1).map((w) => w.value) }
}

type Report = (reason: string, place: Position | Point, ruleId: string) => void

interface Frame {
  section: Section | null
  children: Content[]
}

/** Build nodes from items[from, to); sections nest by name, case-insensitively. */
function build(items: Item[], from: number, to: number, report: Report, point: (o: number) => Point): Frame {
  const top: Frame = { section: null, children: [] }
  const stack: Frame[] = [top]
  const current = (): Frame => stack[stack.length - 1]
  const finishUnclosed = (frame: Frame, why: string): void => {
    const s = frame.section as Section
    const sameLine = s.args.some((a) => a.toLowerCase().includes(`</${s.name.toLowerCase()}`))
    report(
      `<${s.name}> is never closed${why}: add </${s.name}> on a line of its own` +
        (sameLine ? ' (Apache reads one tag per line: a close tag after `>` on the same line does not count)' : ''),
      s.open.position as Position,
      'unclosed-section',
    )
    const last = s.children[s.children.length - 1]
    s.position = { start: (s.open.position as Position).start, end: (last?.position ?? s.open.position)!.end }
  }

  for (let i = from; i < to; i++) {
    const item = items[i]
    switch (item.kind) {
      case 'blank':
        current().children.push({ type: 'blank', raw: item.raw, position: item.position } satisfies Blank)
        break
      case 'comment':
        current().children.push({
          type: 'comment',
          value: item.value as string,
          raw: item.raw,
          position: item.position,
        } satisfies Comment)
        break
      case 'directive':
        current().children.push(directiveFrom(item))
        break
      case 'open': {
        if (item.unterminated) {
          report(`<${item.name}> directive missing closing '>': end the tag with '>'`, item.position, 'unterminated-tag')
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
        current().children.push(section)
        if (item.name.toLowerCase() === 'macro') {
          i = buildMacro(items, i, to, section, report, point)
          break
        }
        stack.push({ section, children: section.children })
        break
      }
      case 'close': {
        const name = item.name.toLowerCase()
        let depth = stack.length - 1
        while (depth > 0 && (stack[depth].section as Section).name.toLowerCase() !== name) depth--
        if (depth === 0) {
          const expected = stack.length > 1 ? ` (expected </${(current().section as Section).name}>)` : ''
          report(
            `</${item.name}> closes no open <${item.name}>${expected}: remove it or add the missing open tag`,
            item.position,
            'stray-close',
          )
          const stray = directiveFrom(item)
          stray.data = { strayClose: true }
          current().children.push(stray)
          break
        }
        while (stack.length - 1 > depth) {
          const frame = stack.pop() as Frame
          finishUnclosed(frame, ` before </${item.name}> at ${item.position.start.line}:${item.position.start.column}`)
        }
        const frame = stack.pop() as Frame
        closeSection(frame.section as Section, item)
        break
      }
    }
  }
  while (stack.length > 1) finishUnclosed(stack.pop() as Frame, '')
  return top
}

function closeSection(section: Section, item: Item): void {
  section.close = { raw: item.raw, name: item.name, position: item.position }
  section.position = { start: (section.open.position as Position).start, end: item.position.end }
}

function directiveFrom(item: Item): Directive {
  const name = item.kind === 'open' ? `<${item.name}` : item.kind === 'close' ? `</${item.name}` : item.name
  const node: Directive = { type: 'directive', name, args: item.args, raw: item.raw, position: item.position }
  if (item.kind === 'directive' && TEMPLATE_START.test(item.name)) node.data = { template: true }
  remember(node)
  return node
}

/**
 * mod_macro reads a `<Macro>` body as raw lines up to the matching `</Macro>` (nested `<Macro>`
 * counted). The body is built as a tree when it balances, else flat: its tags stay directives.
 */
function buildMacro(items: Item[], at: number, to: number, section: Section, report: Report, point: (o: number) => Point): number {
  let depth = 1
  let end = at + 1
  for (; end < to; end++) {
    const it = items[end]
    if (it.kind === 'open' && it.name.toLowerCase() === 'macro') depth++
    if (it.kind === 'close' && it.name.toLowerCase() === 'macro' && --depth === 0) break
  }
  const quiet: Report = () => {
    balanced = false
  }
  let balanced = true
  const body = build(items, at + 1, end, quiet, point)
  if (balanced) section.children = body.children
  else {
    section.children = items.slice(at + 1, end).map((it): Content => {
      if (it.kind === 'blank') return { type: 'blank', raw: it.raw, position: it.position }
      if (it.kind === 'comment') return { type: 'comment', value: it.value as string, raw: it.raw, position: it.position }
      const node = directiveFrom(it)
      if (it.kind !== 'directive') node.data = { macroTag: true }
      return node
    })
  }
  if (end < to) {
    closeSection(section, items[end])
    return end
  }
  report(`<${section.name}> is never closed: add </${section.name}> on a line of its own`, section.open.position as Position, 'unclosed-section')
  return end - 1
}
