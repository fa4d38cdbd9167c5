// The mod_wsgi model: what Apache httpd + mod_wsgi would make of a set of parsed config files.
//
// Transforms never reason about raw trees alone: "does this WSGIScriptAlias run in a daemon?"
// depends on Includes, <VirtualHost> nesting, containers, Define/${VAR}, option precedence and
// ServerName pairing. This module answers those questions the way mod_wsgi does (see
// shared/reference/mod_wsgi-facts.md). It is a pure function of the trees: no I/O, no mutation,
// cheap enough to rebuild after every edit.
import { posix } from 'node:path'
import { isEnvvarsPath, parseEnvvars } from '../load/envvars.js'
import { globMatcher } from '../load/glob.js'
import { includeGraph, type IncludeGraph } from '../load/include-graph.js'
import { createVariables, type Expansion } from '../load/variables.js'
import { toText } from '../syntax/print.js'
import type { Content, Directive, ParentNode, Root, Section } from '../syntax/types.js'

// ---------------------------------------------------------------------------------------------
// Inputs

/** One parsed file of the run. `path` is how Includes and problems name it. */
export interface ModelFile {
  path: string
  tree: Root
}

export interface ModelOptions {
  /** Environment Apache starts with (`APACHE_RUN_USER`, ...); wins over an `envvars` file of the set. */
  env?: Record<string, string>
  /**
   * The run's Include graph (the load step builds it). Default: built from the set's paths
   * (no file system access), see `includeGraph` in src/load/include-graph.ts.
   */
  includes?: IncludeGraph
  /** Who Apache runs as when no `User`/`Group` says so (default www-data/www-data, Debian). */
  platformUser?: { user: string; group: string }
  /**
   * Files to walk as the top of the server config, in order. Default: every file that no other
   * file of the set includes. Set it when the set holds inactive files (Debian `sites-available/`).
   */
  roots?: string[]
}

// ---------------------------------------------------------------------------------------------
// Where things are

export type { ParentNode }

/** Canonical names of the per-directory containers, which decide per-request settings. */
export type ContainerKind = 'Directory' | 'DirectoryMatch' | 'Location' | 'LocationMatch' | 'Files' | 'FilesMatch'

/** A `<Directory>`/`<Location>`/`<Files>`(-Match) section enclosing a node. */
export interface ContainerInfo {
  kind: ContainerKind
  /** A regular expression: the `*Match` forms or `<Directory ~ re>`. */
  regex: boolean
  /** The path, URL or pattern with Define/${VAR} resolved. */
  path: string
  /** The same as written. */
  rawPath: string
  section: Section
  file: string
}

/** One Include step that led the walk into a file. */
export interface IncludeStep {
  node: Directive
  /** File holding the Include directive. */
  file: string
}

/** A `<VirtualHost>` and the names that make two of them "the same site" for mod_wsgi. */
export interface VirtualHostInfo {
  section: Section
  file: string
  /** The `<VirtualHost>` arguments, resolved. */
  addresses: string[]
  /** `ServerName` inside the vhost, scheme and port stripped. */
  serverName?: string
  serverNameNode?: Directive
  serverAliases: string[]
  /**
   * The server_hostname mod_wsgi compares: `serverName`, else the main server's ServerName, else
   * '' (the machine's host name). Vhosts with equal siteName share daemon groups (:80/:443 pair).
   */
  siteName: string
}

/** Where a directive takes effect. */
export interface Scope {
  kind: 'global' | 'vhost'
  vhost?: VirtualHostInfo
  /** File holding the node. */
  file: string
  /** Enclosing sections, outermost first, across Includes (an included file's vhost is here). */
  ancestors: Section[]
  /** Innermost Directory/Location/Files(-Match) section, if any. */
  container?: ContainerInfo
  /** All enclosing containers, outermost first (`<Files>` inside `<Directory>` gives two). */
  containers: ContainerInfo[]
  /** Innermost `<If>`/`<ElseIf>`/`<Else>`: the node applies to some requests only. */
  conditional?: Section
  /** Include directives the walk went through to reach the file, outermost first. */
  includes: IncludeStep[]
}

/** Common fields of every recorded directive. */
export interface Located {
  node: Directive
  file: string
  scope: Scope
  /**
   * `<IfModule>`/`<IfDefine>`/`<IfVersion>`/`<IfFile>`/`<IfDirective>`/`<IfSection>` sections
   * around the node in its own file, outermost first (assumed true): an edit next to the node
   * belongs inside the same wrappers.
   */
  wrappers: Section[]
  /** The node's parent in its file's tree. */
  parent: ParentNode
  /** Position in Apache's reading order over the whole server config (0-based). */
  order: number
}

// ---------------------------------------------------------------------------------------------
// mod_wsgi objects

/** One `key=value` argument of WSGIDaemonProcess or WSGIScriptAlias. */
export interface WsgiOption {
  /** Option name as written (mod_wsgi matches it exactly, lower case). */
  key: string
  /** Value with quotes and Define/${VAR} resolved. */
  value: string
  /** Value as written (after the `=`). */
  raw: string
  /** Index in `directive.args` of the argument holding `key=`. */
  index: number
  /** Last arg index the option spans (a quoted value with spaces spans several args). */
  lastIndex: number
  /** False when mod_wsgi would reject it: unknown name, or no `=`. */
  known: boolean
}

/** A `WSGIDaemonProcess` definition. */
export interface DaemonGroup extends Located {
  /** Group name, resolved (mod_wsgi compares names case-sensitively). */
  name: string
  rawName: string
  options: WsgiOption[]
}

/** How a setting was decided, in mod_wsgi's precedence order. */
export type Via = 'alias-option' | 'container' | 'vhost' | 'global' | 'default'

/** A WSGIProcessGroup / WSGIApplicationGroup / WSGIPassAuthorization / WSGIRestrictProcess. */
export interface Setting extends Located {
  /** First argument, resolved ('' when missing). */
  value: string
  /** First argument as written. */
  raw: string
  /** All arguments, resolved (WSGIRestrictProcess lists several groups). */
  values: string[]
}

/** Where a WSGI application runs. */
export interface GroupResolution {
  /**
   * daemon: in `daemon`; embedded: inside Apache children; dynamic: `%{ENV:VAR}` picks a group
   * per request; unreachable: the group exists only in vhosts of another ServerName (HTTP 500);
   * undefined-group: no WSGIDaemonProcess has that name (HTTP 500).
   */
  mode: 'daemon' | 'embedded' | 'dynamic' | 'unreachable' | 'undefined-group'
  /** Group name as decided (absent in embedded mode). */
  group?: string
  daemon?: DaemonGroup
  via: Via
  /** The WSGIProcessGroup node or the alias (process-group= option) that decided. */
  directive?: Directive
  setting?: Setting
  /** For dynamic: the variable `%{ENV:VAR}` reads. */
  envVar?: string
  /** For dynamic: groups WSGIRestrictProcess allows, when one applies. */
  allowed?: string[]
  allowedDaemons?: DaemonGroup[]
  restrictProcess?: Setting
  /**
   * WSGIProcessGroup settings that apply to only part of the alias's requests (a `<Location>`
   * below the alias URL, an `<If>`); they override `mode` for those requests.
   */
  partial: Setting[]
}

/** An effective single-valued setting (application group) and what decided it. */
export interface Effective {
  /** Undefined when nothing sets it (mod_wsgi default applies). */
  value?: string
  via: Via
  directive?: Directive
  setting?: Setting
}

/** Effective WSGIPassAuthorization: without 'On' the app never sees HTTP_AUTHORIZATION. */
export interface PassAuthorization {
  value: 'On' | 'Off' | undefined
  via: Via
  directive?: Directive
  setting?: Setting
}

/** Options of WSGIScriptAlias(Match) (mod_wsgi >= 3.0). */
export interface ScriptAliasOptions {
  'process-group'?: WsgiOption
  'application-group'?: WsgiOption
  'pass-authorization'?: WsgiOption
  'callable-object'?: WsgiOption
}

/** A WSGIScriptAlias / WSGIScriptAliasMatch: one mounted WSGI application. */
export interface ScriptAlias extends Located {
  directive: 'WSGIScriptAlias' | 'WSGIScriptAliasMatch'
  /** URL path (regex for the Match form), resolved. */
  url: string
  rawUrl: string
  /** Script path, resolved. */
  script: string
  rawScript: string
  options: ScriptAliasOptions
  /** Options mod_wsgi rejects ("Invalid option to WSGI script alias definition."). */
  invalidOptions: WsgiOption[]
  group: GroupResolution
  applicationGroup: Effective
  passAuthorization: PassAuthorization
}

/** A WSGIRestrictEmbedded (or its misspelling), which Apache accepts at global scope only. */
export interface RestrictEmbedded extends Setting {
  /** Written `WSGIRestrictedEmbedded`: Apache refuses to start ("Invalid command"). */
  misspelled: boolean
  inVirtualHost: boolean
  inContainer: boolean
}

/** An Include/IncludeOptional and what it pulled in. */
export interface IncludeInfo extends Located {
  optional: boolean
  pattern: string
  rawPattern: string
  /** Files of the set it includes, in Apache order. */
  targets: string[]
  /** Paths it names that the run did not read (outside the root, excluded): what they hold is unknown. */
  unread: readonly string[]
}

/** Who Apache children (and, by default, daemon processes) run as. */
export interface RunUser {
  user: string
  group: string
  /** directive: a literal `User`; env: `User ${APACHE_RUN_USER}` resolved; else the platform default. */
  source: 'directive' | 'env' | 'platform-default'
  /** The `User` directive that decided (also set when its variable could not be resolved). */
  node?: Directive
  groupSource: 'directive' | 'env' | 'platform-default'
  groupNode?: Directive
}

/** Something Apache or mod_wsgi rejects (error) or that misbehaves at run time (warning). */
export interface Problem {
  code: ProblemCode
  severity: 'error' | 'warning'
  file: string
  node: Content
  /** What happens and what to do. */
  message: string
}

export type ProblemCode =
  | 'duplicate-daemon'
  | 'invalid-daemon-option'
  | 'invalid-alias-option'
  | 'not-allowed-here'
  | 'restrict-embedded-in-vhost'
  | 'restrict-embedded-in-container'
  | 'restrict-embedded-misspelled'
  | 'undefined-group'
  | 'unreachable-group'
  | 'group-not-yet-configured'
  | 'embedded-restricted'
  | 'embedded-with-daemon'
  | 'invalid-flag'
  | 'nested-virtualhost'
  | 'include-cycle'

export interface WsgiModel {
  /** Files walked, in first-visit order. */
  files: string[]
  /** Files of the set the walk never reached (only with `options.roots`). */
  unwalked: string[]
  virtualHosts: VirtualHostInfo[]
  /** Global `ServerName`, port stripped. */
  globalServerName?: string
  includes: IncludeInfo[]
  daemons: DaemonGroup[]
  scriptAliases: ScriptAlias[]
  processGroups: Setting[]
  applicationGroups: Setting[]
  passAuthorizations: Setting[]
  restrictProcesses: Setting[]
  restrictEmbedded: RestrictEmbedded[]
  /** An effective `WSGIRestrictEmbedded On` at global scope: apps left embedded answer HTTP 500. */
  embeddedRestricted: boolean
  runUser: RunUser
  problems: Problem[]
  /** `<Macro>` sections exist: their bodies were not walked (an advisory should say so). */
  hasMacros: boolean
  macros: Section[]
  /** Defines in effect at the end of the walk. */
  defines: Record<string, string>
  /** The environment used for `${VAR}` (envvars file overlaid with options.env). */
  env: Record<string, string>
  /** Daemon groups an application in `scope` may use: global ones and same-site vhost ones. */
  reachableDaemons(scope: Scope): DaemonGroup[]
  /** First definition of a daemon group by exact name. */
  daemon(name: string): DaemonGroup | undefined
  /** Where an application in `target` would run (an alias: its own precomputed `group`). */
  processGroup(target: ScriptAlias | Scope): GroupResolution
  /** Effective WSGIPassAuthorization for an alias, or for a node in `scope`. */
  passAuthorization(target: ScriptAlias | Scope): PassAuthorization
  /** Whether mod_wsgi treats the two scopes as the same site (same vhost or equal siteName). */
  sameSite(a: Scope, b: Scope): boolean
  /** The record of a directive the walk visited (first visit): a DaemonGroup, ScriptAlias, Setting... or a plain Located. */
  locate(node: Content): Located | undefined
  /** Every place the walk visited a directive (a file included twice holds its directives twice), in reading order. */
  places(node: Content): readonly Located[]
}

// ---------------------------------------------------------------------------------------------
// Constants

/** Sections assumed true and walked through. */
const WRAPPERS = new Set(['ifmodule', 'ifdefine', 'ifversion', 'iffile', 'ifdirective', 'ifsection'])
const CONDITIONALS = new Set(['if', 'elseif', 'else'])
const CONTAINERS: Record<string, ContainerKind> = {
  directory: 'Directory',
  directorymatch: 'DirectoryMatch',
  location: 'Location',
  locationmatch: 'LocationMatch',
  files: 'Files',
  filesmatch: 'FilesMatch',
}

/** WSGIDaemonProcess options mod_wsgi knows (4.9 and later); anything else is rejected. */
export const DAEMON_OPTIONS: ReadonlySet<string> = new Set([
  'user', 'group', 'supplementary-groups', 'processes', 'threads', 'umask', 'chroot', 'home',
  'lang', 'locale', 'python-home', 'python-path', 'python-eggs', 'stack-size', 'maximum-requests',
  'startup-timeout', 'shutdown-timeout', 'deadlock-timeout', 'inactivity-timeout', 'request-timeout',
  'graceful-timeout', 'eviction-timeout', 'restart-interval', 'connect-timeout', 'socket-timeout',
  'queue-timeout', 'listen-backlog', 'display-name', 'send-buffer-size', 'receive-buffer-size',
  'header-buffer-size', 'response-buffer-size', 'response-socket-timeout', 'socket-user',
  'script-user', 'script-group', 'cpu-time-limit', 'cpu-priority', 'memory-limit',
  'virtual-memory-limit', 'server-metrics',
])

/** WSGIScriptAlias(Match) options (mod_wsgi >= 3.0). */
export const ALIAS_OPTIONS: ReadonlySet<string> = new Set([
  'process-group', 'application-group', 'pass-authorization', 'callable-object',
])

const DEFAULT_PLATFORM_USER = { user: 'www-data', group: 'www-data' }

// ---------------------------------------------------------------------------------------------
// The builder

interface Ctx {
  file: string
  scope: Scope
  wrappers: Section[]
  parent: ParentNode
}

/**
 * Walk the server config as Apache reads it (top-level files in order, Includes in place) and
 * answer what mod_wsgi would do with it. Pure: reads only the trees, never the disk.
 */
export function buildModel(files: ModelFile[], options: ModelOptions = {}): WsgiModel {
  const platform = options.platformUser ?? DEFAULT_PLATFORM_USER
  const byPath = new Map<string, ModelFile>()
  for (const f of files) if (!byPath.has(f.path)) byPath.set(f.path, f)
  const envvarsFile = files.find((f) => isEnvvarsPath(f.path))
  const env: Record<string, string> = {
    ...(envvarsFile ? parseEnvvars(toText(envvarsFile.tree)) : {}),
    ...(options.env ?? {}),
  }
  const configFiles = files.filter((f) => f !== envvarsFile)
  const graph = options.includes ?? includeGraph(configFiles, { env })
  const includeTargets = (node: Directive): string[] =>
    graph.targets(node).filter((p) => byPath.has(p) && byPath.get(p) !== envvarsFile)

  const vars = createVariables(env)
  const subst = vars.expand
  const resolve = vars.resolve

  const daemons: DaemonGroup[] = []
  const scriptAliases: ScriptAlias[] = []
  const processGroups: Setting[] = []
  const applicationGroups: Setting[] = []
  const passAuthorizations: Setting[] = []
  const restrictProcesses: Setting[] = []
  const restrictEmbedded: RestrictEmbedded[] = []
  const includes: IncludeInfo[] = []
  const virtualHosts: VirtualHostInfo[] = []
  const macros: Section[] = []
  const problems: Problem[] = []
  /** Every visit's record, by `order`; locate() indexes them by node when first asked. */
  const byOrder: Located[] = []
  let located: Map<Content, Located[]> | undefined
  const visitedOrder: string[] = []
  const visited = new Set<string>()
  const walking: string[] = []
  let globalServerName: string | undefined
  let userRecord: { loc: Located; subst: Expansion } | undefined
  let groupRecord: { loc: Located; subst: Expansion } | undefined
  let order = 0

  const problem = (code: ProblemCode, severity: Problem['severity'], loc: { file: string; node: Content }, message: string): void => {
    problems.push({ code, severity, file: loc.file, node: loc.node, message })
  }

  const walkFile = (path: string, scope: Scope): void => {
    const file = byPath.get(path)
    if (file === undefined) return
    if (!visited.has(path)) {
      visited.add(path)
      visitedOrder.push(path)
    }
    walking.push(path)
    const s = scope
    walkChildren(file.tree.children, { file: path, scope: makeScope(s.kind, path, s.ancestors, s.containers, s.includes, s.vhost, s.container, s.conditional), wrappers: [], parent: file.tree })
    walking.pop()
  }

  const walkChildren = (children: Content[], ctx: Ctx): void => {
    for (const child of children) {
      if (child.type === 'section') walkSection(child, ctx)
      else if (child.type === 'directive') walkDirective(child, ctx)
    }
  }

  const walkSection = (section: Section, ctx: Ctx): void => {
    const lower = section.name.toLowerCase()
    if (lower === 'macro') {
      macros.push(section)
      return
    }
    const ancestors = [...ctx.scope.ancestors, section]
    const s = ctx.scope
    let wrappers = ctx.wrappers
    let scope: Scope
    if (WRAPPERS.has(lower)) {
      wrappers = [...ctx.wrappers, section]
      scope = makeScope(s.kind, s.file, ancestors, s.containers, s.includes, s.vhost, s.container, s.conditional)
    } else if (lower === 'virtualhost') {
      if (ctx.scope.vhost !== undefined) {
        problem('nested-virtualhost', 'error', { file: ctx.file, node: section },
          '<VirtualHost> cannot occur within <VirtualHost> section: Apache refuses to start; close the outer <VirtualHost> first.')
      }
      const vhost: VirtualHostInfo = {
        section,
        file: ctx.file,
        addresses: section.args.map(resolve),
        serverAliases: [],
        siteName: '',
      }
      virtualHosts.push(vhost)
      scope = makeScope('vhost', s.file, ancestors, [], s.includes, vhost, undefined, undefined)
    } else if (Object.prototype.hasOwnProperty.call(CONTAINERS, lower)) {
      const kind = CONTAINERS[lower]
      const tilde = section.args[0] === '~'
      const rawPath = (tilde ? section.args[1] : section.args[0]) ?? ''
      const info: ContainerInfo = {
        kind,
        regex: tilde || kind.endsWith('Match'),
        path: resolve(rawPath),
        rawPath,
        section,
        file: ctx.file,
      }
      const containers = [...ctx.scope.containers, info]
      scope = makeScope(s.kind, s.file, ancestors, containers, s.includes, s.vhost, info, s.conditional)
    } else if (CONDITIONALS.has(lower)) {
      scope = makeScope(s.kind, s.file, ancestors, s.containers, s.includes, s.vhost, s.container, section)
    } else {
      scope = makeScope(s.kind, s.file, ancestors, s.containers, s.includes, s.vhost, s.container, s.conditional)
    }
    walkChildren(section.children, { file: ctx.file, scope, wrappers, parent: section })
  }

  const setting = (loc: Located): Setting => {
    const values = loc.node.args.map(resolve)
    return record<Setting>({ node: loc.node, file: loc.file, scope: loc.scope, wrappers: loc.wrappers, parent: loc.parent, order: loc.order, value: values[0] ?? '', raw: loc.node.args[0] ?? '', values })
  }
  /** Let locate() return the richest record of a node's first visit. */
  const record = <T extends Located>(rec: T): T => {
    byOrder[rec.order] = rec
    return rec
  }

  const walkDirective = (node: Directive, ctx: Ctx): void => {
    const loc: Located = { node, file: ctx.file, scope: ctx.scope, wrappers: ctx.wrappers, parent: ctx.parent, order: order++ }
    byOrder.push(loc)
    const name = node.name.toLowerCase()
    const args = node.args
    const inContainer = ctx.scope.containers.length > 0
    switch (name) {
      case 'define':
      case 'undefine':
        vars.apply(node)
        break
      case 'include':
      case 'includeoptional': {
        const rawPattern = args[0] ?? ''
        const pattern = resolve(rawPattern)
        const targets = rawPattern === '' ? [] : includeTargets(node)
        includes.push(record<IncludeInfo>({ node: loc.node, file: loc.file, scope: loc.scope, wrappers: loc.wrappers, parent: loc.parent, order: loc.order, optional: name === 'includeoptional', pattern, rawPattern, targets, unread: graph.unread(node) }))
        for (const target of targets) {
          if (walking.includes(target)) {
            problem('include-cycle', 'error', loc,
              `${node.name} ${rawPattern} includes ${target}, which is already being read (${[...walking, target].join(' -> ')}): ` +
                'Apache stops with a recursion error; remove the Include that closes the loop.')
            continue
          }
          const step: IncludeStep = { node, file: ctx.file }
          const s = ctx.scope
          walkFile(target, makeScope(s.kind, s.file, s.ancestors, s.containers, [...s.includes, step], s.vhost, s.container, s.conditional))
        }
        break
      }
      case 'servername': {
        if (args[0] === undefined || inContainer) break
        const host = hostOf(resolve(args[0]))
        if (ctx.scope.vhost) {
          ctx.scope.vhost.serverName = host
          ctx.scope.vhost.serverNameNode = node
        } else globalServerName = host
        break
      }
      case 'serveralias':
        if (ctx.scope.vhost && !inContainer) ctx.scope.vhost.serverAliases.push(...args.map(resolve))
        break
      case 'user':
        if (ctx.scope.kind === 'global' && !inContainer && args[0] !== undefined) userRecord = { loc, subst: subst(args[0]) }
        break
      case 'group':
        if (ctx.scope.kind === 'global' && !inContainer && args[0] !== undefined) groupRecord = { loc, subst: subst(args[0]) }
        break
      case 'wsgidaemonprocess': {
        const rawName = args[0] ?? ''
        const daemon: DaemonGroup = { node: loc.node, file: loc.file, scope: loc.scope, wrappers: loc.wrappers, parent: loc.parent, order: loc.order, name: resolve(rawName), rawName, options: parseOptions(args, 1, resolve, DAEMON_OPTIONS) }
        daemons.push(record(daemon))
        if (inContainer) notAllowedHere(node, loc)
        break
      }
      case 'wsgiscriptalias':
      case 'wsgiscriptaliasmatch': {
        const opts = parseOptions(args, 2, resolve, ALIAS_OPTIONS)
        const aliasOptions: ScriptAliasOptions = {}
        const invalidOptions: WsgiOption[] = []
        for (const o of opts) {
          if (o.known) aliasOptions[o.key as keyof ScriptAliasOptions] = o
          else invalidOptions.push(o)
        }
        scriptAliases.push(record<ScriptAlias>({
          node: loc.node,
          file: loc.file,
          scope: loc.scope,
          wrappers: loc.wrappers,
          parent: loc.parent,
          order: loc.order,
          directive: name === 'wsgiscriptalias' ? 'WSGIScriptAlias' : 'WSGIScriptAliasMatch',
          url: resolve(args[0] ?? ''),
          rawUrl: args[0] ?? '',
          script: resolve(args[1] ?? ''),
          rawScript: args[1] ?? '',
          options: aliasOptions,
          invalidOptions,
          // Filled in once the whole server config is known.
          group: { mode: 'embedded', via: 'default', partial: [] },
          applicationGroup: { via: 'default' },
          passAuthorization: { value: undefined, via: 'default' },
        }))
        if (inContainer) notAllowedHere(node, loc)
        break
      }
      case 'wsgiprocessgroup':
        processGroups.push(setting(loc))
        break
      case 'wsgiapplicationgroup':
        applicationGroups.push(setting(loc))
        break
      case 'wsgipassauthorization': {
        const s = setting(loc)
        passAuthorizations.push(s)
        if (onOff(s.value) === undefined) {
          problem('invalid-flag', 'error', loc,
            `WSGIPassAuthorization ${s.raw || '(empty)'}: Apache refuses to start (the value must be On or Off); write "WSGIPassAuthorization On" so git/hg clients can authenticate.`)
        }
        break
      }
      case 'wsgirestrictprocess':
        restrictProcesses.push(setting(loc))
        break
      case 'wsgirestrictembedded':
      case 'wsgirestrictedembedded': {
        const misspelled = name === 'wsgirestrictedembedded'
        const base = setting(loc)
        const entry: RestrictEmbedded = record<RestrictEmbedded>({
          node: base.node,
          file: base.file,
          scope: base.scope,
          wrappers: base.wrappers,
          parent: base.parent,
          order: base.order,
          value: base.value,
          raw: base.raw,
          values: base.values,
          misspelled,
          inVirtualHost: ctx.scope.kind === 'vhost',
          inContainer,
        })
        restrictEmbedded.push(entry)
        if (misspelled) {
          problem('restrict-embedded-misspelled', 'error', loc,
            `Invalid command '${node.name}', perhaps misspelled or defined by a module not included in the server configuration: ` +
              'Apache refuses to start; the directive is spelled WSGIRestrictEmbedded.')
        }
        if (entry.inVirtualHost) {
          problem('restrict-embedded-in-vhost', 'error', loc,
            'WSGIRestrictEmbedded cannot occur within <VirtualHost> section: Apache refuses to start; move it to the global server config, outside every <VirtualHost>.')
        } else if (inContainer) {
          problem('restrict-embedded-in-container', 'error', loc,
            'WSGIRestrictEmbedded cannot occur within <Directory/Location/Files> section: Apache refuses to start; move it to the global server config.')
        }
        break
      }
    }
  }

  const notAllowedHere = (node: Directive, loc: Located): void => {
    const where = loc.scope.container as ContainerInfo
    problem('not-allowed-here', 'error', loc,
      `${node.name} not allowed here: Apache refuses to start because it sits in <${where.section.name}>; ` +
        'move it out to the <VirtualHost> or the global server config.')
  }

  // Walk: top-level files in order, then any file only reachable through a cycle.
  const globalScope = (file: string): Scope => makeScope('global', file, [], [], [], undefined, undefined, undefined)
  const roots = options.roots ?? graph.roots
  for (const root of roots) walkFile(root, globalScope(root))
  if (options.roots === undefined) {
    for (const f of configFiles) if (!visited.has(f.path)) walkFile(f.path, globalScope(f.path))
  }
  const unwalked = configFiles.map((f) => f.path).filter((p) => !visited.has(p))

  // Site names need the whole config (a global ServerName may come after the vhosts).
  for (const v of virtualHosts) v.siteName = v.serverName ?? globalServerName ?? ''
  const siteOf = (scope: Scope): string => (scope.vhost ? scope.vhost.siteName : (globalServerName ?? ''))
  const sameSite = (a: Scope, b: Scope): boolean => {
    if (a.vhost && b.vhost && a.vhost.section === b.vhost.section) return true
    return siteOf(a) === siteOf(b)
  }

  // Daemon groups: duplicates and bad options.
  const firstDaemon = new Map<string, DaemonGroup>()
  for (const d of daemons) {
    const first = firstDaemon.get(d.name)
    if (first === undefined) firstDaemon.set(d.name, d)
    else {
      problem('duplicate-daemon', 'error', d,
        `Name duplicates previous WSGI daemon definition.: WSGIDaemonProcess ${d.name} is already defined at ${where(first)}; ` +
          'Apache refuses to start. Remove one definition or give this group another name (and update its WSGIProcessGroup).')
    }
    if (d.name === '') {
      problem('invalid-daemon-option', 'error', d, 'Name of WSGI daemon process not supplied.: give WSGIDaemonProcess a group name.')
    }
    for (const o of d.options) {
      if (!o.known) {
        problem('invalid-daemon-option', 'error', d,
          `Invalid option to WSGI daemon process definition.: "${d.node.args[o.index]}" in WSGIDaemonProcess ${d.name}; ` +
            'options are lower-case key=value pairs (threads=4, python-home=/path); fix or remove it.')
      }
    }
  }
  const daemon = (name: string): DaemonGroup | undefined => firstDaemon.get(name)
  const reachable = (d: DaemonGroup, scope: Scope): boolean => d.scope.kind === 'global' || sameSite(d.scope, scope)
  // Daemons indexed once, so a lookup costs what it returns, not the size of the config: a vhost
  // daemon is reachable from its own vhost and from every vhost of the same site name.
  const globalDaemons: DaemonGroup[] = []
  const daemonsBySite = new Map<string, DaemonGroup[]>()
  const daemonsByVhost = new Map<Section, DaemonGroup[]>()
  for (const d of daemons) {
    if (d.scope.kind === 'global' || d.scope.vhost === undefined) globalDaemons.push(d)
    else {
      push(daemonsBySite, siteOf(d.scope), d)
      push(daemonsByVhost, d.scope.vhost.section, d)
    }
  }
  const reachableDaemons = (scope: Scope): DaemonGroup[] => {
    const candidates = inOrder([
      globalDaemons,
      daemonsBySite.get(siteOf(scope)),
      scope.vhost ? daemonsByVhost.get(scope.vhost.section) : undefined,
    ])
    const seen = new Set<string>()
    return candidates.filter((d) => {
      if (seen.has(d.name) || !reachable(d, scope)) return false
      seen.add(d.name)
      return true
    })
  }

  // Precedence: per-directory containers (merged in Apache order), then vhost, then global.
  interface Target {
    scope: Scope
    alias?: ScriptAlias
  }
  const aliasPaths = new Map<ScriptAlias, AliasPaths>()
  const pathsOf = (alias: ScriptAlias): AliasPaths => {
    let p = aliasPaths.get(alias)
    if (p === undefined) aliasPaths.set(alias, (p = aliasPathsOf(alias)))
    return p
  }
  const covers = containerCoverage()
  const indexes = new Map<Setting[], SettingIndex>()
  const indexOf = (list: Setting[], valid: (s: Setting) => boolean): SettingIndex => {
    let index = indexes.get(list)
    if (index === undefined) indexes.set(list, (index = indexSettings(list, valid)))
    return index
  }

  /** `wantPartial` false: the caller ignores `partial` (left empty), so it is not searched for. */
  const effective = (
    list: Setting[],
    target: Target,
    valid: (s: Setting) => boolean = () => true,
    wantPartial = true,
  ): { setting?: Setting; via: Via; partial: Setting[] } => {
    // Only the settings that can apply: global ones and those of the target's vhost, found through
    // the index by container path (a superset of those whose coverage is not 'none').
    const index = indexOf(list, valid)
    const vhostBucket = target.scope.vhost !== undefined ? index.vhosts.get(target.scope.vhost.section) : undefined
    const candidates = inOrder([
      ...bucketCandidates(index.global, target.scope, target.alias, pathsOf, wantPartial),
      ...(vhostBucket ? bucketCandidates(vhostBucket, target.scope, target.alias, pathsOf, wantPartial) : []),
    ])
    const full: Setting[] = []
    const partial: Setting[] = []
    for (const s of candidates) {
      const cov = coverage(s, target)
      if (cov === 'none') continue
      if (cov === 'partial' || s.scope.conditional !== undefined) {
        if (wantPartial) partial.push(s)
      } else full.push(s)
    }
    if (full.length > 0) {
      full.sort(mergeOrder)
      return { setting: full[full.length - 1], via: 'container', partial }
    }
    const vhost = target.scope.vhost
    if (vhost !== undefined) {
      const s = index.lastByVhost.get(vhost.section)
      if (s) return { setting: s, via: 'vhost', partial }
    }
    const g = index.lastGlobal
    if (g) return { setting: g, via: 'global', partial }
    return { via: 'default', partial }
  }

  const coverage = (s: Setting, target: Target): Coverage => {
    if (target.alias === undefined) {
      // A plain scope: settings in the same (or enclosing) containers apply.
      const mine = target.scope.containers
      const theirs = s.scope.containers
      if (theirs.length > mine.length) return 'none'
      for (let i = 0; i < theirs.length; i++) if (theirs[i].section !== mine[i].section) return 'none'
      return 'full'
    }
    let result: Coverage = 'full'
    for (const c of s.scope.containers) {
      const cov = covers(c, pathsOf(target.alias))
      if (cov === 'none') return 'none'
      if (cov === 'partial') result = 'partial'
    }
    return result
  }

  const classify = (value: string, via: Via, target: Target, decided: { directive?: Directive; setting?: Setting }, partial: Setting[]): GroupResolution => {
    const base = { via, partial, ...(decided.directive ? { directive: decided.directive } : {}), ...(decided.setting ? { setting: decided.setting } : {}) }
    if (value === '' || value === '%{GLOBAL}') return { mode: 'embedded', ...base }
    const envVar = /^%\{ENV:([^}]*)\}$/.exec(value)
    if (envVar) {
      const r = effective(restrictProcesses, target, undefined, false)
      const result: GroupResolution = { mode: 'dynamic', group: value, envVar: envVar[1], ...base }
      if (r.setting) {
        result.restrictProcess = r.setting
        result.allowed = r.setting.values
        result.allowedDaemons = r.setting.values.map((n) => daemon(n)).filter((d): d is DaemonGroup => d !== undefined)
      }
      return result
    }
    const d = daemon(value)
    if (d === undefined) return { mode: 'undefined-group', group: value, ...base }
    return { mode: reachable(d, target.scope) ? 'daemon' : 'unreachable', group: value, daemon: d, ...base }
  }

  const resolveGroup = (target: Target): GroupResolution => {
    const opt = target.alias?.options['process-group']
    if (target.alias && opt) return classify(opt.value, 'alias-option', target, { directive: target.alias.node }, [])
    const e = effective(processGroups, target)
    if (e.setting === undefined) return { mode: 'embedded', via: 'default', partial: e.partial }
    return classify(e.setting.value, e.via, target, { directive: e.setting.node, setting: e.setting }, e.partial)
  }

  const resolvePassAuth = (target: Target): PassAuthorization => {
    const opt = target.alias?.options['pass-authorization']
    if (target.alias && opt && onOff(opt.value) !== undefined) {
      return { value: onOff(opt.value), via: 'alias-option', directive: target.alias.node }
    }
    const e = effective(passAuthorizations, target, isFlagSetting, false)
    if (e.setting === undefined) return { value: undefined, via: 'default' }
    return { value: onOff(e.setting.value), via: e.via, directive: e.setting.node, setting: e.setting }
  }

  const resolveAppGroup = (target: Target): Effective => {
    const opt = target.alias?.options['application-group']
    if (target.alias && opt) return { value: opt.value, via: 'alias-option', directive: target.alias.node }
    const e = effective(applicationGroups, target, undefined, false)
    if (e.setting === undefined) return { via: 'default' }
    return { value: e.setting.value, via: e.via, directive: e.setting.node, setting: e.setting }
  }

  // WSGIRestrictEmbedded: the last valid global one decides.
  let embeddedRestricted = false
  for (const r of restrictEmbedded) {
    if (r.misspelled || r.inVirtualHost || r.inContainer) continue
    const v = onOff(r.value)
    if (v !== undefined) embeddedRestricted = v === 'On'
  }

  for (const alias of scriptAliases) {
    const target: Target = { scope: alias.scope, alias }
    alias.group = resolveGroup(target)
    alias.applicationGroup = resolveAppGroup(target)
    alias.passAuthorization = resolvePassAuth(target)
    aliasProblems(alias)
  }

  function aliasProblems(alias: ScriptAlias): void {
    const label = `${alias.node.name} ${alias.rawUrl}`
    for (const o of alias.invalidOptions) {
      problem('invalid-alias-option', 'error', alias,
        `Invalid option to WSGI script alias definition.: "${alias.node.args[o.index]}" in ${label}; ` +
          'only process-group=, application-group=, callable-object= and pass-authorization= are accepted.')
    }
    const pa = alias.options['pass-authorization']
    if (pa && onOff(pa.value) === undefined) {
      problem('invalid-flag', 'error', alias, `Invalid value for authorization flag.: pass-authorization=${pa.raw} in ${label}; use On or Off.`)
    }
    const g = alias.group
    const at = g.setting ?? alias
    const pg = alias.options['process-group']
    const ag = alias.options['application-group']
    // With both options mod_wsgi preloads the script and looks the group up while reading the config.
    // (mod_wsgi turns %{GLOBAL} into '' before testing for other %{...} substitutions.)
    if (pg && ag && pg.value !== '' && !pg.value.includes('%{') && !(ag.value === '%{GLOBAL}' ? '' : ag.value).includes('%{') &&
        (alias.directive === 'WSGIScriptAlias' || !alias.script.includes('$'))) {
      const d = daemon(pg.value)
      if (d === undefined || d.order > alias.order) {
        problem('group-not-yet-configured', 'error', alias,
          `WSGI process group not yet configured.: ${label} names process-group=${pg.value} together with application-group=, ` +
            `so mod_wsgi needs WSGIDaemonProcess ${pg.value} earlier in the config; Apache refuses to start. Define the daemon group before this line.`)
        return
      }
    }
    if (g.mode === 'undefined-group') {
      problem('undefined-group', 'warning', at,
        `${label}: no WSGIDaemonProcess defines the group "${g.group}", so every request fails with HTTP 500 ` +
          `("No WSGI daemon process called '${g.group}' has been configured"). Define it with WSGIDaemonProcess ${g.group} or use the name of an existing group.`)
    } else if (g.mode === 'unreachable' && g.daemon) {
      const owner = g.daemon.scope.vhost?.siteName || '(no ServerName)'
      const mine = siteOf(alias.scope) || '(no ServerName)'
      problem('unreachable-group', 'warning', at,
        `${label}: daemon group "${g.group}" is defined in a <VirtualHost> of ServerName ${owner} (${where(g.daemon)}), which an application of ` +
          `ServerName ${mine} cannot use: requests fail with HTTP 500 ("Daemon process called '${g.group}' cannot be accessed by this WSGI application"). ` +
          `Move the WSGIDaemonProcess to the global server config, or into a <VirtualHost> with ServerName ${mine}.`)
    } else if (g.mode === 'embedded') {
      if (embeddedRestricted) {
        problem('embedded-restricted', 'warning', at,
          `${label} runs in embedded mode but WSGIRestrictEmbedded On disables it: requests fail with HTTP 500 ` +
            `("Embedded mode of mod_wsgi disabled by runtime configuration: ${alias.script}"). Give it a daemon group with WSGIProcessGroup.`)
      } else if (g.via === 'default') {
        const names = reachableDaemons(alias.scope).map((d) => d.name)
        if (names.length > 0) {
          problem('embedded-with-daemon', 'warning', alias,
            `${label} runs embedded in the Apache child processes although WSGIDaemonProcess ${names.join(', ')} is defined: ` +
              `no WSGIProcessGroup applies, so the daemon idles. Add "WSGIProcessGroup ${names[0]}" next to the alias.`)
        }
      }
    }
  }

  // Run user.
  const runUser = ((): RunUser => {
    const pick = (rec: typeof userRecord, fallback: string): { value: string; source: RunUser['source']; node?: Directive } => {
      if (rec === undefined) return { value: fallback, source: 'platform-default' }
      if (rec.subst.unresolved || rec.subst.value === '') return { value: fallback, source: 'platform-default', node: rec.loc.node }
      return { value: rec.subst.value, source: rec.subst.fromEnv ? 'env' : 'directive', node: rec.loc.node }
    }
    const u = pick(userRecord, platform.user)
    const g = pick(groupRecord, platform.group)
    return {
      user: u.value,
      group: g.value,
      source: u.source,
      ...(u.node ? { node: u.node } : {}),
      groupSource: g.source,
      ...(g.node ? { groupNode: g.node } : {}),
    }
  })()

  const placesOf = (node: Content): readonly Located[] => {
    if (located === undefined) {
      located = new Map()
      for (const loc of byOrder) {
        const list = located.get(loc.node)
        if (list) list.push(loc)
        else located.set(loc.node, [loc])
      }
    }
    return located.get(node) ?? []
  }

  return {
    files: visitedOrder,
    unwalked,
    virtualHosts,
    ...(globalServerName !== undefined ? { globalServerName } : {}),
    includes,
    daemons,
    scriptAliases,
    processGroups,
    applicationGroups,
    passAuthorizations,
    restrictProcesses,
    restrictEmbedded,
    embeddedRestricted,
    runUser,
    problems,
    hasMacros: macros.length > 0,
    macros,
    defines: Object.fromEntries(vars.defines),
    env,
    reachableDaemons,
    daemon,
    processGroup: (target) => ('node' in target ? target.group : resolveGroup({ scope: target })),
    passAuthorization: (target) => ('node' in target ? target.passAuthorization : resolvePassAuth({ scope: target })),
    sameSite,
    locate: (node) => placesOf(node)[0],
    places: (node) => placesOf(node),
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * A Scope with every field present and always in this order, so that all scopes share one shape
 * (V8 gives objects spread from varying shapes a hidden class each: slow, and memory per object).
 */
function makeScope(
  kind: Scope['kind'],
  file: string,
  ancestors: Section[],
  containers: ContainerInfo[],
  includes: IncludeStep[],
  vhost: VirtualHostInfo | undefined,
  container: ContainerInfo | undefined,
  conditional: Section | undefined,
): Scope {
  return { kind, file, ancestors, containers, includes, vhost, container, conditional }
}

type Coverage = 'full' | 'partial' | 'none'

function where(loc: Located): string {
  return `${loc.file}:${loc.node.position?.start.line ?? '?'}`
}

function onOff(value: string): 'On' | 'Off' | undefined {
  const v = value.toLowerCase()
  return v === 'on' ? 'On' : v === 'off' ? 'Off' : undefined
}

const isFlagSetting = (s: Setting): boolean => onOff(s.value) !== undefined

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

/**
 * `key=value` options from `args[from..]` as mod_wsgi's wsgi_parse_option reads them: the value
 * may be quoted, so `python-home="/a b"` (split by Apache's word rules into two args) is one option.
 */
function parseOptions(args: readonly string[], from: number, resolve: (s: string) => string, known: ReadonlySet<string>): WsgiOption[] {
  const out: WsgiOption[] = []
  for (let i = from; i < args.length; i++) {
    const arg = args[i]
    const eq = arg.indexOf('=')
    if (eq <= 0 || /\s/.test(arg.slice(0, eq))) {
      out.push({ key: eq <= 0 ? arg : arg.slice(0, eq), value: '', raw: '', index: i, lastIndex: i, known: false })
      continue
    }
    const key = arg.slice(0, eq)
    let raw = arg.slice(eq + 1)
    let last = i
    let value = raw
    const q = raw[0]
    if (q === '"' || q === "'") {
      while (!(raw.length > 1 && raw.endsWith(q)) && last + 1 < args.length) raw += ' ' + args[++last]
      value = raw.length > 1 && raw.endsWith(q) ? raw.slice(1, -1) : raw.slice(1)
    }
    out.push({ key, value: resolve(value), raw, index: i, lastIndex: last, known: known.has(key) })
    i = last
  }
  return out
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

/** The literal start of a regex (`^/app/(.*)$` → `/app/`). */
function literalPrefix(re: string): string {
  const s = re.startsWith('^') ? re.slice(1) : re
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\' && i + 1 < s.length && /[^A-Za-z0-9]/.test(s[i + 1])) {
      out += s[++i]
      continue
    }
    if ('.[]()*+?{}|^$\\'.includes(c)) {
      // A quantifier makes the previous char optional.
      if ('*?{'.includes(c)) out = out.slice(0, -1)
      break
    }
    out += c
  }
  return out
}

function regex(source: string): RegExp | undefined {
  try {
    return new RegExp(source)
  } catch {
    return undefined
  }
}

const collapse = (p: string): string => p.replace(/\/{2,}/g, '/')

/** What container tests need of an alias, computed once per alias. */
interface AliasPaths {
  /** URL (its literal prefix for the Match form), `//` collapsed, '/' when empty. */
  url: string
  /** `url` ending in '/'. */
  urlDir: string
  /** Script path (up to the first `$` for the Match form), `//` collapsed. */
  script: string
  /** The script's directories (see directoriesOf). */
  dirs: string[]
  base: string
}

function aliasPathsOf(alias: ScriptAlias): AliasPaths {
  const url = collapse(alias.directive === 'WSGIScriptAliasMatch' ? literalPrefix(alias.url) : alias.url) || '/'
  const script = collapse(alias.directive === 'WSGIScriptAliasMatch' ? alias.script.split('$')[0] : alias.script)
  return { url, urlDir: url.endsWith('/') ? url : url + '/', script, dirs: directoriesOf(script), base: posix.basename(script) }
}

/** A container's path as its tests use it, computed once per container. */
interface CompiledContainer {
  kind: ContainerKind
  regex: boolean
  /** The regular expression (regex forms) or glob (Directory/Files); undefined: never matches. */
  re?: { test(s: string): boolean }
  /** A Directory/Files glob without wildcards: compared as a string, no RegExp needed. */
  literal: boolean
  /** Location: the path, `//` collapsed; LocationMatch: its literal prefix; Directory: the path without trailing '/'. */
  path: string
}

/** Container globs: `*` within a segment, and (unlike Apache's APR_FNM_PATHNAME alone) no hidden names. */
function safeGlob(pattern: string): { test(s: string): boolean } {
  return globMatcher(pattern, { pathname: true, period: true })
}

function compileContainer(c: ContainerInfo): CompiledContainer {
  switch (c.kind) {
    case 'Location':
    case 'LocationMatch':
      return c.regex
        ? { kind: c.kind, regex: true, literal: false, re: regex(c.path), path: collapse(literalPrefix(c.path)) }
        : { kind: c.kind, regex: false, literal: true, path: collapse(c.path) }
    case 'Directory':
    case 'DirectoryMatch': {
      if (c.regex) return { kind: c.kind, regex: true, literal: false, re: regex(c.path), path: c.path }
      const dir = directoryKey(c)
      if (isLiteralGlob(dir)) return { kind: c.kind, regex: false, literal: true, path: dir }
      return { kind: c.kind, regex: false, literal: false, re: safeGlob(dir), path: dir }
    }
    case 'Files':
    case 'FilesMatch':
      if (!c.regex && isLiteralGlob(c.path)) return { kind: c.kind, regex: false, literal: true, path: c.path }
      return { kind: c.kind, regex: c.regex, literal: false, re: c.regex ? regex(c.path) : safeGlob(c.path), path: c.path }
  }
}

/** A non-regex `<Directory>`'s path as compared: `//` collapsed, no trailing '/'. */
const directoryKey = (c: ContainerInfo): string => collapse(c.path).replace(/(.)\/+$/, '$1')

/** Coverage of an alias by a container, with each container compiled once per model. */
function containerCoverage(): (c: ContainerInfo, alias: AliasPaths) => Coverage {
  const compiled = new Map<ContainerInfo, CompiledContainer>()
  return (c, alias) => {
    let cc = compiled.get(c)
    if (cc === undefined) compiled.set(c, (cc = compileContainer(c)))
    return containerCovers(cc, alias)
  }
}

/** Whether a container applies to all requests of an alias, some, or none. */
function containerCovers(c: CompiledContainer, alias: AliasPaths): Coverage {
  const { url, urlDir, script } = alias
  switch (c.kind) {
    case 'Location':
    case 'LocationMatch': {
      if (c.regex) {
        const re = c.re
        if (re === undefined) return 'none'
        if (re.test(url)) return 'full'
        return c.path.startsWith(urlDir) ? 'partial' : 'none'
      }
      // <Location /a> matches /a, /a/..., and /ab: a plain prefix test.
      const loc = c.path
      if (url.startsWith(loc)) return 'full'
      return loc.startsWith(urlDir) ? 'partial' : 'none'
    }
    case 'Directory':
    case 'DirectoryMatch': {
      const dirs = alias.dirs
      const dir = c.path
      if (c.literal) {
        if (dirs.includes(dir)) return 'full'
      } else {
        const re = c.re
        if (re === undefined) return 'none'
        if (c.regex) return dirs.some((d) => re.test(d) || re.test(d === '/' ? d : d + '/')) ? 'full' : 'none'
        if (dirs.some((d) => re.test(d))) return 'full'
      }
      // An alias to a directory of scripts: a <Directory> below it covers some of them.
      if (script.endsWith('/') && (dir + '/').startsWith(script)) return 'partial'
      return 'none'
    }
    case 'Files':
    case 'FilesMatch': {
      if (script.endsWith('/')) return 'partial'
      if (c.literal) return alias.base === c.path ? 'full' : 'none'
      const re = c.re
      if (re === undefined) return 'none'
      return re.test(alias.base) ? 'full' : 'none'
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Indexes, so that looking up what applies to an alias does not scan the whole config

/** Container settings of one scope (the global one, or one vhost). */
interface Bucket {
  /** Settings inside containers or `<If>`s, in reading order. */
  all: Setting[]
  /** Made on the first lookup in a bucket large enough for it to pay (most vhosts hold a few). */
  index?: BucketIndex
}

/** A bucket's settings filed so that a lookup finds those that may apply without a scan. */
interface BucketIndex {
  /** For aliases: settings no index narrows down (regex or glob containers, `<If>` only). */
  always: Setting[]
  /** For aliases: by the literal path of a plain `<Directory>` among their containers. */
  dirs: Map<string, Setting[]>
  /** For aliases: by the path of a plain `<Location>` among their containers. */
  locs: Map<string, Setting[]>
  /** Keys of `locs`, sorted (prefix searches), and their distinct lengths. */
  locKeys: string[]
  locLengths: number[]
  /** For aliases: by the literal name of a plain `<Files>` among their containers. */
  files: Map<string, Setting[]>
  /** For plain scopes: settings with no container (in an `<If>`), and by outermost container. */
  noContainers: Setting[]
  byOuter: Map<Section, Setting[]>
}

/** Buckets up to this size are scanned: an index costs more than it saves. */
const SMALL_BUCKET = 8

interface SettingIndex {
  global: Bucket
  vhosts: Map<Section, Bucket>
  /** The last plain setting at global scope, and in each vhost. */
  lastGlobal?: Setting
  lastByVhost: Map<Section, Setting>
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

const isLiteralGlob = (s: string): boolean => !/[*?[\\]/.test(s)

/**
 * Sort the settings of a list that pass `valid` (a list is always used with the same test) by
 * scope: the last plain one of each scope, and the container ones in buckets.
 */
function indexSettings(list: readonly Setting[], valid: (s: Setting) => boolean): SettingIndex {
  const index: SettingIndex = { global: { all: [] }, vhosts: new Map(), lastByVhost: new Map() }
  for (const s of list) {
    if (!valid(s)) continue
    if (s.scope.containers.length === 0 && s.scope.conditional === undefined) {
      if (s.scope.kind === 'global') index.lastGlobal = s
      if (s.scope.vhost !== undefined) index.lastByVhost.set(s.scope.vhost.section, s)
      continue
    }
    if (s.scope.kind === 'global') index.global.all.push(s)
    else if (s.scope.vhost !== undefined) {
      const b = index.vhosts.get(s.scope.vhost.section)
      if (b === undefined) index.vhosts.set(s.scope.vhost.section, { all: [s] })
      else b.all.push(s)
    }
  }
  return index
}

/** Each setting is filed under one container that any alias it covers must match by key. */
function indexBucket(settings: readonly Setting[]): BucketIndex {
  const index: BucketIndex = {
    always: [], dirs: new Map(), locs: new Map(), locKeys: [], locLengths: [], files: new Map(), noContainers: [], byOuter: new Map(),
  }
  for (const s of settings) {
    const containers = s.scope.containers
    if (containers.length === 0) index.noContainers.push(s)
    else push(index.byOuter, containers[0].section, s)
    let filed = false
    for (const c of containers) {
      if (c.regex) continue
      if (c.kind === 'Location') {
        push(index.locs, collapse(c.path), s)
      } else if (c.kind === 'Directory' && isLiteralGlob(directoryKey(c))) {
        push(index.dirs, directoryKey(c), s)
      } else if (c.kind === 'Files' && isLiteralGlob(c.path)) {
        push(index.files, c.path, s)
      } else continue
      filed = true
      break
    }
    if (!filed) index.always.push(s)
  }
  index.locKeys = [...index.locs.keys()].sort()
  index.locLengths = [...new Set(index.locKeys.map((k) => k.length))].sort((a, b) => a - b)
  return index
}

/**
 * Lists of a bucket holding every setting that may cover the target (and maybe a few more); with
 * `partial` false, only those that may cover all of an alias's requests.
 */
function bucketCandidates(
  bucket: Bucket,
  scope: Scope,
  target: ScriptAlias | undefined,
  pathsOf: (alias: ScriptAlias) => AliasPaths,
  partial: boolean,
): Array<readonly Setting[] | undefined> {
  if (bucket.all.length <= SMALL_BUCKET) return [bucket.all]
  const index = (bucket.index ??= indexBucket(bucket.all))
  if (target === undefined) {
    return [index.noContainers, scope.containers.length > 0 ? index.byOuter.get(scope.containers[0].section) : undefined]
  }
  const alias = pathsOf(target)
  const out: Array<readonly Setting[] | undefined> = [index.always]
  const scriptIsDir = alias.script.endsWith('/')
  // <Directory>: one of the script's directories, or (a directory alias) anything below it.
  if (index.dirs.size > 0) {
    if (scriptIsDir && partial) out.push(...index.dirs.values())
    else for (const d of alias.dirs) out.push(index.dirs.get(d))
  }
  // <Location>: a prefix of the URL (full), or below the URL's directory (partial).
  if (index.locs.size > 0) {
    const { url, urlDir } = alias
    for (const n of index.locLengths) {
      if (n > url.length) break
      out.push(index.locs.get(url.slice(0, n)))
    }
    const keys = index.locKeys
    if (partial) for (let i = lowerBound(keys, urlDir); i < keys.length && keys[i].startsWith(urlDir); i++) out.push(index.locs.get(keys[i]))
  }
  // <Files>: the script's name; every one for a directory alias (partly).
  if (index.files.size > 0) {
    if (!scriptIsDir) out.push(index.files.get(alias.base))
    else if (partial) out.push(...index.files.values())
  }
  return out
}

/** First index in sorted `keys` whose key is not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The items of several lists (each in `order`), in `order`, each once. */
function inOrder<T extends { order: number }>(lists: ReadonlyArray<readonly T[] | undefined>): T[] {
  const nonEmpty = lists.filter((l): l is readonly T[] => l !== undefined && l.length > 0)
  if (nonEmpty.length === 0) return []
  if (nonEmpty.length <= 3) return nonEmpty.reduce<T[]>((out, list, i) => (i === 0 ? list.slice() : mergeInOrder(out, list)), [])
  // Many lists (a directory alias against every <Directory> of a large bucket): sort once.
  const all = nonEmpty.flat() as T[]
  all.sort((a, b) => a.order - b.order)
  return all.filter((x, i) => i === 0 || all[i - 1] !== x)
}

function mergeInOrder<T extends { order: number }>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]
    const y = b[j]
    if (x === y) {
      out.push(x)
      i++
      j++
    } else if (x.order < y.order) {
      out.push(x)
      i++
    } else {
      out.push(y)
      j++
    }
  }
  while (i < a.length) out.push(a[i++])
  while (j < b.length) out.push(b[j++])
  return out
}

/** `/srv/k/dispatch.wsgi` → `/`, `/srv`, `/srv/k`; a path ending in `/` is itself a directory. */
function directoriesOf(script: string): string[] {
  const isDir = script.endsWith('/')
  const parts = script.split('/').filter((p) => p !== '')
  if (!isDir) parts.pop()
  const out: string[] = script.startsWith('/') ? ['/'] : []
  let acc = script.startsWith('/') ? '' : '.'
  for (const p of parts) {
    acc = acc === '.' ? p : `${acc}/${p}`
    out.push(acc)
  }
  return out
}
