// What reaches a terminal: names and messages with their control characters escaped (a file name
// holding `ESC[2J` must not clear the screen, one holding a newline must not forge a line), and
// the closing report on stderr. The patch goes to a terminal escaped too; piped, it is exact.
import path from 'node:path'
import { UTF8_CHAR } from '../load/entries.js'
import type { MigrateResult } from '../runner/migrate.js'
import type { LiveOutcome } from './server.js'
import { notReadLines, type ReportMode } from '../runner/report.js'

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** `\n`, `\t`, `\r`, and `\xHH` for the other C0 and C1 control characters and DEL. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** C0 controls but tab and newline, DEL, and C1 controls (U+0080-U+009F: two bytes in UTF-8). */
const PATCH_CONTROL = /^(?:[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f])$/

/**
 * The patch bytes with their control characters as `\xHH` (a config line holding `ESC[2J` must not
 * clear the screen): UTF-8 characters and Latin-1 bytes as they are, a stray byte 0x80-0x9f (a
 * C1 control to an 8-bit terminal) escaped, and a CR kept only at the end of a line (CRLF files).
 */
export function escapePatchControls(patch: Buffer): Buffer {
  const text = patch.toString('latin1')
  const escaped = text.replace(UTF8_CHAR, (char: string, stray: string | undefined, at: number) => {
    const bytes = stray ?? char
    if (char === '\r' && text[at + 1] === '\n') return char
    if (!PATCH_CONTROL.test(bytes) && !(stray !== undefined && stray < '\xa0')) return char
    return [...bytes].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
  })
  return escaped === text ? patch : Buffer.from(escaped, 'latin1')
}

/** JSON text with DEL and C1 controls as `\u` escapes too (JSON.stringify leaves them raw): the same value. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
}

export interface StderrReport {
  mode: ReportMode
  /** The diff went to stdout (else, in check mode, the files to change are named here). */
  showDiff: boolean
  color: boolean
  quiet: boolean
  seconds: number
  /** The live server (server mode): which it is, and what writing to it did. */
  live?: LiveOutcome
  /** Temporary files of killed runs removed while writing. */
  leftovers: readonly string[]
  /** What was found of the installed Kallithea, a line each. */
  versions?: readonly string[]
}

/** Errors, then (unless quiet) what was not read, advisories, what was fixed, and the summary line. */
export function stderrReport(result: MigrateResult, how: StderrReport): string {
  const paint = (code: string, s: string): string => (how.color ? `\x1b[${code}m${s}\x1b[0m` : s)
  const e = escapeControls
  const at = (file: string | undefined, line?: number, column?: number): string =>
    file ? `${file}${line ? `:${line}${column ? `:${column}` : ''}` : ''}` : ''
  const out: string[] = []
  for (const error of result.errors) out.push(`${paint('1;31', 'error')}: ${e(error.message)}\n`)
  if (how.quiet) return out.join('')
  if (how.live) out.push(...liveFound(how.live, e))
  for (const line of how.versions ?? []) out.push(`${paint('36', 'kallithea')}: ${e(line)}\n`)
  // A leftover the write removed is said below, once.
  const removed = new Set(how.leftovers)
  const notRead = result.skipped.filter((s) => !(s.code === 'artifact' && removed.has(path.resolve(result.base, s.path))))
  for (const line of notReadLines(notRead)) out.push(`${paint('35', 'not read')}: ${e(line)}\n`)
  for (const a of result.advisories) {
    const where = a.file ? `${e(at(a.file, a.line, a.column))}: ` : ''
    out.push(`${paint('33', 'advice')} [${e(a.transform)}] ${where}${e(a.message)}\n`)
  }
  if (how.mode === 'check' && !how.showDiff) {
    for (const f of result.files) if (f.status === 'changed') out.push(`would change: ${e(f.path)} (${f.changes.length} change${f.changes.length === 1 ? '' : 's'})\n`)
  }
  if (result.written.length > 0) {
    for (const c of result.changes) out.push(`${paint('32', 'fixed')} [${e(c.transform)}] ${e(c.file)}:${c.lines.start}: ${e(c.explanation)}\n`)
    if (!how.live) for (const b of result.backups) out.push(`backup: ${e(b)}\n`)
  }
  if (how.live) out.push(...liveDone(how.live, result, e))
  if (how.leftovers.length > 0) {
    const n = how.leftovers.length
    out.push(`removed ${n} temporary file${n === 1 ? '' : 's'} left by an interrupted run (${e(how.leftovers[0]!)}${n > 1 ? ', ...' : ''})\n`)
  }
  out.push(summaryLine(result, how))
  return out.join('')
}

function summaryLine(result: MigrateResult, how: StderrReport): string {
  const count = (s: string): number => result.files.filter((f) => f.status === s).length
  const changed = how.mode === 'write' ? result.written.length : count('changed')
  const word = how.mode === 'write' ? 'changed' : 'to change'
  const parts = [
    `${result.files.length} scanned`,
    `${changed} ${word}`,
    `${count('unchanged')} unchanged`,
    `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`,
    `${result.advisories.length} advisor${result.advisories.length === 1 ? 'y' : 'ies'}`,
    ...(result.skipped.length > 0 ? [`${result.skipped.length} not read`] : []),
  ]
  let tail = ''
  if (result.errors.length > 0 && count('changed') > 0) tail = result.written.length > 0 ? '' : '; nothing written'
  else if (how.mode !== 'write' && count('changed') > 0) tail = how.mode === 'check' ? '; run without --check to apply' : '; run without --dry-run to apply'
  return `${parts.join(', ')} (${how.seconds.toFixed(2)}s)${tail}\n`
}

/** Which server this is, and its mod_wsgi. */
function liveFound(live: LiveOutcome, e: (s: string) => string): string[] {
  const m = live.modWsgi
  const module = m ? `; mod_wsgi ${m.version ?? '(version unknown)'}${m.python ? `, Python ${m.python}` : ''} (${m.module})` : ''
  return [`server: ${e(live.live.mainConfig)} (${e(live.live.found)})${e(module)}\n`]
}

/** After writing: where the backups are, the configtest, the reload. */
function liveDone(live: LiveOutcome, result: MigrateResult, e: (s: string) => string): string[] {
  const out: string[] = []
  if (live.backupDir !== undefined && result.backups.length > 0) out.push(`backups: ${e(live.backupDir)}/ (the originals, by their path)\n`)
  if (result.written.length === 0) return out
  if (live.reloaded) out.push(`configtest passed; Apache reloaded\n`)
  else out.push(`configtest passed; reload Apache to use the new config: ${e(live.live.reload)} (or run with --reload)\n`)
  return out
}
