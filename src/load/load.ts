// The load step, crossplane-style: find the run's files (on disk or in memory), read and parse
// each once, follow Includes (inside the root only) and WSGIScriptAlias targets, and build the
// Include graph and the environment once, for the model and the transforms to share.
import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { ApacheFile } from '../runner/transform.js'
import type { Root } from '../syntax/types.js'
import { formatDiagnostic } from '../syntax/diagnostics.js'
import type { Skipped } from './discover.js'
import { loadFromDisk } from './disk.js'
import { EMPTY_GRAPH, includeGraph, type IncludeGraph } from './include-graph.js'
import { compareLoaded, fromTree, runEnv, toLoaded, type Loaded } from './loaded.js'
import { isMainConfigName } from './paths.js'

export type { Loaded, Skipped }

export interface InputFile {
  /** Path relative to the root (posix), as it should appear in reports and the patch. */
  path: string
  /** The file's text or bytes, or a tree from `parse` (edited in place by the run). */
  content: string | Uint8Array | Root
  /** `wsgi` for a WSGI script; default: by name (`.wsgi`, `.py`), else `apache`. */
  kind?: 'apache' | 'wsgi'
}

/** What a run reads: files or folders on disk, or files in memory (see MigrateOptions). */
export interface LoadOptions {
  paths?: string[]
  root?: string
  files?: InputFile[]
  /** Apache's environment; wins over an `envvars` file of the run. */
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

export interface LoadResult {
  /** Absolute real path of the root; undefined when there is none to use (`errors` say why). */
  root: string | undefined
  /** Every file read, sorted by path (byte order). */
  files: Loaded[]
  graph: IncludeGraph
  /** The environment `${VAR}` uses: the run's envvars files overlaid with `options.env`. */
  env: Record<string, string>
  /** Path of the main server config (`apache2.conf`, `httpd.conf`), when the run has one. */
  mainConfig?: string
  errors: LoadError[]
  /** What a file's parse warns about (Apache reads it, but not as it looks): the run goes on. */
  warnings: LoadError[]
  skipped: Skipped[]
}

/**
 * Read the run's files once and build what every later step shares. Stops early (no files) on
 * a usage error or when no root can be used.
 */
export function load(options: LoadOptions): LoadResult {
  const errors: LoadError[] = []
  const warnings: LoadError[] = []
  const empty = (root: string | undefined): LoadResult => ({ root, files: [], graph: EMPTY_GRAPH, env: {}, errors, warnings, skipped: [] })
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
    return finish({ root, files, graph, env, errors, warnings, skipped: [] })
  }
  const root = findRoot(options, errors)
  if (root === null) return empty(undefined)
  const disk = loadFromDisk(options, root)
  errors.push(...disk.errors)
  reportParseErrors(disk.files, errors, warnings)
  return finish({ root, files: disk.files, graph: disk.graph, env: runEnv(disk.files, options.env), errors, warnings, skipped: disk.skipped })
}

function finish(result: LoadResult): LoadResult {
  const main = result.files.find((l) => l.file.kind === 'apache' && isMainConfigName(l.file.path))
  return main ? { ...result, mainConfig: main.file.path } : result
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
        message: formatDiagnostic(d, l.file.path),
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
    root = given.map((p) => dirOf(path.resolve(p))).reduce(commonParent)
  }
  try {
    const real = realpathSync.native(root)
    if (!statSync(real).isDirectory()) {
      errors.push({ code: 'usage', message: `--root ${root}: not a directory` })
      return null
    }
    return real
  } catch (e) {
    errors.push({ code: options.root !== undefined ? 'usage' : 'io', message: `${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message}` })
    return null
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
