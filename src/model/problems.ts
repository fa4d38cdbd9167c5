// What Apache or mod_wsgi would reject (error) or get wrong at run time (warning): one table of
// problems by code, each with its severity and its message made from the problem's data. A
// problem names the node to point at, the record it is about and the facts behind it, so a
// transform reads the facts (problemsOf) instead of finding them again.
import type { Content } from '../syntax/types.js'
import { aliasName, where } from './describe.js'
import type {
  ContainerInfo,
  DaemonGroup,
  IncludeInfo,
  Located,
  RestrictEmbedded,
  ScriptAlias,
  Setting,
  VirtualHostInfo,
  WsgiOption,
} from './types.js'

/** The record and the data of each problem, by code. */
export interface ProblemFacts {
  /** A second WSGIDaemonProcess of a name (`first` holds it already). */
  'duplicate-daemon': { record: DaemonGroup; data: { name: string; first: DaemonGroup } }
  /** A literal group name in the body of a template loop (`loop`: its statement, `at` file:line): defined again for each item after the first. */
  'daemon-in-loop': { record: DaemonGroup; data: { name: string; loop: string; at: string } }
  /** An option mod_wsgi rejects; without `option`, the group has no name. */
  'invalid-daemon-option': { record: DaemonGroup; data: { name: string; option?: WsgiOption } }
  'invalid-alias-option': { record: ScriptAlias; data: { option: WsgiOption } }
  /** A directive Apache refuses inside a per-directory section. */
  'not-allowed-here': { record: DaemonGroup | ScriptAlias; data: { container: ContainerInfo } }
  'restrict-embedded-in-vhost': { record: RestrictEmbedded; data: Record<string, never> }
  'restrict-embedded-in-container': { record: RestrictEmbedded; data: { container: ContainerInfo } }
  'restrict-embedded-misspelled': { record: RestrictEmbedded; data: { written: string } }
  'undefined-group': { record: ScriptAlias; data: { group: string } }
  /** `daemon` is defined in a vhost of site `ownerSite`, which an application of `site` cannot use. */
  'unreachable-group': { record: ScriptAlias; data: { group: string; daemon: DaemonGroup; ownerSite: string; site: string } }
  'group-not-yet-configured': { record: ScriptAlias; data: { group: string } }
  'embedded-restricted': { record: ScriptAlias; data: { script: string } }
  /** No WSGIProcessGroup applies although the daemon groups `daemons` are reachable. */
  'embedded-with-daemon': { record: ScriptAlias; data: { daemons: string[] } }
  /** A pass-authorization value that is neither On nor Off: a directive's (`setting`) or an alias option's. */
  'invalid-flag': {
    record: Setting | ScriptAlias
    data: { raw: string } & ({ setting: Setting; option?: undefined } | { option: WsgiOption; setting?: undefined })
  }
  'nested-virtualhost': { record: VirtualHostInfo; data: { outer: VirtualHostInfo } }
  /** `target` is already being read: `chain` is the Include path that closes the loop. */
  'include-cycle': { record: IncludeInfo; data: { target: string; chain: string[] } }
  /** A plain Include of `pattern` (resolved) that names no file that exists. */
  'include-missing': { record: IncludeInfo; data: { pattern: string } }
  /** The walk read `limit` files and stopped at this Include of `target` (read `times` times already). */
  'include-limit': { record: IncludeInfo; data: { target: string; limit: number; times: number } }
  /** This Include of `target` is the `depth`th nested, past the `limit` Apache follows. */
  'include-depth': { record: IncludeInfo; data: { target: string; limit: number; depth: number } }
}

export type ProblemCode = keyof ProblemFacts
export type ProblemRecord<C extends ProblemCode = ProblemCode> = ProblemFacts[C]['record']
export type ProblemData<C extends ProblemCode = ProblemCode> = ProblemFacts[C]['data']

/** A problem of one code. */
export interface ProblemOf<C extends ProblemCode> {
  code: C
  severity: 'error' | 'warning'
  file: string
  /** The node to point at (for a group problem: the setting that decided, else the alias). */
  node: Content
  /** What happens and what to do. */
  message: string
  /** The record the problem is about. */
  record: ProblemRecord<C>
  data: ProblemData<C>
}

/** Something Apache or mod_wsgi rejects (error) or that misbehaves at run time (warning), by `code`. */
export type Problem = { [C in ProblemCode]: ProblemOf<C> }[ProblemCode]

interface ProblemRule<C extends ProblemCode> {
  severity: 'error' | 'warning'
  message: (data: ProblemData<C>, record: ProblemRecord<C>) => string
}

const onlyNamedOptions = 'only process-group=, application-group=, callable-object= and pass-authorization= are accepted.'
const noServerName = (site: string): string => site || '(no ServerName)'

const PROBLEMS: { readonly [C in ProblemCode]: ProblemRule<C> } = {
  'duplicate-daemon': {
    severity: 'error',
    message: (d) =>
      `Name duplicates previous WSGI daemon definition.: WSGIDaemonProcess ${d.name} is already defined at ${where(d.first)}; ` +
      'Apache refuses to start. Remove one definition or give this group another name (and update its WSGIProcessGroup).',
  },
  'daemon-in-loop': {
    severity: 'warning',
    message: (d) => `WSGIDaemonProcess ${d.name} is in the template loop "${d.loop}" (${d.at}): with two items or more, Apache refuses the second definition.`,
  },
  'invalid-daemon-option': {
    severity: 'error',
    message: (d, daemon) =>
      d.option === undefined
        ? 'Name of WSGI daemon process not supplied.: give WSGIDaemonProcess a group name.'
        : `Invalid option to WSGI daemon process definition.: "${daemon.node.args[d.option.index]}" in WSGIDaemonProcess ${d.name}; ` +
          'options are lower-case key=value pairs (threads=4, python-home=/path); fix or remove it.',
  },
  'invalid-alias-option': {
    severity: 'error',
    message: (d, alias) =>
      `Invalid option to WSGI script alias definition.: "${alias.node.args[d.option.index]}" in ${aliasName(alias)}; ${onlyNamedOptions}`,
  },
  'not-allowed-here': {
    severity: 'error',
    message: (d, rec) =>
      `${rec.node.name} not allowed here: Apache refuses to start because it sits in <${d.container.section.name}>; ` +
      'move it out to the <VirtualHost> or the global server config.',
  },
  'restrict-embedded-in-vhost': {
    severity: 'error',
    message: () =>
      'WSGIRestrictEmbedded cannot occur within <VirtualHost> section: Apache refuses to start; move it to the global server config, outside every <VirtualHost>.',
  },
  'restrict-embedded-in-container': {
    severity: 'error',
    message: () =>
      'WSGIRestrictEmbedded cannot occur within <Directory/Location/Files> section: Apache refuses to start; move it to the global server config.',
  },
  'restrict-embedded-misspelled': {
    severity: 'error',
    message: (d) =>
      `Invalid command '${d.written}', perhaps misspelled or defined by a module not included in the server configuration: ` +
      'Apache refuses to start; the directive is spelled WSGIRestrictEmbedded.',
  },
  'undefined-group': {
    severity: 'warning',
    message: (d, alias) =>
      `${aliasName(alias)}: no WSGIDaemonProcess defines the group "${d.group}", so every request fails with HTTP 500 ` +
      `("No WSGI daemon process called '${d.group}' has been configured"). Define it with WSGIDaemonProcess ${d.group} or use the name of an existing group.`,
  },
  'unreachable-group': {
    severity: 'warning',
    message: (d, alias) => {
      const mine = noServerName(d.site)
      return (
        `${aliasName(alias)}: daemon group "${d.group}" is defined in a <VirtualHost> of ServerName ${noServerName(d.ownerSite)} (${where(d.daemon)}), which an application of ` +
        `ServerName ${mine} cannot use: requests fail with HTTP 500 ("Daemon process called '${d.group}' cannot be accessed by this WSGI application"). ` +
        `Move the WSGIDaemonProcess to the global server config, or into a <VirtualHost> with ServerName ${mine}.`
      )
    },
  },
  'group-not-yet-configured': {
    severity: 'error',
    message: (d, alias) =>
      `WSGI process group not yet configured.: ${aliasName(alias)} names process-group=${d.group} together with application-group=, ` +
      `so mod_wsgi needs WSGIDaemonProcess ${d.group} earlier in the config; Apache refuses to start. Define the daemon group before this line.`,
  },
  'embedded-restricted': {
    severity: 'warning',
    message: (d, alias) =>
      `${aliasName(alias)} runs in embedded mode but WSGIRestrictEmbedded On disables it: requests fail with HTTP 500 ` +
      `("Embedded mode of mod_wsgi disabled by runtime configuration: ${d.script}"). Give it a daemon group with WSGIProcessGroup.`,
  },
  'embedded-with-daemon': {
    severity: 'warning',
    message: (d, alias) =>
      `${aliasName(alias)} runs embedded in the Apache child processes although WSGIDaemonProcess ${d.daemons.join(', ')} is defined: ` +
      `no WSGIProcessGroup applies, so the daemon idles. Add "WSGIProcessGroup ${d.daemons[0]}" next to the alias.`,
  },
  'invalid-flag': {
    severity: 'error',
    message: (d, rec) =>
      d.option === undefined
        ? `WSGIPassAuthorization ${d.raw || '(empty)'}: Apache refuses to start (the value must be On or Off); write "WSGIPassAuthorization On" so git/hg clients can authenticate.`
        : `Invalid value for authorization flag.: pass-authorization=${d.raw} in ${aliasName(rec as ScriptAlias)}; use On or Off.`,
  },
  'nested-virtualhost': {
    severity: 'error',
    message: () => '<VirtualHost> cannot occur within <VirtualHost> section: Apache refuses to start; close the outer <VirtualHost> first.',
  },
  'include-cycle': {
    severity: 'error',
    message: (d, include) =>
      `${include.node.name} ${include.rawPattern} includes ${d.target}, which is already being read (${d.chain.join(' -> ')}): ` +
      'Apache stops with a recursion error; remove the Include that closes the loop.',
  },
  'include-missing': {
    severity: 'error',
    message: (d, include) =>
      /[*?[]/.test(d.pattern)
        ? `${include.node.name} ${include.rawPattern}: no file matches (Apache: "No matches for the wildcard ... failing (use IncludeOptional if required)"); ` +
          'Apache refuses to start. Fix the path, or use IncludeOptional if the files may be absent.'
        : `${include.node.name} ${include.rawPattern}: no such file (Apache: "Could not open configuration file ${d.pattern}: No such file or directory"); ` +
          'Apache refuses to start. Fix the path, create the file, or use IncludeOptional if it may be absent.',
  },
  'include-limit': {
    severity: 'error',
    message: (d, include) =>
      `${include.node.name} ${include.rawPattern}: the Includes fan out (${d.target} read ${d.times} times already): ` +
      `more than ${d.limit} files in all, so this server was not read to the end and nothing of it was changed; ` +
      'include each file once (files including each other many times over multiply).',
  },
  'include-depth': {
    severity: 'error',
    message: (d, include) =>
      `${include.node.name} ${include.rawPattern}: ${d.target} would be read ${d.depth} Includes deep, past Apache's limit of ${d.limit} ` +
      `(Apache: "Exceeded maximum include depth of ${d.limit}"); Apache refuses to start. Include these files from fewer levels.`,
  },
}

/** Problems after which the model is incomplete: no transform may decide from it. */
export const INCOMPLETE: ReadonlySet<ProblemCode> = new Set(['include-limit', 'include-depth'])

/** The problem of `code` about `record`, pointing at `at` (the record itself unless said). */
export function problem<C extends ProblemCode>(
  code: C,
  record: ProblemRecord<C>,
  data: ProblemData<C>,
  at: { file: string; node: Content } = record as Located,
): Problem {
  const rule = PROBLEMS[code] as ProblemRule<C>
  const made: ProblemOf<C> = { code, severity: rule.severity, file: at.file, node: at.node, message: rule.message(data, record), record, data }
  return made as Problem
}

/** The problems of one code, in order. */
export function problemsOf<C extends ProblemCode>(problems: readonly Problem[], code: C): Array<ProblemOf<C>> {
  return problems.filter((p): p is Extract<Problem, { code: C }> => p.code === code) as Array<ProblemOf<C>>
}
