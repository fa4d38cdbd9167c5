// What the command line says on stderr: errors, what was not read (one line per kind, with a count
// and one hint), advisories, what was fixed, the live server's steps, and the closing summary.
import type { MigrateResult } from '../runner/migrate.js'
import { notReadLines, type ReportMode } from '../runner/report.js'
import type { LiveOutcome } from './server.js'

export interface StderrOptions {
  mode: ReportMode
  /** The diff went to stdout (else, in check mode, the files to change are named here). */
  showDiff: boolean
  color: boolean
  quiet: boolean
  seconds: number
  live?: LiveOutcome
}

const placeOf = (s: { file?: string; line?: number; column?: number }): string =>
  `${s.file}${s.line ? `:${s.line}${s.column ? `:${s.column}` : ''}` : ''}`

export function reportToStderr(result: MigrateResult, how: StderrOptions): string {
  const paint = (code: string, s: string): string => (how.color ? `\x1b[${code}m${s}\x1b[0m` : s)
  const out: string[] = []
  for (const e of result.errors) out.push(`${paint('1;31', 'error')}: ${e.message}\n`)
  if (how.quiet) return out.join('')
  if (how.live) out.push(...liveFound(how.live))
  for (const line of notReadLines(result.skipped)) out.push(`${paint('35', 'not read')}: ${line}\n`)
  for (const a of result.advisories) {
    const where = a.file ? `${placeOf(a)}: ` : ''
    out.push(`${paint('33', 'advice')} [${a.transform}] ${where}${a.message}\n`)
  }
  if (how.mode === 'check' && !how.showDiff) {
    for (const f of result.files) if (f.status === 'changed') out.push(`would change: ${f.path} (${f.changes.length} change${f.changes.length === 1 ? '' : 's'})\n`)
  }
  if (result.written.length > 0) {
    for (const c of result.changes) out.push(`${paint('32', 'fixed')} [${c.transform}] ${c.file}:${c.lines.start}: ${c.explanation}\n`)
    if (!how.live) for (const b of result.backups) out.push(`backup: ${b}\n`)
  }
  if (how.live) out.push(...liveDone(how.live, result))
  out.push(summaryLine(result, how))
  return out.join('')
}

/** Which server this is, and its mod_wsgi. */
function liveFound(live: LiveOutcome): string[] {
  const m = live.modWsgi
  const module = m ? `; mod_wsgi ${m.version ?? '(version unknown)'}${m.python ? `, Python ${m.python}` : ''} (${m.module})` : ''
  return [`server: ${live.live.mainConfig} (${live.live.found})${module}\n`]
}

/** After writing: where the backups are, the configtest, the reload. */
function liveDone(live: LiveOutcome, result: MigrateResult): string[] {
  const out: string[] = []
  if (live.backupDir !== undefined && result.backups.length > 0) out.push(`backups: ${live.backupDir}/ (the originals, by their path)\n`)
  if (result.written.length === 0) return out
  if (live.reloaded) out.push(`configtest passed; Apache reloaded\n`)
  else out.push(`configtest passed; reload Apache to use the new config: ${live.live.reload} (or run with --reload)\n`)
  return out
}

function summaryLine(result: MigrateResult, how: StderrOptions): string {
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
