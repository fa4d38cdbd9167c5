// The records of the mod_wsgi model and the model itself: what buildModel (build.ts) returns.
import type { IncludeGraph } from '../load/include-graph.js'
import type { Content, Directive, ParentNode, Root, Section } from '../syntax/types.js'
import type { Problem } from './problems.js'

export type { ParentNode }
export type { Problem, ProblemCode, ProblemData, ProblemOf, ProblemRecord } from './problems.js'

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

/** What every scope has, global or in a vhost. */
interface ScopeBase {
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

/** The main server config, outside every `<VirtualHost>`. */
export interface GlobalScope extends ScopeBase {
  kind: 'global'
  vhost?: undefined
}

/** Inside a `<VirtualHost>` (directly, or in a file one includes). */
export interface VhostScope extends ScopeBase {
  kind: 'vhost'
  vhost: VirtualHostInfo
}

/**
 * Where a directive takes effect, by `kind`. In the model's scopes the arrays (`ancestors`,
 * `containers`, `includes`) are getters, made on first read: `{ ...scope }` copies the other
 * fields only (spell the arrays out when copying one).
 */
export type Scope = GlobalScope | VhostScope

/** Common fields of every recorded directive. */
export interface Located {
  node: Directive
  file: string
  scope: Scope
  /**
   * `<IfModule>`/`<IfDefine>`/`<IfVersion>`/`<IfFile>`/`<IfDirective>`/`<IfSection>` sections
   * around the node in its own file, outermost first (assumed true): an edit next to the node
   * belongs inside the same wrappers. A getter in the model's records (made on first read).
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
  /** A template expression (`{{ opts }}`): what it renders to is unknown, so it is neither known nor refused. */
  templated?: boolean
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

/** What every group resolution has. */
interface GroupBase {
  via: Via
  /** The WSGIProcessGroup node or the alias (process-group= option) that decided. */
  directive?: Directive
  setting?: Setting
  /**
   * WSGIProcessGroup settings that apply to only part of the alias's requests (a `<Location>`
   * below the alias URL, an `<If>`); they override `mode` for those requests.
   */
  partial: Setting[]
}

/** Fields only the dynamic mode has. */
interface NotDynamic {
  envVar?: undefined
  allowed?: undefined
  allowedDaemons?: undefined
  restrictProcess?: undefined
}

/** Inside the Apache children: no group, `%{GLOBAL}`, or ''. */
export interface EmbeddedMode extends GroupBase, NotDynamic {
  mode: 'embedded'
  group?: undefined
  daemon?: undefined
}

/** In the daemon group `daemon`. */
export interface DaemonMode extends GroupBase, NotDynamic {
  mode: 'daemon'
  group: string
  daemon: DaemonGroup
}

/** The group exists only in vhosts of another ServerName: every request fails (HTTP 500). */
export interface UnreachableMode extends GroupBase, NotDynamic {
  mode: 'unreachable'
  group: string
  daemon: DaemonGroup
}

/** No WSGIDaemonProcess has that name: every request fails (HTTP 500). */
export interface UndefinedGroupMode extends GroupBase, NotDynamic {
  mode: 'undefined-group'
  group: string
  daemon?: undefined
}

/** `%{ENV:VAR}` picks a group per request. */
export interface DynamicMode extends GroupBase {
  mode: 'dynamic'
  /** The group as written (`%{ENV:VAR}`). */
  group: string
  daemon?: undefined
  /** The variable `%{ENV:VAR}` reads. */
  envVar: string
  /** Groups WSGIRestrictProcess allows, when one applies. */
  allowed?: string[]
  allowedDaemons?: DaemonGroup[]
  restrictProcess?: Setting
}

/**
 * A template expression among the alias's words (`{{ "process-group=x" if y }}`) may render to its
 * process group: where it runs is unknown until the template is rendered.
 */
export interface TemplatedMode extends GroupBase {
  mode: 'templated'
  /** The template expression, as written; or the group a directive in a template branch names. */
  group: string
  /** The daemon group of that name, when one is defined. */
  daemon?: DaemonGroup
  /**
   * Where the group holds only in some renderings: the WSGIProcessGroup, its daemon group or the
   * Include that reads them stands in a template branch the application is not always in, or the
   * line renders different groups (`{% if a %}WSGIProcessGroup x{% else %}WSGIProcessGroup y{% endif %}`).
   */
  branch?: TemplateBranchRef
  envVar?: undefined
  allowed?: undefined
  allowedDaemons?: undefined
  restrictProcess?: undefined
}

/** A template block statement as a report names it: `if kallithea_daemon` at file:line. */
export interface TemplateBranchRef {
  /** The branch's statement as written (`if kallithea_daemon`, `else`). */
  statement: string
  /** Its control line; with `inline`, the line whose own conditionals render different groups. */
  node: Directive
  file: string
  inline?: boolean
  /** The branch is a loop's body that defines the daemon group: with more than one item, the name is defined again. */
  loop?: boolean
}

/** Where a WSGI application runs, by `mode`. */
export type GroupResolution = EmbeddedMode | DaemonMode | UnreachableMode | UndefinedGroupMode | DynamicMode | TemplatedMode

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

/**
 * `AddHandler wsgi-script .py` or `SetHandler wsgi-script` (with `Options ExecCGI`): every file
 * it applies to is a WSGI application, in the group its containers give it.
 */
export interface HandlerApp extends Located {
  directive: 'AddHandler' | 'SetHandler'
  /** AddHandler: the extensions (`.py`, `.wsgi`) as resolved; SetHandler: none (every file). */
  extensions: string[]
  /**
   * Where its requests run: the settings of its own containers (and those around them) apply
   * to all of them; a WSGIProcessGroup in another container may apply to some (`partial`).
   */
  group: GroupResolution
  passAuthorization: PassAuthorization
}

/** A WSGI application: a script alias, or the files a wsgi-script handler serves. */
export type WsgiApp = ScriptAlias | HandlerApp

/**
 * `AllowOverride FileInfo` (or `All`, or an `AllowOverrideList` naming AddHandler/SetHandler) on
 * a folder a wsgi-script handler serves (or one above or below it): `.htaccess` files there may
 * add applications that the config does not show. They run in the group the config gives that
 * folder (mod_wsgi refuses WSGIProcessGroup in `.htaccess`).
 */
export interface HtaccessOverride {
  /** The AllowOverride (or AllowOverrideList) line. */
  setting: Setting
  /** The `<Directory>` it stands in. */
  directory: ContainerInfo
  /** A handler app of that folder (or of one above or below it). */
  handler: HandlerApp
  /** Where an application `.htaccess` adds there would run. */
  group: GroupResolution
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
  /**
   * directive: a literal `User`; env: `User ${APACHE_RUN_USER}` resolved, or no `User` and the
   * environment's APACHE_RUN_USER; else the platform default, which nothing in the files confirms.
   */
  source: 'directive' | 'env' | 'platform-default'
  /** The `User` directive that decided (also set when its variable could not be resolved). */
  node?: Directive
  groupSource: 'directive' | 'env' | 'platform-default'
  groupNode?: Directive
}

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
  /** AddHandler/SetHandler wsgi-script: applications too. */
  handlerApps: HandlerApp[]
  /** AllowOverride lines that let `.htaccess` add applications to a folder a wsgi-script handler serves. */
  htaccess: HtaccessOverride[]
  processGroups: Setting[]
  applicationGroups: Setting[]
  passAuthorizations: Setting[]
  restrictProcesses: Setting[]
  /**
   * `WSGIPythonHome` and `WSGIPythonPath` (server config only). The Python home applies to embedded
   * mode and to every daemon group without `python-home=`; the path to embedded mode only.
   */
  pythonHomes: Setting[]
  pythonPaths: Setting[]
  restrictEmbedded: RestrictEmbedded[]
  /** An effective `WSGIRestrictEmbedded On` at global scope: apps left embedded answer HTTP 500. */
  embeddedRestricted: boolean
  runUser: RunUser
  /** What Apache or mod_wsgi would reject or get wrong, in reading order of the checks (problems.ts). */
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
  /** Where an application in `target` would run (an application: its own precomputed `group`). */
  processGroup(target: WsgiApp | Scope): GroupResolution
  /** Effective WSGIPassAuthorization for an application, or for a node in `scope`. */
  passAuthorization(target: WsgiApp | Scope): PassAuthorization
  /** Whether mod_wsgi treats the two scopes as the same site (same vhost or equal siteName). */
  sameSite(a: Scope, b: Scope): boolean
  /** The record of a directive the walk visited (first visit): a DaemonGroup, ScriptAlias, Setting... or a plain Located. */
  locate(node: Content): Located | undefined
  /** Every place the walk visited a directive (a file included twice holds its directives twice), in reading order. */
  places(node: Content): readonly Located[]
  /**
   * Whether one of `others` renders wherever `record` does, when the files are templates: 'always'
   * (outside every block, in the same branches, or in each branch of an `if`/`else`), 'never'
   * (each in another branch of a block `record` is in), else 'sometimes'.
   */
  rendersWith(record: Located, others: readonly Located[]): 'always' | 'sometimes' | 'never'
}
