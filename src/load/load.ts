// The load step, crossplane-style: find the run's files (on disk or in memory), read and parse
// each once, follow Includes (inside the root only) and WSGIScriptAlias targets, and build the
// Include graph and the environment once, for the model and the transforms to share.
import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { ApacheFile } from '../runner/transform.js'
import type { Root } from '../syntax/types.js'
import { formatDiagnostic } from '../syntax/diagnostics.js'
import type { SkipCode, Skipped } from './discover.js'
import { loadFromDisk } from './disk.js'
import { EMPTY_GRAPH, includeGraph, type IncludeGraph } from './include-graph.js'
import type { DiskInclude } from './include-pattern.js'
import { compareLoaded, fromTree, runEnv, toLoaded, type Loaded } from './loaded.js'
import type { PathMap } from './maps.js'
import { isInside, isMainConfigName, relativeTo } from './paths.js'
import { groupServers, type ServerGroup } from './servers.js'

export type { Loaded, PathMap, ServerGroup, SkipCode, Skipped }

export interface InputFile {
  /** Path relative to the root (posix), as it should appear in reports and the patch. */
  path: string
  /** The file's text or bytes, or a tree from `parse` (edited in place by the run). */
  content: string | Uint8Array | Root
  /** `wsgi` for a WSGI script; default: by name (`.wsgi`, `.py`), else `apache`. */
  kind?: 'apache' | 'wsgi'
}

/** What a run reads: files or folders on disk, or files in memory. */
export interface LoadOptions {
  /** Files or directories to scan (ignored when `files` is given). */
  paths?: string[]
  /**
   * Nothing outside it is read or written; Includes and symlinks are followed only inside it.
   * Default: the one directory given (a file: its directory), else the deepest directory
   * holding all the paths (and the --map folders); with `files`, `/`.
   */
  root?: string
  /**
   * Patch and report paths are relative to it when it holds the root (the CLI gives its working
   * directory); default: the root.
   */
  base?: string
  /** Absolute server paths the config names (Includes, scripts) and the folders of the run that hold them (`--map`). */
  maps?: PathMap[]
  /** Files and folders the scan leaves out (and Includes), as `--exclude` takes them: names, or paths from the base. */
  exclude?: string[]
  /** The main server config (absolute), whatever its name (default: `apache2.conf`, `httpd.conf`). */
  mainConfig?: string
  /** In-memory files instead of the file system (nothing is read or written). */
  files?: InputFile[]
  /** Apache's environment (e.g. APACHE_RUN_USER); wins over an `envvars` file of the run. */
  env?: Record<string, string>
  /** Size limit of a file read from disk, in bytes (default 64 MiB). */
  maxSize?: number
  /** Called as each file is read: files read so far (the total grows as Includes are followed). */
  onProgress?: (event: { phase: 'read'; done: number; total: number }) => void
}

export type LoadErrorCode = 'usage' | 'io' | 'parse' | 'outside-root'

export interface LoadError {
  code: LoadErrorCode
  file?: string
  line?: number
  column?: number
  /** What went wrong and what to do; starts with `file:line:column: ` when there is a place. */
  message: string
}

/** A server of the run (see servers.ts) and the environment its `${VAR}` use. */
export interface Server extends ServerGroup {
  env: Record<string, string>
}

export interface LoadResult {
  /** Absolute real path of the root; undefined when there is none to use (`errors` say why). */
  root: string | undefined
  /** Absolute real path run paths are relative to: the root or a folder above it. */
  base: string | undefined
  /** Every file read, sorted by path (byte order). */
  files: Loaded[]
  graph: IncludeGraph
  /** The files Apache reads together, server by server (none for files in memory: one server of all). */
  servers: Server[]
  /** The server-path maps used: given ones and those main configs brought. */
  maps: PathMap[]
  /** The environment `${VAR}` uses: the run's envvars files overlaid with `options.env`. */
  env: Record<string, string>
  /** Path of the main server config (`apache2.conf`, `httpd.conf`), when the run has one. */
  mainConfig?: string
  errors: LoadError[]
  /** What a file's parse warns about (Apache reads it, but not as it looks): the run goes on. */
  warnings: LoadError[]
  skipped: Skipped[]
  /** Each Include met on disk, as a pattern on disk (none for files in memory). */
  includes?: DiskInclude[]
}

/**
 * Read the run's files once and build what every later step shares. Stops early (no files) on
 * a usage error or when no root can be used.
 */
export function load(options: LoadOptions): LoadResult {
  const errors: LoadError[] = []
  const warnings: LoadError[] = []
  const empty = (root: string | undefined): LoadResult => ({ root, base: root, files: [], graph: EMPTY_GRAPH, servers: [], maps: [], env: {}, errors, warnings, skipped: [] })
  if (options.files) {
    // In memory the root only names the files' absolute paths: `/` unless given (not the cwd,
    // so that the result does not depend on where the process runs).
    const root = path.resolve(options.root ?? '/')
    const files = loadInMemory(options.files, root, errors)
    if (errors.some((e) => e.code === 'usage')) return empty(root)
    reportParseErrors(files, errors, warnings)
    const env = runEnv(files, options.env)
    const apache = files.filter((l) => l.file.kind === 'apache')
    const graph = includeGraph(
      apache.filter((l) => !l.envvars).map((l) => ({ path: l.file.path, tree: (l.file as ApacheFile).tree })),
      { env, paths: apache.map((l) => l.file.path) },
    )
    // Files given in memory have no folders to tell servers apart by: they are one server, as given.
    return finish({ root, base: root, files, graph, servers: [], maps: [], env, errors, warnings, skipped: [] }, options, false)
  }
  const root = findRoot(options, errors)
  if (root === null) return empty(undefined)
  const base = baseOf(options, root)
  const maps = (options.maps ?? []).map((m) => ({ server: path.resolve(m.server), repo: realOr(m.repo) }))
  // Files are known by their real paths: a main config reached through a symlink too.
  const mainConfig = options.mainConfig !== undefined ? realOr(options.mainConfig) : undefined
  const resolved: LoadOptions = { ...options, maps, ...(mainConfig !== undefined ? { mainConfig } : {}) }
  const disk = loadFromDisk(resolved, root, base)
  errors.push(...disk.errors)
  reportParseErrors(disk.files, errors, warnings)
  const result = finish({ root, base, files: disk.files, graph: disk.graph, servers: [], maps: disk.maps, env: runEnv(disk.files, options.env), errors, warnings, skipped: disk.skipped, includes: disk.includes }, resolved)
  if (result.servers.length === 0 && errors.length === 0) errors.push(nothingFound(options))
  return result
}

/** The main config, and the servers with their environment (`split`: else none, one server of all). */
function finish(result: LoadResult, options: LoadOptions, split = true): LoadResult {
  const forced = options.mainConfig !== undefined && result.base !== undefined ? relativeTo(result.base, options.mainConfig) : undefined
  const isMain = (p: string): boolean => p === forced || isMainConfigName(p)
  const config = result.files.filter((l) => l.file.kind === 'apache' && !l.envvars).map((l) => l.file.path)
  const main = config.find(isMain)
  const envvars = new Map(result.files.filter((l) => l.envvars).map((l) => [l.file.path, l]))
  const graph = result.graph
  const groups = split ? groupServers(config, graph, isMain) : []
  const servers = groups.map((g): Server => {
    const home = g.kind === 'include-folder' ? g.name : path.posix.dirname(g.name)
    const own = envvars.get(home === '.' ? 'envvars' : `${home}/envvars`)
    return { ...g, env: own ? runEnv([own], options.env) : result.env }
  })
  return { ...result, graph, servers, ...(main !== undefined ? { mainConfig: main } : {}) }
}

function nothingFound(options: LoadOptions): LoadError {
  const where = (options.paths ?? []).join(', ') || options.root || '.'
  return {
    code: 'usage',
    message: `no Apache configuration found in ${where} (looked for *.conf, apache2.conf, httpd.conf, sites-*/, conf.d/, *.wsgi and templates); name the files to read`,
  }
}

/** Where run paths start: `options.base` when it holds the root, else the root. */
function baseOf(options: LoadOptions, root: string): string {
  if (options.base === undefined) return root
  try {
    const base = realpathSync.native(options.base)
    return isInside(base, root) ? base : root
  } catch {
    return root
  }
}

/** Each parse error becomes a run error, and its file is frozen (never changed); a warning is a warning. */
function reportParseErrors(files: readonly Loaded[], errors: LoadError[], warnings: LoadError[]): void {
  for (const l of files) {
    if (l.file.kind !== 'apache' || l.envvars) continue
    for (const d of l.file.tree.data.diagnostics) {
      if (d.fatal === true) l.frozen = true
      ;(d.fatal === true ? errors : warnings).push({
        code: 'parse',
        file: l.file.path,
        ...(d.line != null ? { line: d.line } : {}),
        ...(d.column != null ? { column: d.column } : {}),
        // An error's line names its place; a warning becomes an advisory, whose place is printed beside it.
        message: d.fatal === true ? formatDiagnostic(d, l.file.path) : d.reason,
      })
    }
  }
}

const isTree = (c: InputFile['content']): c is Root => typeof c === 'object' && c !== null && !(c instanceof Uint8Array) && (c as Root).type === 'root'

function loadInMemory(inputs: InputFile[], root: string, errors: LoadError[]): Loaded[] {
  const seen = new Set<string>()
  const out: Loaded[] = []
  for (const input of inputs) {
    const p = input.path
    if (p === '' || p.startsWith('/') || p.includes('\\') || p.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      errors.push({ code: 'usage', message: `files: ${JSON.stringify(p)}: give a normalized relative path with / separators` })
      continue
    }
    if (seen.has(p)) {
      errors.push({ code: 'usage', message: `files: ${p} is given twice` })
      continue
    }
    seen.add(p)
    const content = input.content
    if (isTree(content)) {
      out.push(fromTree(p, path.join(root, p), content))
      continue
    }
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)
    out.push(toLoaded(p, path.join(root, p), bytes, input.kind))
  }
  return out.sort(compareLoaded)
}

/** The root of a run on disk: given, or the one directory, or the common parent of the paths. */
function findRoot(options: LoadOptions, errors: LoadError[]): string | null {
  const given = options.paths ?? []
  let root: string
  if (options.root !== undefined) root = path.resolve(options.root)
  else if (given.length === 0) {
    errors.push({ code: 'usage', message: 'no paths given: name the config files or folders to scan, or a root' })
    return null
  } else {
    root = [...given.map((p) => dirOf(path.resolve(p))), ...(options.maps ?? []).map((m) => dirOf(m.repo))].reduce(commonParent)
  }
  try {
    const real = realpathSync.native(root)
    if (!statSync(real).isDirectory()) {
      errors.push({ code: 'usage', message: `--root ${root}: not a directory` })
      return null
    }
    for (const m of options.maps ?? []) {
      if (!isInside(real, realOr(m.repo))) errors.push({ code: 'usage', message: `--map ${m.server}=${m.repo}: ${m.repo} is outside the root ${real}; give a --root that holds it` })
    }
    return errors.length > 0 ? null : real
  } catch (e) {
    errors.push({ code: options.root !== undefined ? 'usage' : 'io', message: `${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message}` })
    return null
  }
}

function realOr(p: string): string {
  try {
    return realpathSync.native(p)
  } catch {
    return path.resolve(p)
  }
}

function commonParent(a: string, b: string): string {
  const as = a.split(path.sep)
  const bs = b.split(path.sep)
  let i = 0
  while (i < as.length && i < bs.length && as[i] === bs[i]) i++
  return as.slice(0, i).join(path.sep) || path.sep
}

function dirOf(p: string): string {
  try {
    return statSync(p).isDirectory() ? p : path.dirname(p)
  } catch {
    return path.dirname(p)
  }
}
