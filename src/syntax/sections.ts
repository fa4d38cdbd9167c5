// Section matching, over the line table as the scan adds lines. Sections nest by name,
// case-insensitively; a close tag for an outer section ends the inner ones still open. Problems
// in the file are reported (messages inspired by Apache's own).
//
// A `<Macro>` body is read as mod_macro reads it: up to the matching `</Macro>` (nested ones
// counted), so its sections need not balance before expansion. Its sections are matched apart, in
// a scope of their own, quietly: a body with a problem is marked FLAT (its tags stay directives,
// build.ts), one without is a tree like any other part of the file.
import { VFileMessage } from 'vfile-message'
import type { LineReader } from './line-reader.js'
import { CLOSE, CLOSED, FLAT, KIND_MASK, MACRO, OPEN, STRAY } from './line-table.js'
import { isMacro, sameName } from './tags.js'

/** Where sections are matched: the file, or a `<Macro>` body. */
interface Scope {
  /** The `<Macro>` line whose body this is; -1 for the file. */
  macro: number
  /** Lines of the open sections, outermost first, and their names. */
  open: number[]
  names: string[]
  /** Problems found in a macro body (the file's are reported instead). */
  problems: number
}

const newScope = (macro: number): Scope => ({ macro, open: [], names: [], problems: 0 })

export class SectionMatcher {
  private scope: Scope = newScope(-1)
  /** The scopes around the current one, outermost (the file) first. */
  private readonly outer: Scope[] = []

  constructor(
    private readonly reader: LineReader,
    private readonly diagnostics: VFileMessage[],
    private readonly path: string | undefined,
  ) {}

  /** Line `i`, of kind `kind`, was just scanned (tags: its name is reader.tagName). */
  add(i: number, kind: number): void {
    const k = kind & KIND_MASK
    if (k !== OPEN && k !== CLOSE) return
    const name = this.reader.tagName
    const unterminated = this.reader.tagUnterminated
    if (k === OPEN) return this.open(i, name, unterminated)
    if (this.scope.macro !== -1 && isMacro(name)) return this.endMacro(i, name, unterminated)
    this.close(i, kind, name, unterminated)
  }

  /** End the sections still open at the end of the text. */
  finish(): void {
    const count = this.reader.table.count
    while (this.scope.macro !== -1) {
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
      this.outer.push(this.scope)
      this.scope = newScope(i)
      return
    }
    this.scope.open.push(i)
    this.scope.names.push(name)
  }

  private close(i: number, kind: number, name: string, unterminated: boolean): void {
    const names = this.scope.names
    let depth = names.length - 1
    while (depth >= 0 && !sameName(names[depth], name)) depth--
    if (depth < 0) {
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
    this.closeWith(this.pop(i), i, name, unterminated)
  }

  /** `</Macro>` on line `i` ends the body being read. */
  private endMacro(i: number, name: string, unterminated: boolean): void {
    this.closeWith(this.endBody(i), i, name, unterminated)
  }

  /** End the current macro body before line `end`, back to the scope around it; returns its macro. */
  private endBody(end: number): number {
    while (this.scope.open.length > 0) this.unclosed(end, '')
    const { macro, problems } = this.scope
    if (problems > 0) this.reader.table.kind[macro] |= FLAT
    this.scope = this.outer.pop() as Scope
    return macro
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

  private unclosed(end: number, why: string): void {
    const i = this.pop(end)
    if (this.scope.macro !== -1) return void this.scope.problems++
    const { name, args } = this.reader.itemAt(i)
    const sameLine = args.some((a) => a.toLowerCase().includes(`</${name.toLowerCase()}`))
    this.report(
      `<${name}> is never closed${why}: add </${name}> on a line of its own` +
        (sameLine ? ' (Apache reads one tag per line: a close tag after `>` on the same line does not count)' : ''),
      i,
      'unclosed-section',
    )
  }

  /** A problem on line `line`: reported in the file, counted in a macro body. */
  private report(reason: string, line: number, ruleId: string): void {
    if (this.scope.macro !== -1) return void this.scope.problems++
    const place = this.reader.itemAt(line).position
    const message = new VFileMessage(reason, { place, ruleId, source: 'wsgi-migrate' })
    message.fatal = true
    if (this.path !== undefined) message.file = this.path
    this.diagnostics.push(message)
  }
}
