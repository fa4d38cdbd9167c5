// Problems that need the whole server config: duplicate and malformed daemon groups, and what
// each mounted application's resolved group means (HTTP 500, refused start, an idle daemon).
// Problems found where a directive stands are noted by the walk (handlers.ts).
import { isTemplated } from '../syntax/templates.js'
import { exclusive, loopOf, type Branches } from './branches.js'
import type { DaemonIndex, Sites } from './daemons.js'
import { where } from './describe.js'
import { onOff } from './options.js'
import { problem, type Problem } from './problems.js'
import type { DaemonGroup, ScriptAlias } from './types.js'

/**
 * A name defined twice, a group without a name, options mod_wsgi rejects. Two definitions in
 * alternative branches of a template (`{% if %}` and `{% else %}`) never render together; one
 * literal name in a loop's body is defined again for each item after the first.
 */
export function daemonProblems(daemons: readonly DaemonGroup[], definitions: (name: string) => readonly DaemonGroup[], branches: Branches): Problem[] {
  const out: Problem[] = []
  for (const d of daemons) {
    const defs = definitions(d.name)
    const first = defs.length > 1 ? defs.slice(0, defs.indexOf(d)).find((e) => !exclusive(branches.of(e), branches.of(d))) : undefined
    if (first !== undefined) out.push(problem('duplicate-daemon', d, { name: d.name, first }))
    const loop = isTemplated(d.name) ? undefined : loopOf(branches.of(d))
    if (loop !== undefined) {
      const { statement, control } = loop.block.branches[0]
      out.push(problem('daemon-in-loop', d, { name: d.name, loop: statement, at: where({ file: branches.fileOf(loop), node: control }) }))
    }
    if (d.name === '') out.push(problem('invalid-daemon-option', d, { name: d.name }))
    for (const option of d.options) if (!option.known && !option.templated) out.push(problem('invalid-daemon-option', d, { name: d.name, option }))
  }
  return out
}

/** What the checks of an alias need to know of the rest of the config. */
export interface AliasContext {
  daemons: DaemonIndex
  sites: Sites
  embeddedRestricted: boolean
}

/** Add the problems of one alias (its group, application group and pass-authorization resolved) to `out`. */
export function aliasProblems(alias: ScriptAlias, c: AliasContext, out: Problem[]): void {
  for (const option of alias.invalidOptions) if (!option.templated) out.push(problem('invalid-alias-option', alias, { option }))
  const pa = alias.options['pass-authorization']
  if (pa && onOff(pa.value) === undefined) out.push(problem('invalid-flag', alias, { raw: pa.raw, option: pa }))
  const notYet = notYetConfigured(alias, c.daemons)
  if (notYet !== undefined) out.push(problem('group-not-yet-configured', alias, { group: notYet }))
  const g = alias.group
  const at = g.setting ?? alias
  if (g.mode === 'undefined-group') {
    // Not yet configured says it already: the group is nowhere before the alias.
    if (notYet === undefined) out.push(problem('undefined-group', alias, { group: g.group }, at))
  } else if (g.mode === 'unreachable') {
    const data = { group: g.group, daemon: g.daemon, ownerSite: g.daemon.scope.vhost?.siteName ?? '', site: c.sites.siteOf(alias.scope) }
    out.push(problem('unreachable-group', alias, data, at))
  } else if (g.mode === 'embedded') {
    if (c.embeddedRestricted) out.push(problem('embedded-restricted', alias, { script: alias.script }, at))
    else if (g.via === 'default') {
      const names = c.daemons.reachableDaemons(alias.scope).map((d) => d.name)
      if (names.length > 0) out.push(problem('embedded-with-daemon', alias, { daemons: names }))
    }
  }
}

/**
 * With both process-group= and application-group= (no per-request `%{...}`), mod_wsgi preloads
 * the script and looks the group up while reading the config: the group must be defined before
 * the alias. Returns the group when it is not. (mod_wsgi turns %{GLOBAL} into '' before testing
 * for other %{...} substitutions.)
 */
function notYetConfigured(alias: ScriptAlias, daemons: DaemonIndex): string | undefined {
  const pg = alias.options['process-group']
  const ag = alias.options['application-group']
  if (pg === undefined || ag === undefined || pg.value === '' || pg.value.includes('%{')) return undefined
  if ((ag.value === '%{GLOBAL}' ? '' : ag.value).includes('%{')) return undefined
  if (alias.directive === 'WSGIScriptAliasMatch' && alias.script.includes('$')) return undefined
  const d = daemons.daemon(pg.value)
  return d === undefined || d.order > alias.order ? pg.value : undefined
}
