// A scope of the section matcher (sections.ts): where sections are matched and must balance.
import type { Block } from './template-blocks.js'

export const FILE_SCOPE = 0
export const MACRO_SCOPE = 1
export const BRANCH_SCOPE = 2

/** Where sections are matched: the file, a `<Macro>` body, or a branch of a template block. */
export interface Scope {
  kind: number
  /** The `<Macro>` line, or the control line of the block; -1 for the file. */
  line: number
  /** Lines of the open sections, outermost first, and their names. */
  open: number[]
  names: string[]
  /** Problems found (a macro body's or a branch's; the file's are reported instead). */
  problems: number
  /** A branch's block, and what the branch holds besides blanks, comments and template lines. */
  block: Block | undefined
  directives: number
  tags: number
  /** A branch's first line that is a directive, a tag or a nested block (-1: none yet). */
  first: number
  /** A branch's close tag of the section open around its block (template-blocks.ts): its line and name. */
  closes: { line: number; name: string } | undefined
}

export const newScope = (kind: number, line: number, block?: Block): Scope =>
  ({ kind, line, open: [], names: [], problems: 0, block, directives: 0, tags: 0, first: -1, closes: undefined })
