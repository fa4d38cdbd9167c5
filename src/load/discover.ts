// Finding Apache configuration files: by scanning directories, and the way Apache's
// `Include` / `IncludeOptional` expand their argument.
//
// Nothing outside `root` is ever read: every path is checked by its real path (symlinks
// resolved) before a file is returned or a directory is listed.
//
// The file system is read synchronously: thousands of small local directory entries are checked
// much faster without a thread-pool round trip per call, and an entry that a directory listing
// already says is a regular file or directory (not a symlink) needs no realpath or stat at all.
import type { Dirent, Stats } from 'node:fs'
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { fnmatch, hasWildcard } from './glob.js'
import { compareBytes, isInside, relativeTo } from './paths.js'

/** realpath(3), as fs.promises.realpath does it. */
const realpath = (path: string): string => realpathSync.native(path)
/** stat(2), or null when it fails. */
const statOrNull = (path: string): Stats | null => {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

/** A path that was not read, and why (outside the root, broken symlink, ...). */
export interface Skipped {
  /**
   * Absolute as found while scanning; in a run's result, relative to the root when inside it.
   */
  path: string
  reason: string
  /** The file (and line) that pointed at it, when a directive did. */
  file?: string
  line?: number
  column?: number
}

export interface DiscoverResult {
  /** Real paths (symlinks resolved), each once, sorted by their path relative to the root. */
  files: string[]
  skipped: Skipped[]
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
}

/** Folders whose files Apache distributions include wholesale. */
const CONFIG_DIRS = new Set([
  'sites-available',
  'sites-enabled',
  'conf.d',
  'conf-available',
  'conf-enabled',
  'mods-available',
  'mods-enabled',
  'vhosts.d',
])

const SKIP_DIRS = new Set(['.git', 'node_modules'])

const TEMPLATE_EXTENSION = /\.(?:j2|jinja2?|erb|epp|s?tpl|template)$/i

/** Backups and leftovers of editors, package managers, patch(1) and this tool. */
const LEFTOVER =
  /(?:~|\.(?:bak|old|orig|rej|swp|swo|save|tmp|dpkg-(?:old|new|dist|bak|tmp)|rpm(?:new|save|orig)|ucf-(?:old|new|dist)))$/i

/**
 * Whether a file found while scanning a directory looks like Apache configuration:
 * `*.conf` (so `apache2.conf`, `httpd.conf`), `*.wsgi`, any file directly inside one of the
 * usual include folders (`sites-available/example.com`, `mods-available/wsgi.load`), and
 * templates of those (`*.j2`, `*.jinja2`, `*.erb`, `*.epp`, `*.tpl`, `*.stpl`, `*.template`:
 * `kallithea.conf.j2`, or `vhost.j2` and Hestia's `wsgi.stpl` with no inner extension). Hidden
 * files, backups and leftovers are not.
 */
export function isConfigFileName(filePath: string): boolean {
  const name = basename(filePath)
  const parent = basename(dirname(filePath))
  if (name.startsWith('.') || name.startsWith('#') || LEFTOVER.test(name)) return false
  let inner = name
  const template = TEMPLATE_EXTENSION.exec(name)
  if (template) {
    inner = name.slice(0, template.index)
    if (inner === '' || inner.startsWith('.') || LEFTOVER.test(inner)) return false
    if (!inner.includes('.')) return true
  }
  if (/\.(?:conf|wsgi)$/i.test(inner)) return true
  return CONFIG_DIRS.has(parent)
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? String(error)
}

/** What one discovery run has found so far. */
interface Scan {
  root: string
  found: Set<string>
  skipped: Skipped[]
  visitedDirs: Set<string>
}

/**
 * Finds Apache configuration files under `paths` (files or directories, relative to the current
 * directory). Directories are scanned recursively (skipping `.git` and `node_modules`) for files
 * `isConfigFileName` accepts; a file given explicitly is taken whatever its name. Symlinks are
 * followed only when their real target is inside `root`; anything leaving the root, broken
 * links, special files and unreadable directories are reported in `skipped`.
 */
export function discoverFiles(paths: readonly string[], options: { root: string }): DiscoverResult {
  const scan: Scan = { root: realpath(resolve(options.root)), found: new Set(), skipped: [], visitedDirs: new Set() }
  for (const given of paths) scanGiven(scan, resolve(given))
  const keyed = [...scan.found].map((file) => ({ file, key: relativeTo(scan.root, file) }))
  const files = keyed.sort((a, b) => compareBytes(a.key, b.key)).map((k) => k.file)
  return { files, skipped: scan.skipped }
}

/** A path given to scan: a file is taken whatever its name, a directory is scanned. */
function scanGiven(scan: Scan, path: string): void {
  const skip = (reason: string): void => void scan.skipped.push({ path, reason })
  let info
  try {
    info = lstatSync(path)
  } catch (error) {
    return skip(errorCode(error) === 'ENOENT' ? 'does not exist' : `cannot stat: ${errorCode(error)}`)
  }
  let real: string
  try {
    real = realpath(path)
  } catch (error) {
    return skip(describeUnresolvable(path, error))
  }
  if (!isInside(scan.root, real)) return skip(leavesRoot(scan.root, path, real, info.isSymbolicLink()))
  const target = info.isSymbolicLink() ? statOrNull(real) : info
  if (target === null) skip('cannot stat the target')
  else if (target.isDirectory()) scanDirectory(scan, real)
  else if (target.isFile()) scan.found.add(real)
  else skip('not a regular file')
}

/** Scan `dir`, a real path inside the root (so its plain entries are inside too). */
function scanDirectory(scan: Scan, dir: string): void {
  if (scan.visitedDirs.has(dir)) return
  scan.visitedDirs.add(dir)
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch (error) {
    scan.skipped.push({ path: dir, reason: `cannot read directory: ${errorCode(error)}` })
    return
  }
  entries.sort((a, b) => compareBytes(a.name, b.name))
  for (const entry of entries) {
    if (SKIP_DIRS.has(entry.name)) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) scanDirectory(scan, full)
    else if (entry.isFile()) {
      if (isConfigFileName(full)) scan.found.add(full)
    } else if (entry.isSymbolicLink()) scanLink(scan, full)
    else if (isConfigFileName(full)) scan.skipped.push({ path: full, reason: 'not a regular file' })
  }
}

/** A symlink met while scanning: followed when its target is inside the root. */
function scanLink(scan: Scan, full: string): void {
  let real: string
  try {
    real = realpath(full)
  } catch (error) {
    if (isConfigFileName(full)) scan.skipped.push({ path: full, reason: describeUnresolvable(full, error) })
    return
  }
  let target
  try {
    target = statSync(real)
  } catch (error) {
    scan.skipped.push({ path: full, reason: `cannot stat: ${errorCode(error)}` })
    return
  }
  const relevant = target.isDirectory() || isConfigFileName(full) || isConfigFileName(real)
  if (!isInside(scan.root, real)) {
    if (relevant) scan.skipped.push({ path: full, reason: leavesRoot(scan.root, full, real, true) })
  } else if (target.isDirectory()) {
    scanDirectory(scan, real)
  } else if (!relevant) {
    // not configuration
  } else if (target.isFile()) {
    scan.found.add(real)
  } else {
    scan.skipped.push({ path: full, reason: 'not a regular file' })
  }
}

function describeUnresolvable(path: string, error: unknown): string {
  const code = errorCode(error)
  if (code === 'ELOOP') return 'symlink loop'
  if (code === 'ENOENT') {
    let target: string | null
    try {
      target = readlinkSync(path)
    } catch {
      target = null
    }
    return target === null ? 'does not exist' : `broken symlink (-> ${target})`
  }
  return `cannot resolve: ${code}`
}

function leavesRoot(root: string, path: string, real: string, isLink: boolean): string {
  if (isLink) return `symlink leaves the root (-> ${real})`
  if (isInside(root, resolve(path))) return `leaves the root through a symlink (-> ${real})`
  return `outside the root (${root})`
}

/** Apache's limit on nested includes (AP_MAX_INCLUDE_DEPTH). */
const MAX_INCLUDE_DEPTH = 128

/** What one Include pattern has pulled in so far. */
interface IncludeScan {
  root: string
  files: string[]
  outside: string[]
  /** Directories being expanded, against symlink cycles. */
  active: Set<string>
}

/**
 * The files an `Include` / `IncludeOptional` argument names, following Apache 2.4
 * (`ap_process_fnmatch_configs`): relative to `serverRoot`; wildcards in any component; a
 * wildcard in a directory component matches only real directories (not symlinks to them, as
 * Apache reads the entry type); a directory (named or matched) means every file in it,
 * recursively, hidden ones included; each directory listing is sorted by byte order. A path
 * that does not exist or a wildcard that matches nothing gives no files. Anything whose real
 * path is outside `root` goes to `outside` and is neither listed nor read. Special files
 * (FIFOs, devices) are left out. Files are returned by real path; `outside` holds the
 * paths as Apache names them.
 */
export function resolveIncludePattern(pattern: string, options: { serverRoot: string; root: string }): IncludeResult {
  const x: IncludeScan = { root: realpath(resolve(options.root)), files: [], outside: [], active: new Set() }
  const full = isAbsolute(pattern) ? resolve(pattern) : resolve(options.serverRoot, pattern)
  if (!hasWildcard(full)) includePath(x, full, 0)
  else includeMatching(x, sep, full.split(sep).filter((part) => part !== ''), 0)
  return { files: x.files, outside: x.outside }
}

/** The real path of `path` when inside the root; null when outside; undefined when not there. */
function realInside(x: IncludeScan, path: string): string | null | undefined {
  try {
    const real = realpath(path)
    return isInside(x.root, real) ? real : null
  } catch {
    return undefined // does not exist (or cannot be resolved)
  }
}

/** Include `path` (as Apache names it); its real path and type are looked up. */
function includePath(x: IncludeScan, path: string, depth: number): void {
  if (depth > MAX_INCLUDE_DEPTH) return
  const real = realInside(x, path)
  if (real === undefined) return
  if (real === null) {
    x.outside.push(path)
    return
  }
  const info = statOrNull(real)
  if (info === null) return
  if (info.isFile()) x.files.push(real)
  else if (info.isDirectory()) includeDirectory(x, path, real, depth)
}

/**
 * Include the entry `name` of the directory `dir` (real path `realDir`, inside the root), whose
 * type the listing gave: a plain file or directory is at `realDir/name`, inside the root, with
 * no realpath or stat needed; a symlink (or an unknown type) is looked up like any path.
 */
function includeEntry(x: IncludeScan, dir: string, realDir: string, entry: Dirent, depth: number): void {
  if (depth > MAX_INCLUDE_DEPTH) return
  const path = join(dir, entry.name)
  if (entry.isFile()) x.files.push(join(realDir, entry.name))
  else if (entry.isDirectory()) includeDirectory(x, path, join(realDir, entry.name), depth)
  else if (entry.isSymbolicLink() || !isSpecial(entry)) includePath(x, path, depth)
  // FIFOs, sockets and devices are left out.
}

/** Every file below the directory `path` (real path `real`), recursively, in Apache order. */
function includeDirectory(x: IncludeScan, path: string, real: string, depth: number): void {
  if (x.active.has(real)) return
  x.active.add(real)
  let entries: Dirent[]
  try {
    entries = readdirSync(real, { withFileTypes: true })
  } catch {
    entries = []
  }
  entries.sort((a, b) => compareBytes(a.name, b.name))
  for (const entry of entries) includeEntry(x, path, real, entry, depth + 1)
  x.active.delete(real)
}

/** Components `parts` below `dir`: literal ones are joined, wildcard ones listed and matched. */
function includeMatching(x: IncludeScan, dir: string, parts: readonly string[], depth: number): void {
  const [part, ...rest] = parts
  if (part === undefined) return includePath(x, dir, depth)
  if (!hasWildcard(part)) return includeMatching(x, join(dir, part), rest, depth)
  const real = realInside(x, dir)
  if (real === undefined) return
  if (real === null) {
    x.outside.push(join(dir, ...parts))
    return
  }
  let entries: Dirent[]
  try {
    entries = readdirSync(real, { withFileTypes: true })
  } catch {
    return
  }
  const matches = entries
    .filter((entry) => fnmatch(part, entry.name, { period: true }) && (rest.length === 0 || entry.isDirectory()))
    .sort((a, b) => compareBytes(a.name, b.name))
  for (const entry of matches) {
    if (rest.length === 0) includeEntry(x, dir, real, entry, depth)
    else includeMatching(x, join(dir, entry.name), rest, depth)
  }
}

/** A FIFO, socket or device: never configuration. */
function isSpecial(entry: Dirent): boolean {
  return entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()
}

/** `/etc/apache2` (Debian) or `/etc/httpd` (Red Hat), whichever is a directory; else null. */
export function defaultConfigRoot(candidates: readonly string[] = ['/etc/apache2', '/etc/httpd']): string | null {
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isDirectory()) return candidate
    } catch {
      // not there
    }
  }
  return null
}
