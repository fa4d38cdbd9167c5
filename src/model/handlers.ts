// What the walk does at each section and directive, as tables by name: a section opens the level
// its kind says (rules.ts); a directive of interest becomes a record of the model (a daemon
// group, an alias, a setting...), and the problems Apache would find right there are noted.
import type { Expansion, Variables } from '../load/variables.js'
import type { Directive, Section } from '../syntax/types.js'
import { problem } from './problems.js'
import { ALIAS_OPTIONS, CONTAINERS, DAEMON_OPTIONS, PLACEMENT, sectionKind, type SectionKind } from './rules.js'
import { onOff, parseOptions } from './options.js'
import { AliasRecord, DaemonRecord, HandlerRecord, IncludeRecord, Place, RestrictEmbeddedRecord, SettingRecord } from './records.js'
import type { Level } from './scope.js'
import type { IncludeRead } from './walk.js'
import type {
  ContainerInfo,
  DaemonGroup,
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
    | 'handlerApps'
    | 'processGroups'
    | 'applicationGroups'
    | 'passAuthorizations'
    | 'restrictProcesses'
    | 'pythonHomes'
    | 'pythonPaths'
    | 'restrictEmbedded'
    | 'includes'
    | 'virtualHosts'
    | 'macros'
    | 'problems'
  > {
  vars: Variables
  /** The files of the set an Include pulls in. */
  includeTargets: (node: Directive) => string[]
  /** The paths an Include names that the run did not read. */
  includeUnread: (node: Directive) => readonly string[]
  /** Whether a plain Include names no file that exists (where the run can tell). */
  includeMissing: (node: Directive) => boolean
  /** Every visit's record, by `order` (the richest record of each). */
  byOrder: Located[]
  /** AllowOverride(List) lines that let `.htaccess` add handlers (FileInfo, All, AddHandler...). */
  overrides: Setting[]
  globalServerName?: string
  user?: UserRecord
  group?: UserRecord
}

export function createReading(
  vars: Variables,
  includeTargets: (node: Directive) => string[],
  includeUnread: (node: Directive) => readonly string[] = () => [],
  includeMissing: (node: Directive) => boolean = () => false,
): Reading {
  return {
    vars,
    includeTargets,
    includeUnread,
    includeMissing,
    daemons: [],
    scriptAliases: [],
    handlerApps: [],
    overrides: [],
    processGroups: [],
    applicationGroups: [],
    passAuthorizations: [],
    restrictProcesses: [],
    pythonHomes: [],
    pythonPaths: [],
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

/** A directive's handler: it may make a record of the visit, and note problems. */
type Handler = (place: Place, level: Level, r: Reading, lower: string) => IncludeRead | void

/** Record a directive visit; returns what an Include pulls in. */
export function readDirective(r: Reading, node: Directive, level: Level): IncludeRead | undefined {
  const place = new Place(node, level, r.byOrder.length)
  r.byOrder.push(place)
  const lower = node.name.toLowerCase()
  return HANDLERS.get(lower)?.(place, level, r, lower) ?? undefined
}

/** Let locate() return the richest record of a node's visit. */
function record<T extends Located>(r: Reading, rec: T): T {
  r.byOrder[rec.order] = rec
  return rec
}

const valuesOf = (r: Reading, node: Directive): string[] => node.args.map(r.vars.resolve)

const settingInto = (list: 'processGroups' | 'applicationGroups' | 'restrictProcesses' | 'pythonHomes' | 'pythonPaths'): Handler => (place, level, r) => {
  r[list].push(record(r, new SettingRecord(place, level, valuesOf(r, place.node))))
}

/** Apache refuses the directive where it stands (PLACEMENT): note it. */
function checkPlacement(r: Reading, lower: string, rec: DaemonGroup | ScriptAlias | RestrictEmbedded): void {
  const rule = PLACEMENT[lower]
  const scope = rec.scope
  if (rule.inVirtualHost !== undefined && scope.kind === 'vhost') r.problems.push(problem(rule.inVirtualHost, rec as RestrictEmbedded, {}))
  else if (scope.container !== undefined) r.problems.push(problem(rule.inContainer, rec, { container: scope.container }))
}

const include: Handler = (place, level, r, lower) => {
  const node = place.node
  const rawPattern = node.args[0] ?? ''
  const targets = rawPattern === '' ? [] : r.includeTargets(node)
  const info = record(r, new IncludeRecord(place, level, { optional: lower === 'includeoptional', pattern: r.vars.resolve(rawPattern), rawPattern, targets, unread: r.includeUnread(node) }))
  r.includes.push(info)
  // Inside <IfModule> and the like Apache may never read it: only a plain one is sure to fail.
  if (!info.optional && info.targets.length === 0 && info.unread.length === 0 && r.includeMissing(node) && !inWrapper(place)) {
    r.problems.push(problem('include-missing', info, { pattern: info.pattern }))
  }
  return { record: info, targets: info.targets }
}

const inWrapper = (place: Place): boolean => place.scope.ancestors.some((s) => sectionKind(s.name.toLowerCase()) === 'wrapper')

const serverName: Handler = (place, _, r) => {
  const arg = place.node.args[0]
  if (arg === undefined || place.scope.container !== undefined) return
  const host = hostOf(r.vars.resolve(arg))
  const vhost = place.scope.vhost
  if (vhost) {
    vhost.serverName = host
    vhost.serverNameNode = place.node
  } else r.globalServerName = host
}

const serverAlias: Handler = (place, _, r) => {
  const vhost = place.scope.vhost
  if (vhost && place.scope.container === undefined) vhost.serverAliases.push(...place.node.args.map(r.vars.resolve))
}

const runAs = (which: 'user' | 'group'): Handler => (place, _, r) => {
  const arg = place.node.args[0]
  if (place.scope.kind === 'global' && place.scope.container === undefined && arg !== undefined) r[which] = { loc: place, subst: r.vars.expand(arg) }
}

const daemonProcess: Handler = (place, level, r, lower) => {
  const args = place.node.args
  const rawName = args[0] ?? ''
  const { resolve } = r.vars
  const daemon = record(r, new DaemonRecord(place, level, resolve(rawName), rawName, parseOptions(args, 1, resolve, DAEMON_OPTIONS)))
  r.daemons.push(daemon)
  checkPlacement(r, lower, daemon)
}

const scriptAlias: Handler = (place, level, r, lower) => {
  const { resolve } = r.vars
  const args = place.node.args
  const options: ScriptAliasOptions = {}
  const invalidOptions: WsgiOption[] = []
  for (const o of parseOptions(args, 2, resolve, ALIAS_OPTIONS)) {
    if (o.known) options[o.key as keyof ScriptAliasOptions] = o
    else invalidOptions.push(o) // a template expression too: checks.ts leaves it out of the refused ones
  }
  const [url = '', script = ''] = args
  const directive = lower === 'wsgiscriptalias' ? 'WSGIScriptAlias' : 'WSGIScriptAliasMatch'
  const alias = record(r, new AliasRecord(place, level, { directive, url: resolve(url), rawUrl: url, script: resolve(script), rawScript: script, options, invalidOptions }))
  r.scriptAliases.push(alias)
  checkPlacement(r, lower, alias)
}

/** `AddHandler wsgi-script .py ...` / `SetHandler wsgi-script`: the files it serves are applications. */
const wsgiHandler: Handler = (place, level, r, lower) => {
  const [handler, ...rest] = valuesOf(r, place.node)
  if (handler?.toLowerCase() !== 'wsgi-script') return
  const directive = lower === 'addhandler' ? 'AddHandler' : 'SetHandler'
  r.handlerApps.push(record(r, new HandlerRecord(place, level, directive, directive === 'AddHandler' ? rest : [])))
}

/** What `.htaccess` may hold: AddHandler/SetHandler need FileInfo (All has it), or an AllowOverrideList naming them. */
const OPENS: Readonly<Record<string, ReadonlySet<string>>> = {
  allowoverride: new Set(['all', 'fileinfo']),
  allowoverridelist: new Set(['addhandler', 'sethandler']),
}

const allowOverride: Handler = (place, level, r, lower) => {
  const values = valuesOf(r, place.node)
  if (values.some((v) => OPENS[lower].has(v.toLowerCase()))) r.overrides.push(record(r, new SettingRecord(place, level, values)))
}

const passAuthorization: Handler = (place, level, r) => {
  const s = record(r, new SettingRecord(place, level, valuesOf(r, place.node)))
  r.passAuthorizations.push(s)
  if (onOff(s.value) === undefined) r.problems.push(problem('invalid-flag', s, { raw: s.raw, setting: s }))
}

const restrictEmbedded: Handler = (place, level, r, lower) => {
  const misspelled = lower === 'wsgirestrictedembedded'
  const entry = record(r, new RestrictEmbeddedRecord(place, level, valuesOf(r, place.node), misspelled))
  r.restrictEmbedded.push(entry)
  if (misspelled) r.problems.push(problem('restrict-embedded-misspelled', entry, { written: entry.node.name }))
  checkPlacement(r, lower, entry)
}

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['define', (place, _, r) => void r.vars.apply(place.node)],
  ['undefine', (place, _, r) => void r.vars.apply(place.node)],
  ['include', include],
  ['includeoptional', include],
  ['servername', serverName],
  ['serveralias', serverAlias],
  ['user', runAs('user')],
  ['group', runAs('group')],
  ['wsgidaemonprocess', daemonProcess],
  ['wsgiscriptalias', scriptAlias],
  ['wsgiscriptaliasmatch', scriptAlias],
  ['wsgiprocessgroup', settingInto('processGroups')],
  ['wsgiapplicationgroup', settingInto('applicationGroups')],
  ['wsgipassauthorization', passAuthorization],
  ['wsgirestrictprocess', settingInto('restrictProcesses')],
  ['wsgipythonhome', settingInto('pythonHomes')],
  ['wsgipythonpath', settingInto('pythonPaths')],
  ['wsgirestrictembedded', restrictEmbedded],
  ['wsgirestrictedembedded', restrictEmbedded],
  ['addhandler', wsgiHandler],
  ['sethandler', wsgiHandler],
  ['allowoverride', allowOverride],
  ['allowoverridelist', allowOverride],
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
