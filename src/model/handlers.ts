// What the walk does at each section and directive, as tables by name: a section opens the level
// its kind says (rules.ts); a directive of interest becomes a record of the model (a daemon
// group, an alias, a setting...), and the problems Apache would find right there are noted.
import type { Expansion, Variables } from '../load/variables.js'
import type { Directive, Section } from '../syntax/types.js'
import { problem } from './problems.js'
import { ALIAS_OPTIONS, CONTAINERS, DAEMON_OPTIONS, PLACEMENT, sectionKind, type SectionKind } from './rules.js'
import { onOff, parseOptions } from './options.js'
import type { Level } from './scope.js'
import type { IncludeRead } from './walk.js'
import type {
  ContainerInfo,
  DaemonGroup,
  IncludeInfo,
  Located,
  RestrictEmbedded,
  ScriptAlias,
  ScriptAliasOptions,
  Setting,
  VirtualHostInfo,
  WsgiOption,
  WsgiModel,
} from './types.js'

/** A `User` or `Group` at global scope, with its argument expanded. */
export interface UserRecord {
  loc: Located
  subst: Expansion
}

/** What the walk has read so far: the records in reading order, and the state Apache keeps. */
export interface Reading
  extends Pick<
    WsgiModel,
    | 'daemons'
    | 'scriptAliases'
    | 'processGroups'
    | 'applicationGroups'
    | 'passAuthorizations'
    | 'restrictProcesses'
    | 'restrictEmbedded'
    | 'includes'
    | 'virtualHosts'
    | 'macros'
    | 'problems'
  > {
  vars: Variables
  /** The files of the set an Include pulls in. */
  includeTargets: (node: Directive) => string[]
  /** Every visit's record, by `order` (the richest record of each). */
  byOrder: Located[]
  globalServerName?: string
  user?: UserRecord
  group?: UserRecord
}

export function createReading(vars: Variables, includeTargets: (node: Directive) => string[]): Reading {
  return {
    vars,
    includeTargets,
    daemons: [],
    scriptAliases: [],
    processGroups: [],
    applicationGroups: [],
    passAuthorizations: [],
    restrictProcesses: [],
    restrictEmbedded: [],
    includes: [],
    virtualHosts: [],
    macros: [],
    problems: [],
    byOrder: [],
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

type SectionHandler = (section: Section, level: Level, r: Reading, lower: string) => Level | undefined

const SECTIONS: Readonly<Record<SectionKind, SectionHandler>> = {
  macro: (section, _, r) => {
    r.macros.push(section)
    return undefined
  },
  wrapper: (section, level) => level.wrapper(section),
  conditional: (section, level) => level.inSection(section, section),
  other: (section, level) => level.inSection(section),
  vhost: (section, level, r) => {
    const vhost: VirtualHostInfo = { section, file: level.file, addresses: section.args.map(r.vars.resolve), serverAliases: [], siteName: '' }
    if (level.vhost !== undefined) r.problems.push(problem('nested-virtualhost', vhost, { outer: level.vhost }, { file: level.file, node: section }))
    r.virtualHosts.push(vhost)
    return level.virtualHost(section, vhost)
  },
  container: (section, level, r, lower) => {
    const kind = CONTAINERS[lower]
    const tilde = section.args[0] === '~'
    const rawPath = (tilde ? section.args[1] : section.args[0]) ?? ''
    const info: ContainerInfo = { kind, regex: tilde || kind.endsWith('Match'), path: r.vars.resolve(rawPath), rawPath, section, file: level.file }
    return level.inContainer(section, info)
  },
}

/** The level to read a section's children in; undefined for a `<Macro>`, whose body is not read. */
export function readSection(r: Reading, section: Section, level: Level): Level | undefined {
  const lower = section.name.toLowerCase()
  return SECTIONS[sectionKind(lower)](section, level, r, lower)
}

// ---------------------------------------------------------------------------------------------
// Directives

type Handler = (node: Directive, loc: Located, r: Reading, lower: string) => IncludeRead | void

/** Record a directive visit; returns what an Include pulls in. */
export function readDirective(r: Reading, node: Directive, level: Level): IncludeRead | undefined {
  const loc: Located = { node, file: level.file, scope: level.scope(), wrappers: level.wrappers(), parent: level.parent, order: r.byOrder.length }
  r.byOrder.push(loc)
  const lower = node.name.toLowerCase()
  return HANDLERS.get(lower)?.(node, loc, r, lower) ?? undefined
}

/** Let locate() return the richest record of a node's visit. */
function record<T extends Located>(r: Reading, rec: T): T {
  r.byOrder[rec.order] = rec
  return rec
}

function setting(r: Reading, loc: Located): Setting {
  const values = loc.node.args.map(r.vars.resolve)
  // Object literals with every field spelled out: V8 makes them fast; spreading into them is not.
  const { node, file, scope, wrappers, parent, order } = loc
  return record<Setting>(r, { node, file, scope, wrappers, parent, order, value: values[0] ?? '', raw: node.args[0] ?? '', values })
}

const settingInto = (list: 'processGroups' | 'applicationGroups' | 'restrictProcesses'): Handler => (_, loc, r) => {
  r[list].push(setting(r, loc))
}

/** Apache refuses the directive where it stands (PLACEMENT): note it. */
function checkPlacement(r: Reading, lower: string, rec: DaemonGroup | ScriptAlias | RestrictEmbedded): void {
  const rule = PLACEMENT[lower]
  const scope = rec.scope
  if (rule.inVirtualHost !== undefined && scope.kind === 'vhost') r.problems.push(problem(rule.inVirtualHost, rec as RestrictEmbedded, {}))
  else if (scope.container !== undefined) r.problems.push(problem(rule.inContainer, rec, { container: scope.container }))
}

const include: Handler = (node, loc, r, lower) => {
  const rawPattern = node.args[0] ?? ''
  const targets = rawPattern === '' ? [] : r.includeTargets(node)
  const { file, scope, wrappers, parent, order } = loc
  const pattern = r.vars.resolve(rawPattern)
  const info = record<IncludeInfo>(r, { node, file, scope, wrappers, parent, order, optional: lower === 'includeoptional', pattern, rawPattern, targets })
  r.includes.push(info)
  return { record: info, targets: info.targets }
}

const serverName: Handler = (node, loc, r) => {
  const arg = node.args[0]
  if (arg === undefined || loc.scope.container !== undefined) return
  const host = hostOf(r.vars.resolve(arg))
  const vhost = loc.scope.vhost
  if (vhost) {
    vhost.serverName = host
    vhost.serverNameNode = node
  } else r.globalServerName = host
}

const runAs = (which: 'user' | 'group'): Handler => (node, loc, r) => {
  const arg = node.args[0]
  if (loc.scope.kind === 'global' && loc.scope.container === undefined && arg !== undefined) r[which] = { loc, subst: r.vars.expand(arg) }
}

const daemonProcess: Handler = (node, loc, r, lower) => {
  const rawName = node.args[0] ?? ''
  const { resolve } = r.vars
  const { file, scope, wrappers, parent, order } = loc
  const options = parseOptions(node.args, 1, resolve, DAEMON_OPTIONS)
  const daemon = record<DaemonGroup>(r, { node, file, scope, wrappers, parent, order, name: resolve(rawName), rawName, options })
  r.daemons.push(daemon)
  checkPlacement(r, lower, daemon)
}

const scriptAlias: Handler = (node, loc, r, lower) => {
  const { resolve } = r.vars
  const options: ScriptAliasOptions = {}
  const invalidOptions: WsgiOption[] = []
  for (const o of parseOptions(node.args, 2, resolve, ALIAS_OPTIONS)) {
    if (o.known) options[o.key as keyof ScriptAliasOptions] = o
    else invalidOptions.push(o)
  }
  const [url = '', script = ''] = node.args
  const { file, scope, wrappers, parent, order } = loc
  const alias = record<ScriptAlias>(r, {
    node,
    file,
    scope,
    wrappers,
    parent,
    order,
    directive: lower === 'wsgiscriptalias' ? 'WSGIScriptAlias' : 'WSGIScriptAliasMatch',
    url: resolve(url),
    rawUrl: url,
    script: resolve(script),
    rawScript: script,
    options,
    invalidOptions,
    // Filled in once the whole server config is known (build.ts).
    group: { mode: 'embedded', via: 'default', partial: [] },
    applicationGroup: { via: 'default' },
    passAuthorization: { value: undefined, via: 'default' },
  })
  r.scriptAliases.push(alias)
  checkPlacement(r, lower, alias)
}

const passAuthorization: Handler = (_, loc, r) => {
  const s = setting(r, loc)
  r.passAuthorizations.push(s)
  if (onOff(s.value) === undefined) r.problems.push(problem('invalid-flag', s, { raw: s.raw, setting: s }))
}

const restrictEmbedded: Handler = (node, loc, r, lower) => {
  const misspelled = lower === 'wsgirestrictedembedded'
  const { file, scope, wrappers, parent, order, value, raw, values } = setting(r, loc)
  const entry = record<RestrictEmbedded>(r, {
    node,
    file,
    scope,
    wrappers,
    parent,
    order,
    value,
    raw,
    values,
    misspelled,
    inVirtualHost: loc.scope.kind === 'vhost',
    inContainer: loc.scope.container !== undefined,
  })
  r.restrictEmbedded.push(entry)
  if (misspelled) r.problems.push(problem('restrict-embedded-misspelled', entry, { written: node.name }))
  checkPlacement(r, lower, entry)
}

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['define', (node, _, r) => void r.vars.apply(node)],
  ['undefine', (node, _, r) => void r.vars.apply(node)],
  ['include', include],
  ['includeoptional', include],
  ['servername', serverName],
  ['serveralias', (node, loc, r) => {
    if (loc.scope.vhost && loc.scope.container === undefined) loc.scope.vhost.serverAliases.push(...node.args.map(r.vars.resolve))
  }],
  ['user', runAs('user')],
  ['group', runAs('group')],
  ['wsgidaemonprocess', daemonProcess],
  ['wsgiscriptalias', scriptAlias],
  ['wsgiscriptaliasmatch', scriptAlias],
  ['wsgiprocessgroup', settingInto('processGroups')],
  ['wsgiapplicationgroup', settingInto('applicationGroups')],
  ['wsgipassauthorization', passAuthorization],
  ['wsgirestrictprocess', settingInto('restrictProcesses')],
  ['wsgirestrictembedded', restrictEmbedded],
  ['wsgirestrictedembedded', restrictEmbedded],
])

/** `ServerName [scheme://]host[:port]` → host. */
export function hostOf(serverName: string): string {
  let s = serverName.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '')
  if (s.startsWith('[')) {
    const end = s.indexOf(']')
    return end === -1 ? s : s.slice(0, end + 1)
  }
  const colon = s.lastIndexOf(':')
  if (colon !== -1 && /^\d*$/.test(s.slice(colon + 1))) s = s.slice(0, colon)
  return s
}
