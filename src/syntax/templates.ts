// Template languages that write Apache configs: Jinja/Django/Twig/Go (`{{ }}`, `{% %}`, `{# #}`),
// ERB and Puppet EPP (`<% %>`, `<%= %>`, `<%- -%>`, `<%# %>`), Hestia's `%var%` and httpd's own
// `@@Var@@` build placeholders. A template expression is one opaque word: the reader does not
// split it at the spaces inside it (words.ts), and no edit writes part of one (guard.ts). Block
// statements (`{% if %}`, `<% else %>`, `<% end %>`, EPP's `<% } else { %>`) make alternative
// branches (sections.ts, branches.ts).
import { GT, HASH, LEFT_BRACE, LT, PERCENT, RIGHT_BRACE } from './char-codes.js'


/**
 * Where the template expression that starts at t[i] ends (just past its closing delimiter), or
 * -1 when none starts there that closes before `to`: `{{ }}`, `{% %}`, `{# #}`, and `<% %>` (not
 * `<%%`, ERB's escaped `<%`). An opener without its closer on the line is text: Apache's own
 * `{%{REQUEST_STATUS} =~ /^2/}` stays what it is.
 */
export function templateEnd(t: string, i: number, to: number): number {
  const c = t.charCodeAt(i)
  const d = t.charCodeAt(i + 1)
  let close1: number
  let close2: number
  if (c === LEFT_BRACE) {
    if (d === LEFT_BRACE) close1 = RIGHT_BRACE
    else if (d === PERCENT || d === HASH) close1 = d
    else return -1
    close2 = RIGHT_BRACE
  } else if (c === LT && d === PERCENT && t.charCodeAt(i + 2) !== PERCENT) {
    close1 = PERCENT
    close2 = GT
  } else return -1
  // Bounded by the line (not indexOf): a file of openers without closers stays linear.
  for (let j = i + 2; j + 1 < to; j++) if (t.charCodeAt(j) === close1 && t.charCodeAt(j + 1) === close2) return j + 2
  return -1
}

/** Template syntax anywhere in a word: an expression, or an opener whose closer is elsewhere. */
const TEMPLATED = /\{\{|\{%(?!\{)|\{#|<%(?!%)|%[A-Za-z][A-Za-z0-9_]*%|@@[A-Za-z_][A-Za-z0-9_]*@@/

/**
 * True when `word` holds template syntax (`{{ }}`, `{% %}`, `{# #}`, `<% %>`, `%var%`, `@@Var@@`):
 * its value is only known once the template is rendered. A decision that rests on it (a group
 * name, a path) should advise rather than guess, unless the same expression is what it needs.
 */
export function isTemplated(word: string): boolean {
  return TEMPLATED.test(word)
}

/**
 * Puppet EPP's parameter tag (`<%- | String $servername | -%>`): the first thing of a template,
 * which Puppet refuses after any text. Nothing is inserted above it.
 */
export const EPP_PARAMETER_TAG = /^[ \t]*<%-?[ \t]*\|/

/** A line whose first word a template engine fills in (data.template, see line-reader.ts). */
export const TEMPLATE_START = /^(?:<%|\{%|\{\{|\{#|@@[A-Za-z_][A-Za-z0-9_]*@@|%[A-Za-z][A-Za-z0-9_]*%)/

/** Index of the first `char` of `text` outside template expressions, or -1. */
export function indexOutsideTemplates(text: string, char: string, from = 0): number {
  const code = char.charCodeAt(0)
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === code) return i
    if (c === LEFT_BRACE || c === LT) {
      const end = templateEnd(text, i, text.length)
      if (end !== -1) i = end - 1
    }
  }
  return -1
}

/** True when `text` has white space outside its template expressions. */
export function hasSpaceOutsideTemplates(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === LEFT_BRACE || c === LT) {
      const end = templateEnd(text, i, text.length)
      if (end !== -1) {
        i = end - 1
        continue
      }
    }
    if (/\s/.test(text[i])) return true
  }
  return false
}

/**
 * The first opener in `text` whose expression is not closed in it (`{{` without `}}`...), if
 * any: such a value is a piece of a template expression.
 */
export function openTemplatePiece(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== LEFT_BRACE && c !== LT) continue
    const end = templateEnd(text, i, text.length)
    if (end !== -1) i = end - 1
    else if (/^(?:\{\{|\{%(?!\{)|\{#|<%(?!%))/.test(text.slice(i, i + 3))) return text.slice(i, i + 2)
  }
  return undefined
}

/** A block statement of a template: it opens a block, starts its next branch, or ends it. */
export interface Control {
  role: 'open' | 'branch' | 'close'
  /** The statement without delimiters and trim marks: `if SSL`, `elif x`, `else`, `endif`, `end`, `} else {`. */
  statement: string
  /** Its first word (`if`, `for`, `else`, `endif`, `end`, `}`, `@vhosts` for `@vhosts.each do |v|`). */
  keyword: string
}

// Jinja, Django and Twig block tags (`{% set x = 1 %}` is no block: only `{% set x %}...{% endset %}`).
const JINJA_BLOCKS = new Set([
  'if', 'for', 'block', 'macro', 'call', 'filter', 'with', 'raw', 'autoescape', 'trans', 'blocktrans', 'comment',
  'spaceless', 'verbatim', 'ifequal', 'ifnotequal', 'ifchanged', 'embed', 'apply', 'sandbox', 'set',
])
const JINJA_BRANCHES = new Set(['elif', 'else', 'elseif', 'empty'])

function jinjaControl(statement: string): Control | undefined {
  const keyword = /^[A-Za-z_]+/.exec(statement)?.[0]
  if (keyword === undefined) return undefined
  if (keyword.length > 3 && keyword.startsWith('end')) return { role: 'close', statement, keyword }
  if (JINJA_BRANCHES.has(keyword)) return { role: 'branch', statement, keyword }
  if (keyword === 'set' && statement.includes('=')) return undefined
  return JINJA_BLOCKS.has(keyword) ? { role: 'open', statement, keyword } : undefined
}

// Ruby (ERB) and Puppet (EPP): `if`/`unless`/`case`... or a block (`each do |x|`, EPP `... {`)
// opens; `else`/`elsif`/`when`/`rescue`/`ensure` or EPP's `} else {` switch; `end` or `}` closes.
const RUBY_OPEN = /^(?:if|unless|case|while|until|for|begin)\b/
const RUBY_BRANCH = /^(?:else|elsif|when|rescue|ensure)\b/
const BLOCK_START = /(?:\bdo|\{)(?:\s*\|[^|]*\|)?$/

function rubyControl(statement: string): Control | undefined {
  const keyword = /^(?:[@$]?[A-Za-z_]\w*|\})/.exec(statement)?.[0] ?? ''
  if (statement === '}' || /^end\b/.test(statement)) return { role: 'close', statement, keyword }
  if (/^\}.*\{$/.test(statement) || RUBY_BRANCH.test(statement)) return { role: 'branch', statement, keyword }
  if (BLOCK_START.test(statement) || (RUBY_OPEN.test(statement) && !/\bend$/.test(statement))) return { role: 'open', statement, keyword }
  return undefined
}

/** The block statement a template expression (`{% ... %}`, `<% ... %>`) is, if it is one. */
export function controlOf(span: string): Control | undefined {
  if (span.length < 4) return undefined
  const inner = span.slice(2, -2)
  if (span.startsWith('{%')) return jinjaControl(inner.replace(/^[-+~]/, '').replace(/[-+~]$/, '').trim())
  if (!span.startsWith('<%') || inner.startsWith('=') || inner.startsWith('#')) return undefined
  return rubyControl(inner.replace(/^-/, '').replace(/-$/, '').trim())
}

/** True when a branch statement is the catch-all `else` (so that some branch always renders). */
export function isElse(control: Control): boolean {
  return control.keyword === 'else' || /^\}\s*else\s*\{$/.test(control.statement)
}
