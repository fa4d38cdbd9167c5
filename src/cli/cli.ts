#!/usr/bin/env node
// The command line: a thin shell over migrate(). Everything printed or exited on is decided here.
//
// stdout carries only the product (the diff, the JSON report, --list, --help): the same input
// gives the same bytes. Everything else (progress, advisories, errors, the closing summary line
// with its timing) goes to stderr.
import { realpathSync, readFileSync, type Stats } from 'node:fs'
import { constants } from 'node:os'
import { isatty } from 'node:tty'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { parseSize } from '../load/read.js'
import type { CommitOutcome } from '../runner/commit.js'
import type { MigrateError, MigrateOptions, MigrateResult, ProgressEvent } from '../runner/migrate.js'
import type { ReportMode } from '../runner/report.js'
import type { Transform } from '../runner/transform.js'
import { OutputError, clashWithRun, stdoutFile, writeAllSync, writeOutputs, type Outputs } from './outputs.js'
import { escapeControls, stderrReport, terminalJson } from './terminal.js'

export const EXIT_OK = 0
export const EXIT_PENDING = 1
export const EXIT_ERROR = 2

export const HELP = `Usage: wsgi-migrate [options] [paths...]

Find and fix Apache + mod_wsgi setups of Kallithea written from old docs, and take them to
the form of the Kallithea that is installed (read from the venv the daemon uses), one
documented step at a time. Paths are config files or folders (default: /etc/apache2 or
/etc/httpd). Include and IncludeOptional are followed, and WSGIScriptAlias scripts and the
venvs they use read, inside the root only.
Without --dry-run or --check the changed files are written in place: atomically, all or
nothing, keeping their mode, and only if they did not change since they were read.

Options:
  -n, --dry-run          print the unified diff, write nothing (exit 1 if changes are pending)
      --check            same, for CI: exit 1 if changes are pending
      --backup[=SUFFIX]  keep each original beside it as FILE.orig (or FILE SUFFIX)
      --root DIR         never read or write outside DIR; patch paths are relative to it
                         (default: the one folder given, or the folder holding all paths)
      --to VERSION       apply the forms of Kallithea up to VERSION, or latest (default: the
                         installed Kallithea when its venv is in the root, else 0.3.2)
      --from VERSION     only transforms for versions above VERSION
      --only ID[,ID]     run only these transforms (repeatable)
      --skip ID[,ID]     do not run these transforms (repeatable)
      --lang LOCALE      the UTF-8 locale lang= gives the Kallithea daemon (default C.UTF-8)
      --mod-wsgi VER     mod_wsgi version in use: transforms needing a newer one only advise
  -t, --transform PATH   also run your own transform module (repeatable; same contract as
                         the built-in ones; limited by --to/--from only when those are given)
      --list             list every version and its steps (with --json: the steps as JSON)
      --json             print a JSON report on stdout instead of the diff
      --patch FILE       also write the patch to FILE (empty when nothing changes)
      --summary FILE     also write a Markdown summary (for a pull request body) to FILE
      --max-size SIZE    refuse files larger than SIZE (default 64M; e.g. 512k, 1G)
      --color, --no-color  force or disable colors (default: on a terminal, unless NO_COLOR)
  -q, --quiet            no progress, advisories or summary line on stderr (errors still)
  -h, --help             show this help
  -v, --version          show the version

Exit codes: 0 nothing to do, or changes applied; 1 changes pending (--dry-run, --check);
2 errors (usage, parse errors, I/O, paths outside the root): then nothing is written.
Interrupted (SIGINT, SIGTERM, SIGHUP) while writing: every file is put back, then it ends
by the same signal.

Examples:
  wsgi-migrate --dry-run                            what would change in /etc/apache2
  wsgi-migrate                                      apply it (the WSGI scripts elsewhere are
                                                    only advised on: see --root)
  wsgi-migrate --root / /etc/apache2                apply it, the scripts and venvs in /srv
                                                    included (the installed Kallithea is read)
  wsgi-migrate --to latest --root / /etc/apache2    every step, to the newest form
  wsgi-migrate --backup=.pre-kallithea /etc/apache2
  wsgi-migrate --check --json sites/ > report.json  CI gate, machine-readable report
  wsgi-migrate -n --patch fix.patch --summary pr.md /etc/apache2
  patch -d /etc/apache2 -p1 < fix.patch             patch paths are relative to the root
  wsgi-migrate --only process-group,pass-authorization --dry-run site.conf
  wsgi-migrate -t ./my-transform.mjs --list         your own transform, same contract
`

export interface Io {
  /** Writes to stdout; throws when it cannot (a full disk, a closed pipe). */
  stdout: (s: string | Buffer) => void
  stderr: (s: string) => void
  /** Whether stdout / stderr are terminals (colors, progress). */
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
  env: NodeJS.ProcessEnv
  cwd: string
  now: () => number
  /** stdout's stats when it is redirected to a regular file. */
  stdoutFile?: () => Stats | null
}

function packageVersion(): string {
  for (const rel of ['../../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string }
      if (pkg.name === 'wsgi-migrate') return pkg.version
    } catch {
      // try the next
    }
  }
  return '0.0.0'
}

class UsageError extends Error {}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}

/**
 * The transforms a module exports as `default`, `transform` or `transforms`. import() gives a
 * CommonJS module's `module.exports` as `default`, so TypeScript's compiled `export default`
 * (`exports.default = ...`) is one level further down.
 */
function exportedTransforms(mod: Record<string, unknown>): Transform[] {
  const cjs = typeof mod.default === 'object' && mod.default !== null ? (mod.default as Record<string, unknown>).default : undefined
  const found = [mod.default, mod.transform, mod.transforms, cjs].flatMap((x) => (Array.isArray(x) ? x : [x]))
  return [...new Set(found.filter((x): x is Transform => typeof x === 'object' && x !== null && typeof (x as Transform).create === 'function'))]
}

async function loadTransforms(paths: string[], cwd: string): Promise<Transform[]> {
  const out: Transform[] = []
  for (const p of paths) {
    let mod: Record<string, unknown>
    try {
      mod = (await import(pathToFileURL(path.resolve(cwd, p)).href)) as Record<string, unknown>
    } catch (e) {
      throw new UsageError(`${p}: cannot load transform module: ${(e as Error)?.message ?? String(e)}`)
    }
    const transforms = exportedTransforms(mod)
    if (transforms.length === 0) {
      throw new UsageError(`${p}: exports no transform; export default { meta: { id, version, title, description, rationale, messages }, create(context) { ... } } (module.exports = { ... } in CommonJS)`)
    }
    for (const t of transforms) {
      if (typeof t.meta !== 'object' || t.meta === null) throw new UsageError(`${p}: a transform has no meta object`)
      for (const key of ['id', 'version', 'title'] as const) {
        if (typeof t.meta[key] !== 'string' || t.meta[key] === '') throw new UsageError(`${p}: a transform has no meta.${key} (a non-empty string)`)
      }
      if (typeof t.meta.messages !== 'object' || t.meta.messages === null) throw new UsageError(`${p}: transform ${t.meta.id} has no meta.messages (an object of message templates)`)
      out.push(t)
    }
  }
  return out
}

const OPTIONS = {
  'dry-run': { type: 'boolean', short: 'n' },
  check: { type: 'boolean' },
  backup: { type: 'string' },
  root: { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
  lang: { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  'mod-wsgi': { type: 'string' },
  transform: { type: 'string', short: 't', multiple: true },
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  patch: { type: 'string' },
  summary: { type: 'string' },
  'max-size': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values']

/** Whether `argv` has a flag before any `--`: for a report on a command line that does not parse. */
function hasFlag(argv: readonly string[], long: string, short?: string): boolean {
  const end = argv.indexOf('--')
  return argv.slice(0, end === -1 ? undefined : end).some((a) => a === long || (short !== undefined && /^-[a-zA-Z]+$/.test(a) && a.includes(short)))
}

interface Failure {
  json: boolean
  mode: ReportMode
  /** Add "Try 'wsgi-migrate --help'." */
  hint: boolean
}

/** A usage error: one line each on stderr and, with --json, the JSON report holding them (exit 2). */
async function usageFailure(io: Io, messages: string[], how: Failure): Promise<number> {
  io.stderr(messages.map((m) => `wsgi-migrate: ${escapeControls(m)}\n`).join('') + (how.hint ? "Try 'wsgi-migrate --help'.\n" : ''))
  if (!how.json) return EXIT_ERROR
  const { toJsonReport } = await import('../runner/report.js')
  const { NO_VERSIONS } = await import('../runner/kallithea-version.js')
  const result: MigrateResult = {
    root: io.cwd, transforms: [], files: [], changes: [], advisories: [], skipped: [], patch: Buffer.alloc(0), written: [], backups: [],
    errors: messages.map((message) => ({ code: 'usage', message })), kallithea: NO_VERSIONS, stats: { modelBuilds: 0 },
  }
  try {
    io.stdout(terminalJson(toJsonReport(result, { mode: how.mode, version: packageVersion() })))
  } catch {
    // stdout is gone: stderr said it all
  }
  return EXIT_ERROR
}

/** `--only ,`, `--only a,,b`, `--only X --skip X`: usage errors, not a silent "all transforms". */
function selectionProblem(o: Values): string | null {
  for (const flag of ['only', 'skip'] as const) {
    for (const value of o[flag] ?? []) {
      const ids = value.split(',').map((id) => id.trim())
      if (ids.every((id) => id === '')) return `--${flag} '${value}': names no transform; give transform ids separated by commas (see --list)`
      if (ids.includes('')) return `--${flag} '${value}': an empty transform id; separate ids with single commas`
    }
  }
  const skipped = new Set(list(o.skip))
  const both = [...new Set(list(o.only))].filter((id) => skipped.has(id))
  return both.length > 0 ? `--only and --skip both name ${both.join(', ')}; name each transform in one of them only` : null
}

/** Options that contradict each other or have bad values. */
function optionProblem(o: Values, cwd: string): string | null {
  if (o.backup !== undefined && (o.backup === '' || o.backup.includes('/'))) return `--backup=${o.backup}: give a suffix such as .orig`
  if (o.backup !== undefined && (o['dry-run'] || o.check)) return '--backup makes no sense with --dry-run or --check: nothing is written'
  if (o.color && o['no-color']) return '--color and --no-color contradict each other'
  if (o['max-size'] !== undefined && parseSize(o['max-size']) === null) return `--max-size ${o['max-size']}: not a size; use e.g. 64M, 512k or 1G`
  if (o.patch !== undefined && o.summary !== undefined && path.resolve(cwd, o.patch) === path.resolve(cwd, o.summary)) {
    return `--patch and --summary name the same file (${o.patch}); give two files`
  }
  return selectionProblem(o)
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io)
  } catch (e) {
    if (!(e instanceof OutputError)) throw e
    io.stderr(`wsgi-migrate: ${escapeControls(e.message)}; no config file was changed\n`)
    return EXIT_ERROR
  }
}

/** stdout for help, version and lists: a failure is an OutputError like any output's. */
function print(io: Io, data: string): void {
  writeOutputs({ stdout: data }, io.cwd, io.stdout)
}

async function run(argv: string[], io: Io): Promise<number> {
  const started = io.now()
  let parsed
  try {
    parsed = parseArgs({ args: argv.map((a) => (a === '--backup' ? '--backup=.orig' : a)), allowPositionals: true, strict: true, options: OPTIONS })
  } catch (e) {
    const mode: ReportMode = hasFlag(argv, '--check') ? 'check' : hasFlag(argv, '--dry-run', 'n') ? 'dry-run' : 'write'
    return usageFailure(io, [(e as Error).message], { json: hasFlag(argv, '--json'), mode, hint: true })
  }
  const o = parsed.values
  if (o.help || o.version) {
    print(io, o.help ? HELP : `${packageVersion()}\n`)
    return EXIT_OK
  }
  const mode: ReportMode = o.check ? 'check' : o['dry-run'] ? 'dry-run' : 'write'
  const fail = (messages: string[], hint = true) => usageFailure(io, messages, { json: Boolean(o.json), mode, hint })
  const problem = optionProblem(o, io.cwd)
  if (problem !== null) return fail([problem])
  let extra: Transform[]
  try {
    extra = await loadTransforms(o.transform ?? [], io.cwd)
  } catch (e) {
    return fail([(e as Error).message], false)
  }
  const selection = {
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    only: list(o.only),
    skip: list(o.skip),
    transforms: extra,
  }
  if (o.list) return listTransforms(io, o, selection, extra, fail)
  let paths = parsed.positionals
  if (paths.length === 0) {
    if (o.root !== undefined) paths = [o.root]
    else {
      const { defaultConfigRoot } = await import('../load/discover.js')
      const system = defaultConfigRoot()
      if (system === null) return fail(['no path given and neither /etc/apache2 nor /etc/httpd exists; name the config files or folders to scan'])
      paths = [system]
    }
  }
  const { migrate } = await import('../runner/migrate.js')
  const maxSize = o['max-size'] === undefined ? undefined : (parseSize(o['max-size']) as number)
  const result = await migrate({
    paths: paths.map((p) => path.resolve(io.cwd, p)),
    ...(o.root !== undefined ? { root: path.resolve(io.cwd, o.root) } : {}),
    ...selection,
    ...(o['mod-wsgi'] !== undefined ? { modWsgi: o['mod-wsgi'] } : {}),
    // The loader's size limit (src/load/read.ts); cast until MigrateOptions declares it.
    ...(maxSize !== undefined ? { maxSize } : {}),
    ...(o.lang !== undefined ? { lang: o.lang } : {}),
    ...progressReporter(io, Boolean(o.quiet), started),
  })
  return finish(io, o, mode, result, started)
}

async function listTransforms(
  io: Io,
  o: Values,
  selection: Pick<MigrateOptions, 'to' | 'from' | 'only' | 'skip' | 'transforms'>,
  extra: Transform[],
  fail: (messages: string[]) => Promise<number>,
): Promise<number> {
  const { selectTransforms } = await import('../runner/migrate.js')
  const errors: MigrateError[] = []
  const wanted = o.to === undefined && o.from === undefined && !o.only && !o.skip ? { to: 'latest', transforms: extra } : selection
  const all = selectTransforms(wanted, errors)
  if (errors.length > 0) return fail(errors.map((e) => e.message))
  const e = escapeControls
  if (o.json) {
    const rows = all.map((t) => ({
      id: t.meta.id,
      version: t.meta.version,
      title: t.meta.title,
      description: t.meta.description ?? null,
      rationale: t.meta.rationale ?? null,
      modWsgi: t.meta.modWsgi ?? null,
      builtin: !extra.includes(t),
    }))
    print(io, terminalJson(rows))
    return EXIT_OK
  }
  const { listSteps } = await import('./list.js')
  print(io, listSteps(all, extra, e))
  return EXIT_OK
}

/** Progress on a terminal's stderr: at most every 100 ms, from 300 ms into the run on. */
function progressReporter(io: Io, quiet: boolean, started: number): Pick<MigrateOptions, 'onProgress'> {
  if (!io.stderrIsTTY || quiet) return {}
  let last = 0
  return {
    onProgress: (e: ProgressEvent) => {
      const t = io.now()
      if (t - last < 100 || t - started < 300) return
      last = t
      shown.add(io)
      if (e.phase === 'read') io.stderr(`\r\x1b[Kwsgi-migrate: read ${e.done} files`)
      else if (e.transform !== undefined) io.stderr(`\r\x1b[Kwsgi-migrate: ${escapeControls(e.transform)} (${e.done + 1}/${e.total})`)
    },
  }
}

/** The Io whose stderr shows a progress line, to be cleared. */
const shown = new WeakSet<Io>()

/**
 * After the run: refuse outputs naming a file of the run, write the outputs (before any config
 * file: inside the commit, once everything is prepared), write, report on stderr.
 */
async function finish(io: Io, o: Values, mode: ReportMode, result: MigrateResult, started: number): Promise<number> {
  if (shown.delete(io)) io.stderr('\r\x1b[K')
  const clash = outputClash(io, o, mode, result)
  if (clash !== null) return usageFailure(io, [clash.message], { json: Boolean(o.json) && !clash.stdout, mode, hint: false })
  const { commitResult } = await import('../runner/commit.js')
  const { colorizePatch } = await import('../runner/patch.js')
  const { exitCodeOf, toJsonReport, toMarkdownSummary } = await import('../runner/report.js')
  const color = !o.json && (Boolean(o.color) || (!noColor(o, io) && io.stdoutIsTTY))
  const outputs = (): Outputs => ({
    ...(o.patch !== undefined ? { patch: { file: o.patch, content: result.patch } } : {}),
    ...(o.summary !== undefined ? { summary: { file: o.summary, content: toMarkdownSummary(result, { mode }) } } : {}),
    ...(o.json
      ? { stdout: terminalJson(toJsonReport(result, { mode, version: packageVersion() })) }
      : mode !== 'write' ? { stdout: color ? colorizePatch(result.patch) : result.patch } : {}),
  })
  let outcome: CommitOutcome = { leftovers: [], signal: null }
  let emitted = false
  const emit = () => {
    emitted = true
    writeOutputs(outputs(), io.cwd, io.stdout)
  }
  // An output that fails throws an OutputError: main() says so, and nothing was written.
  if (mode === 'write') outcome = await commitResult(result, { ...(o.backup !== undefined ? { backup: o.backup } : {}), beforeCommit: emit })
  if (!emitted) emit()
  const seconds = (io.now() - started) / 1000
  const { describeVersions } = await import('../runner/kallithea-version.js')
  const versions = describeVersions(result.kallithea)
  const report = stderrReport(result, { mode, color: Boolean(o.color) || (!noColor(o, io) && io.stderrIsTTY), quiet: Boolean(o.quiet), seconds, leftovers: outcome.leftovers, versions })
  if (report !== '') io.stderr(report)
  if (outcome.signal !== null) return 128 + (constants.signals[outcome.signal] ?? 0)
  return exitCodeOf(result, mode)
}

const noColor = (o: Values, io: Io): boolean => Boolean(o['no-color']) || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')

/** `--patch`, `--summary` or a redirected stdout that names a file of the run (or a backup a write would make). */
function outputClash(io: Io, o: Values, mode: ReportMode, result: MigrateResult): { message: string; stdout: boolean } | null {
  const backup = mode === 'write' ? o.backup : undefined
  for (const [flag, file] of [['--patch', o.patch], ['--summary', o.summary]] as const) {
    if (file === undefined) continue
    const hit = clashWithRun(path.resolve(io.cwd, file), result, backup)
    if (hit !== null) return { message: `${flag} ${file}: that is ${hit}, a file of this run; write it elsewhere (nothing was written)`, stdout: false }
  }
  const out = io.stdoutFile?.() ?? null
  const hit = out === null ? null : clashWithRun(out, result, backup)
  return hit === null ? null : { message: `stdout is ${hit}, a file of this run; redirect it elsewhere (nothing was written)`, stdout: true }
}

function invokedDirectly(): boolean {
  const script = process.argv[1]
  if (script === undefined) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

/** The top-level handler: one line, unless WSGI_MIGRATE_DEBUG asks for the stack. */
export function internalError(error: unknown, env: NodeJS.ProcessEnv): string {
  const debug = env.WSGI_MIGRATE_DEBUG !== undefined && env.WSGI_MIGRATE_DEBUG !== '' && env.WSGI_MIGRATE_DEBUG !== '0'
  if (debug) return `wsgi-migrate: internal error: ${(error as Error)?.stack ?? String(error)}\n`
  const message = escapeControls((error as Error)?.message ?? String(error))
  return `wsgi-migrate: internal error: ${message} (please report it with the command line used; WSGI_MIGRATE_DEBUG=1 shows where)\n`
}

if (invokedDirectly()) {
  const stderr = (s: string) => {
    try {
      writeAllSync(2, s)
    } catch {
      // nowhere left to say it
    }
  }
  main(process.argv.slice(2), {
    stdout: (s) => writeAllSync(1, s),
    stderr,
    stdoutIsTTY: isatty(1),
    stderrIsTTY: isatty(2),
    env: process.env,
    cwd: process.cwd(),
    now: () => performance.now(),
    stdoutFile: () => stdoutFile(1),
  }).then(
    (code) => {
      process.exitCode = code
      // Interrupted while writing (all put back): end by the same signal, as the shell expects.
      const signal = Object.entries(constants.signals).find(([, n]) => code > 128 && n === code - 128)?.[0]
      if (signal !== undefined) process.kill(process.pid, signal)
    },
    (e: unknown) => {
      stderr(internalError(e, process.env))
      process.exitCode = EXIT_ERROR
    },
  )
}
