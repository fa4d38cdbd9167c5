#!/usr/bin/env node
// The command line: a thin shell over migrate(). Everything printed or exited on is decided here.
//
// stdout carries only the product (the diff, the JSON report, --list, --help): the same input
// gives the same bytes. Everything else (progress, advisories, errors, the closing summary line
// with its timing) goes to stderr.
import { realpathSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import type { MigrateError, MigrateResult, ProgressEvent } from '../runner/migrate.js'
import type { ReportMode } from '../runner/report.js'
import type { Transform } from '../runner/transform.js'

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
      --lang LOCALE      the UTF-8 locale lang= gives the Kallithea daemon (default C.UTF-8)
      --only ID[,ID]     run only these transforms (repeatable)
      --skip ID[,ID]     do not run these transforms (repeatable)
      --mod-wsgi VER     mod_wsgi version in use: transforms needing a newer one only advise
  -t, --transform PATH   also run your own transform module (repeatable; same contract as
                         the built-in ones; limited by --to/--from only when those are given)
      --list             list every version and its steps (with --json: the steps as JSON)
      --json             print a JSON report on stdout instead of the diff
      --patch FILE       also write the patch to FILE (empty when nothing changes)
      --summary FILE     also write a Markdown summary (for a pull request body) to FILE
      --color, --no-color  force or disable colors (default: on a terminal, unless NO_COLOR)
  -q, --quiet            no progress, advisories or summary line on stderr (errors still)
  -h, --help             show this help
  -v, --version          show the version

Exit codes: 0 nothing to do, or changes applied; 1 changes pending (--dry-run, --check);
2 errors (usage, parse errors, I/O, paths outside the root): then nothing is written.

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

export async function main(argv: string[], io: Io): Promise<number> {
  const started = io.now()
  let parsed
  try {
    parsed = parseArgs({
      args: argv.map((a) => (a === '--backup' ? '--backup=.orig' : a)),
      allowPositionals: true,
      strict: true,
      options: {
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
        color: { type: 'boolean' },
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
  const usage = (message: string): number => {
    io.stderr(`wsgi-migrate: ${message}\nTry 'wsgi-migrate --help'.\n`)
    return EXIT_ERROR
  }
  if (o.backup !== undefined && (o.backup === '' || o.backup.includes('/'))) return usage(`--backup=${o.backup}: give a suffix such as .orig`)
  if (o.backup !== undefined && (o['dry-run'] || o.check)) return usage('--backup makes no sense with --dry-run or --check: nothing is written')
  if (o.color && o['no-color']) return usage('--color and --no-color contradict each other')
  const noColor = o['no-color'] || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')
  const stdoutColor = !o.json && (o.color || (!noColor && io.stdoutIsTTY))
  const stderrColor = o.color || (!noColor && io.stderrIsTTY)

  let extra: Transform[]
  try {
    extra = await loadTransforms(o.transform ?? [], io.cwd)
  } catch (e) {
    io.stderr(`wsgi-migrate: ${(e as Error).message}\n`)
    return EXIT_ERROR
  }

  const { migrate, selectTransforms, writeResult } = await import('../runner/migrate.js')
  const selection = {
    ...(o.to !== undefined ? { to: o.to } : {}),
    ...(o.from !== undefined ? { from: o.from } : {}),
    only: list(o.only),
    skip: list(o.skip),
    transforms: extra,
  }
  if (o.list) {
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
    const { listSteps } = await import('./list.js')
    io.stdout(listSteps(all, extra))
    return EXIT_OK
  }

  let paths = parsed.positionals
  if (paths.length === 0) {
    if (o.root !== undefined) paths = [o.root]
    else {
      const { defaultConfigRoot } = await import('../load/discover.js')
      const system = defaultConfigRoot()
      if (system === null) return usage('no path given and neither /etc/apache2 nor /etc/httpd exists; name the config files or folders to scan')
      paths = [system]
    }
  }

  const mode: ReportMode = o.check ? 'check' : o['dry-run'] ? 'dry-run' : 'write'
  const progress = io.stderrIsTTY && !o.quiet
  let lastProgress = 0
  let progressShown = false
  const result = await migrate({
    paths: paths.map((p) => path.resolve(io.cwd, p)),
    ...(o.root !== undefined ? { root: path.resolve(io.cwd, o.root) } : {}),
    ...selection,
    ...(o['mod-wsgi'] !== undefined ? { modWsgi: o['mod-wsgi'] } : {}),
    ...(o.lang !== undefined ? { lang: o.lang } : {}),
    ...(progress
      ? {
          onProgress: (e: ProgressEvent) => {
            const t = io.now()
            if (t - lastProgress < 100 || t - started < 300) return
            lastProgress = t
            progressShown = true
            if (e.phase === 'read') io.stderr(`\r\x1b[Kwsgi-migrate: read ${e.done} files`)
            else if (e.transform !== undefined) io.stderr(`\r\x1b[Kwsgi-migrate: ${e.transform} (${e.done + 1}/${e.total})`)
          },
        }
      : {}),
  })
  if (progressShown) io.stderr('\r\x1b[K')

  const { colorizePatch } = await import('../runner/patch.js')
  const { toJsonReport, toMarkdownSummary } = await import('../runner/report.js')
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
  if (mode === 'write') await writeResult(result, o.backup !== undefined ? { backup: o.backup } : {})
  if (o.summary !== undefined) {
    const before = result.errors.length
    await reportFile('--summary', o.summary, toMarkdownSummary(result, { mode }))
    const failed = result.errors[before]
    if (failed && result.written.length > 0) failed.message += ` (the ${result.written.length} changed config file(s) were written)`
  }

  if (o.json) io.stdout(JSON.stringify(toJsonReport(result, { mode, version: packageVersion() }), null, 2) + '\n')
  else if (mode !== 'write' && result.patch.length > 0) io.stdout(stdoutColor ? colorizePatch(result.patch) : result.patch)

  const { describeVersions } = await import('../runner/kallithea-version.js')
  reportToStderr(result, io, { mode, color: stderrColor, quiet: Boolean(o.quiet), seconds: (io.now() - started) / 1000, versions: describeVersions(result.kallithea) })
  if (result.errors.length > 0) return EXIT_ERROR
  return mode !== 'write' && result.files.some((f) => f.status === 'changed') ? EXIT_PENDING : EXIT_OK
}

function reportToStderr(result: MigrateResult, io: Io, how: { mode: ReportMode; color: boolean; quiet: boolean; seconds: number; versions: string[] }): void {
  const paint = (code: string, s: string): string => (how.color ? `\x1b[${code}m${s}\x1b[0m` : s)
  const out: string[] = []
  for (const e of result.errors) out.push(`${paint('1;31', 'error')}: ${e.message}\n`)
  if (!how.quiet) {
    for (const line of how.versions) out.push(`${paint('36', 'kallithea')}: ${line}\n`)
    for (const s of result.skipped) {
      const from = s.file ? ` (named in ${s.file}${s.line ? `:${s.line}${s.column ? `:${s.column}` : ''}` : ''})` : ''
      out.push(`${paint('35', 'not read')}: ${s.path}: ${s.reason}${from}\n`)
    }
    for (const a of result.advisories) {
      const where = a.file ? `${a.file}${a.line ? `:${a.line}${a.column ? `:${a.column}` : ''}` : ''}: ` : ''
      out.push(`${paint('33', 'advice')} [${a.transform}] ${where}${a.message}\n`)
    }
    if (result.written.length > 0) {
      for (const c of result.changes) out.push(`${paint('32', 'fixed')} [${c.transform}] ${c.file}:${c.lines.start}: ${c.explanation}\n`)
      for (const b of result.backups) out.push(`backup: ${b}\n`)
    }
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
    if (result.errors.length > 0 && count('changed') > 0) tail = '; nothing written'
    else if (how.mode !== 'write' && count('changed') > 0) tail = how.mode === 'check' ? '; run without --check to apply' : '; run without --dry-run to apply'
    out.push(`${parts.join(', ')} (${how.seconds.toFixed(2)}s)${tail}\n`)
  }
  if (out.length > 0) io.stderr(out.join(''))
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
