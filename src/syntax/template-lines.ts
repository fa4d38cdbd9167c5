// A line that starts with a template block statement: `{% if SSL %}` alone (a control line, which
// opens, switches or ends a block over the lines that follow), or with text beside its statements
// (`{% if SSL %}<VirtualHost *:443>{% else %}<VirtualHost *:80>{% endif %}`): each way the line
// can render is read as Apache would read it. When every rendering is the same kind of line with
// the same name (the open tag of a VirtualHost above), the line is that, with its renderings as
// alternatives; otherwise it is an opaque template line.
import { endsWithGt, isCloseTag, lastGt, tagNameEnd, tagNameStart } from './tags.js'
import { controlOf, isElse, templateEnd, type Control } from './templates.js'
import { isSpaceCode, splitWords } from './words.js'
import { LEFT_BRACE, LT } from './char-codes.js'


/** One way a line with inline template conditionals renders, read as Apache reads it. */
export interface Alternative {
  /**
   * The branch taken at each conditional of the line, as written (`if SSL`, `else`); `not if SSL`
   * for an `if` without `else` that renders nothing.
   */
  when: string[]
  kind: 'blank' | 'comment' | 'directive' | 'open' | 'close'
  name: string
  args: readonly string[]
}

export interface TemplateLine {
  /** The block statements of a line that leaves blocks open or ends some (a control line: all of its statements). */
  controls: Control[] | undefined
  /** How the line renders, when its statements balance within it and it holds text besides (at most MAX_RENDERINGS). */
  alternatives: Alternative[] | undefined
  /** The kind and name every rendering agrees on: then the line is that. */
  agreed: Alternative | undefined
}

const MAX_RENDERINGS = 16

type Part = { text: string } | { control: Control }
type Seq = Array<string | Cond>
interface Cond {
  branches: Array<{ when: string; body: Seq }>
  /** Ends with an `else`: some branch always renders. */
  exhaustive: boolean
}

/** Read the trimmed line t[s, e), which starts with `{%` or `<%`. */
export function readTemplateLine(t: string, s: number, e: number): TemplateLine {
  const parts = partsOf(t, s, e)
  const controls: Control[] = []
  let text = false
  for (const p of parts) {
    if ('control' in p) controls.push(p.control)
    else if (!/^[ \t\r\v\f]*$/.test(p.text)) text = true
  }
  const none: TemplateLine = { controls: undefined, alternatives: undefined, agreed: undefined }
  if (controls.length === 0) return none
  if (!text) return { ...none, controls }
  const seq = nest(parts)
  const renderings = seq === undefined ? undefined : expand(seq)
  if (renderings === undefined) return { ...none, controls }
  const alternatives = renderings.map(({ when, text }) => ({ when, ...readText(text) }))
  const [first] = alternatives
  const agree = (first.kind === 'directive' || first.kind === 'open' || first.kind === 'close') &&
    alternatives.every((a) => a.kind === first.kind && a.name.toLowerCase() === first.name.toLowerCase())
  return { controls: undefined, alternatives, agreed: agree ? first : undefined }
}

/**
 * The first block statement of `text` that its block does not go with in `text` (an `if` without
 * its end, an `else` or an `end` without its `if`), if any: such a value is a piece of a template.
 */
export function unbalancedStatement(text: string): Control | undefined {
  const open: Control[] = []
  for (const p of partsOf(text, 0, text.length)) {
    if (!('control' in p)) continue
    if (p.control.role === 'open') open.push(p.control)
    else if (open.length === 0) return p.control
    else if (p.control.role === 'close') open.pop()
  }
  return open[0]
}

/** The line cut into block statements and the text between them (other expressions are text). */
function partsOf(t: string, s: number, e: number): Part[] {
  const parts: Part[] = []
  let from = s
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i)
    if (c !== LEFT_BRACE && c !== LT) continue
    const end = templateEnd(t, i, e)
    if (end === -1) continue
    const control = controlOf(t.slice(i, end))
    if (control !== undefined) {
      if (i > from) parts.push({ text: t.slice(from, i) })
      parts.push({ control })
      from = end
    }
    i = end - 1
  }
  if (e > from) parts.push({ text: t.slice(from, e) })
  return parts
}

/** The parts as nested conditionals; undefined when the statements do not balance within the line. */
function nest(parts: Part[]): Seq | undefined {
  const top: Seq = []
  const stack: Array<{ cond: Cond; seq: Seq }> = []
  let seq = top
  for (const p of parts) {
    if ('text' in p) {
      seq.push(p.text)
      continue
    }
    const c = p.control
    if (c.role === 'open') {
      const cond: Cond = { branches: [{ when: c.statement, body: [] }], exhaustive: false }
      seq.push(cond)
      stack.push({ cond, seq })
      seq = cond.branches[0].body
    } else {
      const open = stack[stack.length - 1]
      if (open === undefined) return undefined
      if (c.role === 'branch') {
        const branch = { when: c.statement, body: [] as Seq }
        open.cond.branches.push(branch)
        open.cond.exhaustive = isElse(c)
        seq = branch.body
      } else {
        stack.pop()
        seq = open.seq
      }
    }
  }
  return stack.length === 0 ? top : undefined
}

type Rendering = { when: string[]; text: string }

/** Every rendering of `seq`; undefined when there are more than MAX_RENDERINGS. */
function expand(seq: Seq): Rendering[] | undefined {
  let out: Rendering[] = [{ when: [], text: '' }]
  for (const part of seq) {
    if (typeof part === 'string') {
      for (const r of out) r.text += part
      continue
    }
    const options: Rendering[] = []
    for (const b of part.branches) {
      const inner = expand(b.body)
      if (inner === undefined) return undefined
      for (const r of inner) options.push({ when: [b.when, ...r.when], text: r.text })
    }
    if (!part.exhaustive) options.push({ when: [`not ${part.branches[0].when}`], text: '' })
    if (out.length * options.length > MAX_RENDERINGS) return undefined
    out = out.flatMap((a) => options.map((o) => ({ when: [...a.when, ...o.when], text: a.text + o.text })))
  }
  return out
}

/** What Apache reads from one rendered line. */
function readText(t: string): Omit<Alternative, 'when'> {
  let s = 0
  let e = t.length
  while (s < e && isSpaceCode(t.charCodeAt(s))) s++
  while (e > s && isSpaceCode(t.charCodeAt(e - 1))) e--
  if (s === e) return { kind: 'blank', name: '', args: [] }
  if (t[s] === '#') return { kind: 'comment', name: '', args: [] }
  const nameStart = tagNameStart(t, s, e)
  if (nameStart !== -1 && isCloseTag(t, nameStart)) {
    const [word, ...rest] = splitWords(t, s, e).map((w) => w.value)
    return { kind: 'close', name: word.slice(2, endsWithGt(word) ? -1 : word.length), args: rest }
  }
  if (nameStart !== -1) {
    const nameEnd = tagNameEnd(t, nameStart, e)
    const gt = lastGt(t, nameEnd, e)
    return { kind: 'open', name: t.slice(nameStart, nameEnd), args: splitWords(t, nameEnd, gt === -1 ? e : gt).map((w) => w.value) }
  }
  const [name, ...args] = splitWords(t, s, e).map((w) => w.value)
  return { kind: 'directive', name, args }
}
