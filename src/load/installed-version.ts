// Which Kallithea a virtualenv holds, and which Python it is for, read from the venv's files
// through a reader that never leaves the run's root (the run's safety rule holds here too).
//
// Where the version is written, in the order Python would find the package:
//   <site-packages>/kallithea/__init__.py      VERSION = (0, 5, 1)   (or __version__ = '0.5.1')
//   <site-packages>/Kallithea-0.5.1.dist-info/METADATA, *.egg-info(/PKG-INFO), *.egg/EGG-INFO/PKG-INFO
//                                              Version: 0.5.1
//   <site-packages>/Kallithea.egg-link         (a development install: the source folder's __init__.py)
// `lib/python2.7` means Kallithea 0.5.x or older, `lib/python3.X` 0.6.0 or later: a hint only.
import { readdirSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { readStatements } from '../python/index.js'
import { decode } from '../syntax/decode.js'
import { mapPath, type PathMap } from './maps.js'
import { isDenied, isInside } from './paths.js'
import { readConfigFile } from './read.js'

/** Reads files for the run; every path is absolute. */
export interface TreeReader {
  /** Whether the path, and where its symlinks lead, lie inside the run's root. */
  allowed(abs: string): boolean
  /** The file's text (UTF-8, else Latin-1), or undefined when it is missing or not allowed. */
  readFile(abs: string): string | undefined
  /** The names in a directory, or undefined. */
  readDir(abs: string): string[] | undefined
  /** Whether the path cannot be looked at for lack of permission (a folder on the way, or itself). */
  denied?(abs: string): boolean
}


/**
 * A reader of the disk confined to `root` (an absolute real path). Files are read as configs are
 * (`readConfigFile`): no FIFO (it would hang the run), nothing over `maxSize`, no symlink swapped
 * in that leads out of the root.
 */
export function rootedReader(root: string, maps: readonly PathMap[] = [], options: { maxSize?: number } = {}): TreeReader {
  // A server path `--map` brings into the repository is read there (`/opt/kallithea/venv`).
  const local = (abs: string): string => (path.isAbsolute(abs) ? mapPath(path.resolve(abs), maps) : abs)
  const real = (server: string): string | undefined => {
    const abs = local(server)
    if (!path.isAbsolute(abs) || !isInside(root, path.resolve(abs))) return undefined
    try {
      const r = realpathSync.native(abs)
      return isInside(root, r) ? r : undefined
    } catch {
      return undefined
    }
  }
  const allowed = (server: string): boolean => {
    const abs = local(server)
    if (!path.isAbsolute(abs) || !isInside(root, path.resolve(abs))) return false
    // A path that is not there is "inside" as far as the root goes; one whose symlinks leave is not.
    return real(server) !== undefined || lookupFails(abs, 'ENOENT')
  }
  return {
    allowed,
    denied: (server) => {
      const abs = local(server)
      return path.isAbsolute(abs) && isInside(root, path.resolve(abs)) && isDeniedPath(abs)
    },
    readFile(abs) {
      const r = real(abs)
      if (r === undefined) return undefined
      try {
        return decode(readConfigFile(r, { root, ...options }).bytes).text
      } catch {
        return undefined
      }
    },
    readDir(abs) {
      const r = real(abs)
      if (r === undefined) return undefined
      try {
        return readdirSync(r).sort()
      } catch {
        return undefined
      }
    },
  }
}

/** Whether looking `abs` up fails with ENOENT (not there). */
function lookupFails(abs: string, how: 'ENOENT'): boolean {
  try {
    realpathSync.native(abs)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === how
  }
}

/** Whether `abs` cannot be looked up, or (a folder) listed, for lack of permission. */
function isDeniedPath(abs: string): boolean {
  try {
    const real = realpathSync.native(abs)
    if (statSync(real).isDirectory()) readdirSync(real)
    return false
  } catch (e) {
    return isDenied(e)
  }
}

/** A reader of files held in memory (absolute path → text): for in-memory runs and tests. */
export function memoryReader(files: Readonly<Record<string, string>>): TreeReader {
  const dirs = new Map<string, Set<string>>()
  for (const p of Object.keys(files)) {
    for (let child = p, dir = path.posix.dirname(p); child !== dir; child = dir, dir = path.posix.dirname(dir)) {
      let names = dirs.get(dir)
      if (!names) dirs.set(dir, (names = new Set()))
      names.add(path.posix.basename(child))
    }
  }
  return {
    allowed: () => true,
    readFile: (abs) => (Object.prototype.hasOwnProperty.call(files, abs) ? files[abs] : undefined),
    readDir: (abs) => {
      const names = dirs.get(abs.replace(/\/+$/, '') || '/')
      return names ? [...names].sort() : undefined
    },
  }
}

/** The Kallithea found in a venv and the file that says so. */
export interface KallitheaFound {
  version: string
  /** Absolute path of the file it was read from. */
  source: string
  /** What that file says: `VERSION = (0, 5, 1)`, `Version: 0.5.1`. */
  evidence: string
}

export interface VenvInfo {
  venv: string
  /** X.Y of each `lib/pythonX.Y` (and lib64) folder, in order. */
  pythons: string[]
  kallithea: KallitheaFound | null
  /** Why nothing was read: the venv lies outside the run's root, is not there, or may not be entered. */
  unread?: 'outside-root' | 'missing' | 'unreadable'
}

const PYTHON_DIR = /^python(\d+\.\d+)$/
const METADATA_DIR = /^kallithea-(\d[^-]*?)(?:-py\d[\d.]*)?\.(dist-info|egg-info|egg)$/i

/** What the venv at `venv` holds. */
export function inspectVenv(venv: string, reader: TreeReader): VenvInfo {
  if (reader.denied?.(venv)) return { venv, pythons: [], kallithea: null, unread: 'unreadable' }
  if (!reader.allowed(venv)) return { venv, pythons: [], kallithea: null, unread: 'outside-root' }
  const siteDirs: string[] = []
  const pythons: string[] = []
  for (const lib of ['lib', 'lib64']) {
    for (const name of reader.readDir(path.posix.join(venv, lib)) ?? []) {
      const m = PYTHON_DIR.exec(name)
      if (!m) continue
      if (!pythons.includes(m[1]!)) pythons.push(m[1]!)
      siteDirs.push(path.posix.join(venv, lib, name, 'site-packages'))
    }
  }
  if (siteDirs.length === 0 && reader.readDir(venv) === undefined) return { venv, pythons, kallithea: null, unread: 'missing' }
  return { venv, pythons, kallithea: firstFound(siteDirs, reader) }
}

function firstFound(siteDirs: readonly string[], reader: TreeReader): KallitheaFound | null {
  for (const dir of siteDirs) {
    const found = fromPackage(path.posix.join(dir, 'kallithea'), reader) ?? fromMetadata(dir, reader) ?? fromEggLink(dir, reader)
    if (found) return found
  }
  return null
}

/** `kallithea/__init__.py`: `VERSION = (0, 5, 1)` or `__version__ = '0.5.1'` at module level. */
function fromPackage(pkg: string, reader: TreeReader): KallitheaFound | null {
  const source = path.posix.join(pkg, '__init__.py')
  const text = reader.readFile(source)
  if (text === undefined) return null
  for (const s of readStatements(text).stmts) {
    if (!s.topLevel) continue
    const version = versionAssignment(s.tokens)
    if (version) return { version, source, evidence: s.text.split(/\r\n|\n|\r/).join(' ') }
  }
  return null
}

/** `VERSION = (0, 5, 1[, 'rc1'])` → `0.5.1[-rc1]`; `__version__ = '0.5.1'` → `0.5.1`. */
function versionAssignment(toks: ReturnType<typeof readStatements>['stmts'][number]['tokens']): string | null {
  const [name, eq, ...value] = toks
  if (name?.type !== 'name' || eq?.text !== '=' || eq.type !== 'op') return null
  if (name.text === '__version__' && value.length === 1 && value[0]!.type === 'string' && typeof value[0]!.value === 'string') {
    return /^\d+(?:\.\d+)*/.test(value[0]!.value) ? value[0]!.value : null
  }
  if (name.text !== 'VERSION' || value[0]?.text !== '(' || value[value.length - 1]?.text !== ')') return null
  const parts = value.slice(1, -1).filter((t) => !(t.type === 'op' && t.text === ','))
  const numbers = parts.filter((t) => t.type === 'number').map((t) => t.text)
  if (numbers.length < 2 || parts.slice(0, numbers.length).some((t) => t.type !== 'number')) return null
  const tag = parts.slice(numbers.length).map((t) => t.value ?? t.text).join('.')
  return [...numbers, ...(numbers.length < 3 ? ['0'] : [])].slice(0, 3).join('.') + (tag ? `-${tag}` : '')
}

/** `Kallithea-0.5.1.dist-info/METADATA`, `*.egg-info` (a folder or a file), `*.egg/EGG-INFO/PKG-INFO`. */
function fromMetadata(dir: string, reader: TreeReader): KallitheaFound | null {
  for (const name of reader.readDir(dir) ?? []) {
    const m = METADATA_DIR.exec(name)
    if (!m) continue
    const base = path.posix.join(dir, name)
    if (m[2]!.toLowerCase() === 'egg') {
      const inside = fromPackage(path.posix.join(base, 'kallithea'), reader) ?? versionLine(path.posix.join(base, 'EGG-INFO', 'PKG-INFO'), reader)
      if (inside) return inside
      continue
    }
    const file = m[2]!.toLowerCase() === 'dist-info' ? 'METADATA' : 'PKG-INFO'
    const found = versionLine(path.posix.join(base, file), reader) ?? versionLine(base, reader)
    if (found) return found
  }
  return null
}

/** The `Version:` header of a METADATA/PKG-INFO file (headers end at the first blank line). */
function versionLine(file: string, reader: TreeReader): KallitheaFound | null {
  const text = reader.readFile(file)
  if (text === undefined) return null
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') break
    const m = /^Version:\s*(\S+)\s*$/i.exec(line)
    if (m) return { version: m[1]!, source: file, evidence: line.trim() }
  }
  return null
}

/** `Kallithea.egg-link` (pip install -e): its first line is the source folder. */
function fromEggLink(dir: string, reader: TreeReader): KallitheaFound | null {
  const link = reader.readFile(path.posix.join(dir, 'Kallithea.egg-link')) ?? reader.readFile(path.posix.join(dir, 'kallithea.egg-link'))
  const src = link?.split(/\r?\n/)[0]?.trim()
  return src && path.posix.isAbsolute(src) ? fromPackage(path.posix.join(src, 'kallithea'), reader) : null
}
