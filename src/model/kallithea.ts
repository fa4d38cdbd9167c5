// Which mounted WSGI applications are Kallithea?
//
// The 0.3.2 transforms that concern the app itself (WSGIPassAuthorization for hg/git clients, the
// dispatch script's virtualenv activation) must leave every other WSGI app of the server alone, so
// they share one small, predictable heuristic:
//
//   1. the alias's script path mentions "kallithea" (`/srv/kallithea/dispatch.wsgi`), or
//   2. the daemon group the alias runs in (or names) mentions "kallithea", or
//   3. the script is among the run's files and its code (not its comments) imports kallithea or
//      names a `.ini` file whose path mentions kallithea (`loadapp('config:/srv/kallithea/my.ini')`).
//
// All comparisons are case-insensitive. Rule 3 finds installs under neutral paths
// (`/var/www/scm/dispatch.wsgi` running in group `scm`).
import { posix } from 'node:path'
import type { DaemonGroup, ScriptAlias, WsgiModel } from './types.js'
import { pushTo } from '../util/multimap.js'
import { scanPython } from '../python/index.js'
import type { ScriptFile, SourceFile } from '../runner/transform.js'

const KALLITHEA = /kallithea/i

/** The script file of the run an alias loads, and whether it was found by its exact path. */
export interface ScriptMatch {
  file: ScriptFile
  /** False: no file of the run has the alias's path; the only one with its base name was taken. */
  exact: boolean
}

/**
 * The run's WSGI script for `alias`: the file whose path on the server (its absolute path, or the
 * one --map read it for) is the alias's script, else the
 * only script of the run with the same base name (a run over copies of the files, or a script
 * outside the run's root that the user passed explicitly).
 */
export function scriptFileOf(alias: ScriptAlias, files: readonly SourceFile[]): ScriptMatch | undefined {
  const scripts = scriptIndex(files)
  const exact = scripts.byPath.get(alias.script)
  if (exact) return { file: exact, exact: true }
  if (alias.directive !== 'WSGIScriptAlias' || alias.script === '' || alias.script.endsWith('/')) return undefined
  const same = scripts.byBase.get(posix.basename(alias.script))
  return same?.length === 1 ? { file: same[0], exact: false } : undefined
}

interface ScriptIndex {
  /** The files it was made from, and how many: a changed list is indexed again. */
  count: number
  /** By absolute path: the first script with that path. */
  byPath: Map<string, ScriptFile>
  /** By base name, in the order of the run. */
  byBase: Map<string, ScriptFile[]>
}

const indexes = new WeakMap<readonly SourceFile[], ScriptIndex>()

/**
 * The scripts of a run by path and by base name, made once per list of files: every alias of a
 * large run asks for its script (a scan of all files per alias made the runs quadratic). Paths of
 * a run's files never change; their texts may, and are not indexed.
 */
function scriptIndex(files: readonly SourceFile[]): ScriptIndex {
  const known = indexes.get(files)
  if (known && known.count === files.length) return known
  const index: ScriptIndex = { count: files.length, byPath: new Map(), byBase: new Map() }
  for (const f of files) {
    if (f.kind !== 'wsgi') continue
    const serverPath = f.serverPath ?? f.absolutePath
    if (!index.byPath.has(serverPath)) index.byPath.set(serverPath, f)
    const base = posix.basename(serverPath.replace(/\\/g, '/'))
    pushTo(index.byBase, base, f)
  }
  indexes.set(files, index)
  return index
}

/** Group names the alias runs in or asks for (the decided group, and a dynamic group's allowed ones). */
function groupNames(alias: ScriptAlias): string[] {
  const g = alias.group
  return [g.group, g.daemon?.name, ...(g.allowed ?? [])].filter((n): n is string => n !== undefined)
}

/** Does the script's code import kallithea or load a kallithea `.ini`? Comments do not count. */
export function scriptLooksLikeKallithea(text: string): boolean {
  const scan = scanPython(text)
  for (const line of scan.logicalLines) {
    const toks = line.tokens
    const first = toks[0]
    if (first?.type === 'name' && (first.text === 'import' || first.text === 'from')) {
      if (toks.some((t) => t.type === 'name' && /^kallithea$/i.test(t.text))) return true
    }
    for (const t of toks) {
      if (t.type !== 'string' || typeof t.value !== 'string') continue
      if (KALLITHEA.test(t.value) && /\.ini\b/i.test(t.value)) return true
    }
  }
  return false
}

/** Whether a mounted WSGI application is Kallithea (see the rules at the top of this file). */
export function isKallitheaAlias(alias: ScriptAlias, files: readonly SourceFile[]): boolean {
  if (KALLITHEA.test(alias.script) || KALLITHEA.test(alias.rawScript)) return true
  if (groupNames(alias).some((n) => KALLITHEA.test(n))) return true
  const match = scriptFileOf(alias, files)
  return match !== undefined && scriptLooksLikeKallithea(match.file.text)
}

/** Kallithea's dispatch scripts among the run's files, each with the aliases that load it, in the order of the run. */
export function kallitheaScripts(model: WsgiModel, files: readonly SourceFile[]): Map<ScriptFile, ScriptAlias[]> {
  const byScript = new Map<ScriptFile, ScriptAlias[]>()
  for (const a of model.scriptAliases) {
    const match = scriptFileOf(a, files)
    if (match) pushTo(byScript, match.file, a)
  }
  const out = new Map<ScriptFile, ScriptAlias[]>()
  for (const file of files) {
    if (file.kind !== 'wsgi') continue
    const aliases = (byScript.get(file) ?? []).filter((a) => isKallitheaAlias(a, files))
    if (aliases.length > 0) out.set(file, aliases)
  }
  return out
}

const mentionsKallithea = (text: string): boolean => KALLITHEA.test(text)

/**
 * Whether a daemon group is (meant to be) Kallithea's: its name or paths say so (the 0.3.1 form's
 * idle group counts), or an application that runs in it is Kallithea by the rules above.
 */
export function servesKallithea(daemon: DaemonGroup, model: WsgiModel, files: readonly SourceFile[]): boolean {
  return fixScope(model, files).daemon(daemon)
}

/**
 * What the generic mod_wsgi fixes may change in one model: by default Kallithea's applications
 * and the daemon groups that serve Kallithea (rules above); with `allApps`, everything.
 */
export interface FixScope {
  allApps: boolean
  /** Whether an application of the server is Kallithea. */
  hostsKallithea: boolean
  /** Whether a fix may change this application (its group, its scope). */
  app(alias: ScriptAlias): boolean
  /** Whether a fix may change this daemon group. */
  daemon(daemon: DaemonGroup): boolean
}

const scopes = new WeakMap<WsgiModel, WeakMap<readonly SourceFile[], Map<boolean, FixScope>>>()

/** The fix scope of a model and the run's files, made once per pair (every alias asked once). */
export function fixScope(model: WsgiModel, files: readonly SourceFile[], allApps = false): FixScope {
  let byFiles = scopes.get(model)
  if (byFiles === undefined) scopes.set(model, (byFiles = new WeakMap()))
  let made = byFiles.get(files)
  if (made === undefined) byFiles.set(files, (made = new Map()))
  const known = made.get(allApps)
  if (known !== undefined) return known
  const kallithea = new Set(model.scriptAliases.filter((a) => isKallitheaAlias(a, files)))
  // A group runs Kallithea when a Kallithea app runs in (or may pick) it, or its name or paths say so.
  const served = new Set<DaemonGroup['node']>()
  for (const a of kallithea) for (const d of [a.group.daemon, ...(a.group.allowedDaemons ?? [])]) if (d) served.add(d.node)
  const pathOptions = new Set(['python-home', 'python-path', 'home', 'display-name'])
  const named = (d: DaemonGroup): boolean => mentionsKallithea(d.name) || d.options.some((o) => pathOptions.has(o.key) && mentionsKallithea(o.value))
  const scope: FixScope = {
    allApps,
    hostsKallithea: kallithea.size > 0,
    app: (alias) => allApps || kallithea.has(alias),
    daemon: (d) => allApps || served.has(d.node) || named(d),
  }
  made.set(allApps, scope)
  return scope
}
