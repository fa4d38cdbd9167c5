// Section matching, over the line table as the scan adds lines. Sections nest by name,
// case-insensitively; a close tag for an outer section ends the inner ones still open. Problems
// in the file are reported (messages inspired by Apache's own).
//
// Sections are matched in scopes. A `<Macro>` body is one, read as mod_macro reads it: up to the
// matching `</Macro>` (nested ones counted), so its sections need not balance before expansion.
// Each branch of a template block (`{% if %}` ... `{% else %}` ... `{% endif %}`, see
// template-blocks.ts) is one too: the sections opened in a branch must close in it. A scope's
// problems are counted, not reported: a body or a block with problems is marked FLAT (its tags
// stay directives, build.ts), one without is a tree like any other part of the file.
import type { LineReader } from './line-reader.js'
import { CLOSE, CLOSED, CONTINUED, DIRECTIVE, FLAT, KIND_MASK, MACRO, OPEN, STRAY } from './line-table.js'
import type { Reporter } from './report.js'
import { isMacro, sameName } from './tags.js'
import { BRANCH_SCOPE, FILE_SCOPE, MACRO_SCOPE, newScope, type Scope } from './scope.js'
import { BlockMatcher } from './template-blocks.js'

/** Sections that Apache reads to the end of the file when their condition holds (`</X> </IfModule>`). */
const IF_SECTIONS = new Set(['ifmodule', 'ifdefine', 'ifversion', 'iffile', 'ifdirective', 'ifsection'])

export class SectionMatcher {
  scope: Scope = newScope(FILE_SCOPE, -1)
  /** The scopes around the current one, outermost (the file) first. */
  readonly outer: Scope[] = []
  private readonly blocks: BlockMatcher

  constructor(
    readonly reader: LineReader,
    readonly reporter: Reporter,
  ) {
    this.blocks = new BlockMatcher(this)
  }

  /** Line `i`, of kind `kind`, was just scanned (tags: its name is reader.tagName). */
  add(i: number, kind: number): void {
    const controls = this.reader.controls
    if (controls !== undefined) return this.blocks.controls(i, controls)
    const k = kind & KIND_MASK
    if (this.scope.kind === BRANCH_SCOPE) {
      if (k === OPEN || k === CLOSE) this.scope.tags++
      else if (k === DIRECTIVE && !this.reader.template) this.scope.directives++
      if (this.scope.first === -1 && (k === OPEN || k === CLOSE || (k === DIRECTIVE && !this.reader.template))) this.scope.first = i
    }
    // A directive continued into block statements may open blocks or close open ones (template-blocks.ts).
    if (k === DIRECTIVE && (kind & CONTINUED) !== 0 && this.reader.mayHoldStatement(i)) {
      const controls = this.reader.continuedControls(i)
      if (controls !== undefined) return this.blocks.continued(i, controls)
    }
    if (k !== OPEN && k !== CLOSE) return
    const name = this.reader.tagName
    const unterminated = this.reader.tagUnterminated
    if (k === OPEN) return this.open(i, name, unterminated)
    if (this.scope.kind === MACRO_SCOPE && isMacro(name)) return this.endMacro(i, name, unterminated)
    this.close(i, kind, name, unterminated)
  }

  /** End the sections and blocks still open at the end of the text. */
  finish(): void {
    const count = this.reader.table.count
    while (this.scope.kind !== FILE_SCOPE) {
      if (this.scope.kind === BRANCH_SCOPE) {
        this.blocks.endAtEof(count)
        continue
      }
      const macro = this.endBody(count)
      this.reader.table.end[macro] = count
      const name = this.reader.itemAt(macro).name
      this.report(`<${name}> is never closed: add </${name}> on a line of its own`, macro, 'unclosed-section')
    }
    while (this.scope.open.length > 0) this.unclosed(count, '')
  }

  private open(i: number, name: string, unterminated: boolean): void {
    if (unterminated) {
      this.report(`<${name}> directive missing closing '>': end the tag with '>'`, i, 'unterminated-tag')
    }
    if (isMacro(name)) {
      this.reader.table.kind[i] |= MACRO
      this.enter(newScope(MACRO_SCOPE, i))
      return
    }
    this.push(i, name)
  }

  /** Open section `name` on line `i` in the current scope. */
  push(i: number, name: string): void {
    this.scope.open.push(i)
    this.scope.names.push(name)
  }

  /** Make `scope` the current one, inside the current one. */
  enter(scope: Scope): void {
    this.outer.push(this.scope)
    this.scope = scope
  }

  /** Back to the scope around the current one. */
  leave(): void {
    this.scope = this.outer.pop() as Scope
  }

  private close(i: number, kind: number, name: string, unterminated: boolean): void {
    const names = this.scope.names
    let depth = names.length - 1
    while (depth >= 0 && !sameName(names[depth], name)) depth--
    if (depth < 0) {
      this.blocks.outerClose(i, name)
      const expected = names.length > 0 ? ` (expected </${names[names.length - 1]}>)` : ''
      this.report(`</${name}> closes no open <${name}>${expected}: remove it or add the missing open tag`, i, 'stray-close')
      this.reader.table.kind[i] = (kind & ~KIND_MASK) | STRAY
      return
    }
    if (names.length - 1 > depth) {
      const at = this.reader.itemAt(i).position.start
      const why = ` before </${name}> at ${at.line}:${at.column}`
      while (names.length - 1 > depth) this.unclosed(i, why)
    }
    const tagArgs = this.reader.tagArgs
    this.closeWith(this.pop(i), i, name, unterminated)
    if (tagArgs.length > 0) this.sharedCloses(i, name, tagArgs)
  }

  /**
   * `</VirtualHost> </IfModule>`: Apache reads the first tag and ignores the rest of the line, so
   * an `<IfModule>` (or another `<If...>` section) whose condition holds runs on to the end of
   * the file (its close tag may come later), and one whose condition fails makes Apache refuse
   * the file. Read as when the condition holds: both closed; a warning says the rest.
   */
  private sharedCloses(i: number, first: string, words: readonly string[]): void {
    for (const word of words) {
      const name = /^<\/([A-Za-z][^\s>]*)>$/.exec(word)?.[1]
      const names = this.scope.names
      if (name === undefined || !IF_SECTIONS.has(name.toLowerCase())) return
      if (names.length === 0 || !sameName(names[names.length - 1], name)) return
      const open = this.pop(i)
      this.closeWith(open, i, name, false)
      this.reader.table.extra.set(open, { ...this.reader.table.extra.get(open), sharedClose: name })
      const at = this.reader.itemAt(open).position.start.line
      this.warn(
        `Apache ignores ${word} after </${first}> on this line: <${name}> (line ${at}) then runs on to the end of the file, ` +
          `and when its condition is false Apache refuses the file ("Expected </${name}> before end of configuration"): ` +
          `put ${word} on a line of its own`,
        i,
        'shared-close-line',
      )
    }
  }

  /** `</Macro>` on line `i` ends the body being read. */
  private endMacro(i: number, name: string, unterminated: boolean): void {
    this.closeWith(this.endBody(i), i, name, unterminated)
  }

  /** End the current macro body before line `end`, back to the scope around it; returns its macro. */
  endBody(end: number): number {
    while (this.scope.open.length > 0) this.unclosed(end, '')
    const { line: macro, problems } = this.scope
    if (problems > 0) this.reader.table.kind[macro] |= FLAT
    this.leave()
    return macro
  }

  /** Close the innermost open section of the current scope with the tag that starts on line `close`; returns its open tag's line. */
  closeAt(close: number): number {
    const open = this.pop(close)
    this.closeWith(open, close, '', false)
    return open
  }

  /** Take the innermost open section off the stack; its children end before line `end`. */
  private pop(end: number): number {
    const i = this.scope.open.pop() as number
    this.scope.names.pop()
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

  /** End the innermost open section, unclosed, before line `end`. */
  unclosed(end: number, why: string): void {
    const name = this.scope.names[this.scope.names.length - 1]
    const i = this.pop(end)
    if (this.scope.kind !== FILE_SCOPE) return void this.scope.problems++
    const { args } = this.reader.itemAt(i)
    const sameLine = args.some((a) => a.toLowerCase().includes(`</${name.toLowerCase()}`))
    this.report(
      `<${name}> is never closed${why}: add </${name}> on a line of its own` +
        (sameLine ? ' (Apache reads one tag per line: a close tag after `>` on the same line does not count)' : ''),
      i,
      'unclosed-section',
    )
  }

  /** A problem on line `line`: reported in the file, counted in a macro body or a branch. */
  report(reason: string, line: number, ruleId: string): void {
    if (this.scope.kind !== FILE_SCOPE) return void this.scope.problems++
    this.reporter.report(reason, this.reader.itemAt(line).position, ruleId, true)
  }

  /** Something Apache reads, but not as it looks: a warning on line `line`, in any scope. */
  warn(reason: string, line: number, ruleId: string): void {
    this.reporter.report(reason, this.reader.itemAt(line).position, ruleId, false)
  }
}
