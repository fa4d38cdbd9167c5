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
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

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

export interface Skipped {
  /** The path as given or as found while scanning (absolute). */
  path: string
  reason: string
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

const TEMPLATE_EXTENSION = /\.(?:j2|jinja2?|erb|tpl|template)$/i

/** Backups and leftovers of editors, package managers, patch(1) and this tool. */
const LEFTOVER =
  /(?:~|\.(?:bak|old|orig|rej|swp|swo|save|tmp|dpkg-(?:old|new|dist|bak|tmp)|rpm(?:new|save|orig)|ucf-(?:old|new|dist)))$/i

/**
 * Whether a file found while scanning a directory looks like Apache configuration:
 * `*.conf` (so `apache2.conf`, `httpd.conf`), `*.wsgi`, any file directly inside one of the
 * usual include folders (`sites-available/example.com`, `mods-available/wsgi.load`), and
 * templates of those (`*.j2`, `*.jinja2`, `*.erb`, `*.tpl`, `*.template`: `kallithea.conf.j2`,
 * or `vhost.j2` with no inner extension). Hidden files, backups and leftovers are not.
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

/**
 * Byte order of the UTF-8 encodings (like `strcmp`, which Apache sorts with). UTF-16 code units
 * below the surrogates (U+D800) sort as their UTF-8 bytes do, so only names that differ at a
 * surrogate or beyond (or end on one) need the encodings compared.
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x < 0xd800 && y < 0xd800) return x - y
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  }
  if (a.length === b.length) return 0
  const last = n > 0 ? a.charCodeAt(n - 1) : 0
  if (last >= 0xd800 && last <= 0xdbff) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  return a.length - b.length
}

function isInside(root: string, path: string): boolean {
  if (path === root) return true
  const prefix = root.endsWith(sep) ? root : root + sep
  return path.startsWith(prefix)
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? String(error)
}

/**
 * Finds Apache configuration files under `paths` (files or directories, relative to the current
 * directory). Directories are scanned recursively (skipping `.git` and `node_modules`) for files
 * `isConfigFileName` accepts; a file given explicitly is taken whatever its name. Symlinks are
 * followed only when their real target is inside `root`; anything leaving the root, broken
 * links, special files and unreadable directories are reported in `skipped`.
 */
export async function discoverFiles(
  paths: readonly string[],
  options: { root: string },
): Promise<DiscoverResult> {
  const root = realpath(resolve(options.root))
  const found = new Set<string>()
  const skipped: Skipped[] = []
  const visitedDirs = new Set<string>()

  const describeUnresolvable = (path: string, error: unknown): string => {
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

  const leavesRoot = (path: string, real: string, isLink: boolean): string => {
    if (isLink) return `symlink leaves the root (-> ${real})`
    if (isInside(root, resolve(path))) return `leaves the root through a symlink (-> ${real})`
    return `outside the root (${root})`
  }

  // `dir` is a real path inside the root, so its plain entries are too.
  const walk = (dir: string): void => {
    if (visitedDirs.has(dir)) return
    visitedDirs.add(dir)
    let entries: Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch (error) {
      skipped.push({ path: dir, reason: `cannot read directory: ${errorCode(error)}` })
      return
    }
    entries.sort((a, b) => compareBytes(a.name, b.name))
    for (const entry of entries) {
      if (SKIP_DIRS.has(entry.name)) continue
      const full = join(dir, entry.name)
      if (entry.isDirectory()) {
        walk(full)
      } else if (entry.isFile()) {
        if (isConfigFileName(full)) found.add(full)
      } else if (entry.isSymbolicLink()) {
        let real: string
        try {
          real = realpath(full)
        } catch (error) {
          if (isConfigFileName(full)) {
            skipped.push({ path: full, reason: describeUnresolvable(full, error) })
          }
          continue
        }
        let target
        try {
          target = statSync(real)
        } catch (error) {
          skipped.push({ path: full, reason: `cannot stat: ${errorCode(error)}` })
          continue
        }
        const relevant = target.isDirectory() || isConfigFileName(full) || isConfigFileName(real)
        if (!isInside(root, real)) {
          if (relevant) skipped.push({ path: full, reason: leavesRoot(full, real, true) })
        } else if (target.isDirectory()) {
          walk(real)
        } else if (!relevant) {
          // not configuration
        } else if (target.isFile()) {
          found.add(real)
        } else {
          skipped.push({ path: full, reason: 'not a regular file' })
        }
      } else if (isConfigFileName(full)) {
        skipped.push({ path: full, reason: 'not a regular file' })
      }
    }
  }

  for (const given of paths) {
    const path = resolve(given)
    let info
    try {
      info = lstatSync(path)
    } catch (error) {
      skipped.push({ path, reason: errorCode(error) === 'ENOENT' ? 'does not exist' : `cannot stat: ${errorCode(error)}` })
      continue
    }
    let real: string
    try {
      real = realpath(path)
    } catch (error) {
      skipped.push({ path, reason: describeUnresolvable(path, error) })
      continue
    }
    if (!isInside(root, real)) {
      skipped.push({ path, reason: leavesRoot(path, real, info.isSymbolicLink()) })
      continue
    }
    const target = info.isSymbolicLink() ? statOrNull(real) : info
    if (target === null) skipped.push({ path, reason: 'cannot stat the target' })
    else if (target.isDirectory()) walk(real)
    else if (target.isFile()) found.add(real)
    else skipped.push({ path, reason: 'not a regular file' })
  }

  const keyed = [...found].map((file) => ({ file, key: relative(root, file).split(sep).join('/') }))
  const files = keyed.sort((a, b) => compareBytes(a.key, b.key)).map((k) => k.file)
  return { files, skipped }
}

/** Apache's `apr_fnmatch_test`: `*`, `?`, or `[` with a `]` after it; `\` escapes. */
export function hasWildcard(pattern: string): boolean {
  let brackets = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '?' || c === '*') return true
    if (c === '\\') {
      i++
      if (i >= pattern.length) return false
    } else if (c === '[') brackets++
    else if (c === ']' && brackets > 0) return true
  }
  return false
}

/**
 * Apache's `apr_fnmatch(pattern, name, APR_FNM_PERIOD)` for one path component: `*`, `?`,
 * `[abc]`, `[a-z]`, `[!x]` / `[^x]`, `\` escapes; a `[` without a closing `]` is literal; a
 * leading `.` in `name` must be matched by a literal `.`. Case-sensitive. (Apache compares
 * bytes; this compares UTF-16 code units, which differs only for `?` and brackets against
 * non-ASCII names.)
 */
export function fnmatch(pattern: string, name: string): boolean {
  if (name.startsWith('.') && !(pattern.startsWith('.') || pattern.startsWith('\\.'))) return false
  let p = 0
  let s = 0
  let starP = -1
  let starS = 0
  while (s < name.length) {
    if (p < pattern.length && pattern[p] === '*') {
      while (pattern[p] === '*') p++
      starP = p
      starS = s
      continue
    }
    const next = p < pattern.length ? matchOne(pattern, p, name[s]!) : null
    if (next !== null) {
      p = next
      s++
    } else if (starP >= 0) {
      p = starP
      s = ++starS
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

/** Matches one pattern token at `p` against `ch`; the index after the token, or null. */
function matchOne(pattern: string, p: number, ch: string): number | null {
  const c = pattern[p]!
  if (c === '?') return p + 1
  if (c === '[') {
    const bracket = matchBracket(pattern, p, ch)
    if (bracket !== undefined) return bracket.matched ? bracket.end : null
    return ch === '[' ? p + 1 : null // no closing bracket: a literal '['
  }
  if (c === '\\' && p + 1 < pattern.length) return pattern[p + 1] === ch ? p + 2 : null
  return c === ch ? p + 1 : null
}

/** A bracket expression at `start` (a `[`); undefined if it is not closed. */
function matchBracket(pattern: string, start: number, ch: string): { matched: boolean; end: number } | undefined {
  let i = start + 1
  const negate = pattern[i] === '!' || pattern[i] === '^'
  if (negate) i++
  let matched = false
  let first = true
  while (i < pattern.length) {
    let c = pattern[i]!
    if (c === ']' && !first) return { matched: matched !== negate, end: i + 1 }
    first = false
    if (c === '\\') {
      i++
      if (i >= pattern.length) return undefined
      c = pattern[i]!
    }
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      let endIndex = i + 2
      if (pattern[endIndex] === '\\') endIndex++
      if (endIndex >= pattern.length) return undefined
      const high = pattern[endIndex]!
      if (ch >= c && ch <= high) matched = true
      i = endIndex + 1
      continue
    }
    if (ch === c) matched = true
    i++
  }
  return undefined
}

/** Apache's limit on nested includes (AP_MAX_INCLUDE_DEPTH). */
const MAX_INCLUDE_DEPTH = 128

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
export async function resolveIncludePattern(
  pattern: string,
  options: { serverRoot: string; root: string },
): Promise<IncludeResult> {
  const root = realpath(resolve(options.root))
  const full = isAbsolute(pattern) ? resolve(pattern) : resolve(options.serverRoot, pattern)
  const files: string[] = []
  const outside: string[] = []
  const active = new Set<string>() // directories being expanded, against symlink cycles

  const realInside = (path: string): string | null | undefined => {
    try {
      const real = realpath(path)
      return isInside(root, real) ? real : null
    } catch {
      return undefined // does not exist (or cannot be resolved)
    }
  }

  /** Include `path` (as Apache names it); its real path and type are looked up. */
  const includePath = (path: string, depth: number): void => {
    if (depth > MAX_INCLUDE_DEPTH) return
    const real = realInside(path)
    if (real === undefined) return
    if (real === null) {
      outside.push(path)
      return
    }
    const info = statOrNull(real)
    if (info === null) return
    if (info.isFile()) files.push(real)
    else if (info.isDirectory()) includeDirectory(path, real, depth)
  }

  /**
   * Include the entry `name` of the directory `dir` (real path `realDir`, inside the root), whose
   * type the listing gave: a plain file or directory is at `realDir/name`, inside the root, with
   * no realpath or stat needed; a symlink (or an unknown type) is looked up like any path.
   */
  const includeEntry = (dir: string, realDir: string, entry: Dirent, depth: number): void => {
    if (depth > MAX_INCLUDE_DEPTH) return
    const path = join(dir, entry.name)
    if (entry.isFile()) files.push(join(realDir, entry.name))
    else if (entry.isDirectory()) includeDirectory(path, join(realDir, entry.name), depth)
    else if (entry.isSymbolicLink() || !isSpecial(entry)) includePath(path, depth)
    // FIFOs, sockets and devices are left out.
  }

  /** Every file below the directory `path` (real path `real`), recursively, in Apache order. */
  const includeDirectory = (path: string, real: string, depth: number): void => {
    if (active.has(real)) return
    active.add(real)
    let entries: Dirent[]
    try {
      entries = readdirSync(real, { withFileTypes: true })
    } catch {
      entries = []
    }
    entries.sort((a, b) => compareBytes(a.name, b.name))
    for (const entry of entries) includeEntry(path, real, entry, depth + 1)
    active.delete(real)
  }

  const includeMatching = (dir: string, parts: readonly string[], depth: number): void => {
    const [part, ...rest] = parts
    if (part === undefined) return includePath(dir, depth)
    if (!hasWildcard(part)) return includeMatching(join(dir, part), rest, depth)
    const real = realInside(dir)
    if (real === undefined) return
    if (real === null) {
      outside.push(join(dir, ...parts))
      return
    }
    let entries: Dirent[]
    try {
      entries = readdirSync(real, { withFileTypes: true })
    } catch {
      return
    }
    const matches = entries
      .filter((entry) => fnmatch(part, entry.name) && (rest.length === 0 || entry.isDirectory()))
      .sort((a, b) => compareBytes(a.name, b.name))
    for (const entry of matches) {
      if (rest.length === 0) includeEntry(dir, real, entry, depth)
      else includeMatching(join(dir, entry.name), rest, depth)
    }
  }

  if (!hasWildcard(full)) {
    includePath(full, 0)
  } else {
    const parts = full.split(sep).filter((part) => part !== '')
    includeMatching(sep, parts, 0)
  }
  return { files, outside }
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
