// What Apache and mod_wsgi accept, as data: the options of WSGIDaemonProcess and WSGIScriptAlias
// (with the mod_wsgi version that introduced each, from its release notes), what each section
// does to the scope it opens, and where a directive may stand. The walk, the handlers and the
// problems read these tables; nothing else spells the rules out.
import type { ContainerKind } from './types.js'
import type { ProblemCode } from './problems.js'

/** An option mod_wsgi knows, and the release that added it (unset: not recorded here). */
export interface OptionRule {
  since?: string
}

/**
 * WSGIDaemonProcess options mod_wsgi knows (4.9 and later); anything else is rejected ("Invalid
 * option to WSGI daemon process definition."). Option names are matched exactly (lower case).
 */
export const DAEMON_OPTION_RULES: Readonly<Record<string, OptionRule>> = {
  user: { since: '1.0' },
  group: { since: '1.0' },
  'supplementary-groups': { since: '3.4' },
  processes: { since: '1.0' },
  threads: { since: '1.0' },
  umask: { since: '1.0' },
  chroot: { since: '3.0' },
  home: { since: '1.0' },
  lang: { since: '3.4' },
  locale: { since: '3.4' },
  'python-home': { since: '3.4' },
  'python-path': { since: '2.0' },
  'python-eggs': { since: '2.0' },
  'stack-size': { since: '2.0' },
  'maximum-requests': { since: '1.0' },
  'startup-timeout': { since: '4.5.6' },
  'shutdown-timeout': { since: '1.0' },
  'deadlock-timeout': { since: '2.0' },
  'inactivity-timeout': { since: '2.0' },
  'request-timeout': { since: '4.1.0' },
  'graceful-timeout': { since: '4.1.0' },
  'eviction-timeout': { since: '4.4.7' },
  'restart-interval': { since: '4.5.12' },
  'connect-timeout': { since: '4.1.0' },
  'socket-timeout': { since: '4.1.0' },
  'queue-timeout': { since: '4.1.0' },
  'listen-backlog': { since: '4.1.0' },
  'display-name': { since: '2.0' },
  'send-buffer-size': { since: '2.0' },
  'receive-buffer-size': { since: '2.0' },
  'header-buffer-size': {},
  // Named proxy-buffer-size before 4.4.7.
  'response-buffer-size': { since: '4.4.7' },
  'response-socket-timeout': {},
  'socket-user': {},
  'script-user': {},
  'script-group': {},
  'cpu-time-limit': { since: '3.0' },
  'cpu-priority': { since: '3.0' },
  'memory-limit': { since: '3.4' },
  'virtual-memory-limit': { since: '3.4' },
  'server-metrics': {},
}

/** WSGIScriptAlias(Match) options: all four came with mod_wsgi 3.0. */
export const ALIAS_OPTION_RULES: Readonly<Record<string, OptionRule>> = {
  'process-group': { since: '3.0' },
  'application-group': { since: '3.0' },
  'pass-authorization': { since: '3.0' },
  'callable-object': { since: '3.0' },
}

/** WSGIDaemonProcess options mod_wsgi knows. */
export const DAEMON_OPTIONS: ReadonlySet<string> = new Set(Object.keys(DAEMON_OPTION_RULES))

/** WSGIScriptAlias(Match) options (mod_wsgi >= 3.0). */
export const ALIAS_OPTIONS: ReadonlySet<string> = new Set(Object.keys(ALIAS_OPTION_RULES))

// ---------------------------------------------------------------------------------------------
// Sections

/**
 * What a section does to the scope of what it holds:
 * - wrapper: `<IfModule>` and the like, assumed true and walked through (recorded as wrappers);
 * - conditional: `<If>`/`<ElseIf>`/`<Else>`, applies to some requests only;
 * - vhost: `<VirtualHost>`, a scope of its own;
 * - container: a per-directory section, which decides per-request settings;
 * - macro: `<Macro>`, whose body is not walked (it is a template);
 * - other: any other section, walked through as it is.
 */
export type SectionKind = 'wrapper' | 'conditional' | 'vhost' | 'container' | 'macro' | 'other'

const SECTION_KINDS: Readonly<Record<string, SectionKind>> = {
  ifmodule: 'wrapper',
  ifdefine: 'wrapper',
  ifversion: 'wrapper',
  iffile: 'wrapper',
  ifdirective: 'wrapper',
  ifsection: 'wrapper',
  if: 'conditional',
  elseif: 'conditional',
  else: 'conditional',
  virtualhost: 'vhost',
  directory: 'container',
  directorymatch: 'container',
  location: 'container',
  locationmatch: 'container',
  files: 'container',
  filesmatch: 'container',
  macro: 'macro',
}

/** Canonical container names by lower-case section name. */
export const CONTAINERS: Readonly<Record<string, ContainerKind>> = {
  directory: 'Directory',
  directorymatch: 'DirectoryMatch',
  location: 'Location',
  locationmatch: 'LocationMatch',
  files: 'Files',
  filesmatch: 'FilesMatch',
}

/** The kind of a section, by its lower-case name. */
export function sectionKind(lowerName: string): SectionKind {
  return Object.prototype.hasOwnProperty.call(SECTION_KINDS, lowerName) ? SECTION_KINDS[lowerName] : 'other'
}

// ---------------------------------------------------------------------------------------------
// Where directives may stand

/**
 * Where Apache accepts a directive, and the problem for each place it refuses: `server` (global
 * only: not in a vhost, not in a container) or `vhost` (the server config or a vhost, not in a
 * container). Directives not listed are accepted in containers too.
 */
export interface Placement {
  context: 'server' | 'vhost'
  inVirtualHost?: Extract<ProblemCode, 'restrict-embedded-in-vhost'>
  inContainer: Extract<ProblemCode, 'not-allowed-here' | 'restrict-embedded-in-container'>
}

const VHOST_CONTEXT: Placement = { context: 'vhost', inContainer: 'not-allowed-here' }
const SERVER_CONTEXT: Placement = {
  context: 'server',
  inVirtualHost: 'restrict-embedded-in-vhost',
  inContainer: 'restrict-embedded-in-container',
}

/** Placement rules by lower-case directive name. */
export const PLACEMENT: Readonly<Record<string, Placement>> = {
  wsgidaemonprocess: VHOST_CONTEXT,
  wsgiscriptalias: VHOST_CONTEXT,
  wsgiscriptaliasmatch: VHOST_CONTEXT,
  wsgirestrictembedded: SERVER_CONTEXT,
  wsgirestrictedembedded: SERVER_CONTEXT,
}
