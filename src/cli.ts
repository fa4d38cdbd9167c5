#!/usr/bin/env node
// The command line: a thin shell over migrate(). Everything printed or exited on is decided here.
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import semver from 'semver'
import { defaultConfigRoot } from './discover.js'
import { migrate, selectTransforms, type MigrateResult } from './migrate.js'
import { colorizePatch } from './patch.js'
import { toJsonReport, toMarkdownSummary } from './report.js'
import type { Transform } from './transform.js'

export const EXIT_OK = 0
export const EXIT_PENDING = 1
export const EXIT_ERROR = 2

const HELP = `Usage: wsgi-migrate [options] [paths...]

Find and fix Apache + mod_wsgi setups of Kallithea written from the old (<= 0.3.1) docs.
Paths are files or directories (default: /etc/apache2 or /etc/httpd). Without --dry-run or
--check the changed files are written in place (atomically).

Options:
  -n, --dry-run          print the unified diff, write nothing (exit 1 if changes are pending)
      --check            write nothing, print the diff, exit 1 if changes are pending (CI gate)
      --backup[=SUFFIX]  keep each original beside it (default suffix .orig)
      --root DIR         never read or write outside DIR (default: the given directory)
      --to VERSION       apply forms up to this Kallithea version (default 0.3.2; or latest)
      --from VERSION     only transforms for versions above this one
      --only ID[,ID]     run only these transforms (repeatable)
      --skip ID[,ID]     do not run these transforms (repeatable)
      --mod-wsgi VER     the mod_wsgi version in use: transforms needing a newer one advise instead
  -t, --transform PATH   load your own transform module (repeatable)
      --list             list the transforms with their version and title
      --json             print a JSON report instead of the diff (shape: README "JSON report")
      --patch FILE       also write the patch to FILE
      --summary FILE     also write a Markdown summary (for a pull request body) to FILE
      --no-color         no colors (also NO_COLOR=1)
  -q, --quiet            no summary or advisories on stderr
  -h, --help             show this help
  -v, --version          show the version

Exit codes: 0 nothing to do or applied, 1 changes pending (--dry-run/--check), 2 errors.

Examples:
  wsgi-migrate --dry-run /etc/apache2                 see what would change
  wsgi-migrate /etc/apache2                           apply it
  wsgi-migrate --check --json sites/ > report.json    CI gate with a machine-readable report
  wsgi-migrate --dry-run --patch fix.patch . && git apply fix.patch
`

interface Io {
  stdout: (s: string | Buffer) => void
  stderr: (s: string) => void
  isTTY: boolean
  env: NodeJS.ProcessEnv
  now: () => number
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

class UsageError extends Error {}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}

async function loadTransforms(paths: string[]): Promise<Transform[]> {
  const out: Transform[] = []
  for (const p of paths) {
    let mod: Record<string, unknown>
    try {
      mod = (await import(pathToFileURL(path.resolve(p)).href)) as Record<string, unknown>
    } catch (e) {
      throw new UsageError(`${p}: cannot load transform module: ${(e as Error).message}`)
    }
    const found = [mod.default, mod.transform, ...(Array.isArray(mod.transforms) ? mod.transforms : [])].flatMap((x) => (Array.isArray(x) ? x : [x]))
    const transforms = found.filter((x): x is Transform => typeof x === 'object' && x !== null && typeof (x as Transform).apply === 'function')
    if (transforms.length === 0) throw new UsageError(`${p}: exports no transform (export default { id, version, title, description, rationale, apply })`)
    for (const t of transforms) {
      for (const key of ['id', 'version', 'title'] as const) {
        if (typeof t[key] !== 'string' || t[key] === '') throw new UsageError(`${p}: transform has no ${key}`)
      }
      if (semver.valid(semver.coerce(t.version)) === null) throw new UsageError(`${p}: transform ${t.id}: version '${t.version}' is not semver`)
      out.push(t)
    }
  }
  return out
}

export async function main(argv: string[], io: Io): Promise<number> {
  const started = io.now()
  let parsed
  try {
    parsed = parseArgs({
      args: argv.map((a) => (a === '--backup' ? '--backup=.orig' : a)),
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', short: 'n' },
        check: { type: 'boolean' },
        backup: { type: 'string' },
        root: { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        'mod-wsgi': { type: 'string' },
        transform: { type: 'string', short: 't', multiple: true },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
        patch: { type: 'string' },
        summary: { type: 'string' },
        'no-color': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (e) {
    io.stderr(`wsgi-migrate: ${(e as Error).message}\nTry 'wsgi-migrate --help'.\n`)
    return EXIT_ERROR
  }
  const o = parsed.values
  if (o.help) {
    io.stdout(HELP)
    return EXIT_OK
  }
  if (o.version) {
    io.stdout(`${packageVersion()}\n`)
    return EXIT_OK
  }
  const color = io.isTTY && !o['no-color'] && !io.env.NO_COLOR && !o.json

  let extra: Transform[]
  try {
    extra = await loadTransforms(o.transform ?? [])
  } catch (e) {
    io.stderr(`wsgi-migrate: ${(e as Error).message}\n`)
    return EXIT_ERROR
  }

  const selection = { to: o.to, from: o.from, only: list(o.only), skip: list(o.skip), transforms: extra }
  if (o.list) {
    const all = selectTransforms({ to: 'latest', transforms: extra })
    const width = Math.max(...all.map((t) => t.id.length))
    for (const t of all) io.stdout(`${t.id.padEnd(width)}  ${t.version.padEnd(7)} ${t.title}${t.modWsgi ? ` (mod_wsgi ${t.modWsgi})` : ''}\n`)
    return EXIT_OK
  }

  let paths = parsed.positionals
  if (paths.length === 0) {
    const system = defaultConfigRoot()
    if (system === null) {
      io.stderr('wsgi-migrate: no path given and neither /etc/apache2 nor /etc/httpd exists; name the config files or folders to scan\n')
      return EXIT_ERROR
    }
    paths = [system]
  }

  const write = !o['dry-run'] && !o.check
  const progress = io.isTTY && !o.quiet && !o.json
  const result = await migrate({
    paths,
    ...(o.root !== undefined ? { root: o.root } : paths.length > 1 ? { root: process.cwd() } : {}),
    ...selection,
    ...(o['mod-wsgi'] !== undefined ? { modWsgi: o['mod-wsgi'] } : {}),
    write,
    ...(o.backup !== undefined ? { backup: o.backup } : {}),
    ...(progress
      ? {
          onProgress: (e: { phase: string; done: number; total: number }) => {
            if (e.phase === 'read' && e.total >= 50 && e.done % 50 === 0) io.stderr(`\rread ${e.done} files`)
          },
        }
      : {}),
  })

  try {
    if (o.patch !== undefined) await writeFile(o.patch, result.patch)
    if (o.summary !== undefined) await writeFile(o.summary, toMarkdownSummary(result, { write }))
  } catch (e) {
    result.errors.push({ code: 'io', message: `cannot write report: ${(e as Error).message}` })
  }

  const pending = !write && result.files.some((f) => f.status === 'changed')
  if (o.json) io.stdout(JSON.stringify(toJsonReport(result, { write, version: packageVersion() }), null, 2) + '\n')
  else if (!write && result.patch.length > 0) io.stdout(color ? colorizePatch(result.patch.toString('latin1')) : result.patch)

  if (!o.quiet || result.errors.length > 0) reportToStderr(result, io, { write, color, quiet: Boolean(o.quiet), seconds: (io.now() - started) / 1000 })
  if (result.errors.length > 0) return EXIT_ERROR
  return pending ? EXIT_PENDING : EXIT_OK
}

function reportToStderr(result: MigrateResult, io: Io, how: { write: boolean; color: boolean; quiet: boolean; seconds: number }): void {
  const paint = (code: string, s: string): string => (how.color ? `\x1b[${code}m${s}\x1b[0m` : s)
  for (const e of result.errors) io.stderr(`${paint('31', 'error')}: ${e.message}\n`)
  if (how.quiet) return
  for (const a of result.advisories) {
    const where = a.file ? `${a.file}${a.line ? `:${a.line}${a.column ? `:${a.column}` : ''}` : ''}: ` : ''
    io.stderr(`${paint('33', 'advice')} [${a.transform}] ${where}${a.message}\n`)
  }
  if (how.write) for (const c of result.changes) io.stderr(`${paint('32', 'fixed')} [${c.transform}] ${c.file}:${c.lines.start}: ${c.explanation}\n`)
  const count = (s: string) => result.files.filter((f) => f.status === s).length
  const changed = count('changed')
  io.stderr(
    `${result.files.length} scanned, ${changed} ${how.write ? 'changed' : 'to change'}, ${count('unchanged')} unchanged, ` +
      `${result.errors.length} errors, ${result.advisories.length} advisories (${how.seconds.toFixed(2)}s)\n`,
  )
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(await realpathOf(process.argv[1])).href

async function realpathOf(p: string): Promise<string> {
  const { realpath } = await import('node:fs/promises')
  return realpath(p).catch(() => p)
}

if (invokedDirectly) {
  const code = await main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    now: () => performance.now(),
  })
  process.exitCode = code
}
