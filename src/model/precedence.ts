// Effective settings in mod_wsgi's precedence order: the alias's own option, then per-directory
// containers (merged as Apache merges them), then the vhost, then the global server config.
// What decides an application's process group, application group and WSGIPassAuthorization.
import { isTemplated } from '../syntax/templates.js'
import type { Directive } from '../syntax/types.js'
import { aliasPathsOf, collapse, containerCoverage, directoryKey, isLiteralGlob, type AliasPaths, type Coverage } from './containers.js'
import type { DaemonIndex } from './daemons.js'
import { onOff } from './options.js'
import { bucketCandidates, indexSettings, inOrder, type SettingIndex } from './setting-index.js'
import type { ContainerInfo, Effective, GroupResolution, HandlerApp, PassAuthorization, RestrictEmbedded, ScriptAlias, Scope, Setting, Via } from './types.js'
import { isUnder } from '../util/is-under.js'

/**
 * What a setting is looked up for: a scope, an alias (its requests) in its scope, or a wsgi-script
 * handler (the requests of its files, which other containers may hold some of).
 */
export interface Target {
  scope: Scope
  alias?: ScriptAlias
  handler?: HandlerApp
}

/** True when setting `s` never renders with the target (another branch of a template block). */
export type Apart = (s: Setting, target: Target) => boolean

/** The settings the walk collected, each list in reading order. */
export interface SettingLists {
  processGroups: Setting[]
  applicationGroups: Setting[]
  passAuthorizations: Setting[]
  restrictProcesses: Setting[]
}

export interface Precedence {
  processGroup(target: Target): GroupResolution
  passAuthorization(target: Target): PassAuthorization
  applicationGroup(target: Target): Effective
}

/** The setting that decides, how, and the settings that apply to part of the requests only. */
interface Decided {
  setting?: Setting
  via: Via
  partial: Setting[]
}

const isFlagSetting = (s: Setting): boolean => onOff(s.value) !== undefined

/** Resolvers over the settings of one model; indexes are made on first use. */
export function createPrecedence(lists: SettingLists, daemons: DaemonIndex, apart?: Apart): Precedence {
  const effective = effectiveSettings(apart)

  const dynamic = (value: string, envVar: string, target: Target, base: GroupBase): GroupResolution => {
    const r = effective(lists.restrictProcesses, target, undefined, false)
    if (r.setting === undefined) return { mode: 'dynamic', group: value, envVar, ...base }
    const allowed = r.setting.values
    const allowedDaemons = allowed.map((n) => daemons.daemon(n)).filter((d) => d !== undefined)
    return { mode: 'dynamic', group: value, envVar, ...base, restrictProcess: r.setting, allowed, allowedDaemons }
  }

  const classify = (value: string, via: Via, target: Target, decided: { directive?: Directive; setting?: Setting }, partial: Setting[]): GroupResolution => {
    const base: GroupBase = { via, partial, ...(decided.directive ? { directive: decided.directive } : {}), ...(decided.setting ? { setting: decided.setting } : {}) }
    if (value === '' || value === '%{GLOBAL}') return { mode: 'embedded', ...base }
    const envVar = /^%\{ENV:([^}]*)\}$/.exec(value)
    if (envVar) return dynamic(value, envVar[1], target, base)
    const d = daemons.daemon(value)
    // A group a template fills in (`{{ group }}`) that no daemon is named by: unknown, not "elsewhere".
    if (d === undefined && isTemplated(value)) return { mode: 'templated', group: value, ...base }
    if (d === undefined) return { mode: 'undefined-group', group: value, ...base }
    if (daemons.reachable(d, target.scope)) return { mode: 'daemon', group: value, daemon: d, ...base }
    return { mode: 'unreachable', group: value, daemon: d, ...base }
  }

  const processGroup = (target: Target): GroupResolution => {
    const opt = target.alias?.options['process-group']
    if (target.alias && opt) return classify(opt.value, 'alias-option', target, { directive: target.alias.node }, [])
    const templated = target.alias?.invalidOptions.find((o) => o.templated)
    if (target.alias && templated) return { mode: 'templated', group: templated.key, via: 'alias-option', directive: target.alias.node, partial: [] }
    const e = effective(lists.processGroups, target)
    if (e.setting === undefined) return { mode: 'embedded', via: 'default', partial: e.partial }
    return classify(e.setting.value, e.via, target, { directive: e.setting.node, setting: e.setting }, e.partial)
  }

  const passAuthorization = (target: Target): PassAuthorization => {
    const opt = target.alias?.options['pass-authorization']
    if (target.alias && opt && onOff(opt.value) !== undefined) {
      return { value: onOff(opt.value), via: 'alias-option', directive: target.alias.node }
    }
    const e = effective(lists.passAuthorizations, target, isFlagSetting, false)
    if (e.setting === undefined) return { value: undefined, via: 'default' }
    return { value: onOff(e.setting.value), via: e.via, directive: e.setting.node, setting: e.setting }
  }

  const applicationGroup = (target: Target): Effective => {
    const opt = target.alias?.options['application-group']
    if (target.alias && opt) return { value: opt.value, via: 'alias-option', directive: target.alias.node }
    const e = effective(lists.applicationGroups, target, undefined, false)
    if (e.setting === undefined) return { via: 'default' }
    return { value: e.setting.value, via: e.via, directive: e.setting.node, setting: e.setting }
  }

  return { processGroup, passAuthorization, applicationGroup }
}

/** The fields every group resolution shares. */
type GroupBase = Pick<GroupResolution, 'via' | 'partial' | 'directive' | 'setting'>

/**
 * The effective setting of a list for a target. `valid` filters the list (a list is always asked
 * with the same test); with `wantPartial` false, `partial` is left empty and not searched for.
 */
function effectiveSettings(apart?: Apart): (list: Setting[], target: Target, valid?: (s: Setting) => boolean, wantPartial?: boolean) => Decided {
  const aliasPaths = new Map<ScriptAlias, AliasPaths>()
  const pathsOf = (alias: ScriptAlias): AliasPaths => {
    let p = aliasPaths.get(alias)
    if (p === undefined) aliasPaths.set(alias, (p = aliasPathsOf(alias)))
    return p
  }
  const covers = containerCoverage()
  const coverage = (s: Setting, target: Target): Coverage => {
    if (target.alias === undefined) return target.handler ? handlerCoverage(s, target.scope) : scopeCoverage(s, target.scope)
    let result: Coverage = 'full'
    for (const c of s.scope.containers) {
      const cov = covers(c, pathsOf(target.alias))
      if (cov === 'none') return 'none'
      if (cov === 'partial') result = 'partial'
    }
    return result
  }
  const indexes = new Map<Setting[], SettingIndex>()

  return (list, target, valid = () => true, wantPartial = true) => {
    let index = indexes.get(list)
    if (index === undefined) indexes.set(list, (index = indexSettings(list, valid)))
    // Only the settings that can apply: global ones and those of the target's vhost, found through
    // the index by container path (a superset of those whose coverage is not 'none').
    const vhostBucket = target.scope.vhost !== undefined ? index.vhosts.get(target.scope.vhost.section) : undefined
    // A handler's files may lie in any container: every one is asked.
    const bucket = (b: Parameters<typeof bucketCandidates>[0]) =>
      target.handler !== undefined && wantPartial ? [b.all] : bucketCandidates(b, target.scope, target.alias, pathsOf, wantPartial)
    const candidates = inOrder([...bucket(index.global), ...(vhostBucket ? bucket(vhostBucket) : [])])
    const full: Setting[] = []
    const partial: Setting[] = []
    const renders = (s: Setting): boolean => apart === undefined || !apart(s, target)
    for (const s of candidates) {
      if (!renders(s)) continue
      const cov = coverage(s, target)
      if (cov === 'none') continue
      if (cov === 'partial' || s.scope.conditional !== undefined) {
        if (wantPartial) partial.push(s)
      } else full.push(s)
    }
    return decide(index, target.scope, full, partial, renders)
  }
}

/**
 * The last merged container setting wins, then the vhost's, then the global one; of the plain
 * ones, the last that renders with the target (template branches).
 */
function decide(index: SettingIndex, scope: Scope, full: Setting[], partial: Setting[], renders: (s: Setting) => boolean): Decided {
  if (full.length > 0) {
    full.sort(mergeOrder)
    return { setting: full[full.length - 1], via: 'container', partial }
  }
  const vhost = scope.vhost
  const lastOf = (list: readonly Setting[] | undefined): Setting | undefined => {
    for (let i = (list?.length ?? 0) - 1; i >= 0; i--) if (renders(list![i])) return list![i]
    return undefined
  }
  const s = vhost === undefined ? undefined : lastOf(index.plainByVhost.get(vhost.section))
  if (s) return { setting: s, via: 'vhost', partial }
  const g = lastOf(index.plainGlobal)
  if (g) return { setting: g, via: 'global', partial }
  return { via: 'default', partial }
}

/** For a plain scope: settings in the same (or enclosing) containers apply. */
function scopeCoverage(s: Setting, scope: Scope): Coverage {
  const mine = scope.containers
  const theirs = s.scope.containers
  if (theirs.length > mine.length) return 'none'
  for (let i = 0; i < theirs.length; i++) if (theirs[i].section !== mine[i].section) return 'none'
  return 'full'
}

/**
 * For a handler's files: the settings of its own containers (or those around them) apply to all;
 * one in another container may apply to some, unless the two containers' paths part ways.
 */
function handlerCoverage(s: Setting, scope: Scope): Coverage {
  if (scopeCoverage(s, scope) === 'full') return 'full'
  return s.scope.containers.some((c) => scope.containers.some((h) => apart(c, h))) ? 'none' : 'partial'
}

/** Two containers no request is in both of: literal <Directory>, <Location> or <Files> paths that part ways. */
function apart(a: ContainerInfo, b: ContainerInfo): boolean {
  if (a.regex || b.regex || a.kind !== b.kind) return false
  if (a.kind === 'Directory') {
    const [x, y] = [directoryKey(a), directoryKey(b)]
    return isLiteralGlob(x) && isLiteralGlob(y) && !isUnder(y, x) && !isUnder(x, y)
  }
  if (a.kind === 'Location') {
    const [x, y] = [collapse(a.path), collapse(b.path)]
    return !x.startsWith(y) && !y.startsWith(x)
  }
  return a.kind === 'Files' && isLiteralGlob(a.path) && isLiteralGlob(b.path) && a.path !== b.path
}

function mergeOrder(a: Setting, b: Setting): number {
  const ka = mergeKey(a)
  const kb = mergeKey(b)
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i]
  return 0
}

/**
 * Apache merges per-directory sections as: <Directory> by number of path components, then
 * <DirectoryMatch>/<Directory ~>, then <Files>(-Match), then <Location>(-Match); within each,
 * main-server sections before the vhost's, then in reading order. The last merged wins.
 */
function mergeKey(s: Setting): number[] {
  const c = s.scope.containers[s.scope.containers.length - 1]
  const vhost = s.scope.kind === 'vhost' ? 1 : 0
  if (c === undefined) return [5, 0, vhost, s.order]
  if (c.kind === 'Directory' && !c.regex) return [0, c.path.replace(/\/+$/, '').split('/').length, vhost, s.order]
  if (c.kind === 'Directory' || c.kind === 'DirectoryMatch') return [1, 0, vhost, s.order]
  if (c.kind === 'Files' || c.kind === 'FilesMatch') return [2, 0, vhost, s.order]
  return [3, 0, vhost, s.order]
}

/** Whether WSGIRestrictEmbedded is On: the last valid global one decides (Off by default). */
export function embeddedRestricted(list: readonly RestrictEmbedded[]): boolean {
  let on = false
  for (const r of list) {
    if (r.misspelled || r.inVirtualHost || r.inContainer) continue
    const v = onOff(r.value)
    if (v !== undefined) on = v === 'On'
  }
  return on
}
