// What the edits may write. A value is spelled as one word (words.ts quoteWord), but no spelling
// keeps a line break or a NUL on its line: `\n` would start a new line (a new directive, say an
// Include), `\r` is one to every other tool, and Apache ends the line at a NUL. A name is the
// first word of its line, so it decides what the line is: `#x` would be a comment, `</VirtualHost>`
// a close tag. A value holds no piece of a template expression (`{{` without its `}}`): a word
// of a template is written whole or not at all (templates.ts). Each check throws a TypeError that
// says what was refused and why.
import { unbalancedStatement } from './template-lines.js'
import { openTemplatePiece } from './templates.js'

/**
 * A directive name as httpd's own and its modules' are spelled (`ServerName`, `WSGIDaemonProcess`,
 * `H2Push`): a letter, then letters, digits, `_` or `-`. Apache takes any first word and looks it
 * up; these are the names that cannot make the line read as anything else.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/

/** Why `text` cannot stand on a line, if it cannot. */
function lineProblem(text: string): string | undefined {
  if (text.includes('\n')) return 'it holds a line break (\\n), which would start a new line'
  if (text.includes('\r')) return 'it holds a carriage return (\\r), a line break to other tools'
  if (text.includes('\0')) return 'it holds a NUL character, where Apache would end the line'
  return undefined
}

/** Why `name` is not a directive name, if it is not. */
function nameProblem(name: string): string | undefined {
  if (NAME.test(name)) return undefined
  const why =
    lineProblem(name) ??
    (name === ''
      ? 'it is empty'
      : name.startsWith('#')
        ? 'Apache would read the line as a comment'
        : name.startsWith('<')
          ? 'Apache would read the line as a section tag'
          : /\s/.test(name)
            ? 'it holds white space, which would split it into words'
            : 'it is not a letter followed by letters, digits, "_" or "-"')
  return why
}

const show = (text: string): string => JSON.stringify(text.length > 80 ? text.slice(0, 77) + '...' : text)

/** Refuse a directive (or option) name that would not read back as one. */
export function checkName(name: string, what = 'directive name'): void {
  if (typeof name !== 'string') throw new TypeError(`Cannot write ${what} ${String(name)}: it is not a string`)
  const why = nameProblem(name)
  if (why !== undefined) throw new TypeError(`Cannot write ${what} ${show(name)}: ${why}`)
}

/** Refuse a value that would not stay one word on its line. */
export function checkValue(value: string, what = 'argument'): void {
  if (typeof value !== 'string') throw new TypeError(`Cannot write ${what} ${String(value)}: it is not a string`)
  const why = lineProblem(value) ?? templateProblem(value)
  if (why !== undefined) throw new TypeError(`Cannot write ${what} ${show(value)}: ${why}`)
}

/** Why `value` is a piece of a template expression, if it is one. */
function templateProblem(value: string): string | undefined {
  const whole = 'a templated word is written whole or not at all'
  const opener = openTemplatePiece(value)
  if (opener !== undefined) return `its ${opener} opens a template expression that it does not close: ${whole}`
  const statement = unbalancedStatement(value)
  if (statement !== undefined) return `it holds the template statement ${JSON.stringify(statement.statement)} without the rest of its block: ${whole}`
  return undefined
}

/** Refuse an indentation that is not spaces and tabs, or a line ending that is not one. */
export function checkLayout(indent: string, eol: string): void {
  if (!/^[ \t]*$/.test(indent)) throw new TypeError(`Cannot indent with ${show(indent)}: an indentation is spaces and tabs`)
  if (eol !== '' && eol !== '\n' && eol !== '\r\n') throw new TypeError(`Cannot end a line with ${show(eol)}: a line ends with "\\n", "\\r\\n" or nothing`)
}

/** Refuse a word after one whose quote is never closed: Apache would read it into that word. */
export function refuseAfterOpenQuote(name: string, open: string, value: string): never {
  throw new TypeError(
    `Cannot add ${show(value)} to ${name}: its word ${show(open)} has no closing quote, so Apache would read what follows as part of it`,
  )
}
