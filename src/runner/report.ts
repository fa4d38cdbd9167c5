// Reports for machines (JSON, stable shape) and for pull request bodies (Markdown).
//
// Both are pure functions of a MigrateResult: no clock, no absolute paths, so the same input
// gives the same bytes.
import { describeVersions, type KallitheaVersions } from './kallithea-version.js'
import type { MigrateResult, SkipCode, Skipped } from './migrate.js'
import { EXIT_ERROR, EXIT_OK, EXIT_PENDING, type ExitCode } from './exit-codes.js'

/** What the CLI did on the live server (server mode), for the report. */
export interface LiveReport {
  live: { mainConfig: string; found: string; ctl?: { path: string }; reload: string }
  modWsgi?: { module: string; version?: string; python?: string }
  before?: { ok: boolean; output: string }
  after?: { ok: boolean; output: string }
  backupDir?: string
  restored: string[]
  reloaded: boolean
}

/** Version of the JSON report's shape; bumped only on incompatible changes. */
export const REPORT_FORMAT = 1

/**
 * `wsgi-migrate --json`. Every key is always present (absent values are `null`, never left
 * out); paths are relative to the run's base (the working directory when it holds the root, else
 * the root; `/` for the live server) with `/` separators; lists are in a stable order
 * (files by path, changes in the order the transforms made them).
 */
export interface JsonReport {
  /** Shape version: 1. */
  format: typeof REPORT_FORMAT
  tool: { name: 'wsgi-migrate'; version: string }
  /** `write`: changed files were written; `dry-run` / `check`: only reported. */
  mode: 'write' | 'dry-run' | 'check'
  /** The process exit code: 0 nothing to do, applied, or a dry run; 1 changes pending (check); 2 errors. */
  exitCode: 0 | 1 | 2
  /** The transforms the run applied, in the order they ran. */
  transforms: Array<{ id: string; version: string; title: string }>
  /**
   * The installed Kallithea (read from the venvs the config names, inside the root) and the
   * version whose form the run produces, with why (`to`, `installed`, `python`, `default`).
   */
  kallithea: KallitheaVersions
  summary: {
    /** Files read. */
    scanned: number
    /** Files with changes (written in `write` mode, pending otherwise). */
    changed: number
    unchanged: number
    /** Files that could not be changed because of an error. */
    failed: number
    /** Length of `errors`, `advisories`, `changes`, `skipped`, `written`. */
    errors: number
    advisories: number
    changes: number
    skipped: number
    written: number
  }
  files: Array<{ path: string; kind: 'apache' | 'wsgi'; status: 'changed' | 'unchanged' | 'error'; changes: number }>
  changes: Array<{
    transform: string
    file: string
    kind: 'insert' | 'modify' | 'remove'
    /** 1-based, inclusive: in the new file (insert, modify) or in the original (remove). */
    lines: { start: number; end: number }
    explanation: string
  }>
  /** Things seen and not changed, with what to do. `file` is null for the run as a whole. */
  advisories: Array<{ transform: string; file: string | null; line: number | null; column: number | null; message: string }>
  /** Any error means exit code 2 and nothing written. */
  errors: Array<{
    /** `usage`, `io`, `parse`, `outside-root`, `transform`, `write` or `configtest`. */
    code: string
    file: string | null
    line: number | null
    column: number | null
    message: string
  }>
  /**
   * Paths not read (outside the root, broken symlinks, ...); `code`: `outside-root`, `excluded`,
   * `backup`, `not-apache`, `variable` or `unreadable`; `file`/`line`/`column`: the directive that named it.
   */
  skipped: Array<{ path: string; code: string; reason: string; file: string | null; line: number | null; column: number | null }>
  /** Files written (empty unless mode is `write`). */
  written: string[]
  /** Backup copies created (--backup: beside the files; on the live server: absolute, below `server.backupDir`). */
  backups: string[]
  /** The unified diff (git format, applies with `git apply` / `patch -p1` where its paths start); '' when none. */
  patch: string
  /** How the patch bytes became this string: `utf8`, or `latin1` when they are not valid UTF-8. */
  patchEncoding: 'utf8' | 'latin1'
  /**
   * The servers of the run: files Apache reads together (`main-config`: a main config and what it
   * includes; `include-folder`: sites-*\/, conf.d/, ... without their main config; `file`: one file
   * and what it includes; `files`: files given in memory), with the scripts their applications load.
   */
  servers: Array<{ kind: string; name: string; files: string[]; kallithea: { installed: string | null; target: string } }>
  /** The live server (no paths given); null for paths. */
  server: null | {
    config: string
    /** How the config was found: `apache2ctl -V`, `APACHE_CONFDIR`, `--config`, a layout. */
    found: string
    apachectl: string | null
    modWsgi: { module: string; version: string | null; python: string | null } | null
    /** Apache's configtest before and after writing (null: not run), and its output when it failed. */
    configtest: { before: 'passed' | 'failed' | null; after: 'passed' | 'failed' | null; output: string | null }
    /** Where this run's backups are (absolute); null when none were made. */
    backupDir: string | null
    /** Files put back after the configtest failed once they were written. */
    restored: string[]
    reloaded: boolean
    /** How to reload Apache by hand. */
    reload: string
  }
}

export type ReportMode = JsonReport['mode']

export function exitCodeOf(result: MigrateResult, mode: ReportMode): ExitCode {
  if (result.errors.length > 0) return EXIT_ERROR
  return mode === 'check' && result.files.some((f) => f.status === 'changed') ? EXIT_PENDING : EXIT_OK
}

function patchText(patch: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  const utf8 = patch.toString('utf8')
  return Buffer.from(utf8, 'utf8').equals(patch) ? { text: utf8, encoding: 'utf8' } : { text: patch.toString('latin1'), encoding: 'latin1' }
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v)

export function toJsonReport(result: MigrateResult, how: { mode: ReportMode; version: string; live?: LiveReport }): JsonReport {
  const count = (s: string): number => result.files.filter((f) => f.status === s).length
  const { text, encoding } = patchText(result.patch)
  return {
    format: REPORT_FORMAT,
    tool: { name: 'wsgi-migrate', version: how.version },
    mode: how.mode,
    exitCode: exitCodeOf(result, how.mode),
    transforms: result.transforms.map(({ id, version, title }) => ({ id, version, title })),
    kallithea: {
      ...result.kallithea,
      venvs: result.kallithea.venvs.map((v) => ({ ...v, namedBy: v.namedBy.map((n) => ({ ...n })), pythons: [...v.pythons] })),
    },
    summary: {
      scanned: result.files.length,
      changed: count('changed'),
      unchanged: count('unchanged'),
      failed: count('error'),
      errors: result.errors.length,
      advisories: result.advisories.length,
      changes: result.changes.length,
      skipped: result.skipped.length,
      written: result.written.length,
    },
    files: result.files.map((f) => ({ path: f.path, kind: f.kind, status: f.status, changes: f.changes.length })),
    changes: result.changes.map((c) => ({
      transform: c.transform,
      file: c.file,
      kind: c.kind,
      lines: { start: c.lines.start, end: c.lines.end },
      explanation: c.explanation,
    })),
    advisories: result.advisories.map((a) => ({
      transform: a.transform,
      file: a.file === '' ? null : a.file,
      line: orNull(a.line),
      column: orNull(a.column),
      message: a.message,
    })),
    errors: result.errors.map((e) => ({ code: e.code, file: orNull(e.file), line: orNull(e.line), column: orNull(e.column), message: e.message })),
    skipped: result.skipped.map((s) => ({ path: s.path, code: s.code, reason: s.reason, file: orNull(s.file), line: orNull(s.line), column: orNull(s.column) })),
    written: [...result.written],
    backups: [...result.backups],
    patch: text,
    patchEncoding: encoding,
    servers: result.servers.map((s) => ({ kind: s.kind, name: s.name, files: [...s.files], kallithea: { ...s.kallithea } })),
    server: how.live ? liveReport(how.live) : null,
  }
}

function liveReport(l: LiveReport): NonNullable<JsonReport['server']> {
  const outcome = (r: { ok: boolean } | undefined) => (r === undefined ? null : r.ok ? 'passed' : 'failed')
  const failed = [l.before, l.after].find((r) => r !== undefined && !r.ok)
  return {
    config: l.live.mainConfig,
    found: l.live.found,
    apachectl: l.live.ctl?.path ?? null,
    modWsgi: l.modWsgi ? { module: l.modWsgi.module, version: l.modWsgi.version ?? null, python: l.modWsgi.python ?? null } : null,
    configtest: { before: outcome(l.before), after: outcome(l.after), output: failed?.output ?? null },
    backupDir: l.backupDir ?? null,
    restored: [...l.restored],
    reloaded: l.reloaded,
    reload: l.live.reload,
  }
}

/** Each kind of path not read: what to call them, and what to do. */
const NOT_READ: Record<SkipCode, { what: (n: number) => string; hint: string }> = {
  'outside-root': {
    what: (n) => `${n} path${n === 1 ? '' : 's'} outside the root`,
    hint: 'read them from the repository with --map SERVERPATH=REPOPATH, or give a --root that holds them',
  },
  excluded: { what: (n) => `${n} path${n === 1 ? '' : 's'} excluded`, hint: 'as --exclude asked' },
  backup: { what: (n) => `${n} backup cop${n === 1 ? 'y' : 'ies'}`, hint: 'name one to read it' },
  artifact: {
    what: (n) => `${n} file${n === 1 ? '' : 's'} wsgi-migrate made (backups listed in ${'.wsgi-migrate-backups'}, temporary files)`,
    hint: 'they are never read as configs; delete a temporary file an interrupted run left',
  },
  'not-apache': { what: (n) => `${n} file${n === 1 ? '' : 's'} with no Apache configuration in it`, hint: 'name one to read it anyway' },
  'not-utf8': {
    what: (n) => `${n} name${n === 1 ? '' : 's'} that ${n === 1 ? 'is' : 'are'} not UTF-8 (odd bytes shown as \\xHH)`,
    hint: 'Apache reads them, wsgi-migrate cannot name them: rename them in UTF-8 to have them read',
  },
  variable: { what: (n) => `${n} Include${n === 1 ? '' : 's'} naming an undefined \${VAR}`, hint: 'define it (envvars, Define) to follow them' },
  unreadable: { what: (n) => `${n} path${n === 1 ? '' : 's'} that cannot be read`, hint: 'check them (missing, broken symlinks, permissions)' },
}

const SHOWN = 3

/** Files of ours an Include reaches: the run does not read them, but Apache does. */
const READ_BY_APACHE = {
  what: (n: number) => `${n} file${n === 1 ? '' : 's'} wsgi-migrate made that Apache reads as config`,
  hint: 'through the Include named after each (a backup or temporary file loaded twice can stop Apache): move them out of what it reads, or delete them',
}

/** One line per kind of path not read: the count, the first few paths (with who named them), one hint. */
export function notReadLines(skipped: readonly Skipped[]): string[] {
  const readByApache = new Set(skipped.filter((s) => s.code === 'artifact' && s.file).map((s) => s.path))
  const out: string[] = []
  for (const [code, how] of Object.entries(NOT_READ) as Array<[SkipCode, (typeof NOT_READ)[SkipCode]]>) {
    if (code !== 'artifact') out.push(...notReadLine(skipped.filter((s) => s.code === code), how))
    else {
      out.push(...notReadLine(skipped.filter((s) => s.code === code && !readByApache.has(s.path)), how))
      out.push(...notReadLine(skipped.filter((s) => s.code === code && s.file), READ_BY_APACHE))
    }
  }
  return out
}

function notReadLine(skipped: readonly Skipped[], how: { what: (n: number) => string; hint: string }): string[] {
  const byPath = new Map<string, Skipped>()
  for (const s of skipped) if (!byPath.has(s.path)) byPath.set(s.path, s)
  if (byPath.size === 0) return []
  const shown = [...byPath.values()].slice(0, SHOWN).map((s) => `${s.path}${s.file ? ` (${s.file}${s.line ? `:${s.line}${s.column ? `:${s.column}` : ''}` : ''})` : ''}`)
  const more = byPath.size > SHOWN ? `, and ${byPath.size - SHOWN} more (--json lists them)` : ''
  return [`${how.what(byPath.size)}: ${shown.join(', ')}${more}; ${how.hint}`]
}

const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
const code = (s: string): string => {
  const ticks = Math.max(0, ...(s.match(/`+/g) ?? []).map((t) => t.length)) + 1
  const fence = '`'.repeat(ticks)
  return ticks > 1 ? `${fence} ${s} ${fence}` : `${fence}${s}${fence}`
}
const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`

/** A Markdown summary fit for a pull request body. */
export function toMarkdownSummary(result: MigrateResult, how: { mode: ReportMode }): string {
  const changed = result.files.filter((f) => f.status === 'changed')
  const verb = how.mode === 'write' ? (result.written.length > 0 ? 'changed' : 'to change (not written)') : 'to change'
  const lines: string[] = []
  lines.push(`## wsgi-migrate: ${changed.length === 0 ? 'nothing to change' : `${plural(changed.length, 'file')} ${verb}`}`)
  lines.push('')
  lines.push(
    `${plural(result.files.length, 'file')} scanned, ${plural(result.changes.length, 'change')}, ` +
      `${plural(result.advisories.length, 'advisory', 'advisories')}, ${plural(result.errors.length, 'error')}.`,
  )
  lines.push('')
  lines.push('### Kallithea version', '', ...describeVersions(result.kallithea, result.servers).map((l) => `- ${cell(l)}`), '')
  if (result.transforms.length > 0) {
    lines.push(`Transforms: ${result.transforms.map((t) => `${code(t.id)} (${t.version})`).join(', ')}.`)
    lines.push('')
  }
  if (result.changes.length > 0) {
    lines.push('### Changes', '')
    lines.push('| File | Lines | Transform | What and why |', '|---|---|---|---|')
    for (const c of result.changes) {
      const where = c.lines.start === c.lines.end ? `${c.lines.start}` : `${c.lines.start}-${c.lines.end}`
      lines.push(`| ${code(cell(c.file))} | ${where} | ${code(c.transform)} | ${cell(c.explanation)} |`)
    }
    lines.push('')
  }
  if (result.advisories.length > 0) {
    lines.push('### Advisories (not changed)', '')
    for (const a of result.advisories) {
      const where = a.file ? ` ${code(`${a.file}${a.line ? `:${a.line}` : ''}`)}` : ''
      lines.push(`- ${code(a.transform)}${where}: ${cell(a.message)}`)
    }
    lines.push('')
  }
  if (result.errors.length > 0) {
    lines.push('### Errors', '')
    for (const e of result.errors) lines.push(`- ${cell(e.message)}`)
    lines.push('')
  }
  if (result.skipped.length > 0) {
    lines.push('### Not read', '')
    for (const line of notReadLines(result.skipped)) lines.push(`- ${cell(line)}`)
    lines.push('')
  }
  if (result.patch.length > 0) {
    const text = patchText(result.patch).text.replace(/\n$/, '')
    const fence = '`'.repeat(Math.max(3, ...(text.match(/^`{3,}/gm) ?? []).map((f) => f.length + 1)))
    lines.push('<details><summary>Patch</summary>', '', `${fence}diff`, text, fence, '', '</details>', '')
  }
  return lines.join('\n')
}
