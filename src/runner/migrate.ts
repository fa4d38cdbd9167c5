// The runner: read files, run the selected transforms over them in version order, report what
// changed and why, make the patch, and write only when asked and only when nothing failed.
//
// Library contract: no printing, no process.exit, no writing unless `write: true` (or a later
// `writeResult()`); every problem ends up in `result.errors` (things that make the run fail) or
// `result.skipped` (paths not read, with why).
import path from 'node:path'
import { builtinTransforms } from '../../transforms/index.js'
import { decode, encode } from '../syntax/decode.js'
import { load, type InputFile, type Skipped } from '../load/load.js'
import { relativeTo } from '../load/paths.js'
import { lineRanges, type LineRange } from '../syntax/locate.js'
import { buildModel, type WsgiModel } from '../model/model.js'
import { createPatch } from './patch.js'
import { toText } from '../syntax/print.js'
import type { AdvisoryInput, ApacheFile, ChangeInput, SourceFile, Transform, TransformContext } from './transform.js'
import type { Content, Encoding, Root } from '../syntax/types.js'
import { coerceVersion, compareVersions, parseRange, type Version } from './version.js'

export type { InputFile, LineRange, Skipped }
// Kept here too for code that imported them from this module before src/runner/version.ts existed.
export { coerceVersion, compareVersions, parseRange, type Version }

/** The Kallithea version whose documented form a run produces when `to` is not given. */
export const DEFAULT_TO = '0.3.2'

export interface MigrateOptions {
  /** Files or directories to scan (ignored when `files` is given). */
  paths?: string[]
  /**
   * Nothing outside it is read or written; Includes and symlinks are followed only inside it.
   * Default: the one directory given (a file: its directory), else the deepest directory
   * holding all the paths; with `files`, `/`. Patch and report paths are relative to it.
   */
  root?: string
  /** In-memory files instead of the file system (nothing is read or written). */
  files?: InputFile[]
  /**
   * Highest Kallithea version whose form to apply (`latest` for all). Default 0.3.2 for the
   * built-in transforms; extra `transforms` are limited by `to` only when it is given.
   */
  to?: string
  /** Apply only transforms for versions above this one. */
  from?: string
  only?: string[]
  skip?: string[]
  /** The mod_wsgi version in use: transforms that need a newer one advise instead. */
  modWsgi?: string
  /** Extra transforms (a user's own modules), run with the built-in ones. */
  transforms?: Transform[]
  /** Apache's environment (e.g. APACHE_RUN_USER); wins over an `envvars` file of the run. */
  env?: Record<string, string>
  /** Write changed files (atomically, all or nothing). Default false. */
  write?: boolean
  /** With write: keep the original beside each changed file, with this suffix (e.g. `.orig`). */
  backup?: string
  /** Called as files are read and transforms run, for progress output. */
  onProgress?: (event: ProgressEvent) => void
}

/** `read`: files read so far (the total grows as Includes are followed); `transform`: transforms done, and the one starting. */
export interface ProgressEvent {
  phase: 'read' | 'transform'
  done: number
  total: number
  /** The transform about to run (phase `transform`, while done < total). */
  transform?: string
}

export interface Change {
  transform: string
  file: string
  kind: 'insert' | 'modify' | 'remove'
  /** Lines in the new file (insert, modify) or in the original file (remove). */
  lines: LineRange
  explanation: string
}

export interface Advisory {
  transform: string
  /** The file it is about; '' for the run as a whole. */
  file: string
  line?: number
  column?: number
  message: string
}

export type ErrorCode = 'usage' | 'io' | 'parse' | 'outside-root' | 'transform' | 'write'

export interface MigrateError {
  code: ErrorCode
  file?: string
  line?: number
  column?: number
  /** What went wrong and what to do; starts with `file:line:column: ` when there is a place. */
  message: string
}

export interface FileResult {
  path: string
  /** Where it was read from (real path); absent for in-memory files. */
  absolutePath?: string
  kind: 'apache' | 'wsgi'
  status: 'changed' | 'unchanged' | 'error'
  encoding: Encoding
  before: Buffer
  after: Buffer
  /** The new text (decoded like the original: UTF-8, or Latin-1 byte for byte). */
  text: string
  /** This file's share of the run's changes, advisories and errors (the same objects). */
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
}

export interface MigrateResult {
  /** Absolute real path of the root. */
  root: string
  transforms: Array<Pick<Transform, 'id' | 'version' | 'title'>>
  files: FileResult[]
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
  skipped: Skipped[]
  /** Unified diff of all changes (git-style, paths relative to the root); empty when none. */
  patch: Buffer
  /** Paths written (relative to the root). */
  written: string[]
  /** Backup files created (relative to the root). */
  backups: string[]
  /** How the run went, for tests and profiling (not part of the JSON report). */
  stats: RunStats
}

export interface RunStats {
  /** Times the mod_wsgi model was built (transforms share one until a change is made). */
  modelBuilds: number
}

/** Run the migration. Writes nothing unless `write: true` and nothing failed. */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const errors: MigrateError[] = []
  const advisories: Advisory[] = []
  const skipped: Skipped[] = []
  const selected = selectTransforms(options, errors)
  if (options.modWsgi !== undefined && coerceVersion(options.modWsgi) === null) {
    errors.push({ code: 'usage', message: `--mod-wsgi ${options.modWsgi}: not a version; use e.g. 4.9.0` })
  }
  const empty = (root: string): MigrateResult => ({
    root, transforms: [], files: [], changes: [], advisories, errors, skipped, patch: Buffer.alloc(0), written: [], backups: [],
    stats: { modelBuilds: 0 },
  })
  if (errors.length > 0) return empty(path.resolve(options.root ?? '.'))

  const loaded = load(options)
  errors.push(...loaded.errors)
  skipped.push(...loaded.skipped)
  if (loaded.root === undefined) return empty(path.resolve(options.root ?? '.'))
  const root = loaded.root
  if (errors.some((e) => e.code === 'usage')) return empty(root)

  const pending: Array<{ change: ChangeInput; transform: string }> = []
  const removedLines = new Map<Content, LineRange>()
  const files = loaded.files.map((l) => l.file)
  const env = loaded.env
  let model: WsgiModel | undefined
  const stats: RunStats = { modelBuilds: 0 }
  const modelFiles = apacheFiles(files)
  const transformOptions = {
    ...(options.modWsgi !== undefined ? { modWsgiVersion: options.modWsgi } : {}),
    env,
    ...(loaded.mainConfig !== undefined ? { mainConfig: loaded.mainConfig } : {}),
  }
  const context = (transform: Transform): TransformContext => ({
    files,
    options: transformOptions,
    model: () => {
      if (model === undefined) {
        stats.modelBuilds++
        model = buildModel(modelFiles, { env, includes: loaded.graph })
      }
      return model
    },
    change: (change) => {
      model = undefined
      if (change.kind === 'remove' && change.node?.position && !removedLines.has(change.node)) {
        removedLines.set(change.node, { start: change.node.position.start.line, end: change.node.position.end.line })
      }
      pending.push({ change, transform: transform.id })
    },
    advise: (a: AdvisoryInput) => advisories.push(toAdvisory(a, transform.id)),
  })

  const modWsgi = options.modWsgi !== undefined ? coerceVersion(options.modWsgi) : null
  selected.forEach((transform, i) => {
    options.onProgress?.({ phase: 'transform', done: i, total: selected.length, transform: transform.id })
    if (modWsgi && transform.modWsgi && !(parseRange(transform.modWsgi)?.(modWsgi) ?? true)) {
      advisories.push({
        transform: transform.id,
        file: '',
        message: `not applied: ${transform.title} needs mod_wsgi ${transform.modWsgi} and you run ${options.modWsgi}; upgrade mod_wsgi, then run again`,
      })
      return
    }
    try {
      transform.apply(context(transform))
    } catch (e) {
      errors.push({ code: 'transform', message: `transform ${transform.id} failed: ${(e as Error)?.message ?? String(e)}; nothing will be written (skip it with --skip ${transform.id})` })
    }
  })
  options.onProgress?.({ phase: 'transform', done: selected.length, total: selected.length })

  const results: FileResult[] = []
  const byPath = new Map<string, FileResult>()
  const errorsOf = groupBy(errors, (e) => e.file)
  const advisoriesOf = groupBy(advisories, (a) => a.file)
  for (const l of loaded.files) {
    const text = l.file.kind === 'apache' ? toText(l.file.tree) : l.file.text
    let after = encode(text, l.encoding)
    let status: FileResult['status'] = after.equals(l.before) ? 'unchanged' : 'changed'
    const fileErrors = errorsOf.get(l.file.path) ?? []
    if (status === 'changed' && l.frozen) {
      after = l.before
      status = 'error'
      const why = l.envvars ? 'envvars is a shell file; it is read for the environment only' : 'fix the parse errors above first, then run again'
      const e: MigrateError = { code: l.envvars ? 'transform' : 'parse', file: l.file.path, message: `${l.file.path}: not changed: ${why}` }
      errors.push(e)
      fileErrors.push(e)
    } else if (fileErrors.length > 0) {
      // A file with its own error (an Include leading outside the root...) is left as it is.
      after = l.before
      status = 'error'
    }
    const r: FileResult = {
      path: l.file.path,
      ...(l.onDisk ? { absolutePath: l.file.absolutePath } : {}),
      kind: l.file.kind,
      status,
      encoding: l.encoding,
      before: l.before,
      after,
      text: status === 'error' ? decode(l.before).text : text,
      changes: [],
      advisories: advisoriesOf.get(l.file.path) ?? [],
      errors: fileErrors,
    }
    results.push(r)
    byPath.set(r.path, r)
  }

  const changes: Change[] = []
  const ranges = new Map<SourceFile, Map<Content, LineRange>>()
  for (const { change, transform } of pending) {
    const result = byPath.get(change.file.path)
    if (!result || result.status !== 'changed') continue
    let lines = change.lines ?? { start: 0, end: 0 }
    if (change.node) {
      if (change.kind === 'remove') lines = removedLines.get(change.node) ?? lines
      else if (change.file.kind === 'apache') {
        let map = ranges.get(change.file)
        if (!map) ranges.set(change.file, (map = lineRanges(change.file.tree)))
        lines = map.get(change.node) ?? lines
      }
    }
    const c: Change = { transform, file: change.file.path, kind: change.kind, lines, explanation: change.explanation }
    changes.push(c)
    result.changes.push(c)
  }

  const changed = results.filter((r) => r.status === 'changed')
  const patch = createPatch(changed.map((r) => ({ path: r.path, before: r.before, after: r.after })))
  const result: MigrateResult = {
    root,
    transforms: selected.map(({ id, version, title }) => ({ id, version, title })),
    files: results,
    changes,
    advisories,
    errors,
    skipped,
    patch,
    written: [],
    backups: [],
    stats,
  }
  if (options.write && !options.files) await writeResult(result, options.backup !== undefined ? { backup: options.backup } : {})
  return result
}

/**
 * Write the changed files of a run made without `write` (all or nothing, atomically, each file
 * only if it still holds what was read). Does nothing when the run had errors: adds a `write`
 * error saying so. Fills `result.written` and `result.backups`; failures go to `result.errors`.
 */
export async function writeResult(result: MigrateResult, options: { backup?: string } = {}): Promise<MigrateResult> {
  const changed = result.files.filter((r) => r.status === 'changed')
  if (changed.length === 0 || result.written.length > 0) return result
  if (changed.some((r) => r.absolutePath === undefined)) {
    result.errors.push({ code: 'usage', message: 'in-memory files cannot be written; write `files[].after` yourself' })
    return result
  }
  if (result.errors.length > 0) {
    result.errors.push({ code: 'write', message: 'nothing written: the run had errors; fix them and run again' })
    return result
  }
  const byAbsolute = new Map(changed.map((r) => [r.absolutePath as string, r.path]))
  // Loaded only when writing: a dry run does not pay for it.
  const { WriteError, writeFilesAtomically } = await import('./write.js')
  try {
    const done = await writeFilesAtomically(
      changed.map((r) => ({ path: r.absolutePath as string, content: r.after, expected: r.before })),
      options.backup !== undefined ? { backupSuffix: options.backup } : {},
    )
    result.written.push(...done.written.map((p) => byAbsolute.get(p) ?? p))
    result.backups.push(...done.backups.map((p) => relativeTo(result.root, p)))
  } catch (e) {
    if (e instanceof WriteError) {
      const rel = byAbsolute.get(e.path) ?? (path.isAbsolute(e.path) ? relativeTo(result.root, e.path) : e.path)
      result.written.push(...e.written.map((p) => byAbsolute.get(p) ?? p))
      const outcome = e.written.length === 0 && !/nothing was changed/.test(e.detail) ? '; nothing was written' : ''
      const hint = WRITE_HINTS[e.code] ?? ''
      result.errors.push({ code: 'write', file: rel, message: `${rel}: ${e.detail}${outcome}${hint}` })
    } else {
      result.errors.push({ code: 'write', message: `cannot write: ${(e as Error)?.message ?? String(e)}; nothing was written` })
    }
  }
  return result
}

const WRITE_HINTS: Record<string, string> = {
  EREADONLY: '. Make it writable (or run with --dry-run and apply the patch yourself), then run again',
  EACCES: '. Run as a user who may replace it (often root), or with --dry-run and apply the patch yourself',
  EOWNER: '. Run as its owner or as root, so that owner and group are kept',
  EHARDLINK: '. Break the hard link (cp the file over itself), or apply the --dry-run patch yourself',
  EBACKUP: '',
  ENOTFILE: '. Leave it out of the run',
}

/** The transforms a run applies: `from < version <= to`, `only`/`skip`, in version order. */
export function selectTransforms(
  options: Pick<MigrateOptions, 'to' | 'from' | 'only' | 'skip' | 'transforms'>,
  errors: MigrateError[] = [],
): Transform[] {
  const extra = options.transforms ?? []
  const all = [...builtinTransforms, ...extra]
  const before = errors.length
  const version = coerceVersion
  const checkVersion = (flag: string, v: string | undefined): Version | null | undefined => {
    if (v === undefined || v === 'latest') return undefined
    const parsed = version(v)
    if (parsed === null) errors.push({ code: 'usage', message: `${flag} ${v}: not a version; use e.g. 0.3.2 or latest` })
    return parsed
  }
  const to = checkVersion('--to', options.to)
  const from = checkVersion('--from', options.from)
  if (Array.isArray(to) && Array.isArray(from) && compareVersions(from, to) >= 0) {
    errors.push({ code: 'usage', message: `--from ${options.from} is not below --to ${options.to}: nothing to apply` })
  }
  const seen = new Map<string, Transform>()
  for (const t of all) {
    if (seen.has(t.id)) errors.push({ code: 'usage', message: `two transforms have the id '${t.id}'; give yours another id` })
    seen.set(t.id, t)
    if (version(t.version) === null) errors.push({ code: 'usage', message: `transform ${t.id}: version '${t.version}' is not a version` })
    if (t.modWsgi !== undefined && parseRange(t.modWsgi) === null) {
      errors.push({ code: 'usage', message: `transform ${t.id}: modWsgi '${t.modWsgi}' is not a semver range` })
    }
  }
  for (const id of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!seen.has(id)) errors.push({ code: 'usage', message: `unknown transform '${id}'; see --list` })
  }
  if (errors.length > before) return []

  const builtin = new Set<Transform>(builtinTransforms)
  const limit = to === undefined ? (options.to === 'latest' ? null : (coerceVersion(DEFAULT_TO) as Version)) : to
  const inRange = (t: Transform): boolean => {
    const v = version(t.version) as Version
    const applyTo = limit !== null && (builtin.has(t) || options.to !== undefined)
    if (applyTo && compareVersions(v, limit) > 0) return false
    return !Array.isArray(from) || compareVersions(v, from) > 0
  }
  for (const id of options.only ?? []) {
    const t = seen.get(id) as Transform
    if (!inRange(t)) {
      errors.push({
        code: 'usage',
        message: `--only ${id}: it is for Kallithea ${t.version}, outside ${Array.isArray(from) ? `--from ${options.from} ` : ''}--to ${options.to ?? DEFAULT_TO}; widen --to/--from`,
      })
    }
  }
  if (errors.length > before) return []
  return all
    .map((t, order) => ({ t, order, v: version(t.version) as Version }))
    .filter(({ t }) => inRange(t))
    .filter(({ t }) => !options.only?.length || options.only.includes(t.id))
    .filter(({ t }) => !options.skip?.includes(t.id))
    .sort((a, b) => compareVersions(a.v, b.v) || a.order - b.order)
    .map(({ t }) => t)
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    if (k === undefined) continue
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}

function apacheFiles(files: readonly SourceFile[]): Array<{ path: string; tree: Root }> {
  return files.filter((f): f is ApacheFile => f.kind === 'apache').map((f) => ({ path: f.path, tree: f.tree }))
}

function toAdvisory(a: AdvisoryInput, transform: string): Advisory {
  const line = a.line ?? a.node?.position?.start.line
  const column = a.column ?? a.node?.position?.start.column
  return { transform, file: a.file.path, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}), message: a.message }
}
