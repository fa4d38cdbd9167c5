#!/usr/bin/env node
// The command line: a thin shell over migrate(). Everything printed or exited on is decided here.
//
// stdout carries only the product (the diff, the JSON report, --list, --help): the same input
// gives the same bytes. Everything else (progress, advisories, errors, the closing summary line
// with its timing) goes to stderr.
//
// Two ways of running: with no paths, the live server (src/load/live-config.ts finds it, and
// server.ts writes with a configtest before and after); with paths, a repository or a copy.
import { realpathSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MigrateError, MigrateOptions, MigrateResult, ProgressEvent } from '../runner/migrate.js'
import type { Transform } from '../runner/transform.js'
import { list, readArgs, UsageError, type Args } from './args.js'
import { HELP } from './help.js'
import type { LiveOutcome } from './server.js'

export { HELP }

export const EXIT_OK = 0
export const EXIT_PENDING = 1
export const EXIT_ERROR = 2

export interface Io {
  stdout: (s: string | Buffer) => void
  stderr: (s: string) => void
  /** Whether stdout / stderr are terminals (colors, progress). */
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
  env: NodeJS.ProcessEnv
  cwd: string
  now: () => number
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

export async function main(argv: string[], io: Io): Promise<number> {
  const started = io.now()
  const usage = (message: string): number => {
    io.stderr(`wsgi-migrate: ${message}\nTry 'wsgi-migrate --help'.\n`)
    return EXIT_ERROR
  }
  let args: Args
  try {
    args = readArgs(argv, io.cwd)
  } catch (e) {
    return usage((e as Error).message)
  }
  const o = args.values
  if (o.help) {
    io.stdout(HELP)
    return EXIT_OK
  }
  if (o.version) {
    io.stdout(`${packageVersion()}\n`)
    return EXIT_OK
  }
  let extra: Transform[]
  try {
    const { loadTransforms } = await import('./user-transforms.js')
    extra = await loadTransforms(o.transform ?? [], io.cwd)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    io.stderr(`wsgi-migrate: ${e.message}\n`)
    return EXIT_ERROR
  }
  const selection = {
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    only: list(o.only),
    skip: list(o.skip),
    transforms: extra,
  }
  if (o.list) return listTransforms(args, selection, extra, io, usage)

  let live: LiveOutcome | undefined
  let where: Pick<MigrateOptions, 'paths' | 'root' | 'base' | 'mainConfig' | 'readModule'>
  if (args.server) {
    const found = await findLive(args, io)
    if ('error' in found) {
      io.stderr(`error: ${found.error}\n`)
      return EXIT_ERROR
    }
    live = found.live
    where = found.where
  } else {
    where = { paths: args.paths.length > 0 ? args.paths : [path.resolve(io.cwd, o.root as string)], base: io.cwd }
    if (o.root !== undefined) where.root = path.resolve(io.cwd, o.root)
  }
  const result = await runMigrate(args, io, { ...where, ...selection, ...(o['mod-wsgi'] !== undefined ? { modWsgi: o['mod-wsgi'] } : {}) }, started)
  if (live && result.modWsgi) live.modWsgi = result.modWsgi
  await writeOutputs(args, io, result, live)
  const { reportToStderr } = await import('./stderr.js')
  const stderrColor = o.color || (!noColor(args, io) && io.stderrIsTTY)
  io.stderr(reportToStderr(result, { mode: args.mode, showDiff: args.showDiff, color: stderrColor ?? false, quiet: Boolean(o.quiet), seconds: (io.now() - started) / 1000, ...(live ? { live } : {}) }))
  const { exitCodeOf } = await import('../runner/report.js')
  return exitCodeOf(result, args.mode)
}

const noColor = (args: Args, io: Io): boolean => args.values['no-color'] === true || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')

/** The live server's main config and mod_wsgi, and the run options that read it. */
async function findLive(args: Args, io: Io): Promise<{ error: string } | { live: LiveOutcome; where: Pick<MigrateOptions, 'paths' | 'root' | 'base' | 'mainConfig' | 'readModule'> }> {
  const o = args.values
  const { findLiveConfig } = await import('../load/live-config.js')
  const config = findLiveConfig({ env: io.env, ...(o.config !== undefined ? { config: path.resolve(io.cwd, o.config) } : {}), ...(o.apachectl !== undefined ? { apachectl: path.resolve(io.cwd, o.apachectl) } : {}) })
  if ('error' in config) return config
  const main = config.mainConfig
  return { live: { live: config, restored: [], reloaded: false }, where: { paths: [main], root: '/', base: '/', mainConfig: main, readModule: true } }
}

async function runMigrate(args: Args, io: Io, options: MigrateOptions, started: number): Promise<MigrateResult> {
  const { migrate } = await import('../runner/migrate.js')
  const progress = io.stderrIsTTY && !args.values.quiet
  let lastProgress = 0
  let progressShown = false
  const onProgress = (e: ProgressEvent): void => {
    const t = io.now()
    if (t - lastProgress < 100 || t - started < 300) return
    lastProgress = t
    progressShown = true
    if (e.phase === 'read') io.stderr(`\r\x1b[Kwsgi-migrate: read ${e.done} files`)
    else if (e.transform !== undefined) io.stderr(`\r\x1b[Kwsgi-migrate: ${e.transform} (${e.done + 1}/${e.total})`)
  }
  const result = await migrate({
    ...options,
    ...(args.maps.length > 0 ? { maps: args.maps } : {}),
    ...(args.values.exclude ? { exclude: args.values.exclude } : {}),
    ...(progress ? { onProgress } : {}),
  })
  if (progressShown) io.stderr('\r\x1b[K')
  return result
}

/** The patch and summary files, the config files (write mode), then stdout. */
async function writeOutputs(args: Args, io: Io, result: MigrateResult, live: LiveOutcome | undefined): Promise<void> {
  const o = args.values
  const { writeFile } = await import('node:fs/promises')
  const reportFile = async (option: string, file: string, content: string | Buffer): Promise<void> => {
    try {
      await writeFile(path.resolve(io.cwd, file), content)
    } catch (e) {
      result.errors.push({ code: 'io', message: `${option} ${file}: cannot write: ${(e as Error).message}` })
    }
  }
  // The patch file is written before any config file: a failure there stops the run.
  if (o.patch !== undefined) await reportFile('--patch', o.patch, result.patch)
  if (args.mode === 'write') await writeConfigs(args, io, result, live)
  const { toJsonReport, toMarkdownSummary } = await import('../runner/report.js')
  if (o.summary !== undefined) {
    const before = result.errors.length
    await reportFile('--summary', o.summary, toMarkdownSummary(result, { mode: args.mode }))
    const failed = result.errors[before]
    if (failed && result.written.length > 0) failed.message += ` (the ${result.written.length} changed config file(s) were written)`
  }
  if (o.json) io.stdout(JSON.stringify(toJsonReport(result, { mode: args.mode, version: packageVersion(), ...(live ? { live } : {}) }), null, 2) + '\n')
  else if (args.showDiff && result.patch.length > 0) {
    const { colorizePatch } = await import('../runner/patch.js')
    const color = o.color || (!noColor(args, io) && io.stdoutIsTTY)
    io.stdout(color ? colorizePatch(result.patch) : result.patch)
  }
}

async function writeConfigs(args: Args, io: Io, result: MigrateResult, live: LiveOutcome | undefined): Promise<void> {
  const o = args.values
  if (live === undefined) {
    const { writeResult } = await import('../runner/migrate.js')
    await writeResult(result, o.backup !== undefined ? { backup: o.backup } : {})
    return
  }
  const { writeLive } = await import('./server.js')
  const backupDir = o['no-backup'] ? false : o['backup-dir'] !== undefined ? path.resolve(io.cwd, o['backup-dir']) : ''
  await writeLive(result, live, { backupDir, reload: o.reload === true, env: io.env, now: new Date() })
}

async function listTransforms(args: Args, selection: Parameters<typeof import('../runner/migrate.js').selectTransforms>[0], extra: Transform[], io: Io, usage: (m: string) => number): Promise<number> {
  const o = args.values
  const { selectTransforms } = await import('../runner/migrate.js')
  const errors: MigrateError[] = []
  const wanted = o.to === undefined && o.from === undefined && !o.only && !o.skip ? { to: 'latest', transforms: extra } : selection
  const all = selectTransforms(wanted, errors)
  if (errors.length > 0) return usage(errors.map((e) => e.message).join('\n'))
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
    io.stdout(JSON.stringify(rows, null, 2) + '\n')
    return EXIT_OK
  }
  const width = Math.max(0, ...all.map((t) => t.meta.id.length))
  const vwidth = Math.max(0, ...all.map((t) => t.meta.version.length))
  for (const t of all) {
    const m = t.meta
    io.stdout(`${m.id.padEnd(width)}  ${m.version.padEnd(vwidth)}  ${m.title}${m.modWsgi ? ` (mod_wsgi ${m.modWsgi})` : ''}${extra.includes(t) ? ' [user]' : ''}\n`)
  }
  return EXIT_OK
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

if (invokedDirectly()) {
  // `wsgi-migrate -n | head`: a closed pipe ends the output quietly, as in other Unix tools.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK)
    throw e
  })
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    now: () => performance.now(),
  }).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(`wsgi-migrate: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report it with the command line used.\n`)
      process.exitCode = EXIT_ERROR
    },
  )
}
