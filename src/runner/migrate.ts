// The runner: read files, run the selected transforms over them in version order, report what
// changed and why, make the patch, and write only when asked and only when nothing failed.
//
// Library contract: no printing, no process.exit, no writing unless `write: true` (or a later
// `writeResult()`); every problem ends up in `result.errors` (things that make the run fail) or
// `result.skipped` (paths not read, with why).
import { readFileSync, realpathSync, statSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { decode } from '../syntax/decode.js'
import { formatDiagnostic } from '../syntax/diagnostics.js'
import { discoverFiles, resolveIncludePattern } from '../load/discover.js'
import type { LineRange } from '../syntax/locate.js'
import { buildModel, defaultIncludeResolver, parseEnvvars } from '../model/model.js'
import { parse } from '../syntax/parse.js'
import { createPatch } from './patch.js'
import { toText } from '../syntax/print.js'
import { changesWithLines, fileResults } from './results.js'
import { runTransforms } from './run-transforms.js'
import { selectTransforms, type Selection } from './select.js'
import type { ApacheFile, ScriptFile, SourceFile, Transform } from './transform.js'
import type { Content, Directive, Encoding, Root } from '../syntax/types.js'
import type { MessageData } from './transform.js'
import { versionOf } from './versions.js'
import type { TreeReader } from '../load/installed-version.js'
import { checkLang } from '../load/locale.js'
import type { WsgiModel } from '../model/model.js'
import { NO_VERSIONS, type KallitheaVersions } from './kallithea-version.js'
import { planRun } from './plan.js'

export type { LineRange }
export { DEFAULT_TO, selectTransforms } from './select.js'

export interface InputFile {
  /** Path relative to the root (posix), as it should appear in reports and the patch. */
  path: string
  content: string | Uint8Array
  /** `wsgi` for a WSGI script; default: by name (`.wsgi`, `.py`), else `apache`. */
  kind?: 'apache' | 'wsgi'
}

export interface MigrateOptions extends Selection {
  /** Files or directories to scan (ignored when `files` is given). */
  paths?: string[]
  /**
   * Nothing outside it is read or written; Includes and symlinks are followed only inside it.
   * Default: the one directory given (a file: its directory), else the deepest directory
   * holding all the paths; with `files`, `/`. Patch and report paths are relative to it.
   */
  root?: string
  /** In-memory files instead of the file system (nothing is read or written). */
  files?: InputFile[]
  /** The mod_wsgi version in use: transforms that need a newer one advise instead. */
  modWsgi?: string
  /** Apache's environment (e.g. APACHE_RUN_USER); wins over an `envvars` file of the run. */
  env?: Record<string, string>
  /** Write changed files (atomically, all or nothing). Default false. */
  write?: boolean
  /** With write: keep the original beside each changed file, with this suffix (e.g. `.orig`). */
  backup?: string
  /** The UTF-8 locale `lang=` gives the Kallithea daemon (0.4.1 form); default C.UTF-8. */
  lang?: string
  /** X.Y of the Python mod_wsgi embeds (server mode knows it); else read from the LoadModule line. */
  embeddedPython?: string
  /**
   * Reads the venvs the config names, to learn the installed Kallithea. Default: the disk inside
   * the root for a run on disk, nothing for an in-memory run.
   */
  reader?: TreeReader
  /** Called as files are read and transforms run, for progress output. */
  onProgress?: (event: ProgressEvent) => void
}

/** `read`: files read so far (the total grows as Includes are followed); `transform`: transforms done, and the one starting. */
export interface ProgressEvent {
  phase: 'read' | 'transform'
  done: number
  total: number
  /** The transform about to run (phase `transform`, while done < total). */
  transform?: string
}

export interface Change {
  transform: string
  file: string
  kind: 'insert' | 'modify' | 'remove'
  /** Lines in the new file (insert, modify) or in the original file (remove). */
  lines: LineRange
  explanation: string
  /** The transform's message id and data behind `explanation` (absent for a message given as text). */
  messageId?: string
  data?: MessageData
}

export interface Advisory {
  transform: string
  /** The file it is about; '' for the run as a whole. */
  file: string
  line?: number
  column?: number
  message: string
  messageId?: string
  data?: MessageData
}

export type ErrorCode = 'usage' | 'io' | 'parse' | 'outside-root' | 'transform' | 'write'

export interface MigrateError {
  code: ErrorCode
  file?: string
  line?: number
  column?: number
  /** What went wrong and what to do; starts with `file:line:column: ` when there is a place. */
  message: string
}

/** A path that was not read, and why (outside the root, broken symlink, ...). */
export interface Skipped {
  /** Relative to the root when inside it, else absolute. */
  path: string
  reason: string
  /** The file (and line) that pointed at it, when a directive did. */
  file?: string
  line?: number
  column?: number
}

export interface FileResult {
  path: string
  /** Where it was read from (real path); absent for in-memory files. */
  absolutePath?: string
  kind: 'apache' | 'wsgi'
  status: 'changed' | 'unchanged' | 'error'
  encoding: Encoding
  before: Buffer
  after: Buffer
  /** The new text (decoded like the original: UTF-8, or Latin-1 byte for byte). */
  text: string
  /** This file's share of the run's changes, advisories and errors (the same objects). */
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
}

export interface MigrateResult {
  /** Absolute real path of the root. */
  root: string
  transforms: Array<Pick<Transform['meta'], 'id' | 'version' | 'title'>>
  files: FileResult[]
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
  skipped: Skipped[]
  /** Unified diff of all changes (git-style, paths relative to the root); empty when none. */
  patch: Buffer
  /** Paths written (relative to the root). */
  written: string[]
  /** Backup files created (relative to the root). */
  backups: string[]
  /** The installed Kallithea found in the venvs the config names, and the version the run targets. */
  kallithea: KallitheaVersions
  /** How the run went, for tests and profiling (not part of the JSON report). */
  stats: RunStats
}

export interface RunStats {
  /** Times the mod_wsgi model was built (transforms share one until a change is made). */
  modelBuilds: number
}

export interface Loaded {
  file: SourceFile
  before: Buffer
  encoding: Encoding
  /** Never changed: parse errors, or not an Apache file at all (`envvars`). */
  frozen: boolean
  envvars: boolean
  /** Read from disk (so it may be written back); in-memory files never are. */
  onDisk: boolean
}

const APACHE_CONFIG_NAMES = /(?:^|\/)(?:apache2|httpd)\.conf$/
const ENVVARS = /(?:^|\/)envvars$/

/** Run the migration. Writes nothing unless `write: true` and nothing failed. */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const errors: MigrateError[] = []
  const advisories: Advisory[] = []
  const skipped: Skipped[] = []
  // Checked here for usage errors; the run selects again once it knows the installed version.
  selectTransforms(options, errors)
  const langProblem = checkLang(options.lang)
  if (langProblem !== null) errors.push({ code: 'usage', message: langProblem })
  if (options.modWsgi !== undefined && versionOf(options.modWsgi) === null) {
    errors.push({ code: 'usage', message: `--mod-wsgi ${options.modWsgi}: not a version; use e.g. 4.9.0` })
  }
  const empty = (root: string): MigrateResult => ({
    root, transforms: [], files: [], changes: [], advisories, errors, skipped, patch: Buffer.alloc(0), written: [], backups: [],
    kallithea: NO_VERSIONS, stats: { modelBuilds: 0 },
  })
  if (errors.length > 0) return empty(path.resolve(options.root ?? '.'))

  let root: string
  let loaded: Loaded[]
  const includeMap = new Map<string, string[]>()
  if (options.files) {
    // In memory the root only names the files' absolute paths: `/` unless given (not the cwd,
    // so that the result does not depend on where the process runs).
    root = path.resolve(options.root ?? '/')
    loaded = loadInMemory(options.files, root, errors)
  } else {
    const found = await findRoot(options, errors)
    if (found === null) return empty(path.resolve(options.root ?? '.'))
    root = found
    loaded = await loadFromDisk(options, root, errors, skipped, includeMap)
  }
  if (errors.some((e) => e.code === 'usage')) return empty(root)

  for (const l of loaded) {
    if (l.file.kind !== 'apache' || l.envvars) continue
    for (const d of l.file.tree.data.diagnostics) {
      l.frozen = true
      errors.push({
        code: 'parse',
        file: l.file.path,
        ...(d.line != null ? { line: d.line } : {}),
        ...(d.column != null ? { column: d.column } : {}),
        message: formatDiagnostic(d, l.file.path),
      })
    }
  }

  const files = loaded.map((l) => l.file)
  const env = { ...envFromFiles(loaded), ...(options.env ?? {}) }
  const modelFiles = apacheFiles(files)
  const fallback = defaultIncludeResolver(modelFiles.map((f) => f.path))
  const resolveInclude = (pattern: string, from: string): string[] => includeMap.get(`${from}\0${pattern}`) ?? fallback(pattern, from)
  const main = files.find((f) => f.kind === 'apache' && APACHE_CONFIG_NAMES.test(f.path))
  // The model of the files as read serves the plan and then the first transform.
  let asRead: WsgiModel | undefined
  const model = (): WsgiModel => (asRead ??= buildModel(modelFiles, { env, resolveInclude }))
  const plan = planRun({ selection: options, files, model, root, ...(options.reader ? { reader: options.reader } : {}), onDisk: !options.files }, errors)
  advisories.push(...plan.advisories)
  const selected = plan.selected
  const run = runTransforms(selected, {
    files,
    frozen: new Set(loaded.filter((l) => l.frozen).map((l) => l.file)),
    options: {
      ...(options.modWsgi !== undefined ? { modWsgiVersion: options.modWsgi } : {}), env, ...(main ? { mainConfig: main.path } : {}),
      ...plan.options, ...(options.lang !== undefined ? { lang: options.lang } : {}), ...(options.embeddedPython !== undefined ? { embeddedPython: options.embeddedPython } : {}),
    },
    buildModel: () => {
      const m = model()
      asRead = undefined
      return m
    },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  advisories.push(...run.advisories)
  errors.push(...run.errors)
  const stats: RunStats = { modelBuilds: run.modelBuilds }

  const results = fileResults(loaded, errors, advisories)
  const changes = changesWithLines(run.changes, results)
  const changed = results.filter((r) => r.status === 'changed')
  const patch = createPatch(changed.map((r) => ({ path: r.path, before: r.before, after: r.after })))
  const result: MigrateResult = {
    root,
    transforms: selected.map(({ meta: { id, version, title } }) => ({ id, version, title })),
    files: results,
    changes,
    advisories,
    errors,
    skipped,
    patch,
    written: [],
    backups: [],
    kallithea: plan.versions,
    stats,
  }
  if (options.write && !options.files) await writeResult(result, options.backup !== undefined ? { backup: options.backup } : {})
  return result
}

/**
 * Write the changed files of a run made without `write` (all or nothing, atomically, each file
 * only if it still holds what was read). Does nothing when the run had errors: adds a `write`
 * error saying so. Fills `result.written` and `result.backups`; failures go to `result.errors`.
 */
export async function writeResult(result: MigrateResult, options: { backup?: string } = {}): Promise<MigrateResult> {
  const changed = result.files.filter((r) => r.status === 'changed')
  if (changed.length === 0 || result.written.length > 0) return result
  if (changed.some((r) => r.absolutePath === undefined)) {
    result.errors.push({ code: 'usage', message: 'in-memory files cannot be written; write `files[].after` yourself' })
    return result
  }
  if (result.errors.length > 0) {
    result.errors.push({ code: 'write', message: 'nothing written: the run had errors; fix them and run again' })
    return result
  }
  const byAbsolute = new Map(changed.map((r) => [r.absolutePath as string, r.path]))
  // Loaded only when writing: a dry run does not pay for it.
  const { WriteError, writeFilesAtomically } = await import('./write.js')
  try {
    const done = await writeFilesAtomically(
      changed.map((r) => ({ path: r.absolutePath as string, content: r.after, expected: r.before })),
      options.backup !== undefined ? { backupSuffix: options.backup } : {},
    )
    result.written.push(...done.written.map((p) => byAbsolute.get(p) ?? p))
    result.backups.push(...done.backups.map((p) => relativeTo(result.root, p)))
  } catch (e) {
    if (e instanceof WriteError) {
      const rel = byAbsolute.get(e.path) ?? (path.isAbsolute(e.path) ? relativeTo(result.root, e.path) : e.path)
      result.written.push(...e.written.map((p) => byAbsolute.get(p) ?? p))
      const outcome = e.written.length === 0 && !/nothing was changed/.test(e.detail) ? '; nothing was written' : ''
      const hint = WRITE_HINTS[e.code] ?? ''
      result.errors.push({ code: 'write', file: rel, message: `${rel}: ${e.detail}${outcome}${hint}` })
    } else {
      result.errors.push({ code: 'write', message: `cannot write: ${(e as Error)?.message ?? String(e)}; nothing was written` })
    }
  }
  return result
}

const WRITE_HINTS: Record<string, string> = {
  EREADONLY: '. Make it writable (or run with --dry-run and apply the patch yourself), then run again',
  EACCES: '. Run as a user who may replace it (often root), or with --dry-run and apply the patch yourself',
  EOWNER: '. Run as its owner or as root, so that owner and group are kept',
  EHARDLINK: '. Break the hard link (cp the file over itself), or apply the --dry-run patch yourself',
  EBACKUP: '',
  ENOTFILE: '. Leave it out of the run',
}

function apacheFiles(files: readonly SourceFile[]): Array<{ path: string; tree: Root }> {
  return files.filter((f): f is ApacheFile => f.kind === 'apache').map((f) => ({ path: f.path, tree: f.tree }))
}

/** Debian's /etc/apache2/envvars: `export APACHE_RUN_USER=www-data`. */
function envFromFiles(loaded: readonly Loaded[]): Record<string, string> {
  let env: Record<string, string> = {}
  for (const l of loaded) if (l.envvars) env = parseEnvvars(l.file.kind === 'apache' ? toText(l.file.tree) : l.file.text, env)
  return env
}

function loadInMemory(inputs: InputFile[], root: string, errors: MigrateError[]): Loaded[] {
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
    const bytes = typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : Buffer.from(input.content)
    out.push(load(p, path.join(root, p), bytes, input.kind))
  }
  return out.sort((a, b) => comparePaths(a.file.path, b.file.path))
}

function load(rel: string, abs: string, bytes: Buffer, kind?: 'apache' | 'wsgi'): Loaded {
  const { text, encoding } = decode(bytes)
  const isScript = kind === 'wsgi' || (kind === undefined && /\.(?:wsgi|py)$/.test(rel))
  const file: SourceFile = isScript
    ? ({ kind: 'wsgi', path: rel, absolutePath: abs, text } satisfies ScriptFile)
    : ({ kind: 'apache', path: rel, absolutePath: abs, tree: parse(bytes, { path: rel }) } satisfies ApacheFile)
  const envvars = !isScript && ENVVARS.test(rel)
  return { file, before: bytes, encoding, frozen: envvars, envvars, onDisk: false }
}

/** The root of a run on disk: given, or the one directory, or the common parent of the paths. */
async function findRoot(options: MigrateOptions, errors: MigrateError[]): Promise<string | null> {
  const given = options.paths ?? []
  let root: string
  if (options.root !== undefined) root = path.resolve(options.root)
  else if (given.length === 0) {
    errors.push({ code: 'usage', message: 'no paths given: name the config files or folders to scan, or a root' })
    return null
  } else {
    const dirs = await Promise.all(given.map((p) => dirOf(path.resolve(p))))
    root = dirs.reduce(commonParent)
  }
  try {
    const real = await realpath(root)
    if (!(await stat(real)).isDirectory()) {
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

async function dirOf(p: string): Promise<string> {
  try {
    return (await stat(p)).isDirectory() ? p : path.dirname(p)
  } catch {
    return path.dirname(p)
  }
}

const isInside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep)

async function loadFromDisk(
  options: MigrateOptions,
  root: string,
  errors: MigrateError[],
  skipped: Skipped[],
  includeMap: Map<string, string[]>,
): Promise<Loaded[]> {
  const given = options.paths?.length ? options.paths : [root]
  const givenAbs = new Set(given.map((p) => path.resolve(p)))
  const { files, skipped: notFound } = await discoverFiles(given, { root })
  for (const s of notFound) {
    const shown = isInside(root, s.path) ? relativeTo(root, s.path) : s.path
    if (givenAbs.has(s.path)) {
      const outside = /root/.test(s.reason)
      errors.push({
        code: outside ? 'outside-root' : 'io',
        file: shown,
        message: `${shown}: ${s.reason}${outside ? `; not read. Give a --root that holds it` : ''}`,
      })
    } else skipped.push({ path: shown, reason: s.reason })
  }

  // A scanned `x.conf<suffix>` beside a scanned `x.conf` is a backup (--backup=.pre-x, editors):
  // Apache does not read it through `*.conf` patterns, and reading it would make every later run
  // "fix" the backup. It is still read when named explicitly or reached through an Include.
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
        skipped.push({ path: relativeTo(root, f), reason: `looks like a backup of ${path.basename(original)}; not read (name it to read it)` })
        break
      }
    }
  }

  const loaded: Loaded[] = []
  const seen = new Set<string>()
  // envvars beside the main config (Debian) first: Include patterns may use its variables; then
  // the main configs: their ServerRoot decides where relative Includes point.
  const mainConfigs = files.filter((f) => APACHE_CONFIG_NAMES.test(f))
  const queue: Array<{ abs: string; kind?: 'wsgi' }> = []
  for (const dir of [...new Set([root, ...mainConfigs.map((f) => path.dirname(f))])]) {
    const real = realOrNull(path.join(dir, 'envvars'))
    if (real === null || !isInside(root, real) || queue.some((q) => q.abs === real)) continue
    if (isFile(real)) queue.push({ abs: real })
  }
  queue.push(...mainConfigs.map((abs) => ({ abs })), ...files.filter((f) => !APACHE_CONFIG_NAMES.test(f) && !backups.has(f)).map((abs) => ({ abs })))
  const env: Record<string, string> = { ...(options.env ?? {}) }
  let serverRoot: string | null = null
  let head = 0
  let done = 0
  while (head < queue.length) {
    const { abs, kind } = queue[head++] as { abs: string; kind?: 'wsgi' }
    if (seen.has(abs)) continue
    seen.add(abs)
    const rel = relativeTo(root, abs)
    let bytes: Buffer
    try {
      // Synchronous: thousands of small local files read faster without a thread-pool round trip.
      bytes = readFileSync(abs)
    } catch (e) {
      errors.push({ code: 'io', file: rel, message: `${rel}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check its permissions or leave it out` })
      continue
    }
    const l = load(rel, abs, bytes, kind)
    l.onDisk = true
    loaded.push(l)
    options.onProgress?.({ phase: 'read', done: ++done, total: done + queue.length - head })
    if (l.envvars) {
      Object.assign(env, parseEnvvars(l.file.kind === 'apache' ? toText(l.file.tree) : l.file.text), options.env ?? {})
      continue
    }
    if (l.file.kind !== 'apache') continue
    const tree = l.file.tree
    if (APACHE_CONFIG_NAMES.test(rel) && serverRoot === null) serverRoot = mainServerRoot(tree, root, abs)
    const base = serverRoot ?? guessServerRoot(root, abs)
    const defines: Record<string, string> = {}
    // Follow Include/IncludeOptional and WSGIScriptAlias targets, inside the root only.
    for (const d of directives(tree)) {
      const name = d.name.toLowerCase()
      const where = { file: rel, ...(d.position ? { line: d.position.start.line, column: d.position.start.column } : {}) }
      const at = `${rel}:${d.position?.start.line ?? 1}:${d.position?.start.column ?? 1}`
      if (name === 'define' && d.args.length >= 2) defines[d.args[0] as string] = expand(d.args[1] as string, defines, env)
      if ((name === 'include' || name === 'includeoptional') && d.args[0]) {
        const pattern = expand(d.args[0], defines, env)
        if (/\$\{[^}]*\}/.test(pattern)) {
          skipped.push({ path: pattern, reason: `${d.name} uses a variable that is not defined here; not followed`, ...where })
          continue
        }
        const { files: found, outside } = await resolveIncludePattern(pattern, { serverRoot: base, root })
        for (const o of outside) {
          errors.push({
            code: 'outside-root',
            ...where,
            message: `${at}: ${d.name} ${d.args[0]} leads outside the root ${root} (${o}); it was not read, so the run does not see the whole server. Run with --root set to a folder that holds both.`,
          })
        }
        const inside = found.filter((f) => isInside(root, f))
        includeMap.set(`${rel}\0${pattern}`, inside.map((f) => relativeTo(root, f)))
        for (const f of inside) queue.push({ abs: f })
      }
      if ((name === 'wsgiscriptalias' || name === 'wsgiscriptaliasmatch') && d.args[1]) {
        const target = expand(d.args[1], defines, env)
        if (!path.isAbsolute(target) || name === 'wsgiscriptaliasmatch' && /\$\d/.test(target)) continue
        const script = path.resolve(target)
        if (!isInside(root, script)) {
          skipped.push({ path: script, reason: 'WSGI script outside the root; not read: give a --root that holds it too (e.g. --root /) so its virtualenv activation can be fixed', ...where })
          continue
        }
        const real = realOrNull(script)
        if (real !== null && !isInside(root, real)) {
          skipped.push({ path: script, reason: `WSGI script is a symlink leaving the root (-> ${real}); not read`, ...where })
          continue
        }
        if (real !== null && isFile(real)) queue.push({ abs: real, kind: 'wsgi' })
        // A script that is not there is the model's business (advisory), not an error.
      }
    }
  }
  return loaded.sort((a, b) => comparePaths(a.file.path, b.file.path))
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

function expand(text: string, defines: Record<string, string>, env: Record<string, string>): string {
  if (!text.includes('${')) return text
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(defines, name) ? (defines[name] as string) : Object.prototype.hasOwnProperty.call(env, name) ? (env[name] as string) : whole,
  )
}

function relativeTo(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/')
}

function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function* directives(tree: Root): Generator<Directive> {
  const stack: Content[] = [...tree.children].reverse()
  while (stack.length > 0) {
    const node = stack.pop() as Content
    if (node.type === 'directive') yield node
    else if (node.type === 'section' && node.name.toLowerCase() !== 'macro') {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Content)
    }
  }
}

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
