// Finding Apache configuration files by scanning directories (Include patterns: include-pattern.ts).
//
// Nothing outside `root` is ever read: every path is checked by its real path (symlinks
// resolved) before a file is returned or a directory is listed.
//
// The file system is read synchronously: thousands of small local directory entries are checked
// much faster without a thread-pool round trip per call, and an entry that a directory listing
// already says is a regular file or directory (not a symlink) needs no realpath or stat at all.
// Folders are walked with a stack of listings, not by recursion: a hostile tree nests as deep as
// it likes.
import type { Stats } from 'node:fs'
import { closeSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { isStaleTemporary, STALE_TEMPORARY } from '../runner/artifacts.js'
import { listDirectory, NOT_UTF8, type Entry } from './entries.js'
import { blockedFolder, compareBytes, isDenied, isInside, realOrNull, relativeTo } from './paths.js'
import { unreadableReason } from './read.js'
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
export type SkipCode = 'outside-root' | 'backup' | 'artifact' | 'variable' | 'excluded' | 'not-apache' | 'not-utf8' | 'unreadable'

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
  /** Folders that could not be listed (real paths): like a file that cannot be read, an error. */
  unreadable: Array<{ path: string; reason: string }>
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

const TEMPLATE_EXTENSION = /\.(?:j2|jinja2?|erb|epp|s?tpl|template)$/i

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
 * `*.jinja2`, `*.erb`, `*.epp`, `*.tpl`, `*.template`) of those or with no inner extension
 * (`vhost.j2`), `*.stpl`, `*.apache`, `*.vhost`, `*.conf.in`, `*.sample`; `no` for anything else
 * (`settings.py.j2`), hidden files, backups and leftovers.
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
  unreadable: DiscoverResult['unreadable']
  visitedDirs: Set<string>
  exclude: Excluder
  /** The folders being scanned, innermost last, each with the entries still to see. */
  stack: Array<{ dir: string; entries: Entry[]; next: number }>
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
 * links, special files and names that are not UTF-8 are reported in `skipped`; directories that
 * cannot be listed in `unreadable`.
 */
export function discoverFiles(paths: readonly string[], options: DiscoverOptions): DiscoverResult {
  const scan: Scan = {
    root: realpath(resolve(options.root)), found: new Set(), skipped: [], unreadable: [], visitedDirs: new Set(),
    exclude: options.exclude ?? (() => undefined), stack: [],
  }
  for (const given of paths) {
    scanGiven(scan, resolve(given))
    for (let top = scan.stack.at(-1); top !== undefined; top = scan.stack.at(-1)) {
      const entry = top.entries[top.next++]
      if (entry === undefined) scan.stack.pop()
      else scanEntry(scan, top.dir, entry)
    }
  }
  const keyed = [...scan.found].map((file) => ({ file, key: relativeTo(scan.root, file) }))
  const files = keyed.sort((a, b) => compareBytes(a.key, b.key)).map((k) => k.file)
  return { files, skipped: scan.skipped, unreadable: scan.unreadable }
}

/** A path given to scan: a file is taken whatever its name, a directory is scanned. */
function scanGiven(scan: Scan, path: string): void {
  const skip = (reason: string, code: SkipCode = 'unreadable'): void => void scan.skipped.push({ path, code, reason })
  let info
  try {
    info = lstatSync(path)
  } catch (error) {
    // A folder on the way cannot be entered: that folder is the error, as when it cannot be listed.
    if (isDenied(error)) {
      const folder = blockedFolder(path)
      return void scan.unreadable.push({ path: realOrNull(folder) ?? folder, reason: unreadableReason(error, 'directory') })
    }
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

/** Scan `dir`, a real path inside the root (so its plain entries are inside too): its entries go on the stack. */
function scanDirectory(scan: Scan, dir: string): void {
  if (scan.visitedDirs.has(dir)) return
  scan.visitedDirs.add(dir)
  let listing
  try {
    listing = listDirectory(dir)
  } catch (error) {
    scan.unreadable.push({ path: dir, reason: unreadableReason(error, 'directory') })
    return
  }
  for (const entry of listing.notUtf8) {
    const full = join(dir, entry.name)
    if (entry.isDirectory() || isConfigFileName(full)) scan.skipped.push({ path: full, code: 'not-utf8', reason: NOT_UTF8 })
  }
  scan.stack.push({ dir, entries: listing.entries, next: 0 })
}

/** One entry of the folder `dir` (a real path inside the root). */
function scanEntry(scan: Scan, dir: string, entry: Entry): void {
  if (SKIP_DIRS.has(entry.name)) return
  const full = join(dir, entry.name)
  // Hidden, so never taken; but one a killed run left is said, for someone to clean up.
  if (entry.isFile() && isStaleTemporary(full)) return void scan.skipped.push({ path: full, code: 'artifact', reason: STALE_TEMPORARY })
  if (excluded(scan, full, entry.isDirectory() || isConfigFileName(full))) return
  if (entry.isDirectory()) scanDirectory(scan, full)
  else if (entry.isFile()) takeFile(scan, full, full)
  else if (entry.isSymbolicLink()) scanLink(scan, full)
  else if (isConfigFileName(full)) scan.skipped.push({ path: full, code: 'unreadable', reason: 'not a regular file' })
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
