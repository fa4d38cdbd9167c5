// Template blocks in the section matcher (sections.ts): `{% if %}` / `{% elif %}` / `{% else %}` /
// `{% endif %}`, `{% for %}` ... `{% endfor %}`, ERB's `<% if %>` ... `<% end %>`, EPP's
// `<% if $x { %>` ... `<% } %>`. Each branch is a scope: the sections opened in it must close in
// it, so that every way the template renders balances. Three outcomes for a block:
//
// - every branch balances: nothing to do (the common case);
// - every branch opens the same one section and holds nothing else, and the last is an `else`
//   (`{% if SSL %}` `<VirtualHost *:443>` `{% else %}` `<VirtualHost *:80>` `{% endif %}`): the
//   whole block is that section's open tag (a compound tag, build.ts), its branches alternatives;
// - the same, but a branch holds more lines after its open tag (`SSLEngine on`): the block up to
//   the first branch's open tag is the compound tag, and the rest of the block is the first
//   children of the section (the other open tags read as plain lines, ALT_TAG): lines there are
//   in their branch only, as in any block;
// - the mirror: every branch closes the section open around the block, its tag the branch's last
//   line, and the last is an `else` (`{% if SSL %}` `SSLEngine on` `</VirtualHost>` `{% else %}`
//   `</VirtualHost>` `{% endif %}`): the whole block is that section's close tag; when a branch
//   holds lines before its close tag, the close tag is the last branch's and the rest of the block
//   is the last children of the section (data.closing; the other close tags: ALT_TAG);
// - otherwise the block is read flat (its tags stay directives), with a warning.
//
// A directive continued with `\` into block statements that only open blocks, or only close
// open ones, opens or closes them (continued()): its `{% endif %}` may stand on its own line.
import { BRANCH_SCOPE, newScope } from './scope.js'
import type { SectionMatcher } from './sections.js'
import { ALT_TAG, BLANK, COMMENT, CONTINUED, DIRECTIVE, FLAT, KIND_MASK, OPEN } from './line-table.js'
import { isMacro, sameName } from './tags.js'
import { isElse, type Control } from './templates.js'

/** A template block being read. */
export interface Block {
  /** The line of its opening statement. */
  line: number
  /** That line holds only this statement (a compound tag may start there). */
  alone: boolean
  /** The statement of the branch being read, and its line. */
  current: Control
  at: number
  /** The branches read so far. */
  branches: BranchEnd[]
}

/** What a branch turned out to be. */
interface BranchEnd {
  statement: string
  else: boolean
  /** Its sections balance. */
  clean: boolean
  /**
   * The one section it opens and leaves open, when nothing comes before its open tag (a branch
   * of a compound tag); `more`: lines follow the open tag in the branch.
   */
  opens: { line: number; name: string; more: boolean } | undefined
  /** The close tag of the section around the block that ends it; `more`: lines come before it in the branch. */
  closes: { line: number; name: string; more: boolean } | undefined
}

const show = (c: Control): string => JSON.stringify(c.statement)

export class BlockMatcher {
  constructor(private readonly m: SectionMatcher) {}

  /** The block statements of control line `i`, in order. */
  controls(i: number, controls: readonly Control[]): void {
    for (const c of controls) this.control(i, c, controls.length === 1)
  }

  /**
   * The statements that directive line `i`, continued into them, leaves unmatched (all opens or
   * all closes: line-reader.ts). Closes with no block open are left alone, as a template line.
   */
  continued(i: number, controls: readonly Control[]): void {
    const m = this.m
    if (controls[0].role === 'close' && m.scope.kind !== BRANCH_SCOPE && !m.outer.some((s) => s.kind === BRANCH_SCOPE)) return
    for (const c of controls) this.control(i, c, false)
  }

  private control(i: number, c: Control, alone: boolean): void {
    const m = this.m
    if (c.role === 'open') {
      // A block inside a branch is more than one section's open tag.
      if (m.scope.kind === BRANCH_SCOPE) {
        m.scope.directives++
        if (m.scope.first === -1) m.scope.first = i
      }
      m.enter(newScope(BRANCH_SCOPE, i, { line: i, alone, current: c, at: i, branches: [] }))
      return
    }
    if (!this.toBranch(i, c)) return
    const block = m.scope.block as Block
    this.endBranch(i)
    m.leave()
    if (c.role === 'branch') {
      block.current = c
      block.at = i
      m.enter(newScope(BRANCH_SCOPE, block.line, block))
    } else this.endBlock(block, i, alone && block.alone)
  }

  /**
   * Close tag `name` on line `i` closes nothing in its scope: in a branch that holds nothing open,
   * when it closes the section open around the block, it may end the branch (see endBranch()).
   */
  outerClose(i: number, name: string): void {
    const m = this.m
    const s = m.scope
    const around = m.outer[m.outer.length - 1]
    if (s.kind !== BRANCH_SCOPE || s.open.length > 0 || s.problems > 0 || s.closes !== undefined) return
    if (around.names.length > 0 && sameName(around.names[around.names.length - 1], name)) s.closes = { line: i, name }
  }

  /** The block at the end of the text, never closed. */
  endAtEof(count: number): void {
    const m = this.m
    const block = m.scope.block as Block
    this.endBranch(count)
    m.leave()
    const first = block.branches[0]?.statement ?? block.current.statement
    m.warn(`the template block ${JSON.stringify(first)} is never closed: its branches run to the end of the file`, block.line, 'template-unclosed')
    this.endBlock(block, count, false)
  }

  /**
   * Make the current scope the branch that statement `c` on line `i` ends, ending the macro
   * bodies left open in it; false (with a warning) when no block is open.
   */
  private toBranch(i: number, c: Control): boolean {
    const m = this.m
    if (m.scope.kind !== BRANCH_SCOPE && !m.outer.some((s) => s.kind === BRANCH_SCOPE)) {
      m.warn(`${show(c)} belongs to no open template block: the template engine refuses it`, i, 'template-stray')
      return false
    }
    while (m.scope.kind !== BRANCH_SCOPE) {
      m.reader.table.end[m.endBody(i)] = i
      m.scope.problems++
    }
    return true
  }

  /** End the current branch before line `end`: its open sections end unclosed. */
  private endBranch(end: number): void {
    const s = this.m.scope
    const block = s.block as Block
    const one = s.problems === 0 && s.open.length === 1 && s.first === s.open[0]
    const opens = one ? { line: s.open[0], name: s.names[0], more: this.linesIn(s.open[0] + 1, end) } : undefined
    // Its one problem the close tag of the section around the block, on its last line: that close.
    const c = s.closes
    const last = c !== undefined && s.problems === 1 && s.open.length === 0 && !this.linesIn(c.line + 1, end)
    const closes = last ? { ...c, more: this.linesIn(block.at + 1, c.line) } : undefined
    while (s.open.length > 0) this.m.unclosed(end, '')
    block.branches.push({ statement: block.current.statement, else: isElse(block.current), clean: s.problems === 0, opens, closes })
  }

  /** True when lines [from, to) hold more than blanks and comments. */
  private linesIn(from: number, to: number): boolean {
    const kinds = this.m.reader.table.kind
    for (let i = from; i < to; i++) if ((kinds[i] & KIND_MASK) !== BLANK && (kinds[i] & KIND_MASK) !== COMMENT) return true
    return false
  }

  /** The block has ended (on line `close`, or at the end of the text): a compound tag, flat, or fine. */
  private endBlock(block: Block, close: number, compoundOk: boolean): void {
    if (block.branches.every((b) => b.clean)) return
    const m = this.m
    const table = m.reader.table
    const opens = compoundOk ? compoundOf(block.branches) : undefined
    if (opens !== undefined) {
      // Lines after an open tag: the compound tag ends at the first open tag, the rest are children.
      const split = opens.some((o) => o.more)
      const end = split ? opens[0].line : close
      table.extra.set(block.line, { compound: { end, opens: opens.map((o) => o.line), when: block.branches.map((b) => b.statement), split } })
      if (split) for (const o of opens.slice(1)) table.kind[o.line] = (table.kind[o.line] & CONTINUED) | DIRECTIVE | ALT_TAG
      table.kind[block.line] = (table.kind[block.line] & ~KIND_MASK) | OPEN
      if (m.scope.kind === BRANCH_SCOPE) m.scope.tags++
      m.push(block.line, opens[0].name)
      return
    }
    const closes = compoundOk ? closesOf(block.branches, m.scope.names[m.scope.names.length - 1]) : undefined
    if (closes !== undefined) return this.closeTag(block, close, closes)
    table.kind[block.line] |= FLAT
    table.end[block.line] = close
    m.warn(
      `the sections in the template block ${JSON.stringify(block.branches[0].statement)} do not balance within its branches: ` +
        'each branch must close the sections it opens (its tags are read as plain lines): check every rendering of the template',
      block.line,
      'template-unbalanced',
    )
  }

  /**
   * The block (ended on line `close`) is the close tag of the section open around it. Lines
   * before a close tag: the tag starts at the last branch's, the rest are the last children.
   */
  private closeTag(block: Block, close: number, closes: Array<NonNullable<BranchEnd['closes']>>): void {
    const m = this.m
    const table = m.reader.table
    const split = closes.some((c) => c.more)
    const tag = closes[closes.length - 1].line
    for (const c of closes) table.kind[c.line] = (table.kind[c.line] & CONTINUED) | DIRECTIVE | ALT_TAG
    if (m.scope.kind === BRANCH_SCOPE) m.scope.tags++
    const open = m.closeAt(split ? tag : block.line)
    table.extra.set(open, { ...table.extra.get(open), closeBlock: { end: close, tag, split } })
  }
}

/** The close tag of the section each branch closes, when every branch closes `name` and the last is an `else`. */
function closesOf(branches: BranchEnd[], name: string | undefined): Array<NonNullable<BranchEnd['closes']>> | undefined {
  if (name === undefined || branches.length < 2 || !branches[branches.length - 1].else) return undefined
  const closes = branches.map((b) => b.closes)
  if (closes.some((c) => c === undefined || !sameName(c.name, name))) return undefined
  return closes as Array<NonNullable<BranchEnd['closes']>>
}

/** The section each branch opens, when every branch opens the same one and the last is an `else`. */
function compoundOf(branches: BranchEnd[]): Array<NonNullable<BranchEnd['opens']>> | undefined {
  if (branches.length < 2 || !branches[branches.length - 1].else) return undefined
  const opens: Array<NonNullable<BranchEnd['opens']>> = []
  for (const b of branches) {
    if (b.opens === undefined || isMacro(b.opens.name)) return undefined
    if (opens.length > 0 && !sameName(opens[0].name, b.opens.name)) return undefined
    opens.push(b.opens)
  }
  return opens
}
