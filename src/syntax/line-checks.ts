// Lines Apache reads other than they look, found by the scan (scan.ts): a NUL, which ends the
// line for Apache, and a comment line inside a `\` continuation, which Apache reads as words of
// the line it continues. Both verified on Apache 2.4.
import type { Point } from 'unist'
import { countLf } from './lines.js'
import type { Reporter } from './report.js'
import { HASH } from './char-codes.js'


/**
 * Directives whose every word after the first ones must be `key=value`: mod_wsgi refuses a `#`
 * word there ("Invalid option to WSGI daemon process definition"), so a comment line inside their
 * continuation is an error. Elsewhere Apache may take the words (`ServerAlias a # old b`): a warning.
 */
const OPTION_DIRECTIVES = new Set(['wsgidaemonprocess', 'wsgiscriptalias', 'wsgiscriptaliasmatch', 'wsgiimportscript'])

/** The point of offset `at` of `text`, whose line `from` is physical line `line`. */
function pointAt(text: string, from: number, line: number, at: number): Point {
  const lineStart = at > 0 ? text.lastIndexOf('\n', at - 1) + 1 : 0
  return { line: line + countLf(text, from, lineStart), column: at - lineStart + 1, offset: at }
}

/**
 * A NUL at `nul`, on the logical line that starts at `from` (physical line `line`): an error, so
 * that a file holding one is never edited (its bytes after the NUL must not be lost).
 */
export function reportNul(reporter: Reporter, text: string, from: number, line: number, nul: number): void {
  const at = pointAt(text, from, line, nul)
  reporter.report(
    `a NUL character: Apache stops reading line ${at.line} there and ignores the rest of it: remove the NUL (and see what follows it)`,
    at,
    'nul-in-line',
    true,
  )
}

/**
 * Comment lines inside the continued logical line text[from, to) (physical line `line`), whose
 * joined text is `joined`: each is reported with its place.
 */
export function checkContinuedComments(reporter: Reporter, text: string, from: number, to: number, line: number, joined: string): void {
  for (let lf = text.indexOf('\n', from); lf !== -1 && lf + 1 < to; lf = text.indexOf('\n', lf + 1)) {
    let s = lf + 1
    while (s < to && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++
    if (text.charCodeAt(s) === HASH) reportComment(reporter, text, from, to, line, joined, s)
  }
}

/** The comment line at `s` inside the continued line text[from, to) of `joined`. */
function reportComment(reporter: Reporter, text: string, from: number, to: number, line: number, joined: string, s: number): void {
  const name = /^\s*(\S*)/.exec(joined)?.[1] ?? ''
  const refused = OPTION_DIRECTIVES.has(name.toLowerCase())
  const end = text.indexOf('\n', s)
  const comment = text.slice(s, end === -1 || end > to ? to : end).replace(/\s*\\?\s*$/, '')
  const shown = JSON.stringify(comment.length > 40 ? comment.slice(0, 37) + '...' : comment)
  const what = refused ? `Apache reads ${shown} as options of ${name} and refuses them ("Invalid option")` : `Apache reads ${shown} as arguments of ${name}`
  reporter.report(`a comment line inside a \\ continuation: ${what}: move the comment above the directive`, pointAt(text, from, line, s), 'comment-in-continuation', refused)
}
