// The runner: read files, run the selected transforms over them in version order, report what
// changed and why, make the patch, and write only when asked and only when nothing failed.
import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import semver from 'semver'
import { builtinTransforms } from '../transforms/index.js'
import { decode, encode } from './decode.js'
import { discoverFiles, resolveIncludePattern } from './discover.js'
import { formatDiagnostic } from './diagnostics.js'
import { lineRanges, type LineRange } from './locate.js'
import { buildModel, defaultIncludeResolver, parseEnvvars, type WsgiModel } from './mod-wsgi-model.js'
import { parse } from './parse.js'
import { createPatch } from './patch.js'
import { toText } from './print.js'
import type { AdvisoryInput, ApacheFile, ChangeInput, ScriptFile, SourceFile, Transform, TransformContext } from './transform.js'
import type { Content, Encoding, Root } from './types.js'
import { writeFilesAtomically } from './write.js'

export interface InputFile {
  /** Path relative to the root (posix), as it should appear in reports and the patch. */
  path: string
  content: string | Uint8Array
}

export interface MigrateOptions {
  /** Files or directories to scan (ignored when `files` is given). */
  paths?: string[]
  /** Nothing outside it is read or written; Includes are followed only inside it. */
  root?: string
  /** In-memory files instead of the file system (nothing is read or written). */
  files?: InputFile[]
  /** Highest Kallithea version whose form to apply (`latest` for all); default 0.3.2. */
  to?: string
  /** Apply only transforms for versions above this one. */
  from?: string
  only?: string[]
  skip?: string[]
  /** The mod_wsgi version in use: transforms that need a newer one advise instead. */
  modWsgi?: string
  /** Extra transforms (a user's own modules), run with the built-in ones. */
  transforms?: Transform[]
  /** Apache's environment (e.g. APACHE_RUN_USER); read from an `envvars` file of the run too. */
  env?: Record<string, string>
  /** Write changed files (atomically). Default false. */
  write?: boolean
  /** With write: keep the original beside each changed file, with this suffix. */
  backup?: string
  /** Called as files are read, for progress output. */
  onProgress?: (event: { phase: 'read' | 'transform'; done: number; total: number }) => void
}

export interface Change {
  transform: string
  file: string
  kind: 'insert' | 'modify' | 'remove'
  /** Lines in the new file (insert, modify) or in the original file (remove). */
  lines: LineRange
  explanation: string
}

export interface Advisory {
  transform: string
  file: string
  line?: number
  column?: number
  message: string
}

export interface MigrateError {
  /** `parse`, `io`, `outside-root`, `transform`, `write`, `usage`. */
  code: string
  file?: string
  line?: number
  column?: number
  message: string
}

export interface FileResult {
  path: string
  absolutePath?: string
  kind: 'apache' | 'wsgi'
  status: 'changed' | 'unchanged' | 'error'
  before: Buffer
  after: Buffer
}

export interface MigrateResult {
  root: string
  transforms: Array<Pick<Transform, 'id' | 'version' | 'title'>>
  files: FileResult[]
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
  /** Unified diff of all changes (git-style, paths relative to the root); empty when none. */
  patch: Buffer
  /** Paths written (with write: true). */
  written: string[]
}

interface Loaded {
  file: SourceFile
  before: Buffer
  encoding: Encoding
  readOnly: boolean
}

const APACHE_CONFIG_NAMES = /(?:^|\/)(?:apache2|httpd)\.conf$/

/** Run the migration. Writes nothing unless `write: true` and nothing failed. */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const errors: MigrateError[] = []
  const advisories: Advisory[] = []
  const selected = selectTransforms(options, errors)
  const root = path.resolve(options.root ?? (options.paths?.length === 1 ? await dirOf(options.paths[0]) : process.cwd()))
  // Include patterns as resolved on disk (symlinks to their real files), for the model.
  const includeMap = new Map<string, string[]>()
  const loaded = options.files ? loadInMemory(options.files, root) : await loadFromDisk(options, root, errors, includeMap)

  for (const l of loaded) {
    if (l.file.kind !== 'apache') continue
    for (const d of l.file.tree.data.diagnostics) {
      l.readOnly = true
      errors.push({ code: 'parse', file: l.file.path, line: d.line ?? undefined, column: d.column ?? undefined, message: formatDiagnostic(d, l.file.path) })
    }
  }

  const changes: Change[] = []
  const pending: Array<{ change: ChangeInput; transform: string }> = []
  const removedLines = new Map<Content, LineRange>()
  const files = loaded.map((l) => l.file)
  const env = { ...envFromFiles(files), ...(options.env ?? {}) }
  let model: WsgiModel | undefined
  const fallback = defaultIncludeResolver(apacheFiles(files).map((f) => f.path))
  const resolveIncludes = (pattern: string, from: string): string[] => includeMap.get(`${from}\0${pattern}`) ?? fallback(pattern, from)
  const context = (transform: Transform): TransformContext => ({
    files,
    options: { modWsgiVersion: options.modWsgi, env, mainConfig: files.find((f) => APACHE_CONFIG_NAMES.test(f.path))?.path },
    model: () => (model ??= buildModel(apacheFiles(files), { env, resolveInclude: resolveIncludes })),
    change: (change) => {
      model = undefined
      if (change.kind === 'remove' && change.node?.position) {
        removedLines.set(change.node, { start: change.node.position.start.line, end: change.node.position.end.line })
      }
      pending.push({ change, transform: transform.id })
    },
    advise: (a: AdvisoryInput) => advisories.push(toAdvisory(a, transform.id)),
  })

  selected.forEach((transform, i) => {
    options.onProgress?.({ phase: 'transform', done: i, total: selected.length })
    if (options.modWsgi && transform.modWsgi && !semver.satisfies(semver.coerce(options.modWsgi) ?? options.modWsgi, transform.modWsgi)) {
      advisories.push({ transform: transform.id, file: '', message: `skipped: needs mod_wsgi ${transform.modWsgi}, you run ${options.modWsgi}` })
      return
    }
    try {
      transform.apply(context(transform))
    } catch (e) {
      errors.push({ code: 'transform', message: `transform ${transform.id} failed: ${(e as Error).message}` })
    }
  })

  const results: FileResult[] = []
  for (const l of loaded) {
    const text = l.file.kind === 'apache' ? toText(l.file.tree) : l.file.text
    let after = encode(text, l.encoding)
    let status: FileResult['status'] = after.equals(l.before) ? 'unchanged' : 'changed'
    if (status === 'changed' && l.readOnly) {
      after = l.before
      status = 'error'
      errors.push({ code: 'parse', file: l.file.path, message: `${l.file.path}: not changed: fix the parse errors above first, then run again` })
    }
    results.push({ path: l.file.path, absolutePath: l.file.absolutePath, kind: l.file.kind, status, before: l.before, after })
  }

  const ranges = new Map<SourceFile, Map<Content, LineRange>>()
  for (const { change, transform } of pending) {
    const result = results.find((r) => r.path === change.file.path)
    if (!result || result.status !== 'changed') continue
    let lines = change.lines ?? { start: 0, end: 0 }
    if (change.node) {
      if (change.kind === 'remove') lines = removedLines.get(change.node) ?? lines
      else if (change.file.kind === 'apache') {
        if (!ranges.has(change.file)) ranges.set(change.file, lineRanges(change.file.tree))
        lines = ranges.get(change.file)?.get(change.node) ?? lines
      }
    }
    changes.push({ transform, file: change.file.path, kind: change.kind, lines, explanation: change.explanation })
  }

  const changed = results.filter((r) => r.status === 'changed')
  const patch = createPatch(changed.map((r) => ({ path: r.path, before: r.before, after: r.after })))
  const written: string[] = []
  if (options.write && !options.files && changed.length > 0) {
    if (errors.length > 0) {
      errors.push({ code: 'write', message: 'nothing written: the run had errors; fix them and run again' })
    } else {
      try {
        await writeFilesAtomically(
          changed.map((r) => ({ path: r.absolutePath as string, content: r.after, expected: r.before })),
          options.backup !== undefined ? { backupSuffix: options.backup } : {},
        )
        written.push(...changed.map((r) => r.path))
      } catch (e) {
        const err = e as Error & { path?: string }
        errors.push({ code: 'write', file: err.path ? path.relative(root, err.path) : undefined, message: err.message })
      }
    }
  }

  return {
    root,
    transforms: selected.map(({ id, version, title }) => ({ id, version, title })),
    files: results,
    changes,
    advisories,
    errors,
    patch,
    written,
  }
}

/** The transforms a run applies: `from < version <= to`, `only`/`skip`, in version order. */
export function selectTransforms(options: Pick<MigrateOptions, 'to' | 'from' | 'only' | 'skip' | 'transforms'>, errors: MigrateError[] = []): Transform[] {
  const all = [...builtinTransforms, ...(options.transforms ?? [])]
  const to = options.to === undefined ? '0.3.2' : options.to
  for (const [flag, v] of [['--to', to], ['--from', options.from]] as const) {
    if (v !== undefined && v !== 'latest' && semver.valid(semver.coerce(v)) === null) {
      errors.push({ code: 'usage', message: `${flag} ${v}: not a version; use e.g. 0.3.2 or latest` })
    }
  }
  const known = new Set(all.map((t) => t.id))
  for (const id of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!known.has(id)) errors.push({ code: 'usage', message: `unknown transform '${id}'; see --list` })
  }
  const version = (v: string): string => semver.coerce(v)?.version ?? v
  return all
    .map((t, order) => ({ t, order }))
    .filter(({ t }) => to === 'latest' || semver.lte(version(t.version), version(to)))
    .filter(({ t }) => options.from === undefined || semver.gt(version(t.version), version(options.from)))
    .filter(({ t }) => !options.only?.length || options.only.includes(t.id))
    .filter(({ t }) => !options.skip?.includes(t.id))
    .sort((a, b) => semver.compare(version(a.t.version), version(b.t.version)) || a.order - b.order)
    .map(({ t }) => t)
}

function apacheFiles(files: readonly SourceFile[]): Array<{ path: string; tree: Root }> {
  return files.filter((f): f is ApacheFile => f.kind === 'apache').map((f) => ({ path: f.path, tree: f.tree }))
}

function toAdvisory(a: AdvisoryInput, transform: string): Advisory {
  const line = a.line ?? a.node?.position?.start.line
  const column = a.column ?? a.node?.position?.start.column
  return { transform, file: a.file.path, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}), message: a.message }
}

/** Debian's /etc/apache2/envvars: `export APACHE_RUN_USER=www-data`. */
function envFromFiles(files: readonly SourceFile[]): Record<string, string> {
  let env: Record<string, string> = {}
  for (const f of files) {
    if (f.kind === 'apache' && path.posix.basename(f.path) === 'envvars') env = parseEnvvars(toText(f.tree), env)
  }
  return env
}

function loadInMemory(inputs: InputFile[], root: string): Loaded[] {
  return inputs.map((input) => load(input.path, path.join(root, input.path), Buffer.from(input.content instanceof Uint8Array ? input.content : Buffer.from(input.content, 'utf8'))))
}

function load(rel: string, abs: string, bytes: Buffer): Loaded {
  const { text, encoding } = decode(bytes)
  const file: SourceFile = rel.endsWith('.wsgi') || rel.endsWith('.py')
    ? ({ kind: 'wsgi', path: rel, absolutePath: abs, text } satisfies ScriptFile)
    : ({ kind: 'apache', path: rel, absolutePath: abs, tree: parse(bytes, { path: rel }) } satisfies ApacheFile)
  return { file, before: bytes, encoding, readOnly: false }
}

async function dirOf(p: string): Promise<string> {
  try {
    return (await stat(p)).isDirectory() ? p : path.dirname(p)
  } catch {
    return process.cwd()
  }
}

async function loadFromDisk(options: MigrateOptions, root: string, errors: MigrateError[], includeMap: Map<string, string[]>): Promise<Loaded[]> {
  const realRoot = await realpath(root).catch(() => root)
  const { files, skipped } = await discoverFiles(options.paths?.length ? options.paths : [root], { root: realRoot })
  for (const s of skipped) errors.push({ code: 'outside-root', file: relative(realRoot, s.path), message: `${relative(realRoot, s.path)}: ${s.reason}` })
  const loaded: Loaded[] = []
  const seen = new Set<string>()
  const queue = files.slice()
  let done = 0
  while (queue.length > 0) {
    const abs = queue.shift() as string
    if (seen.has(abs)) continue
    seen.add(abs)
    const rel = relative(realRoot, abs)
    let bytes: Buffer
    try {
      bytes = await readFile(abs)
    } catch (e) {
      errors.push({ code: 'io', file: rel, message: `${rel}: cannot read: ${(e as Error).message}` })
      continue
    }
    const l = load(rel, abs, bytes)
    loaded.push(l)
    options.onProgress?.({ phase: 'read', done: ++done, total: done + queue.length })
    if (l.file.kind !== 'apache') continue
    // Follow Include/IncludeOptional and WSGIScriptAlias targets, inside the root only.
    const serverRoot = serverRootFor(l.file.tree, realRoot, abs)
    for (const d of directives(l.file.tree)) {
      const name = d.name.toLowerCase()
      if ((name === 'include' || name === 'includeoptional') && d.args[0]) {
        const { files: found, outside } = await resolveIncludePattern(d.args[0], { serverRoot, root: realRoot })
        for (const o of outside) {
          errors.push({ code: 'outside-root', file: rel, line: d.position?.start.line, column: d.position?.start.column, message: `${rel}:${d.position?.start.line}:${d.position?.start.column}: ${d.name} ${d.args[0]} leads outside the root (${o}); not read. Pass --root to widen it.` })
        }
        const real = await Promise.all(found.map((f) => realpath(f).catch(() => f)))
        includeMap.set(`${rel}\0${d.args[0]}`, real.filter((f) => f === realRoot || f.startsWith(realRoot + path.sep)).map((f) => relative(realRoot, f)))
        queue.push(...real)
      }
      if ((name === 'wsgiscriptalias' || name === 'wsgiscriptaliasmatch') && d.args[1] && path.isAbsolute(d.args[1])) {
        const script = path.resolve(d.args[1])
        if (script.startsWith(realRoot + path.sep)) {
          try {
            if ((await stat(script)).isFile()) queue.push(script)
          } catch {
            // A script that is not there is the model's business (advisory), not an error.
          }
        }
      }
    }
  }
  return loaded.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0))
}

function relative(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/')
}

function* directives(tree: Root): Generator<import('./types.js').Directive> {
  const stack: Content[] = [...tree.children]
  while (stack.length > 0) {
    const node = stack.shift() as Content
    if (node.type === 'directive') yield node
    else if (node.type === 'section' && node.name.toLowerCase() !== 'macro') stack.unshift(...node.children)
  }
}

/** ServerRoot if the file sets it and it lies in the root, else the folder of the main config. */
function serverRootFor(tree: Root, root: string, abs: string): string {
  for (const d of directives(tree)) {
    if (d.name.toLowerCase() === 'serverroot' && d.args[0]) {
      const p = path.resolve(d.args[0])
      if (p === root || p.startsWith(root + path.sep)) return p
    }
  }
  let dir = path.dirname(abs)
  // sites-enabled/x.conf includes relative to the folder above (Debian's /etc/apache2).
  while (dir.startsWith(root) && dir !== root) {
    if (/^(?:sites|conf|mods)-(?:available|enabled)$|^conf\.d$/.test(path.basename(dir))) dir = path.dirname(dir)
    else break
  }
  return dir
}
