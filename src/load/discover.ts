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
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { fnmatch, hasWildcard } from './glob.js'
import { compareBytes, isInside, relativeTo } from './paths.js'
import { looksLikeApache } from './sniff.js'

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

/** Why a path was not read: the kinds the "not read" notes count. */
export type SkipCode = 'outside-root' | 'backup' | 'artifact' | 'variable' | 'excluded' | 'not-apache' | 'unreadable'

/** A path that was not read, and why (outside the root, broken symlink, ...). */
export interface Skipped {
  /**
   * Absolute as found while scanning; in a run's result, relative to the report base (the
   * working directory or the root) when inside the root.
   */
  path: string
  code: SkipCode
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
export const CONFIG_DIRS: ReadonlySet<string> = new Set([
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

const TEMPLATE_EXTENSION = /\.(?:j2|jinja2?|erb|tpl|template)$/i

/** Backups and leftovers of editors, package managers, patch(1) and this tool. */
const LEFTOVER =
  /(?:~|\.(?:bak|old|orig|rej|swp|swo|save|tmp|dpkg-(?:old|new|dist|bak|tmp)|rpm(?:new|save|orig)|ucf-(?:old|new|dist)))$/i

/** Names that hold Apache configuration in hosting panels and packages, when their content says so. */
const MAYBE_EXTENSION = /\.(?:stpl|apache|vhost|sample)$|\.conf\.in$/i

/**
 * Whether a file found while scanning a directory is Apache configuration by its name: `yes` for
 * `*.conf` (so `apache2.conf`, `httpd.conf`), `*.wsgi`, any file directly inside one of the usual
 * include folders (`sites-available/example.com`, `mods-available/wsgi.load`) and templates of
 * `*.wsgi`; `maybe` (read it if its content is Apache: `looksLikeApache`) for templates (`*.j2`,
 * `*.jinja2`, `*.erb`, `*.tpl`, `*.template`) of those or with no inner extension (`vhost.j2`),
 * `*.stpl`, `*.apache`, `*.vhost`, `*.conf.in`, `*.sample`; `no` for anything else (`settings.py.j2`),
 * hidden files, backups and leftovers.
 */
export function configNameKind(filePath: string): 'yes' | 'maybe' | 'no' {
  const name = basename(filePath)
  const parent = basename(dirname(filePath))
  if (name.startsWith('.') || name.startsWith('#') || LEFTOVER.test(name)) return 'no'
  const template = TEMPLATE_EXTENSION.exec(name)
  if (template) {
    const inner = name.slice(0, template.index)
    if (inner === '' || inner.startsWith('.') || LEFTOVER.test(inner)) return 'no'
    if (/\.wsgi$/i.test(inner)) return 'yes'
    return !inner.includes('.') || /\.conf$/i.test(inner) || MAYBE_EXTENSION.test(inner) ? 'maybe' : 'no'
  }
  if (/\.(?:conf|wsgi)$/i.test(name) || CONFIG_DIRS.has(parent)) return 'yes'
  return MAYBE_EXTENSION.test(name) ? 'maybe' : 'no'
}

/** Whether the name alone may make a file configuration (`configNameKind` is not `no`). */
export function isConfigFileName(filePath: string): boolean {
  return configNameKind(filePath) !== 'no'
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
  exclude: Excluder
}

/** The --exclude pattern a path (file or folder) matches, or undefined. */
export type Excluder = (path: string) => string | undefined

export interface DiscoverOptions {
  root: string
  /** Files and folders met while scanning that are left out (given paths are always read). */
  exclude?: Excluder
}

/**
 * Finds Apache configuration files under `paths` (files or directories, relative to the current
 * directory). Directories are scanned recursively (skipping `.git` and `node_modules`) for files
 * `isConfigFileName` accepts; a file given explicitly is taken whatever its name. Symlinks are
 * followed only when their real target is inside `root`; anything leaving the root, broken
 * links, special files and unreadable directories are reported in `skipped`.
 */
export function discoverFiles(paths: readonly string[], options: DiscoverOptions): DiscoverResult {
  const scan: Scan = { root: realpath(resolve(options.root)), found: new Set(), skipped: [], visitedDirs: new Set(), exclude: options.exclude ?? (() => undefined) }
  for (const given of paths) scanGiven(scan, resolve(given))
  const keyed = [...scan.found].map((file) => ({ file, key: relativeTo(scan.root, file) }))
  const files = keyed.sort((a, b) => compareBytes(a.key, b.key)).map((k) => k.file)
  return { files, skipped: scan.skipped }
}

/** A path given to scan: a file is taken whatever its name, a directory is scanned. */
function scanGiven(scan: Scan, path: string): void {
  const skip = (reason: string, code: SkipCode = 'unreadable'): void => void scan.skipped.push({ path, code, reason })
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
  if (!isInside(scan.root, real)) return skip(leavesRoot(scan.root, path, real, info.isSymbolicLink()), 'outside-root')
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
    scan.skipped.push({ path: dir, code: 'unreadable', reason: `cannot read directory: ${errorCode(error)}` })
    return
  }
  entries.sort((a, b) => compareBytes(a.name, b.name))
  for (const entry of entries) {
    if (SKIP_DIRS.has(entry.name)) continue
    const full = join(dir, entry.name)
    if (excluded(scan, full, entry.isDirectory() || isConfigFileName(full))) continue
    if (entry.isDirectory()) scanDirectory(scan, full)
    else if (entry.isFile()) takeFile(scan, full, full)
    else if (entry.isSymbolicLink()) scanLink(scan, full)
    else if (isConfigFileName(full)) scan.skipped.push({ path: full, code: 'unreadable', reason: 'not a regular file' })
  }
}

/** Whether --exclude leaves `full` out; `listed`: say so in `skipped` (folders, config files). */
function excluded(scan: Scan, full: string, listed: boolean): boolean {
  const pattern = scan.exclude(full)
  if (pattern === undefined) return false
  if (listed) scan.skipped.push({ path: full, code: 'excluded', reason: `excluded by --exclude ${pattern}` })
  return true
}

/** A regular file met while scanning (real path `real`): taken by its name, or by its content. */
function takeFile(scan: Scan, full: string, real: string): void {
  const kind = configNameKind(full) === 'no' ? configNameKind(real) : configNameKind(full)
  if (kind === 'yes') scan.found.add(real)
  else if (kind === 'maybe') {
    if (looksLikeApache(readHead(real))) scan.found.add(real)
    else scan.skipped.push({ path: full, code: 'not-apache', reason: 'no Apache sections or directives in it; not read (name it to read it)' })
  }
}

/** The first 64 KiB of a file as Latin-1 text ('' when it cannot be read): enough to tell Apache. */
function readHead(path: string): string {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const buffer = Buffer.alloc(65536)
    return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0))
  } catch {
    return ''
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** A symlink met while scanning: followed when its target is inside the root. */
function scanLink(scan: Scan, full: string): void {
  let real: string
  try {
    real = realpath(full)
  } catch (error) {
    if (isConfigFileName(full)) scan.skipped.push({ path: full, code: 'unreadable', reason: describeUnresolvable(full, error) })
    return
  }
  let target
  try {
    target = statSync(real)
  } catch (error) {
    scan.skipped.push({ path: full, code: 'unreadable', reason: `cannot stat: ${errorCode(error)}` })
    return
  }
  const relevant = target.isDirectory() || isConfigFileName(full) || isConfigFileName(real)
  if (!isInside(scan.root, real)) {
    if (relevant) scan.skipped.push({ path: full, code: 'outside-root', reason: leavesRoot(scan.root, full, real, true) })
  } else if (target.isDirectory()) {
    scanDirectory(scan, real)
  } else if (!relevant) {
    // not configuration
  } else if (target.isFile()) {
    takeFile(scan, full, real)
  } else {
    scan.skipped.push({ path: full, code: 'unreadable', reason: 'not a regular file' })
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
 * path is outside `root`, or that is not there and outside `root` by name, goes to `outside` and
 * is neither listed nor read. Special files
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
  if (real === undefined) {
    // Not here, and outside the root by its name: the server may well have it (a repository run).
    if (!isInside(x.root, path)) x.outside.push(path)
    return
  }
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
  if (real === null || (real === undefined && !isInside(x.root, dir))) {
    x.outside.push(join(dir, ...parts))
    return
  }
  if (real === undefined) return
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
