// The Include graph of a run: which files each Include/IncludeOptional statement pulls in, and
// which files are the tops of the server config. Built once, by one walk in Apache's reading
// order (main configs first, Includes followed in place, Define/UnDefine applied as met), that
// resolves each statement once: on disk while the files are read (load.ts), or over an
// in-memory set of files (`includeGraph`).
import { posix } from 'node:path'
import type { Content, Directive, Root } from '../syntax/types.js'
import { CONTINUE, SKIP, visit } from '../syntax/visit.js'
import { fnmatch, hasWildcard } from './glob.js'
import { compareBytes, isMainConfigName } from './paths.js'
import { createVariables, hasVariable, type Variables } from './variables.js'

export interface IncludeGraph {
  /** Files (run paths) an Include/IncludeOptional statement pulls in, in Apache order, resolved once. */
  targets(node: Directive): readonly string[]
  /** Files no other file of the run includes: the tops of the server config, in order. */
  readonly roots: readonly string[]
  /** Files (run paths) a file's Include statements pull in, in Apache order. */
  includes(file: string): readonly string[]
  /** Paths an Include statement names that the run did not read (outside the root), as Apache names them. */
  unread(node: Directive): readonly string[]
  /**
   * A plain Include that names no file that exists, where the run can tell (on disk, the path
   * absolute or the ServerRoot known): Apache refuses to start. An in-memory set cannot tell.
   */
  missing(node: Directive): boolean
}

/**
 * The files (run paths) an Include pattern, expanded, names from the file `from`, in Apache order;
 * `top` is the file the walk started from (a main config, or a file no other includes).
 */
export type IncludeResolver = (pattern: string, from: string, node: Directive, top: string) => readonly string[]

export interface WalkOptions {
  /** Config files of the run in run order: the walk starts from each (main configs first); roots keep this order. */
  files: readonly string[]
  /** The tree of a run path, read on first ask; undefined: not walked (a script, envvars, unreadable). */
  tree: (path: string) => Root | undefined
  resolve: IncludeResolver
  /** The environment `${VAR}` falls back to. */
  env?: Readonly<Record<string, string>>
  /** Called for every directive walked, with the variables then in effect and the top file. */
  visit?: (node: Directive, file: string, vars: Variables, top: string) => void
  /** Called for an Include whose expanded pattern keeps a `${VAR}`: it is not followed. */
  unresolved?: (node: Directive, file: string, pattern: string) => void
  /** Paths an Include statement named that were not read (the disk walk knows them). */
  unread?: (node: Directive) => readonly string[]
  /** Plain Includes that name no file that exists (the disk walk knows them). */
  missing?: (node: Directive) => boolean
}

/** A graph with no files. */
export const EMPTY_GRAPH: IncludeGraph = { targets: () => [], roots: [], includes: () => [], unread: () => [], missing: () => false }

/** A file being walked: its directives still to read, and the files to enter before them. */
interface Frame {
  file: string
  nodes: Iterator<Directive>
  enter: readonly string[]
  next: number
}

/**
 * Walk the run's files as Apache reads them and record, for each Include statement, the files it
 * pulls in. A file is walked once (where it is first reached), so each statement is resolved
 * once; a file already being walked is not entered again (an Include cycle).
 */
export function walkIncludes(options: WalkOptions): IncludeGraph {
  const vars = createVariables(options.env)
  const recorded = new Map<Directive, readonly string[]>()
  const edges = new Map<string, string[]>()
  const included = new Set<string>()
  const walked = new Set<string>()
  const stack: Frame[] = []
  const enter = (file: string): void => {
    if (walked.has(file)) return
    const tree = options.tree(file)
    if (tree === undefined) return
    walked.add(file)
    stack.push({ file, nodes: directives(tree).values(), enter: [], next: 0 })
  }
  const include = (node: Directive, file: string, top: string): readonly string[] => {
    const raw = node.args[0] ?? ''
    if (raw === '') return []
    const pattern = vars.resolve(raw)
    if (hasVariable(pattern)) {
      options.unresolved?.(node, file, pattern)
      return []
    }
    return options.resolve(pattern, file, node, top)
  }
  const main = options.files.filter(isMainConfigName)
  for (const top of [...main, ...options.files.filter((f) => !isMainConfigName(f))]) {
    enter(top)
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame
      if (frame.next < frame.enter.length) {
        enter(frame.enter[frame.next++] as string)
        continue
      }
      const step = frame.nodes.next()
      if (step.done) {
        stack.pop()
        continue
      }
      const node = step.value
      options.visit?.(node, frame.file, vars, top)
      if (vars.apply(node) || !isInclude(node)) continue
      const targets = include(node, frame.file, top)
      recorded.set(node, targets)
      const from = edges.get(frame.file) ?? []
      edges.set(frame.file, from)
      for (const t of targets) {
        from.push(t)
        if (t !== frame.file) included.add(t)
      }
      frame.enter = targets
      frame.next = 0
    }
  }
  const { unread, missing } = options
  return {
    targets: (node) => recorded.get(node) ?? [],
    roots: options.files.filter((f) => walked.has(f) && !included.has(f)),
    includes: (file) => edges.get(file) ?? [],
    unread: unread ? (node) => unread(node) : () => [],
    missing: missing ? (node) => missing(node) : () => false,
  }
}

/**
 * The Include graph of an in-memory set of files (no file system access): patterns are matched
 * against the set's paths (`setResolver`) unless `resolve` says otherwise.
 */
export function includeGraph(
  files: ReadonlyArray<{ path: string; tree: Root }>,
  options: { env?: Readonly<Record<string, string>>; resolve?: IncludeResolver; paths?: readonly string[] } = {},
): IncludeGraph {
  const byPath = new Map<string, Root>()
  for (const f of files) if (!byPath.has(f.path)) byPath.set(f.path, f.tree)
  return walkIncludes({
    files: files.map((f) => f.path),
    tree: (path) => byPath.get(path),
    resolve: options.resolve ?? setResolver(options.paths ?? files.map((f) => f.path)),
    ...(options.env !== undefined ? { env: options.env } : {}),
  })
}

const isInclude = (node: Directive): boolean => {
  const name = node.name.toLowerCase()
  return name === 'include' || name === 'includeoptional'
}

/** The directives of a tree in reading order, `<Macro>` bodies left out (the iterative visit: deep nesting). */
export function directives(tree: Root): Directive[] {
  const out: Directive[] = []
  visit(tree, (node: Content | Root) => {
    if (node.type === 'directive') out.push(node)
    return node.type === 'section' && node.name.toLowerCase() === 'macro' ? SKIP : CONTINUE
  })
  return out
}

/**
 * Include resolution over the paths of a set, without touching the disk. Relative patterns are
 * tried against the set's root (ServerRoot, where the main config usually sits), then against the
 * including file's directory and its parents; absolute ones as written, then by their trailing
 * segments (`/etc/apache2/sites-enabled/*.conf` finds `sites-enabled/x.conf`). A pattern naming a
 * directory includes every file below it. Results are sorted as Apache sorts them.
 */
export function setResolver(paths: readonly string[]): (pattern: string, from: string) => string[] {
  // Sorted by normalized path, so a pattern is tested only against the paths that start with its
  // literal head (`sites-enabled/` for `sites-enabled/*.conf`); results are kept per candidate.
  const normal = paths
    .map((p) => ({ path: p, norm: posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '') }))
    .sort((a, b) => compareBytes(a.norm, b.norm))
  const norms = normal.map((p) => p.norm)
  const cache = new Map<string, string[]>()
  const matchAll = (candidate: string): string[] => {
    const cached = cache.get(candidate)
    if (cached !== undefined) return cached
    const pattern = candidate.replace(/(.)\/+$/, '$1')
    const head = pattern.slice(0, literalHead(pattern))
    const found: string[] = []
    for (let i = lowerBound(norms, head); i < norms.length && (norms[i] as string).startsWith(head); i++) {
      if (fnmatch(pattern, norms[i] as string, INCLUDE_GLOB)) found.push((normal[i] as { path: string }).path)
    }
    found.sort(compareBytes)
    cache.set(candidate, found)
    return found
  }
  return (pattern, from) => {
    if (pattern === '' || hasVariable(pattern)) return []
    for (const c of candidates(pattern, from)) {
      const found = matchAll(c)
      if (found.length > 0) return found.slice()
    }
    return []
  }
}

/** Include globs over paths: segment by segment, hidden names only by a literal `.`, directories whole. */
const INCLUDE_GLOB = { pathname: true, period: true, leadingDir: true }

/** The paths of the set a pattern may mean, most likely first. */
function candidates(pattern: string, from: string): string[] {
  const p = posix.normalize(pattern.replace(/\\/g, '/'))
  const out = [p]
  if (p.startsWith('/')) {
    const segs = p.split('/').filter((s) => s !== '')
    for (let i = 1; i < segs.length; i++) {
      const rest = segs.slice(i)
      if (rest.length === 1 && hasWildcard(rest[0] as string)) break
      out.push(rest.join('/'))
    }
  } else {
    let dir = posix.dirname(from.replace(/\\/g, '/'))
    for (;;) {
      if (dir !== '.' && dir !== '') out.push(posix.join(dir, p))
      const up = posix.dirname(dir)
      if (up === dir) break
      dir = up
    }
  }
  return out
}

/** Where a pattern stops being literal (its length if it never does). */
function literalHead(pattern: string): number {
  const i = pattern.search(/[*?[\\]/)
  return i === -1 ? pattern.length : i
}

/** First index in `keys` (sorted by byte order) whose key is not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareBytes(keys[mid] as string, key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
