// Reading a run from disk: the files found in the given folders, then every file their Includes
// and WSGIScriptAlias lines lead to, inside the root only. One walk (include-graph.ts) reads each
// file once, in Apache's order, and records each Include's files as it goes.
import { realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { Directive, Root } from '../syntax/types.js'
import { discoverFiles, resolveIncludePattern, type Skipped } from './discover.js'
import { isEnvvarsPath } from './envvars.js'
import { directives, walkIncludes, type IncludeGraph } from './include-graph.js'
import { compareLoaded, runEnv, toLoaded, type Loaded } from './loaded.js'
import type { LoadError, LoadOptions } from './load.js'
import { isInside, isMainConfigName, relativeTo } from './paths.js'
import { artifactFilter, type Artifact } from '../runner/artifacts.js'
import { readConfigFile, ReadError } from './read.js'
import type { Variables } from './variables.js'

/** A disk load under way. */
interface DiskRun {
  root: string
  options: LoadOptions
  errors: LoadError[]
  skipped: Skipped[]
  /** Each file met, by real path: its record, or undefined when it could not be read. */
  read: Map<string, Loaded | undefined>
  /** Files known but not read yet (the progress total). */
  pending: Set<string>
  done: number
  /** Where relative Includes point: the main config's ServerRoot, once one is read. */
  serverRoot: string | null
  /** WSGI scripts the config mounts, read after the walk. */
  scripts: string[]
  /** This tool's own files (backups it made, temporaries), which are never read as configs. */
  artifact: (file: string) => Artifact | null
}

/** Read the run below `root` (a real path): discovered files first, then what they lead to. */
export function loadFromDisk(
  options: LoadOptions,
  root: string,
): { files: Loaded[]; graph: IncludeGraph; errors: LoadError[]; skipped: Skipped[] } {
  const run: DiskRun = {
    root, options, errors: [], skipped: [], read: new Map(), pending: new Set(), done: 0, serverRoot: null, scripts: [], artifact: artifactFilter(),
  }
  const found = discover(run)
  for (const f of found) run.pending.add(f)
  // envvars first (Debian's beside the main config): Include patterns may use its variables.
  for (const abs of envvarsFiles(root, found)) readFile(run, abs)
  const graph = walkIncludes({
    files: found.map((abs) => relativeTo(root, abs)),
    tree: (rel) => configTree(run, path.join(root, rel)),
    resolve: (pattern, from, node) => includeOnDisk(run, pattern, from, node),
    env: runEnv(loadedFiles(run), options.env),
    visit: (node, file, vars) => followScript(run, node, file, vars),
    unresolved: (node, file, pattern) => {
      run.skipped.push({ path: pattern, reason: `${node.name} uses a variable that is not defined here; not followed`, ...place(node, file) })
    },
  })
  for (const abs of run.scripts) readFile(run, abs, 'wsgi')
  return { files: loadedFiles(run), graph, errors: run.errors, skipped: run.skipped }
}

function loadedFiles(run: DiskRun): Loaded[] {
  return [...run.read.values()].filter((l): l is Loaded => l !== undefined).sort(compareLoaded)
}

/**
 * The files to start from: those found in the given paths, less scanned backups. What cannot be
 * found is an error when it was given, else a skipped path.
 */
function discover(run: DiskRun): string[] {
  const { root, options } = run
  const given = options.paths?.length ? options.paths : [root]
  const givenAbs = new Set(given.map((p) => path.resolve(p)))
  const { files, skipped } = discoverFiles(given, { root })
  for (const s of skipped) {
    const shown = isInside(root, s.path) ? relativeTo(root, s.path) : s.path
    if (givenAbs.has(s.path)) {
      const outside = /root/.test(s.reason)
      run.errors.push({
        code: outside ? 'outside-root' : 'io',
        file: shown,
        message: `${shown}: ${s.reason}${outside ? `; not read. Give a --root that holds it` : ''}`,
      })
    } else run.skipped.push({ path: shown, reason: s.reason })
  }
  const backups = scannedBackups(run, files, givenAbs)
  return files.filter((f) => !backups.has(f) && !isArtifact(run, f))
}

/** Whether `abs` is a file this tool made (a backup, a temporary): then it is noted, not read. */
function isArtifact(run: DiskRun, abs: string): boolean {
  const artifact = run.artifact(abs)
  if (artifact === null) return false
  run.skipped.push({ path: relativeTo(run.root, abs), reason: artifact.reason })
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
        run.skipped.push({ path: relativeTo(run.root, f), reason: `looks like a backup of ${path.basename(original)}; not read (name it to read it)` })
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
  const rel = relativeTo(run.root, abs)
  let bytes: Buffer
  try {
    // Synchronous: thousands of small local files read faster without a thread-pool round trip.
    // Opened without following a symlink swapped in since the scan; never outside the root.
    bytes = readConfigFile(abs, { root: run.root, ...(run.options.maxSize !== undefined ? { maxSize: run.options.maxSize } : {}) }).bytes
  } catch (e) {
    const why = e instanceof ReadError ? e.detail : `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check its permissions or leave it out`
    run.errors.push({ code: e instanceof ReadError && e.code === 'EOUTSIDE' ? 'outside-root' : 'io', file: rel, message: `${rel}: ${why}` })
    return undefined
  }
  const l = toLoaded(rel, abs, bytes, kind)
  l.onDisk = true
  run.read.set(abs, l)
  run.options.onProgress?.({ phase: 'read', done: ++run.done, total: run.done + run.pending.size })
  if (l.file.kind === 'apache' && !l.envvars && run.serverRoot === null && isMainConfigName(rel)) {
    run.serverRoot = mainServerRoot(l.file.tree, run.root, abs)
  }
  return l
}

/** The tree of an Apache config file, read on first ask; undefined for scripts and envvars. */
function configTree(run: DiskRun, abs: string): Root | undefined {
  const l = readFile(run, abs)
  return l !== undefined && l.file.kind === 'apache' && !l.envvars ? l.file.tree : undefined
}

/** The files an Include pattern names on disk (run paths, inside the root); what leads outside is an error. */
function includeOnDisk(run: DiskRun, pattern: string, from: string, node: Directive): string[] {
  const { root } = run
  const serverRoot = run.serverRoot ?? guessServerRoot(root, path.join(root, from))
  const { files, outside } = resolveIncludePattern(pattern, { serverRoot, root })
  const where = place(node, from)
  for (const o of outside) {
    run.errors.push({
      code: 'outside-root',
      ...where,
      message: `${at(where)}: ${node.name} ${node.args[0]} leads outside the root ${root} (${o}); it was not read, so the run does not see the whole server. Run with --root set to a folder that holds both.`,
    })
  }
  const inside = files.filter((f) => isInside(root, f) && !isArtifact(run, f))
  for (const f of inside) if (!run.read.has(f)) run.pending.add(f)
  return inside.map((f) => relativeTo(root, f))
}

/** A WSGIScriptAlias(Match) naming a script inside the root: read it after the walk. */
function followScript(run: DiskRun, node: Directive, file: string, vars: Variables): void {
  const name = node.name.toLowerCase()
  if ((name !== 'wsgiscriptalias' && name !== 'wsgiscriptaliasmatch') || !node.args[1]) return
  const target = vars.resolve(node.args[1])
  if (!path.isAbsolute(target) || (name === 'wsgiscriptaliasmatch' && /\$\d/.test(target))) return
  const script = path.resolve(target)
  const where = place(node, file)
  if (!isInside(run.root, script)) {
    run.skipped.push({ path: script, reason: 'WSGI script outside the root; not read: give a --root that holds it too (e.g. --root /) so its virtualenv activation can be fixed', ...where })
    return
  }
  const real = realOrNull(script)
  if (real !== null && !isInside(run.root, real)) {
    run.skipped.push({ path: script, reason: `WSGI script is a symlink leaving the root (-> ${real}); not read`, ...where })
    return
  }
  // A script that is not there is the model's business (advisory), not an error.
  if (real !== null && isFile(real)) run.scripts.push(real)
}

function place(node: Directive, file: string): { file: string; line?: number; column?: number } {
  return { file, ...(node.position ? { line: node.position.start.line, column: node.position.start.column } : {}) }
}

const at = (where: { file: string; line?: number; column?: number }): string => `${where.file}:${where.line ?? 1}:${where.column ?? 1}`

/** ServerRoot of the main config when it lies in the root; else where the main config sits. */
function mainServerRoot(tree: Root, root: string, abs: string): string {
  for (const d of directives(tree)) {
    if (d.name.toLowerCase() === 'serverroot' && d.args[0]) {
      const p = path.resolve(path.dirname(abs), d.args[0])
      if (isInside(root, p)) return p
    }
  }
  const dir = path.dirname(abs)
  // Red Hat: /etc/httpd/conf/httpd.conf with ServerRoot /etc/httpd.
  return path.basename(dir) === 'conf' && isInside(root, path.dirname(dir)) ? path.dirname(dir) : dir
}

/** Without a main config: the folder of the file, above Debian's sites-enabled/, conf.d/, ... */
function guessServerRoot(root: string, abs: string): string {
  let dir = path.dirname(abs)
  while (dir !== root && isInside(root, dir) && /^(?:sites|conf|mods)-(?:available|enabled)$|^conf\.d$|^vhosts\.d$/.test(path.basename(dir))) {
    dir = path.dirname(dir)
  }
  return dir
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync.native(p)
  } catch {
    return null
  }
}

function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
}
