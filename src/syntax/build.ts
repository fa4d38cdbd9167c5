// The node builder: syntax tree nodes from the line table (line-table.ts), each line read in full
// (line-reader.ts). One loop, not one call per level: a file may nest thousands deep.
import { LineReader, type Item } from './line-reader.js'
import { ALT_TAG, BLANK, CLOSED, COMMENT, FLAT, KIND_MASK, OPEN, type LineExtra } from './line-table.js'
import { markParsed } from './snapshot.js'
import type { Comment, Content, Directive, DirectiveData, Position, Section, Tag } from './types.js'

/** Placeholder for a `children` key that is set right after it (never handed out). */
export const NO_CHILDREN: Content[] = Object.freeze([]) as unknown as Content[]

export class NodeBuilder {
  /** See the end of this module. */
  static idle: NodeBuilder | undefined
  /** Nodes made and not yet handed to their parent (see nodes()). */
  private readonly pending: Content[] = []

  constructor(private readonly reader: LineReader) {}

  /**
   * The nodes of lines [from, to): the root's children, with theirs. The nodes of every open
   * level wait on one stack and are spliced off when their section ends, so that each parent gets
   * an array of just its size.
   */
  nodes(from: number, to: number): Content[] {
    const { kind: kinds, end: ends, extra } = this.reader.table
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
          // A template block whose branches do not balance: its lines, flat.
          if ((kind & FLAT) === 0) i++
          else {
            for (const node of this.flat(i + 1, ends[i], 'templateTag')) out.push(node)
            i = ends[i]
          }
          continue
        }
        const end = ends[i]
        const more = extra.size === 0 ? undefined : extra.get(i)
        const next = more?.closeBlock !== undefined ? more.closeBlock.end + 1 : end + ((kind & CLOSED) !== 0 ? 1 : 0)
        const section = this.section(i, more)
        const childStart = more?.compound === undefined ? i + 1 : more.compound.end + 1
        out.push(section)
        if (end <= childStart) section.children = []
        else if ((kind & FLAT) !== 0) section.children = this.flat(childStart, end, 'macroTag')
        else {
          open.push(section)
          starts.push(out.length)
          resume.push(next)
          limits.push(limit)
          i = childStart
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

  /** The node of line `i`, which is not an open tag (a close tag here closes nothing). */
  private leaf(i: number, kind: number): Content {
    const item = this.reader.itemAt(i)
    if ((kind & KIND_MASK) === BLANK) return { type: 'blank', raw: item.raw, position: item.position }
    if ((kind & KIND_MASK) === COMMENT) return commentFrom(item)
    // An open tag read as a line: its args as its raw spells them (as in flat()).
    if ((kind & ALT_TAG) !== 0) Object.freeze(item.args)
    const node = directiveFrom(item)
    if ((kind & ALT_TAG) !== 0) node.data = { ...node.data, templateTag: true }
    else if (item.kind === 'close') node.data = { ...node.data, strayClose: true }
    return node
  }

  /** The section opened on line `i`, its close tag and position; nodes() gives it its children. */
  private section(i: number, more: LineExtra | undefined): Section {
    const table = this.reader.table
    const kind = table.kind[i]
    const end = table.end[i]
    const compound = more?.compound
    // The item is shared: what is read from it is read before the next line is.
    const section = compound === undefined ? sectionFrom(this.reader.itemAt(i)) : this.compound(i, compound)
    const start = (section.position as Position).start
    if (more?.closeBlock !== undefined) {
      section.close = this.closeBlock(end, more.closeBlock)
      section.position = { start, end: section.close.position?.end as Position['end'] }
      if (more.closeBlock.split) section.data = { ...section.data, closing: directiveFrom(this.reader.itemAt(more.closeBlock.end)) }
    } else if ((kind & CLOSED) !== 0) {
      const close = this.reader.itemAt(end)
      const shared = more?.sharedClose
      section.close = shared === undefined ? { raw: close.raw, name: close.name, position: close.position } : { raw: '', name: shared, position: close.position }
      section.position = { start, end: close.position.end }
    } else if (end > (compound?.end ?? i) + 1) {
      // An unclosed section ends where its last child does: on its last line.
      section.position = { start, end: this.reader.itemAt(end - 1).position.end }
    }
    return section
  }

  /** A section whose open tag is the template block of lines [i, compound.end] (see template-blocks.ts). */
  private compound(i: number, compound: NonNullable<LineExtra['compound']>): Section {
    const reader = this.reader
    // Split: the block's first control line opens it here, its other lines are the section's.
    const opening = compound.split === true ? directiveFrom(reader.itemAt(i)) : undefined
    const start = reader.itemAt(i).position.start
    const alternatives = compound.opens.map((line, k) => {
      const { name, args } = reader.itemAt(line)
      return { when: [compound.when[k]], kind: 'open' as const, name, args: Object.freeze(args.slice()) }
    })
    const first = reader.itemAt(compound.opens[0])
    const section = sectionFrom(first)
    const last = reader.itemAt(compound.end)
    section.open = { raw: reader.text.slice(reader.table.start[i], reader.table.start[compound.end + 1]), name: first.name, position: { start, end: last.position.end } }
    section.position = section.open.position
    section.data = opening === undefined ? { alternatives } : { alternatives, opening }
    return section
  }

  /** The close tag that is the template block of lines [from, block.end], closing the section in each branch (template-blocks.ts). */
  private closeBlock(from: number, block: NonNullable<LineExtra['closeBlock']>): Tag {
    const reader = this.reader
    const name = reader.itemAt(block.tag).name
    const start = { ...reader.itemAt(from).position.start }
    const end = { ...reader.itemAt(block.end).position.end }
    return { raw: reader.text.slice(reader.table.start[from], reader.table.start[block.end + 1]), name, position: { start, end } }
  }

  /** Lines [from, to) of a body that balances only after expansion or rendering: tags stay directives. */
  private flat(from: number, to: number, mark: 'macroTag' | 'templateTag'): Content[] {
    const out: Content[] = []
    for (let i = from; i < to; i++) {
      const item = this.reader.itemAt(i)
      if (item.kind === 'blank') out.push({ type: 'blank', raw: item.raw, position: item.position })
      else if (item.kind === 'comment') out.push(commentFrom(item))
      else {
        if (item.kind === 'open') Object.freeze(item.args)
        const node = directiveFrom(item)
        if (item.kind !== 'directive') node.data = { ...node.data, [mark]: true }
        out.push(node)
      }
    }
    return out
  }
}

/** A section from its open tag, not closed (yet). */
function sectionFrom(item: Item): Section {
  const open: Tag = { raw: item.raw, name: item.name, position: item.position }
  const section: Section = { type: 'section', name: item.name, args: item.args, open, close: null, children: NO_CHILDREN, position: item.position }
  if (item.alternatives !== undefined) section.data = { alternatives: item.alternatives }
  return section
}

function commentFrom(item: Item): Comment {
  return { type: 'comment', value: item.value, raw: item.raw, position: item.position }
}

/** A directive, or a tag read as one (`<Name` / `</Name`, in a flat body or stray). */
function directiveFrom(item: Item): Directive {
  const name = item.kind === 'open' ? `<${item.name}` : item.kind === 'close' ? `</${item.name}` : item.name
  const node: Directive = { type: 'directive', name, args: item.args, raw: item.raw, position: item.position }
  if (item.template || item.controls !== undefined || item.alternatives !== undefined) node.data = templateData(item)
  markParsed(node, item.plainName)
  return node
}

/** What a template line's directive says about it. */
function templateData(item: Item): DirectiveData {
  const data: DirectiveData = {}
  if (item.template) data.template = true
  if (item.controls !== undefined) data.control = item.controls
  if (item.alternatives !== undefined) data.alternatives = item.alternatives
  return data
}

// Keeps the shapes of the builder's objects between parses (see the end of line-reader.ts).
NodeBuilder.idle = new NodeBuilder(LineReader.idle as LineReader)
