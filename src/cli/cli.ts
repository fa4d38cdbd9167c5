#!/usr/bin/env node
// The command line: a thin shell over migrate(). Everything printed or exited on is decided here.
//
// stdout carries only the product (the diff, the JSON report, --list, --help): the same input
// gives the same bytes. Everything else (progress, advisories, errors, the closing summary line
// with its timing) goes to stderr.
//
// Two ways of running: with no paths, the live server (src/load/live-config.ts finds it, and
// server.ts writes with a configtest before and after); with paths, a repository or a copy.
import { realpathSync, readFileSync, type Stats } from 'node:fs'
import { constants } from 'node:os'
import { isatty } from 'node:tty'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseSize } from '../load/read.js'
import type { CommitOptions, CommitOutcome } from '../runner/commit.js'
import type { MigrateError, MigrateOptions, MigrateResult, ProgressEvent } from '../runner/migrate.js'
import type { ReportMode } from '../runner/report.js'
import type { Transform } from '../runner/transform.js'
import { hasFlag, list, readArgs, UsageError, type Args } from './args.js'
import { catchProcessFaults, faultOf, timerTurn, watchFaults, type Faults } from './faults.js'
import { EXIT_ERROR, EXIT_OK } from '../runner/exit-codes.js'
import { HELP } from './help.js'
import { OutputError, backupReadByApache, clashWithRun, stdoutFile, writeAllSync, writeOutputs, type Outputs } from './outputs.js'
import type { LiveOutcome } from './server.js'
import { escapeControls, escapePatchControls, stderrReport, terminalJson } from './terminal.js'
import { errorMessage } from '../util/error-message.js'

export { HELP }


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
  /** What stops the run when something fails outside its own calls (a -t module's timer); default: a report given late only. */
  faults?: Faults
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
    root: io.cwd, base: io.cwd, servers: [], maps: [], transforms: [], files: [], changes: [], advisories: [], skipped: [],
    patch: Buffer.alloc(0), written: [], backups: [], errors: messages.map((message) => ({ code: 'usage', message })),
    kallithea: NO_VERSIONS, stats: { modelBuilds: 0 },
  }
  try {
    io.stdout(terminalJson(toJsonReport(result, { mode: how.mode, version: packageVersion() })))
  } catch {
    // stdout is gone: stderr said it all
  }
  return EXIT_ERROR
}

export async function main(argv: string[], io: Io): Promise<number> {
  const faults = io.faults ?? watchFaults()
  let code: number
  try {
    code = await run(argv, io, faults)
  } catch (e) {
    if (!(e instanceof OutputError)) throw e
    io.stderr(`wsgi-migrate: ${escapeControls(e.message)}; no config file was changed\n`)
    return EXIT_ERROR
  }
  // A fault after the last check (the outputs were written meanwhile): said, and the run fails.
  const fault = faultOf(faults)
  if (fault === null || code === EXIT_ERROR || code > 128) return code
  io.stderr(`wsgi-migrate: error: ${escapeControls(fault)}\n`)
  return EXIT_ERROR
}

/** stdout for help, version and lists: a failure is an OutputError like any output's. */
function print(io: Io, data: string): void {
  writeOutputs({ stdout: data }, io.cwd, io.stdout)
}

async function run(argv: string[], io: Io, faults: Faults): Promise<number> {
  const started = io.now()
  let args: Args
  try {
    args = readArgs(argv, io.cwd)
  } catch (e) {
    const mode: ReportMode = hasFlag(argv, '--check') ? 'check' : hasFlag(argv, '--dry-run', 'n') ? 'dry-run' : 'write'
    return usageFailure(io, [(e as Error).message], { json: hasFlag(argv, '--json'), mode, hint: true })
  }
  const o = args.values
  if (o.help || o.version) {
    print(io, o.help ? HELP : `${packageVersion()}\n`)
    return EXIT_OK
  }
  const fail = (messages: string[], hint = true) => usageFailure(io, messages, { json: Boolean(o.json), mode: args.mode, hint })
  let extra: Transform[]
  try {
    const { loadTransforms } = await import('./user-transforms.js')
    extra = await loadTransforms(o.transform ?? [], io.cwd, loadTimeout(io.env))
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    return fail([e.message], false)
  }
  const selection = {
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    only: list(o.only),
    skip: list(o.skip),
    transforms: extra,
  }
  if (o.list) return listTransforms(io, args, selection, extra, fail)
  const place = await whereToRead(args, io)
  if ('error' in place) return fail([place.error], false)
  const { migrate } = await import('../runner/migrate.js')
  const { lang, hostLocales } = args.server ? await hostLang(o.lang, io.env) : { lang: o.lang, hostLocales: undefined }
  const result = await migrate({
    ...place.where,
    ...selection,
    ...(o['mod-wsgi'] !== undefined ? { modWsgi: o['mod-wsgi'] } : {}),
    ...(o['max-size'] !== undefined ? { maxSize: parseSize(o['max-size']) as number } : {}),
    ...(lang !== undefined ? { lang } : {}),
    ...(hostLocales !== undefined ? { hostLocales } : {}),
    ...(o['all-apps'] ? { allApps: true } : {}),
    ...(args.maps.length > 0 ? { maps: args.maps } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    ...progressReporter(io, Boolean(o.quiet), started),
    onLateError: (e) => faults.fault(e.message),
  })
  if (place.live && result.modWsgi) place.live.modWsgi = result.modWsgi
  // What a transform left behind (a timer, a rejected promise, a late report) has come by now.
  await timerTurn()
  stopOnFault(result, faults)
  return finish(io, args, result, started, place.live, faults.signal)
}

/** A fault before anything was written: the run fails, with no patch. */
function stopOnFault(result: MigrateResult, faults: Faults): void {
  const fault = faultOf(faults)
  if (fault === null) return
  result.errors.push({ code: 'transform', message: `${fault}; nothing will be written` })
  result.patch = Buffer.alloc(0)
}

/** How long a `-t` module may take to load: WSGI_MIGRATE_LOAD_TIMEOUT seconds, default 30. */
function loadTimeout(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.WSGI_MIGRATE_LOAD_TIMEOUT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000
}

/**
 * On the live server, `lang=` takes a UTF-8 locale the host has (`locale -a`) unless --lang chose
 * one; what the host lists goes along (none UTF-8: the step advises instead).
 */
async function hostLang(chosen: string | undefined, env: NodeJS.ProcessEnv): Promise<{ lang?: string; hostLocales?: string[] }> {
  if (chosen !== undefined) return { lang: chosen }
  const { hostLocales, localeNames, serverLocale } = await import('../load/locale.js')
  const listed = hostLocales(env)
  const lang = serverLocale(undefined, listed)
  return { ...(lang !== undefined ? { lang } : {}), ...(listed !== undefined ? { hostLocales: localeNames(listed) } : {}) }
}

type Where = Pick<MigrateOptions, 'paths' | 'root' | 'base' | 'mainConfig' | 'readModule'>

/** With paths: those, relative to here. Without: the live server's main config and its mod_wsgi. */
async function whereToRead(args: Args, io: Io): Promise<{ error: string } | { where: Where; live?: LiveOutcome }> {
  const o = args.values
  if (!args.server) {
    const where: Where = { paths: args.paths.length > 0 ? args.paths : [path.resolve(io.cwd, o.root as string)], base: io.cwd }
    if (o.root !== undefined) where.root = path.resolve(io.cwd, o.root)
    return { where }
  }
  const { findLiveConfig } = await import('../load/live-config.js')
  const config = findLiveConfig({
    env: io.env,
    ...(o.config !== undefined ? { config: path.resolve(io.cwd, o.config) } : {}),
    ...(o.apachectl !== undefined ? { apachectl: path.resolve(io.cwd, o.apachectl) } : {}),
  })
  if ('error' in config) return config
  const main = config.mainConfig
  return { live: { live: config, restored: [], reloaded: false }, where: { paths: [main], root: '/', base: '/', mainConfig: main, readModule: true } }
}

async function listTransforms(
  io: Io,
  args: Args,
  selection: Pick<MigrateOptions, 'to' | 'from' | 'only' | 'skip' | 'transforms'>,
  extra: Transform[],
  fail: (messages: string[]) => Promise<number>,
): Promise<number> {
  const o = args.values
  const { selectTransforms } = await import('../runner/migrate.js')
  const errors: MigrateError[] = []
  const wanted = o.to === undefined && o.from === undefined && !o.only && !o.skip ? { to: 'latest', transforms: extra } : selection
  const all = selectTransforms(wanted, errors)
  if (errors.length > 0) return fail(errors.map((e) => e.message))
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
  print(io, listSteps(all, extra, escapeControls))
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
async function finish(io: Io, args: Args, result: MigrateResult, started: number, live: LiveOutcome | undefined, abort: AbortSignal): Promise<number> {
  const o = args.values
  const mode = args.mode
  if (shown.delete(io)) io.stderr('\r\x1b[K')
  const clash = outputClash(io, args, result) ?? backupClash(args, result)
  if (clash !== null) return usageFailure(io, [clash.message], { json: Boolean(o.json) && !clash.stdout, mode, hint: false })
  // On the live server the JSON report says how writing went (the configtest after it, a
  // put-back, the reload), so it comes after; --patch and --summary still come before.
  const reportAfter = live !== undefined && mode === 'write' && o.json === true
  let emitted = false
  const emit = async (): Promise<void> => {
    emitted = true
    const all = await outputs(io, args, result, live)
    writeOutputs(reportAfter ? { ...all, stdout: undefined } : all, io.cwd, io.stdout)
  }
  // An output that fails throws an OutputError: main() says so, and nothing was written.
  const outcome = mode === 'write' ? await writeConfigs(io, args, result, live, emit, abort) : { leftovers: [], signal: null }
  // Stopped before the outputs went out (a fault while the files were prepared): no patch.
  if (!emitted && abort.aborted) result.patch = Buffer.alloc(0)
  if (!emitted) await emit()
  if (reportAfter) writeOutputs({ stdout: (await outputs(io, args, result, live)).stdout }, io.cwd, io.stdout)
  const { describeVersions } = await import('../runner/kallithea-version.js')
  const report = stderrReport(result, {
    mode,
    showDiff: args.showDiff,
    color: Boolean(o.color) || (!noColor(args, io) && io.stderrIsTTY),
    quiet: Boolean(o.quiet),
    seconds: (io.now() - started) / 1000,
    leftovers: outcome.leftovers,
    versions: describeVersions(result.kallithea, result.servers),
    ...(live ? { live } : {}),
  })
  if (report !== '') io.stderr(report)
  if (outcome.signal !== null) return 128 + (constants.signals[outcome.signal] ?? 0)
  const { exitCodeOf } = await import('../runner/report.js')
  return exitCodeOf(result, mode)
}

/** What goes to --patch, --summary and stdout. */
async function outputs(io: Io, args: Args, result: MigrateResult, live: LiveOutcome | undefined): Promise<Outputs> {
  const o = args.values
  const { colorizePatch } = await import('../runner/patch.js')
  const { toJsonReport, toMarkdownSummary } = await import('../runner/report.js')
  const color = !o.json && (Boolean(o.color) || (!noColor(args, io) && io.stdoutIsTTY))
  return {
    ...(o.patch !== undefined ? { patch: { file: o.patch, content: result.patch } } : {}),
    ...(o.summary !== undefined ? { summary: { file: o.summary, content: toMarkdownSummary(result, { mode: args.mode }) } } : {}),
    ...(o.json
      ? { stdout: terminalJson(toJsonReport(result, { mode: args.mode, version: packageVersion(), ...(live ? { live } : {}) })) }
      : args.showDiff ? { stdout: shownPatch(result.patch, { color, terminal: io.stdoutIsTTY }, colorizePatch) } : {}),
  }
}

/** The patch as stdout gets it: byte for byte when piped; on a terminal (or in colour), control characters escaped, then painted. */
function shownPatch(patch: Buffer, how: { color: boolean; terminal: boolean }, colorize: (patch: Buffer) => Buffer): Buffer {
  const shown = how.color || how.terminal ? escapePatchControls(patch) : patch
  return how.color ? colorize(shown) : shown
}

/** Write the changed files: beside themselves (paths given), or to the live server with its configtest. */
async function writeConfigs(
  io: Io,
  args: Args,
  result: MigrateResult,
  live: LiveOutcome | undefined,
  beforeCommit: CommitOptions['beforeCommit'],
  abort: AbortSignal,
): Promise<CommitOutcome> {
  const o = args.values
  if (live === undefined) {
    const { commitResult } = await import('../runner/commit.js')
    return commitResult(result, { ...(o.backup !== undefined ? { backup: o.backup } : {}), ...(beforeCommit ? { beforeCommit } : {}), abort })
  }
  const { writeLive } = await import('./server.js')
  const backupDir = o['no-backup'] ? false : o['backup-dir'] !== undefined ? path.resolve(io.cwd, o['backup-dir']) : ''
  await writeLive(result, live, { backupDir, reload: o.reload === true, env: io.env, now: new Date(), ...(beforeCommit ? { beforeCommit } : {}), abort })
  return { leftovers: [], signal: live.signal ?? null }
}

const noColor = (args: Args, io: Io): boolean => Boolean(args.values['no-color']) || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')

/** `--patch`, `--summary` or a redirected stdout that names a file of the run (or a backup a write would make). */
function outputClash(io: Io, args: Args, result: MigrateResult): { message: string; stdout: boolean } | null {
  const o = args.values
  const backup = args.mode === 'write' ? o.backup : undefined
  for (const [flag, file] of [['--patch', o.patch], ['--summary', o.summary]] as const) {
    if (file === undefined) continue
    const hit = clashWithRun(path.resolve(io.cwd, file), result, backup)
    if (hit !== null) return { message: `${flag} ${file}: that is ${hit}; write it elsewhere (nothing was written)`, stdout: false }
  }
  const out = io.stdoutFile?.() ?? null
  const hit = out === null ? null : clashWithRun(out, result, backup)
  if (hit === null) return null
  // The shell opened (and with `>` emptied) the file before the run began: say so, it is done.
  const emptied = out!.size === 0 ? '; it is empty now (the shell empties the file of a `>` redirection before wsgi-migrate starts)' : ''
  return { message: `stdout is ${hit}${emptied}; redirect it elsewhere (nothing was written)`, stdout: true }
}

/** `--backup=SUFFIX` making a backup an Include of the run reads (a write with nothing else wrong). */
function backupClash(args: Args, result: MigrateResult): { message: string; stdout: false } | null {
  const suffix = args.values.backup
  if (args.mode !== 'write' || suffix === undefined || result.errors.length > 0) return null
  const message = backupReadByApache(result, suffix)
  return message === null ? null : { message, stdout: false }
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
  const message = escapeControls(errorMessage(error))
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
  // Until main() settles, a way out is a failure: the event loop emptied under a promise that
  // never settles (a -t module's, say).
  let settled = false
  process.exitCode = EXIT_ERROR
  process.on('beforeExit', () => {
    // Another listener (the module loader's) gives the run a way on: its turn first.
    if (settled || process.listenerCount('beforeExit') > 1) return
    stderr('wsgi-migrate: error: the run stopped halfway, waiting for something that never happens (a -t module\'s promise that never settles?); nothing was written\n')
    settled = true
    process.exit(EXIT_ERROR)
  })
  // A -t module calling process.exit() mid-run: not a pass, whatever code it gave.
  process.on('exit', () => {
    if (settled) return
    stderr('wsgi-migrate: error: process.exit() was called before the run finished (by a -t module?); the run did not complete\n')
    process.exitCode = EXIT_ERROR
  })
  const faults = watchFaults()
  catchProcessFaults(faults)
  main(process.argv.slice(2), {
    stdout: (s) => writeAllSync(1, s),
    stderr,
    stdoutIsTTY: isatty(1),
    stderrIsTTY: isatty(2),
    env: process.env,
    cwd: process.cwd(),
    now: () => performance.now(),
    stdoutFile: () => stdoutFile(1),
    faults,
  }).then(
    (code) => {
      settled = true
      process.exitCode = code
      // Interrupted while writing (all put back): end by the same signal, as the shell expects.
      const signal = Object.entries(constants.signals).find(([, n]) => code > 128 && n === code - 128)?.[0]
      if (signal !== undefined) return void process.kill(process.pid, signal)
      // Done: a -t module's timers and callbacks neither keep the process nor change its status.
      process.exit(code)
    },
    (e: unknown) => {
      settled = true
      stderr(internalError(e, process.env))
      process.exit(EXIT_ERROR)
    },
  )
}
