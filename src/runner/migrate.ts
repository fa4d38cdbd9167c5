// The runner: read files, run the selected transforms over them in version order, report what
// changed and why, make the patch, and write only when asked and only when nothing failed.
//
// Library contract: no printing, no process.exit, no writing unless `write: true` (or a later
// `writeResult()`); every problem ends up in `result.errors` (things that make the run fail) or
// `result.skipped` (paths not read, with why).
import path from 'node:path'
import { load, type InputFile, type LoadOptions, type LoadResult, type PathMap, type Server, type SkipCode, type Skipped } from '../load/load.js'
import type { Loaded } from '../load/loaded.js'
import type { DiskInclude } from '../load/include-pattern.js'
import { buildModel, type WsgiModel } from '../model/model.js'
import { loadedModWsgi, type ModWsgiModule } from '../load/mod-wsgi-version.js'
import type { LineRange } from '../syntax/locate.js'
import type { Encoding } from '../syntax/types.js'
import { transformsOf } from './define.js'
import { commitResult, type CommitOptions } from './commit.js'
import { createPatch } from './patch.js'
import { changesWithLines, fileResults } from './results.js'
import { runTransforms } from './run-transforms.js'
import { selectTransforms, type Selection } from './select.js'
import { serverInputs } from './servers.js'
import type { ApacheFile, MessageData, SourceFile, Transform } from './transform.js'
import { compareVersions, versionOf } from './versions.js'
import { builtinTransforms } from '../../transforms/index.js'
import type { TreeReader } from '../load/installed-version.js'
import { checkLang } from '../load/locale.js'
import { NO_VERSIONS, type KallitheaVersions } from './kallithea-version.js'
import { planRun } from './plan.js'

export type { InputFile, Loaded, LineRange, ModWsgiModule, PathMap, Skipped, SkipCode }
export { DEFAULT_TO, selectTransforms } from './select.js'

export interface MigrateOptions extends Selection, Omit<LoadOptions, 'onProgress'> {
  /** The mod_wsgi version in use: transforms that need a newer one advise instead. */
  modWsgi?: string
  /**
   * Read the mod_wsgi module the config loads (`LoadModule wsgi_module`) for its version (and the
   * Python it embeds), used as `modWsgi` unless that is given. For a run of the live server: the
   * module lies outside any repository.
   */
  readModule?: boolean
  /** Write changed files (atomically, all or nothing). Default false. */
  write?: boolean
  /** With write: keep the original beside each changed file, with this suffix (e.g. `.orig`). */
  backup?: string
  /** The UTF-8 locale `lang=` gives the Kallithea daemon (0.4.1 form); default C.UTF-8. */
  lang?: string
  /**
   * The locales the host lists (`locale -a`; server mode asks). When none is UTF-8 and `lang` is
   * not given, the 0.4.1 step advises installing one instead of naming a locale the host lacks.
   */
  hostLocales?: readonly string[]
  /** X.Y of the Python mod_wsgi embeds (server mode knows it); else read from the LoadModule line. */
  embeddedPython?: string
  /**
   * Apply the generic mod_wsgi fixes to every WSGI application (`--all-apps`). Default: only
   * Kallithea's applications, their daemon groups and scripts are changed, and
   * WSGIRestrictEmbedded On is added only to a server that hosts Kallithea.
   */
  allApps?: boolean
  /**
   * Reads the venvs the config names, to learn the installed Kallithea. Default: the disk inside
   * the root for a run on disk, nothing for an in-memory run.
   */
  reader?: TreeReader
  /** Called as files are read and transforms run, for progress output. */
  onProgress?: (event: ProgressEvent) => void
  /**
   * Called when a transform reports after the run returned (from a timer or a callback): the
   * result was made without it and holds no error for it. A caller about to write should stop
   * (the CLI does, putting back what it wrote).
   */
  onLateError?: (error: MigrateError) => void
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

/**
 * `configtest`: Apache's configtest failed on the live server (before writing, or after: then all
 * was put back). `config`: the config as the run leaves it holds what Apache refuses (a daemon
 * group defined twice, an unknown option, an Include of a missing file or in a cycle).
 */
export type ErrorCode = 'usage' | 'io' | 'parse' | 'outside-root' | 'transform' | 'write' | 'configtest' | 'config'

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

/** Files Apache reads together (see src/load/servers.ts), by run path. */
export interface ServerInfo {
  /** `files`: files given in memory, one server as given. */
  kind: Server['kind'] | 'files'
  name: string
  files: string[]
  /** The Kallithea its own venvs hold (null: none found) and the form it was taken to. */
  kallithea: { installed: string | null; target: string }
}

export interface MigrateResult {
  /** Absolute real path of the root. */
  root: string
  /** Absolute real path the result's paths are relative to (the root, or `options.base`). */
  base: string
  /** The servers of the run, and their files (config files, then the scripts they load). */
  servers: ServerInfo[]
  /** Server paths read from elsewhere: `--map` ones, and main configs' ServerRoot. */
  maps: PathMap[]
  /** The mod_wsgi module the config loads, with `readModule`. */
  modWsgi?: ModWsgiModule
  transforms: Array<Pick<Transform['meta'], 'id' | 'version' | 'title'>>
  files: FileResult[]
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
  skipped: Skipped[]
  /** Unified diff of all changes (git-style, paths relative to the base); empty when none. */
  patch: Buffer
  /** Paths written (relative to the base). */
  written: string[]
  /** Backup files created (relative to the base; the CLI's live-server backups are absolute). */
  backups: string[]
  /** The installed Kallithea found in the venvs the config names, and the version the run targets. */
  kallithea: KallitheaVersions
  /** Each Include met on disk, as a pattern on disk: where a backup must not go (Apache would read it). */
  includes?: DiskInclude[]
  /** How the run went, for tests and profiling (not part of the JSON report). */
  stats: RunStats
}

export interface RunStats {
  /** Times the mod_wsgi model was built (transforms share one until a change is made). */
  modelBuilds: number
}

/** Run the migration. Writes nothing unless `write: true` and nothing failed. */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  // A report given after the run returned (a transform's timer) stops the write: all put back.
  const late = new AbortController()
  const onLateError = (error: MigrateError): void => {
    options.onLateError?.(error)
    if (!late.signal.aborted) late.abort(error.message)
  }
  const result = runMigration({ ...options, onLateError })
  if (options.write && !options.files && result.transforms.length > 0) {
    await writeResult(result, { ...(options.backup !== undefined ? { backup: options.backup } : {}), abort: late.signal })
  }
  return result
}

/**
 * Everything but the write, synchronously: check the options, load, choose the transforms (by
 * the installed Kallithea and `to`/`from`/`only`/`skip`, unless `chosen` names them), run them
 * through the engine, and make the results and the patch.
 */
export function runMigration(options: MigrateOptions, chosen?: readonly Transform[]): MigrateResult {
  const errors = usageProblems(options, chosen)
  const advisories: Advisory[] = []
  const skipped: Skipped[] = []
  const empty = (root: string): MigrateResult => ({
    root, base: root, servers: [], maps: [], transforms: [], files: [], changes: [], advisories, errors, skipped, patch: Buffer.alloc(0),
    written: [], backups: [], kallithea: NO_VERSIONS, stats: { modelBuilds: 0 },
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

  const done = transformLoaded(options, loaded, chosen, errors)
  advisories.push(...done.advisories)
  const results = fileResults(loaded.files, errors, advisories)
  const changes = changesWithLines(done.run.changes, results)
  // A run with errors gives no patch: applied alone, part of a fix can break a server that was
  // serving (WSGIRestrictEmbedded On added while the file with the error keeps an app embedded).
  const changed = errors.length > 0 ? [] : results.filter((r) => r.status === 'changed')
  return {
    root,
    base: loaded.base ?? root,
    servers: loaded.servers.length > 0
      ? loaded.servers.map((s, i) => ({ kind: s.kind, name: s.name, files: done.members[i] ?? s.files, kallithea: done.targets[i] ?? wholeTarget(done.versions) }))
      : [{ kind: 'files', name: '.', files: done.members[0] ?? [], kallithea: done.targets[0] ?? wholeTarget(done.versions) }],
    maps: loaded.maps,
    ...(done.module !== undefined ? { modWsgi: done.module } : {}),
    transforms: done.selected.map(({ meta: { id, version, title } }) => ({ id, version, title })),
    files: results,
    changes,
    advisories,
    errors,
    skipped,
    patch: createPatch(changed.map((r) => ({ path: r.path, before: r.before, after: r.after }))),
    written: [],
    backups: [],
    kallithea: done.versions,
    ...(loaded.includes !== undefined ? { includes: loaded.includes } : {}),
    stats: { modelBuilds: done.run.modelBuilds },
  }
}

const wholeTarget = (v: KallitheaVersions): ServerInfo['kallithea'] => ({ installed: v.installed, target: v.target })

/** What is wrong with the options before anything is read. */
function usageProblems(options: MigrateOptions, chosen: readonly Transform[] | undefined): MigrateError[] {
  const errors: MigrateError[] = []
  // The run selects again once it knows the installed version; this catches usage errors first.
  if (chosen === undefined) selectTransforms(options, errors)
  const langProblem = checkLang(options.lang)
  if (langProblem !== null) errors.push({ code: 'usage', message: langProblem })
  if (options.modWsgi !== undefined && versionOf(options.modWsgi) === null) {
    errors.push({ code: 'usage', message: `--mod-wsgi ${options.modWsgi}: not a version; use e.g. 4.9.0` })
  }
  return errors
}

/** The transforms chosen for what was loaded, run server by server. */
function transformLoaded(options: MigrateOptions, loaded: LoadResult, chosen: readonly Transform[] | undefined, errors: MigrateError[]) {
  const files = loaded.files.map((l) => l.file)
  const module = options.readModule ? loadedModWsgi(loaded) : undefined
  const modWsgi = options.modWsgi ?? module?.version
  const embeddedPython = options.embeddedPython ?? module?.python
  const embeddedPythonFrom = options.embeddedPython !== undefined ? 'as the embeddedPython option says' : `read from the module ${module?.module ?? ''}`
  // The model of every file as read serves the plan (which venvs, which Kallithea) and, for a run
  // of one server, its first transform.
  let asRead: WsgiModel | undefined
  const model = (): WsgiModel =>
    (asRead ??= buildModel(files.filter((f): f is ApacheFile => f.kind === 'apache'), { env: loaded.env, includes: loaded.graph }))
  const root = loaded.root as string
  const plan = planRun(
    { selection: options, files, model, root, ...(options.reader ? { reader: options.reader } : {}), onDisk: !options.files, maps: loaded.maps, ...(options.maxSize !== undefined ? { maxSize: options.maxSize } : {}) },
    errors,
  )
  const selected = chosen ?? plan.selected
  const common = {
    ...(modWsgi !== undefined ? { modWsgiVersion: modWsgi } : {}),
    ...plan.options,
    ...(options.lang !== undefined ? { lang: options.lang } : {}),
    ...(options.hostLocales !== undefined ? { hostLocales: options.hostLocales } : {}),
    ...(embeddedPython !== undefined ? { embeddedPython, embeddedPythonFrom } : {}),
    ...(options.allApps ? { allApps: true } : {}),
    steps: selected.map((t) => t.meta.id),
  }
  // Each server goes to the form of the Kallithea its own venvs hold (unless --to or `chosen` say).
  const targets: Array<ServerInfo['kallithea']> = []
  const serverPlan = chosen !== undefined ? undefined : (m: WsgiModel, serverFiles: readonly SourceFile[]) => {
    const own = plan.forServer(m, serverFiles)
    targets.push({ installed: own.installed, target: own.target })
    return { selected: own.selected, options: { ...own.options, steps: own.selected.map((t) => t.meta.id) } }
  }
  const inputs = serverInputs(loaded, common, () => {
    const m = asRead
    asRead = undefined
    return m
  }, serverPlan)
  const members: string[][] = []
  const ran: Transform[][] = []
  const run = runTransforms(selected, {
    servers: inputs.map((prepare) => () => {
      const input = prepare()
      members.push(input.files.map((f) => f.path))
      ran.push([...(input.selected ?? selected)])
      return input
    }),
    frozen: new Set(loaded.files.filter((l) => l.frozen).map((l) => l.file)),
    ...(modWsgi !== undefined ? { modWsgi } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onLateError ? { onLateError: options.onLateError } : {}),
  })
  errors.push(...run.errors)
  const whole = { installed: plan.versions.installed, target: plan.versions.target }
  return {
    selected: ran.length > 1 ? inRunOrder(ran, transformsOf(options.transforms ?? [])) : (ran[0] ?? selected),
    versions: plan.versions, run, members, module, advisories: [...plan.advisories, ...run.advisories],
    targets: members.map((_, i) => targets[i] ?? whole),
  }
}

/** Every step some server took, in the order a run takes them (version, then the built-in order). */
function inRunOrder(lists: readonly Transform[][], extra: readonly Transform[]): Transform[] {
  const order = [...builtinTransforms, ...extra]
  return [...new Set(lists.flat())].sort((a, b) => compareVersions(a.meta.version, b.meta.version) || order.indexOf(a) - order.indexOf(b))
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
