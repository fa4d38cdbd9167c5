// The command line's options: parsed, checked against each other, and given a mode.
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { PathMap } from '../load/maps.js'
import { parseSize } from '../load/read.js'
import type { ReportMode } from '../runner/report.js'

export class UsageError extends Error {}

const OPTIONS = {
  'dry-run': { type: 'boolean', short: 'n' },
  check: { type: 'boolean' },
  backup: { type: 'string' },
  'backup-dir': { type: 'string' },
  'no-backup': { type: 'boolean' },
  root: { type: 'string' },
  map: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  config: { type: 'string' },
  apachectl: { type: 'string' },
  reload: { type: 'boolean' },
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
  'max-size': { type: 'string' },
  lang: { type: 'string' },
  'all-apps': { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

export type Values = ReturnType<typeof parse>['values']

function parse(argv: string[]) {
  return parseArgs({ args: argv.map((a) => (a === '--backup' ? '--backup=.orig' : a)), allowPositionals: true, strict: true, options: OPTIONS })
}

export interface Args {
  values: Values
  paths: string[]
  /** No paths and no --root: the live server. */
  server: boolean
  /** write; dry-run: the diff, exit 0; check: exit 1 when changes are pending (with -n: and the diff). */
  mode: ReportMode
  /** Print the diff on stdout (not with --json, nor with --check alone). */
  showDiff: boolean
  maps: PathMap[]
}

/** Parse and check `argv`; throws UsageError (with the message to show) or parseArgs' own errors. */
export function readArgs(argv: string[], cwd: string): Args {
  const { values: o, positionals } = parse(argv)
  const server = positionals.length === 0 && o.root === undefined
  const mode: ReportMode = o.check ? 'check' : o['dry-run'] ? 'dry-run' : 'write'
  const args: Args = {
    values: o,
    paths: positionals.map((p) => path.resolve(cwd, p)),
    server,
    mode,
    showDiff: !o.json && (mode === 'dry-run' || (mode === 'check' && o['dry-run'] === true)),
    maps: (o.map ?? []).map((m) => parseMap(m, cwd)),
  }
  check(args, cwd)
  return args
}

function check({ values: o, server, mode }: Args, cwd: string): void {
  const fail = (message: string): never => {
    throw new UsageError(message)
  }
  if (o['max-size'] !== undefined && parseSize(o['max-size']) === null) fail(`--max-size ${o['max-size']}: not a size; use e.g. 64M, 512k or 1G`)
  if (o.patch !== undefined && o.summary !== undefined && path.resolve(cwd, o.patch) === path.resolve(cwd, o.summary)) {
    fail(`--patch and --summary name the same file (${o.patch}); give two files`)
  }
  const selection = selectionProblem(o)
  if (selection !== null) fail(selection)
  if (o.backup !== undefined && (o.backup === '' || o.backup.includes('/'))) fail(`--backup=${o.backup}: give a suffix such as .orig`)
  if (o.backup !== undefined && mode !== 'write') fail('--backup makes no sense with --dry-run or --check: nothing is written')
  if (o.color && o['no-color']) fail('--color and --no-color contradict each other')
  const serverOnly = (['config', 'apachectl', 'backup-dir', 'no-backup', 'reload'] as const).filter((k) => o[k] !== undefined)
  if (!server && serverOnly.length > 0) fail(`--${serverOnly[0]} is for the live server (no paths, no --root); with paths, see --backup`)
  if (server && o.backup !== undefined) {
    fail('--backup puts copies beside the files, where Apache may read them (Include conf.d/); on the live server backups go to --backup-dir')
  }
  if (server && (o.map !== undefined || o.exclude !== undefined)) fail(`--${o.map !== undefined ? 'map' : 'exclude'} is for paths: the live server is read as Apache reads it`)
  if (o['backup-dir'] !== undefined && o['no-backup']) fail('--backup-dir and --no-backup contradict each other')
  if (o.reload && mode !== 'write') fail('--reload makes no sense with --dry-run or --check: nothing is written')
}

/** `SERVERPATH=REPOPATH`: an absolute server path, and a folder or file here. */
function parseMap(text: string, cwd: string): PathMap {
  const eq = text.indexOf('=')
  const server = eq === -1 ? '' : text.slice(0, eq)
  const repo = eq === -1 ? '' : text.slice(eq + 1)
  if (!path.isAbsolute(server) || repo === '') {
    throw new UsageError(`--map ${text}: give SERVERPATH=REPOPATH, the server path absolute (--map /opt/kallithea=web/docker)`)
  }
  return { server: path.resolve(server), repo: path.resolve(cwd, repo) }
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

/** Whether `argv` has a flag before any `--`: for a report on a command line that does not parse. */
export function hasFlag(argv: readonly string[], long: string, short?: string): boolean {
  const end = argv.indexOf('--')
  return argv.slice(0, end === -1 ? undefined : end).some((a) => a === long || (short !== undefined && /^-[a-zA-Z]+$/.test(a) && a.includes(short)))
}

/** `--only a,b --only c`: the ids. */
export function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
}
