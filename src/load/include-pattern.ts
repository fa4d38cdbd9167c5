// What an `Include` / `IncludeOptional` argument expands to on disk, as Apache 2.4 does it
// (`ap_process_fnmatch_configs`), inside the root only.
//
// The expansion is a loop over a stack of steps, not a recursion: folders nest as deep as a
// hostile tree makes them, and patterns have as many components as a line can hold.
import type { Stats } from 'node:fs'
import { realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve, sep } from 'node:path'
import { listDirectory, NOT_UTF8, type Entry, type Listing } from './entries.js'
import { fnmatch, hasWildcard } from './glob.js'
import { blockedFolder, isDenied, isInside } from './paths.js'
import { unreadableReason } from './read.js'

/** A path the pattern leads to that cannot be read. */
export interface IncludeFailure {
  /** As Apache names it (below the pattern's folder); a name that is not UTF-8 with its odd bytes as `\xHH`. */
  path: string
  /**
   * `not-utf8`: a file or folder whose name is not UTF-8 (Apache reads it; this tool cannot name
   * it); `directory`: a folder that cannot be listed, or nested deeper than Apache allows (Apache
   * refuses to start on either).
   */
  kind: 'not-utf8' | 'directory'
  /** One line, for `path: reason`. */
  reason: string
}

export interface IncludeResult {
  /**
   * Real paths (symlinks resolved, so they match `discoverFiles`) of the files Apache would
   * read, in Apache's order. A file reached twice under different names is listed twice, as
   * Apache reads it twice.
   */
  files: string[]
  /** Paths or remaining patterns whose real path lies outside the root; never read. */
  outside: string[]
  /** What it leads to that cannot be read, in Apache's order. */
  failed: IncludeFailure[]
}

/** Apache's limit on folders nested below an Include (AP_MAX_INCLUDE_DIR_DEPTH). */
const MAX_DIR_DEPTH = 128

/** One step of an expansion; the stack holds them last first. */
type Step =
  /** Include `path` (as Apache names it); its real path and type are looked up. */
  | { do: 'path'; path: string; depth: number }
  /** An entry of the listed folder `dir` (real path `realDir`, inside the root). */
  | { do: 'entry'; dir: string; realDir: string; entry: Entry; depth: number }
  /** The components `parts[index..]` of the pattern below `dir`. */
  | { do: 'match'; dir: string; index: number }
  /** A folder read whole is done: it may be reached again (by another name). */
  | { do: 'leave'; real: string }

/** One expansion under way. */
interface Expansion {
  root: string
  parts: readonly string[]
  result: IncludeResult
  /** Folders being read whole, against symlink cycles. */
  active: Set<string>
  stack: Step[]
}

/**
 * The files an `Include` / `IncludeOptional` argument names, following Apache 2.4: relative to
 * `serverRoot`; wildcards in any component; a wildcard in a directory component matches only
 * real directories (not symlinks to them, as Apache reads the entry type); a directory (named or
 * matched) means every file in it, recursively, hidden ones included; each directory listing is
 * sorted by byte order. A path that does not exist or a wildcard that matches nothing gives no
 * files. Anything whose real path is outside `root`, or that is not there and outside `root` by
 * name, goes to `outside` and is neither listed nor read. Special files (FIFOs, devices) are left
 * out. Files are returned by real path; `outside` holds the paths as Apache names them.
 */
export function resolveIncludePattern(pattern: string, options: { serverRoot: string; root: string }): IncludeResult {
  const full = absolutePattern(pattern, options.serverRoot)
  const wild = hasWildcard(full)
  const x: Expansion = {
    root: realpathSync.native(resolve(options.root)),
    parts: wild ? full.split(sep).filter((part) => part !== '') : [],
    result: { files: [], outside: [], failed: [] },
    active: new Set(),
    stack: [wild ? { do: 'match', dir: sep, index: 0 } : { do: 'path', path: full, depth: 0 }],
  }
  for (let step = x.stack.pop(); step !== undefined; step = x.stack.pop()) STEPS[step.do](x, step as never)
  return x.result
}

/** An Include argument as the absolute pattern Apache expands: relative ones from ServerRoot. */
const absolutePattern = (pattern: string, serverRoot: string): string => (isAbsolute(pattern) ? resolve(pattern) : resolve(serverRoot, pattern))

/** An Include of the run, as a pattern on disk: what it names, and where it is written. */
export interface DiskInclude {
  /** Absolute; the folder before its first wildcard (or the whole path, without one) made real. */
  pattern: string
  /** The folder Apache lists to expand it (the pattern itself when it has no wildcard). */
  base: string
  /** `Include x` / `IncludeOptional x` as written, and where. */
  directive: string
  file: string
  line?: number
}

/** The pattern on disk of an Include argument (after --map), for `includeReads`. */
export function diskInclude(pattern: string, serverRoot: string): Pick<DiskInclude, 'pattern' | 'base'> {
  const parts = absolutePattern(pattern, serverRoot).split(sep)
  const first = parts.findIndex((part) => hasWildcard(part))
  const head = (first === -1 ? parts : parts.slice(0, first)).join(sep) || sep
  let base = head
  try {
    base = realpathSync.native(head)
  } catch {
    // not there (yet): as written
  }
  return { pattern: first === -1 ? base : join(base, ...parts.slice(first)), base }
}

/** Whether Apache, expanding the Include, reads `file` (absolute): a match, or a file below a folder it names. */
export function includeReads(include: Pick<DiskInclude, 'pattern'>, file: string): boolean {
  return fnmatch(include.pattern, file, { pathname: true, period: true, leadingDir: true })
}

const STEPS: { [K in Step['do']]: (x: Expansion, step: Extract<Step, { do: K }>) => void } = {
  path: (x, { path, depth }) => includePath(x, path, depth),
  entry: includeEntry,
  match: includeMatching,
  leave: (x, { real }) => void x.active.delete(real),
}

/**
 * The real path of `path` when inside the root; null when outside; undefined when not there, or
 * when a folder on the way cannot be entered (a failure, as a folder that cannot be listed: Apache
 * cannot read it either, and what it holds is unknown).
 */
function realInside(x: Expansion, path: string): string | null | undefined {
  try {
    const real = realpathSync.native(path)
    return isInside(x.root, real) ? real : null
  } catch (error) {
    if (isDenied(error)) x.result.failed.push({ path: blockedFolder(path), kind: 'directory', reason: unreadableReason(error, 'directory') })
    return undefined // does not exist (or cannot be resolved)
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

function includePath(x: Expansion, path: string, depth: number): void {
  const real = realInside(x, path)
  if (real === undefined) {
    // Not here, and outside the root by its name: the server may well have it (a repository run).
    if (!isInside(x.root, path)) x.result.outside.push(path)
    return
  }
  if (real === null) {
    x.result.outside.push(path)
    return
  }
  const info = statOrNull(real)
  if (info === null) return
  if (info.isFile()) x.result.files.push(real)
  else if (info.isDirectory()) includeDirectory(x, path, real, depth)
}

/**
 * An entry whose type the listing gave: a plain file or directory is at `realDir/name`, inside
 * the root, with no realpath or stat needed; a symlink (or an unknown type) is looked up like
 * any path. FIFOs, sockets and devices are left out.
 */
function includeEntry(x: Expansion, { dir, realDir, entry, depth }: Extract<Step, { do: 'entry' }>): void {
  const path = join(dir, entry.name)
  if (entry.isFile()) x.result.files.push(join(realDir, entry.name))
  else if (entry.isDirectory()) includeDirectory(x, path, join(realDir, entry.name), depth)
  else if (entry.isSymbolicLink() || !isSpecial(entry)) includePath(x, path, depth)
}

/** Every file below the directory `path` (real path `real`), in Apache order: its entries go on the stack. */
function includeDirectory(x: Expansion, path: string, real: string, depth: number): void {
  if (x.active.has(real)) return
  if (depth >= MAX_DIR_DEPTH) {
    const reason = `more than ${MAX_DIR_DEPTH} folders deep, counting the one included; Apache refuses that (maximum include directory nesting level ${MAX_DIR_DEPTH}): flatten it`
    x.result.failed.push({ path, kind: 'directory', reason })
    return
  }
  const listing = list(x, path, real)
  if (listing === null) return
  x.active.add(real)
  x.stack.push({ do: 'leave', real })
  const steps = listing.entries.map((entry): Step => ({ do: 'entry', dir: path, realDir: real, entry, depth: depth + 1 }))
  for (let i = steps.length - 1; i >= 0; i--) x.stack.push(steps[i]!)
  for (const entry of listing.notUtf8) if (!isSpecial(entry)) notUtf8(x, join(path, entry.name))
}

/** The components `parts[index..]` below `dir`: literal ones are joined, wildcard ones listed and matched. */
function includeMatching(x: Expansion, { dir: from, index: first }: Extract<Step, { do: 'match' }>): void {
  const { parts } = x
  let dir = from
  let index = first
  while (index < parts.length && !hasWildcard(parts[index]!)) dir = join(dir, parts[index++]!)
  if (index === parts.length) return includePath(x, dir, 0)
  const part = parts[index]!
  const last = index === parts.length - 1
  const real = realInside(x, dir)
  if (real === null || (real === undefined && !isInside(x.root, dir))) {
    x.result.outside.push(join(dir, ...parts.slice(index)))
    return
  }
  if (real === undefined) return
  const listing = list(x, dir, real)
  if (listing === null) return
  const matches = (entry: Entry): boolean => fnmatch(part, entry.name, { period: true }) && (last || entry.isDirectory())
  const steps = listing.entries
    .filter(matches)
    .map((entry): Step => (last ? { do: 'entry', dir, realDir: real, entry, depth: 0 } : { do: 'match', dir: join(dir, entry.name), index: index + 1 }))
  for (let i = steps.length - 1; i >= 0; i--) x.stack.push(steps[i]!)
  for (const entry of listing.notUtf8) if (matches(entry) && !isSpecial(entry)) notUtf8(x, join(dir, entry.name))
}

/** The listing of `real` (named `path`); null, with the failure recorded, when it cannot be read. */
function list(x: Expansion, path: string, real: string): Listing | null {
  try {
    return listDirectory(real)
  } catch (error) {
    x.result.failed.push({ path, kind: 'directory', reason: unreadableReason(error, 'directory') })
    return null
  }
}

function notUtf8(x: Expansion, path: string): void {
  x.result.failed.push({ path, kind: 'not-utf8', reason: NOT_UTF8 })
}

/** A FIFO, socket or device: never configuration. */
function isSpecial(entry: Entry): boolean {
  return entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()
}
