// What the command line says on stderr: errors, what was not read (one line per kind, with a count
// and one hint), advisories, what was fixed, the live server's steps, and the closing summary.
import type { SkipCode } from '../load/discover.js'
import type { MigrateResult, Skipped } from '../runner/migrate.js'
import type { ReportMode } from '../runner/report.js'
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

/** Each kind of path not read: what to call them, and what to do. */
const NOT_READ: Record<SkipCode, { what: (n: number) => string; hint: string }> = {
  'outside-root': {
    what: (n) => `${n} path${n === 1 ? '' : 's'} outside the root`,
    hint: 'read them from the repository with --map SERVERPATH=REPOPATH, or give a --root that holds them',
  },
  excluded: { what: (n) => `${n} path${n === 1 ? '' : 's'} excluded`, hint: 'as --exclude asked' },
  backup: { what: (n) => `${n} backup cop${n === 1 ? 'y' : 'ies'}`, hint: 'name one to read it' },
  'not-apache': { what: (n) => `${n} file${n === 1 ? '' : 's'} with no Apache configuration in it`, hint: 'name one to read it anyway' },
  variable: { what: (n) => `${n} Include${n === 1 ? '' : 's'} naming an undefined \${VAR}`, hint: 'define it (envvars, Define) to follow them' },
  unreadable: { what: (n) => `${n} path${n === 1 ? '' : 's'} that cannot be read`, hint: 'check them (missing, broken symlinks, permissions)' },
}

const SHOWN = 3

/** One line per kind of path not read: the count, the first few paths (with who named them), one hint. */
export function notReadLines(skipped: readonly Skipped[]): string[] {
  const out: string[] = []
  for (const [code, how] of Object.entries(NOT_READ) as Array<[SkipCode, (typeof NOT_READ)[SkipCode]]>) {
    const byPath = new Map<string, Skipped>()
    for (const s of skipped) if (s.code === code && !byPath.has(s.path)) byPath.set(s.path, s)
    if (byPath.size === 0) continue
    const shown = [...byPath.values()].slice(0, SHOWN).map((s) => `${s.path}${s.file ? ` (${placeOf(s)})` : ''}`)
    const more = byPath.size > SHOWN ? `, and ${byPath.size - SHOWN} more (--json lists them)` : ''
    out.push(`${how.what(byPath.size)}: ${shown.join(', ')}${more}; ${how.hint}`)
  }
  return out
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
