// Reading a run from disk: the files found in the given folders, then every file their Includes
// and WSGIScriptAlias lines lead to, inside the root only. One walk (include-graph.ts) reads each
// file once, in Apache's order, and records each Include's files as it goes. What lies outside
// the root is noted as not read (and the Include remembers it), never read.
import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Directive } from '../syntax/types.js'
import { asWritten, bytePath } from './byte-names.js'
import { NOT_UTF8 } from './entries.js'
import { hasWildcard } from './glob.js'
import { discoverFiles, type Excluder, type SkipCode, type Skipped } from './discover.js'
import { diskInclude, resolveIncludePattern, type DiskInclude, type IncludeFailure } from './include-pattern.js'
import { isEnvvarsPath } from './envvars.js'
import { excluder } from './exclude.js'
import { walkIncludes, type IncludeGraph } from './include-graph.js'
import { compareLoaded, runEnv, toLoaded, type Loaded } from './loaded.js'
import type { LoadError, LoadOptions } from './load.js'
import { mainContext, mapPath, type MainContext, type PathMap } from './maps.js'
import { blockedFolder, isDenied, isInside, isMainConfigName, realOrNull, relativeTo } from './paths.js'
import { artifactFilter, type Artifact } from '../runner/artifacts.js'
import { readConfigFile, ReadError, unreadableReason } from './read.js'
import type { Variables } from './variables.js'

/** A disk load under way. */
interface DiskRun {
  root: string
  /** Run paths are relative to it (the root, or a folder above it). */
  base: string
  options: LoadOptions
  errors: LoadError[]
  skipped: Skipped[]
  /** Each file met, by real path: its record, or undefined when it could not be read. */
  read: Map<string, Loaded | undefined>
  /** Files known but not read yet (the progress total). */
  pending: Set<string>
  done: number
  /** Each main config read (real path): its ServerRoot and the map that brings. */
  mains: Map<string, MainContext>
  maps: readonly PathMap[]
  exclude: Excluder
  /** WSGI scripts the config mounts (real paths), read after the walk; the server path --map read them for. */
  scripts: Map<string, string | undefined>
  /** Paths Include statements named that were not read. */
  unread: Map<Directive, string[]>
  /** Plain Includes that name nothing that exists, where the path is known (absolute, or the ServerRoot of a main config). */
  missing: Set<Directive>
  /** This tool's own files (backups it made, temporaries), which are never read as configs. */
  artifact: (file: string) => Artifact | null
  /** Folders found unreadable (real or named paths), each an error once. */
  unreadableDirs: Set<string>
  /** Each Include met, as a pattern on disk (backups must stay out of what they read). */
  includes: DiskInclude[]
}

export interface DiskLoad {
  files: Loaded[]
  graph: IncludeGraph
  errors: LoadError[]
  skipped: Skipped[]
  /** The maps used: given ones, and those main configs brought (their ServerRoot). */
  maps: PathMap[]
  /** Each Include met, as a pattern on disk. */
  includes: DiskInclude[]
}

/** Read the run below `root` (a real path): discovered files first, then what they lead to. */
export function loadFromDisk(options: LoadOptions, root: string, base: string): DiskLoad {
  const run: DiskRun = {
    root, base, options, errors: [], skipped: [], read: new Map(), pending: new Set(), done: 0, mains: new Map(),
    maps: options.maps ?? [], exclude: excluder(options.exclude ?? [], base), scripts: new Map(), unread: new Map(), missing: new Set(), artifact: artifactFilter(),
    unreadableDirs: new Set(), includes: [],
  }
  const found = discover(run)
  for (const f of found) run.pending.add(f)
  // envvars first (Debian's beside the main config): Include patterns may use its variables.
  for (const abs of envvarsFiles(root, found)) readFile(run, abs)
  const graph = walkIncludes({
    files: found.map((abs) => rel(run, abs)),
    tree: (p) => {
      const l = readFile(run, path.join(base, p))
      return l !== undefined && l.file.kind === 'apache' && !l.envvars ? l.file.tree : undefined
    },
    resolve: (pattern, from, node, top) => includeOnDisk(run, pattern, from, node, top),
    env: runEnv(loadedFiles(run), options.env),
    visit: (node, file, vars, top) => followScript(run, node, file, vars, top),
    unresolved: (node, file, pattern) => skip(run, pattern, 'variable', `${node.name} uses a variable that is not defined here; not followed`, node, file),
    unread: (node) => run.unread.get(node) ?? [],
    missing: (node) => run.missing.has(node),
  })
  for (const [real, serverPath] of run.scripts) {
    const l = readFile(run, real, 'wsgi')
    if (l?.file.kind === 'wsgi' && serverPath !== undefined) l.file.serverPath = serverPath
  }
  const maps = [...run.maps, ...[...run.mains.values()].flatMap((m) => m.maps)]
  return { files: loadedFiles(run), graph, errors: run.errors, skipped: run.skipped, maps, includes: run.includes }
}

const rel = (run: DiskRun, abs: string): string => relativeTo(run.base, abs)

function loadedFiles(run: DiskRun): Loaded[] {
  return [...run.read.values()].filter((l): l is Loaded => l !== undefined).sort(compareLoaded)
}

function skip(run: DiskRun, p: string, code: SkipCode, reason: string, node?: Directive, file?: string): void {
  run.skipped.push({ path: p, code, reason, ...(node && file !== undefined ? place(node, file) : {}) })
}

/**
 * The files to start from: those found in the given paths, less scanned backups. What cannot be
 * found is an error when it was given, else a skipped path.
 */
function discover(run: DiskRun): string[] {
  const { root, options } = run
  const given = options.paths?.length ? options.paths : [root]
  const givenAbs = new Set(given.map((p) => path.resolve(p)))
  const { files, skipped, unreadable } = discoverFiles(given, { root, exclude: run.exclude })
  for (const dir of unreadable) unreadableDirectory(run, dir.path, dir.reason)
  for (const s of skipped) {
    const shown = isInside(root, s.path) ? rel(run, s.path) : s.path
    if (givenAbs.has(s.path)) {
      const outside = s.code === 'outside-root'
      run.errors.push({
        code: outside ? 'outside-root' : 'io',
        file: shown,
        message: `${shown}: ${s.reason}${outside ? `; not read. Give a --root that holds it` : ''}`,
      })
    } else run.skipped.push({ ...s, path: shown })
  }
  const backups = scannedBackups(run, files, givenAbs)
  return files.filter((f) => !backups.has(f) && !isArtifact(run, f))
}

/** A folder that cannot be listed: an error, as a file that cannot be read is (what it holds is unknown). */
function unreadableDirectory(run: DiskRun, abs: string, reason: string): void {
  if (run.unreadableDirs.has(abs)) return
  run.unreadableDirs.add(abs)
  const name = isInside(run.root, abs) ? rel(run, abs) : abs
  run.errors.push({ code: 'io', file: name, message: `${name}: ${reason}` })
}

/**
 * Whether `abs` is a file this tool made (a backup, a temporary): then it is noted, not read.
 * Reached through an Include, Apache reads it: the note names the Include and says so.
 */
function isArtifact(run: DiskRun, abs: string, node?: Directive, from?: string): boolean {
  const artifact = run.artifact(abs)
  if (artifact === null) return false
  // The backup record is comment lines only: Apache reading it reads nothing.
  const read = node !== undefined && artifact.kind !== 'record'
  const why = read ? `${artifact.reason}; but Apache reads it as config through ${node.name} ${node.args[0] ?? ''}: move it out of there, or delete it` : artifact.reason
  skip(run, rel(run, abs), 'artifact', why, read ? node : undefined, read ? from : undefined)
  return true
}

/**
 * A scanned `x.conf<suffix>` beside a scanned `x.conf` is a backup (--backup=.pre-x, editors):
 * Apache does not read it through `*.conf` patterns, and reading it would make every later run
 * "fix" the backup. It is still read when named explicitly or reached through an Include.
 */
function scannedBackups(run: DiskRun, files: readonly string[], givenAbs: ReadonlySet<string>): Set<string> {
  const scanned = new Set(files)
  const backups = new Set<string>()
  for (const f of files) {
    if (givenAbs.has(f) || /\.(?:conf|wsgi|load)$/i.test(f)) continue
    const base = path.basename(f)
    for (let i = base.length - 1; i > 0; i--) {
      const c = base[i]
      if (c !== '.' && c !== '~') continue
      const original = path.join(path.dirname(f), base.slice(0, i))
      if (/\.(?:conf|wsgi|load)$/i.test(original) && scanned.has(original)) {
        backups.add(f)
        skip(run, rel(run, f), 'backup', `looks like a backup of ${path.basename(original)}; not read (name it to read it)`)
        break
      }
    }
  }
  return backups
}

/** envvars beside the root and the main configs (Debian), then any found by name. */
function envvarsFiles(root: string, found: readonly string[]): string[] {
  const out: string[] = []
  for (const dir of new Set([root, ...found.filter(isMainConfigName).map((f) => path.dirname(f))])) {
    const real = realOrNull(path.join(dir, 'envvars'))
    if (real !== null && isInside(root, real) && !out.includes(real) && isFile(real)) out.push(real)
  }
  return [...out, ...found.filter(isEnvvarsPath)]
}

/** Read `abs` once (a real path inside the root); undefined when it cannot be read. */
function readFile(run: DiskRun, abs: string, kind?: 'wsgi'): Loaded | undefined {
  if (run.read.has(abs)) return run.read.get(abs)
  run.read.set(abs, undefined)
  run.pending.delete(abs)
  const name = rel(run, abs)
  let bytes: Buffer
  try {
    // Synchronous: thousands of small local files read faster without a thread-pool round trip.
    // Opened without following a symlink swapped in since the scan; never outside the root.
    bytes = readConfigFile(abs, { root: run.root, ...(run.options.maxSize !== undefined ? { maxSize: run.options.maxSize } : {}) }).bytes
  } catch (e) {
    const why = e instanceof ReadError ? e.detail : `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check its permissions or leave it out`
    run.errors.push({ code: e instanceof ReadError && e.code === 'EOUTSIDE' ? 'outside-root' : 'io', file: name, message: `${name}: ${why}` })
    return undefined
  }
  const l = toLoaded(name, abs, bytes, kind)
  l.onDisk = true
  run.read.set(abs, l)
  run.options.onProgress?.({ phase: 'read', done: ++run.done, total: run.done + run.pending.size })
  if (l.file.kind === 'apache' && !l.envvars && isMain(run, abs)) run.mains.set(abs, mainContext(l.file.tree, abs, run.root))
  return l
}

const isMain = (run: DiskRun, abs: string): boolean => isMainConfigName(abs) || abs === run.options.mainConfig

/**
 * Where the Includes of the walk from `top` point, and the maps that apply: the main config's own,
 * or those of the main config whose folder holds `top` (a site not enabled), else the folder of
 * `top` above Debian's sites-enabled/, conf.d/, ...
 */
function contextOf(run: DiskRun, top: string): { serverRoot: string; maps: readonly PathMap[]; known: boolean } {
  const abs = path.join(run.base, top)
  const own = run.mains.get(abs)
  const main = own ?? [...run.mains.entries()].find(([file, m]) => isInside(m.home, abs) || isInside(path.dirname(file), abs))?.[1]
  if (main !== undefined) return { serverRoot: main.serverRoot, maps: [...main.maps, ...run.maps], known: true }
  return { serverRoot: guessServerRoot(run.root, abs), maps: run.maps, known: false }
}

/** The files an Include pattern names on disk (run paths, inside the root); what leads outside is noted, not read. */
function includeOnDisk(run: DiskRun, pattern: string, from: string, node: Directive, top: string): string[] {
  const { root } = run
  const { serverRoot, maps, known } = contextOf(run, top)
  const name = written(run, from, pattern)
  if (typeof name !== 'string') return notUtf8Include(run, name, node, from, { serverRoot, maps, known })
  const mapped = path.isAbsolute(name) ? mapPath(path.resolve(name), maps) : name
  run.includes.push({ ...diskInclude(mapped, serverRoot), directive: `${node.name} ${node.args[0] ?? ''}`, ...place(node, from) })
  const { files, outside, failed } = resolveIncludePattern(mapped, { serverRoot, root })
  // Nothing there, and the run knows where Apache looks (not a guessed ServerRoot): Apache refuses it.
  if (files.length === 0 && outside.length === 0 && failed.length === 0 && node.name.toLowerCase() === 'include' && (known || path.isAbsolute(pattern))) run.missing.add(node)
  const unread = [...outside, ...failed.map((f) => f.path)]
  for (const o of outside) {
    // Inside the root by name, outside by a symlink: named as the scan names it.
    skip(run, isInside(root, o) ? rel(run, o) : o, 'outside-root', `${node.name} ${node.args[0] ?? ''} leads outside the root ${root}; not read`, node, from)
  }
  for (const f of failed) includeFailure(run, f, node, from)
  const taken: string[] = []
  for (const f of files) {
    if (isArtifact(run, f, node, from)) continue
    const excludedBy = run.exclude(f)
    if (excludedBy === undefined) taken.push(f)
    else {
      unread.push(f)
      skip(run, rel(run, f), 'excluded', `excluded by --exclude ${excludedBy}`, node, from)
    }
  }
  if (unread.length > 0) run.unread.set(node, [...(run.unread.get(node) ?? []), ...unread])
  for (const f of taken) if (!run.read.has(f)) run.pending.add(f)
  return taken.map((f) => rel(run, f))
}

/** A name from the file `from` as Apache reads it (see byte-names.ts). */
const written = (run: DiskRun, from: string, text: string): string | Buffer => asWritten(text, run.read.get(path.join(run.base, from))?.encoding)

/**
 * An Include whose pattern is not UTF-8 (in a Latin-1 file): a "not read" note, and the Include
 * remembers it (what it reads is unknown). A plain Include of a path that is not there is still
 * an error where the run knows where Apache looks.
 */
function notUtf8Include(run: DiskRun, bytes: Buffer, node: Directive, from: string, where: { serverRoot: string; maps: readonly PathMap[]; known: boolean }): string[] {
  const target = bytePath(bytes, { dir: where.serverRoot, maps: where.maps, root: run.root, base: run.base })
  const plain = node.name.toLowerCase() === 'include' && !hasWildcard(bytes.toString('latin1'))
  if (target.inside && plain && !target.mapped && (where.known || bytes[0] === 0x2f) && !target.exists) {
    run.missing.add(node)
    return []
  }
  run.unread.set(node, [...(run.unread.get(node) ?? []), target.shown])
  if (target.inside) skip(run, target.shown, 'not-utf8', NOT_UTF8, node, from)
  else skip(run, target.shown, 'outside-root', `${node.name} leads outside the root ${run.root}; not read`, node, from)
  return []
}

/** A folder an Include reads that cannot be listed is an error (Apache fails on it too); a name that is not UTF-8, a note. */
function includeFailure(run: DiskRun, failure: IncludeFailure, node: Directive, from: string): void {
  if (failure.kind === 'directory') unreadableDirectory(run, realOrNull(failure.path) ?? failure.path, failure.reason)
  else skip(run, isInside(run.root, failure.path) ? rel(run, failure.path) : failure.path, 'not-utf8', failure.reason, node, from)
}

/** A WSGIScriptAlias(Match) naming a script inside the root (after --map): read it after the walk. */
function followScript(run: DiskRun, node: Directive, file: string, vars: Variables, top: string): void {
  const name = node.name.toLowerCase()
  if ((name !== 'wsgiscriptalias' && name !== 'wsgiscriptaliasmatch') || !node.args[1]) return
  const target = written(run, file, vars.resolve(node.args[1]))
  if (typeof target !== 'string') return notUtf8Script(run, target, node, file, top)
  if (!path.isAbsolute(target) || (name === 'wsgiscriptaliasmatch' && /\$\d/.test(target))) return
  const named = path.resolve(target)
  const script = mapPath(named, contextOf(run, top).maps)
  if (!isInside(run.root, script)) {
    const hint = 'give --map SERVERPATH=REPOPATH or a --root that holds it too (e.g. --root /) so its virtualenv activation can be fixed'
    skip(run, script, 'outside-root', `WSGI script outside the root; not read: ${hint}`, node, file)
    return
  }
  const real = scriptRealPath(run, script)
  if (real === undefined) return
  if (real !== null && !isInside(run.root, real)) {
    skip(run, script, 'outside-root', `WSGI script is a symlink leaving the root (-> ${real}); not read`, node, file)
    return
  }
  // A script that is not there is the model's business (advisory), not an error.
  if (real !== null && isFile(real) && !run.scripts.has(real)) run.scripts.set(real, named === script ? undefined : named)
}

/** A script path that is not UTF-8: a note (inside the root or not), never read. */
function notUtf8Script(run: DiskRun, bytes: Buffer, node: Directive, file: string, top: string): void {
  if (bytes[0] !== 0x2f) return
  const script = bytePath(bytes, { dir: '/', maps: contextOf(run, top).maps, root: run.root, base: run.base })
  if (script.inside) skip(run, script.shown, 'not-utf8', `WSGI script: ${NOT_UTF8}`, node, file)
  else skip(run, script.shown, 'outside-root', 'WSGI script outside the root; not read', node, file)
}

/** The real path of a script; null when it is not there; undefined when a folder on the way cannot be entered (an error). */
function scriptRealPath(run: DiskRun, script: string): string | null | undefined {
  try {
    return realpathSync.native(script)
  } catch (error) {
    if (!isDenied(error)) return null
    const folder = blockedFolder(script)
    unreadableDirectory(run, realOrNull(folder) ?? folder, unreadableReason(error, 'directory'))
    return undefined
  }
}

function place(node: Directive, file: string): { file: string; line?: number; column?: number } {
  return { file, ...(node.position ? { line: node.position.start.line, column: node.position.start.column } : {}) }
}

/** Without a main config: the folder of the file, above Debian's sites-enabled/, conf.d/, ... */
function guessServerRoot(root: string, abs: string): string {
  let dir = path.dirname(abs)
  while (dir !== root && isInside(root, dir) && /^(?:sites|conf|mods)-(?:available|enabled)$|^conf\.d$|^vhosts\.d$/.test(path.basename(dir))) {
    dir = path.dirname(dir)
  }
  return dir
}


function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
}
