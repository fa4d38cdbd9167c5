// The Apache configuration syntax tree: unist-compatible nodes that keep their source text.
//
// Every node owns a `raw` slice of the file; concatenating the slices in document order gives
// the file back byte for byte. A node's `raw` starts with its indentation and ends with its line
// ending (only the last line of a file without a final newline has none: Apache reads one tag
// per line). `position` covers the node's text without indentation and line ending.
import type { Node, Parent, Point, Position } from 'unist'
import type { VFileMessage } from 'vfile-message'
import type { Alternative } from './template-lines.js'
import type { Control } from './templates.js'

export type { Alternative, Control, Point, Position }

/** A directive: `Name arg1 "arg 2"`, possibly continued over several lines with `\`. */
export interface Directive extends Node {
  type: 'directive'
  /** The name as written (Apache matches names case-insensitively). */
  name: string
  /**
   * Argument values with quotes and escapes resolved, as Apache's ap_getword_conf reads them.
   *
   * The array that `raw` spells is frozen (the parser's, and those the edit helpers set), and may
   * be shared by directives with the same words. To edit, assign a new array
   * (`d.args = [...d.args, 'x']`) or use setArgs/setOption: the printer re-spells `raw` for an
   * array that is not frozen. Changing the frozen array in place (`d.args.push('x')`) does not
   * compile (readonly), and throws a TypeError at run time. A frozen array assigned by hand is
   * taken to be the one `raw` spells.
   */
  args: readonly string[]
  /** Source text: indentation, continuations, quoting, trailing space and line ending. */
  raw: string
  position?: Position
  data?: DirectiveData
}

export interface DirectiveData {
  /**
   * A line that a template engine fills in, which Apache would not read as it looks: its first
   * word is a template expression (`{{ extra }}`, `<%= @x %>`, `@@LoadModule@@`), or it holds
   * template block statements (see `control`) or renders as different kinds of line (see
   * `alternatives`).
   */
  template?: boolean
  /**
   * The block statements of a template control line, in order (`{% if SSL %}`, `<% else %>`,
   * `{% endif %}`): the nodes between a block's statements, among this node's siblings, are its
   * branches (see branches.ts).
   */
  control?: readonly Control[]
  /**
   * How a line with inline template conditionals renders, read as Apache reads each rendering
   * (`{% if A %}WSGIProcessGroup a{% else %}WSGIProcessGroup b{% endif %}`). When every rendering
   * is a directive of the same name, the node is that directive with the first rendering's args;
   * otherwise it is an opaque template line (`template`). Edits that re-spell it are refused.
   */
  alternatives?: readonly Alternative[]
  /** A close tag with no open tag, kept as written. */
  strayClose?: boolean
  /** A section tag inside a `<Macro>` whose body only balances after expansion. */
  macroTag?: boolean
  /** A section tag inside a template block whose branches do not balance on their own (read flat). */
  templateTag?: boolean
}

export interface SectionData {
  /**
   * An open tag that a template writes in alternative ways (`{% if SSL %}<VirtualHost *:443>{% else
   * %}<VirtualHost *:80>{% endif %}`, on one line or as a block of lines): each rendering. `args`
   * are the first one's.
   */
  alternatives?: readonly Alternative[]
  /**
   * The first control line of the template block whose branches write the open tag, when the
   * branches hold more lines after it: they and the rest of the block are the first children,
   * in the branches this line opens (template-tree.ts). It is part of the open tag's raw text.
   */
  opening?: Directive
  /**
   * The last control line of the template block whose branches each close the section, when a
   * branch holds lines before its close tag: the rest of the block are the last children (in
   * their branches). It is part of the close tag's raw text.
   */
  closing?: Directive
}

/** `# text`. A comment ending in `\` continues on the next line, as in Apache. */
export interface Comment extends Node {
  type: 'comment'
  /** Text after the `#`, continuation lines joined. */
  value: string
  raw: string
  position?: Position
}

/** An empty or whitespace-only line. */
export interface Blank extends Node {
  type: 'blank'
  raw: string
  position?: Position
}

/** The open or close tag of a section: `<VirtualHost *:80>` / `</VirtualHost>`. */
export interface Tag {
  /** Source text of the tag, with indentation and line ending. */
  raw: string
  /** The tag name as written in this tag (`</virtualhost>` may close `<VirtualHost>`). */
  name: string
  position?: Position
}

/** A container directive: `<VirtualHost *:80>` ... `</VirtualHost>`. */
export interface Section extends Parent {
  type: 'section'
  /** Name as written in the open tag, without `<`. */
  name: string
  /**
   * Arguments of the open tag, quotes resolved, without the closing `>`. The tag's text is not
   * re-spelled from them: edit the open tag's `raw` to change what prints.
   */
  args: readonly string[]
  open: Tag
  /**
   * `null` when the section is never closed (a diagnostic says so). Its `raw` is '' when it is
   * closed on the close tag line of the section inside it (`</VirtualHost> </IfModule>`).
   */
  close: Tag | null
  children: Content[]
  position?: Position
  data?: SectionData
}

export type Content = Directive | Section | Comment | Blank
export type ConfigNode = Root | Content
/** A node that holds others: a file's root or a section. */
export type ParentNode = Root | Section

export type InputKind = 'string' | 'buffer'
/** How a Buffer was decoded: UTF-8 when it is valid UTF-8, else byte for byte as Latin-1. */
export type Encoding = 'utf8' | 'latin1'

export interface RootData {
  path?: string
  input: InputKind
  encoding: Encoding
  /** The line ending most used in the file (`\n` when there is none). */
  eol: string
  /** Structural problems found while parsing; empty for a clean tree. */
  diagnostics: VFileMessage[]
}

export interface Root extends Parent {
  type: 'root'
  children: Content[]
  position?: Position
  data: RootData
}

export interface ParseOptions {
  /** File path used in diagnostics. */
  path?: string
  /**
   * `false`: build every node before returning. By default the nodes are built when
   * `root.children` is first read (the structure and diagnostics are complete either way; see
   * lazy-children.ts).
   */
  lazy?: boolean
}
