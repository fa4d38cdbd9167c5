// The runner: read files, run the selected transforms over them in version order, report what
// changed and why, make the patch, and write only when asked and only when nothing failed.
//
// Library contract: no printing, no process.exit, no writing unless `write: true` (or a later
// `writeResult()`); every problem ends up in `result.errors` (things that make the run fail) or
// `result.skipped` (paths not read, with why).
import path from 'node:path'
import { load, type InputFile, type Skipped } from '../load/load.js'
import type { Loaded } from '../load/loaded.js'
import { buildModel } from '../model/model.js'
import type { LineRange } from '../syntax/locate.js'
import type { Encoding } from '../syntax/types.js'
import { commitResult, type CommitOptions } from './commit.js'
import { createPatch } from './patch.js'
import { changesWithLines, fileResults } from './results.js'
import { runTransforms } from './run-transforms.js'
import { selectTransforms, type Selection } from './select.js'
import type { ApacheFile, MessageData, Transform } from './transform.js'
import { versionOf } from './versions.js'

export type { InputFile, Loaded, LineRange, Skipped }
export { DEFAULT_TO, selectTransforms } from './select.js'

export interface MigrateOptions extends Selection {
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
  /** The mod_wsgi version in use: transforms that need a newer one advise instead. */
  modWsgi?: string
  /** Apache's environment (e.g. APACHE_RUN_USER); wins over an `envvars` file of the run. */
  env?: Record<string, string>
  /** Files larger than this (bytes) are refused as "too large" (default 64 MiB). */
  maxSize?: number
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
  /** The transform's message id and data behind `explanation` (absent for a message given as text). */
  messageId?: string
  data?: MessageData
}

export interface Advisory {
  transform: string
  /** The file it is about; '' for the run as a whole. */
  file: string
  line?: number
  column?: number
  message: string
  messageId?: string
  data?: MessageData
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
  transforms: Array<Pick<Transform['meta'], 'id' | 'version' | 'title'>>
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
  const selected = selectTransforms(options, errors)
  const result = runMigration(options, selected, errors)
  if (options.write && !options.files && result.transforms.length > 0) {
    await writeResult(result, options.backup !== undefined ? { backup: options.backup } : {})
  }
  return result
}

/**
 * Everything but the write, synchronously: check the options, load, run `selected` through the
 * engine, and make the results and the patch. `errors` may already hold selection problems.
 */
export function runMigration(options: MigrateOptions, selected: readonly Transform[], errors: MigrateError[] = []): MigrateResult {
  const advisories: Advisory[] = []
  const skipped: Skipped[] = []
  if (options.modWsgi !== undefined && versionOf(options.modWsgi) === null) {
    errors.push({ code: 'usage', message: `--mod-wsgi ${options.modWsgi}: not a version; use e.g. 4.9.0` })
  }
  const empty = (root: string): MigrateResult => ({
    root, transforms: [], files: [], changes: [], advisories, errors, skipped, patch: Buffer.alloc(0), written: [], backups: [],
    stats: { modelBuilds: 0 },
  })
  if (errors.length > 0) return empty(path.resolve(options.root ?? '.'))

  const loaded = load(options)
  errors.push(...loaded.errors)
  // What Apache reads other than it looks (a NUL, a comment line in a continuation, a template
  // block read flat): said, and the run goes on.
  for (const w of loaded.warnings) advisories.push({ transform: 'parse', file: w.file ?? '', ...(w.line !== undefined ? { line: w.line } : {}), ...(w.column !== undefined ? { column: w.column } : {}), message: w.message })
  skipped.push(...loaded.skipped)
  if (loaded.root === undefined) return empty(path.resolve(options.root ?? '.'))
  const root = loaded.root
  if (errors.some((e) => e.code === 'usage')) return empty(root)

  const files = loaded.files.map((l) => l.file)
  const modelFiles = files.filter((f): f is ApacheFile => f.kind === 'apache')
  const run = runTransforms(selected, {
    files,
    frozen: new Set(loaded.files.filter((l) => l.frozen).map((l) => l.file)),
    options: {
      ...(options.modWsgi !== undefined ? { modWsgiVersion: options.modWsgi } : {}),
      env: loaded.env,
      ...(loaded.mainConfig !== undefined ? { mainConfig: loaded.mainConfig } : {}),
    },
    buildModel: () => buildModel(modelFiles, { env: loaded.env, includes: loaded.graph }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  advisories.push(...run.advisories)
  errors.push(...run.errors)

  const results = fileResults(loaded.files, errors, advisories)
  const changes = changesWithLines(run.changes, results)
  // A run with errors gives no patch: applied alone, part of a fix can break a server that was
  // serving (WSGIRestrictEmbedded On added while the file with the error keeps an app embedded).
  const changed = errors.length > 0 ? [] : results.filter((r) => r.status === 'changed')
  return {
    root,
    transforms: selected.map(({ meta: { id, version, title } }) => ({ id, version, title })),
    files: results,
    changes,
    advisories,
    errors,
    skipped,
    patch: createPatch(changed.map((r) => ({ path: r.path, before: r.before, after: r.after }))),
    written: [],
    backups: [],
    stats: { modelBuilds: run.modelBuilds },
  }
}

/**
 * Write the changed files of a run made without `write` (all or nothing, atomically, each file
 * only if it still holds what was read and is still inside the root). Does nothing when the run
 * had errors: adds a `write` error saying so. Fills `result.written` and `result.backups`;
 * failures go to `result.errors`.
 */
export async function writeResult(result: MigrateResult, options: CommitOptions = {}): Promise<MigrateResult> {
  await commitResult(result, options)
  return result
}
