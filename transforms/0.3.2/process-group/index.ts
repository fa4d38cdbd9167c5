// process-group: point a WSGI application that runs embedded at the one daemon group it can use.
//
// Why: the 0.3 and 0.3.1 docs define `WSGIDaemonProcess kallithea` but never say
// `WSGIProcessGroup kallithea`, so mod_wsgi never hands a request to the daemon: Kallithea runs
// embedded in every Apache child process (one copy per child, with the system Python), and the
// daemon group starts and idles (Kallithea issue #203). 0.3.2 adds `WSGIProcessGroup kallithea`.
//
// A WSGIProcessGroup applies to its whole scope (a <VirtualHost> or the global server config), so
// it is only added when exactly one application there runs embedded by default and exactly one
// daemon group is reachable; anything less clear-cut becomes an advisory.
import { aliasLabel, appLabel, directiveText, where } from '../../../src/model/describe.js'
import { fixScope } from '../../../src/model/kallithea.js'
import type { DaemonGroup, Located, ScriptAlias, Scope, Setting, WsgiApp, WsgiModel } from '../../../src/model/model.js'
import { pushTo } from '../../../src/util/multimap.js'
import { problemsOf, type ProblemOf } from '../../../src/model/problems.js'
import { defineTransform } from '../../../src/runner/define.js'
import type { MessageData, TransformContext } from '../../../src/runner/transform.js'
import { createDirective, eolOf, indentOf } from '../../../src/syntax/edit.js'
import { continuesIntoBlock } from '../../../src/syntax/template-tree.js'
import type { Content, Directive, Section } from '../../../src/syntax/types.js'

/** What to do about one script alias. */
type Decision =
  | { kind: 'none' }
  | { kind: 'insert'; alias: ScriptAlias; daemon: DaemonGroup }
  | { kind: 'advise'; key: unknown; at: Located; messageId: string; data: MessageData }

export const processGroup = defineTransform({
  meta: {
    id: 'process-group',
    version: '0.3.2',
    title: 'Run the application in its daemon group (WSGIProcessGroup)',
    description:
      'Adds WSGIProcessGroup <name> where a WSGIScriptAlias runs embedded while exactly one WSGIDaemonProcess is reachable from it: ' +
      'after the WSGIDaemonProcess when both share a section, else right before the alias.',
    rationale:
      'Without WSGIProcessGroup mod_wsgi never delegates requests to the daemon group: the application runs embedded in every ' +
      'Apache child process (many copies, the system Python, memory exhaustion under prefork) and the daemon idles.',
    messages: {
      daemonInLoop:
        'WSGIDaemonProcess {{name}} ({{where}}) stands in the template loop "{{loop}}" ({{at}}): every item after the first defines ' +
        '{{name}} again, and Apache refuses to start ("Name duplicates previous WSGI daemon definition."). Make the name vary with ' +
        'the loop (and each WSGIProcessGroup that names it), or define the group once, outside the loop.',
      added:
        'Added WSGIProcessGroup {{group}} for {{directive}} {{url}}: {{script}} ran embedded in every ' +
        'Apache child process and now runs in the daemon group {{group}}.',
      severalDaemons:
        '{{alias}} runs embedded in every Apache child process, and several daemon groups can serve it: {{names}}. ' +
        'Not changed, since which one is meant cannot be told; add "WSGIProcessGroup <name>" next to the alias ' +
        '(or process-group=<name> on the alias) naming the group that should run it.',
      sharedScope:
        '{{count}} WSGI applications in {{scope}} run embedded in every Apache child process: {{list}}. ' +
        'A WSGIProcessGroup there would move all of them into daemon group {{group}}, so nothing was changed. ' +
        'Add process-group={{group}} to the WSGIScriptAlias of each application that belongs in that group, e.g. ' +
        '"{{directive}} {{url}} {{script}} process-group={{group}}" (mod_wsgi 3.0 or later).',
      sharedDaemon:
        'Daemon group {{group}} ({{where}}) is defined at global scope, and several applications that run embedded in ' +
        'every Apache child process could use it: {{list}}. Not changed, since which of them belong in it cannot be told ' +
        '(some may be meant to run embedded); add "WSGIProcessGroup {{group}}" in the <VirtualHost> of each application ' +
        'that belongs in it, or process-group={{group}} on its WSGIScriptAlias.',
      explicitEmbedded:
        '{{alias}} runs embedded in every Apache child process because {{how}} says so, although daemon group {{names}} ' +
        'could serve it. Left as is, since that is an explicit choice; to run it in the daemon, name the group there instead ' +
        '(WSGIProcessGroup {{first}}).',
      conditionalDaemon:
        '{{alias}} runs embedded in every Apache child process, and daemon group {{group}} ({{where}}) is defined in a template ' +
        'branch that does not render wherever the alias does. Not changed, since a WSGIProcessGroup naming it would answer HTTP 500 ' +
        'in the renderings without it; add "WSGIProcessGroup {{group}}" in the same template branch as its WSGIDaemonProcess.',
      partial:
        '{{alias}} runs embedded in every Apache child process except for the requests that {{parts}} routes elsewhere. ' +
        'Not changed, since a WSGIProcessGroup for the rest would interact with that routing; add "WSGIProcessGroup {{group}}" ' +
        'next to the alias if the other requests belong in daemon group {{group}}.',
      unreachable:
        '{{alias}} is sent to daemon group {{group}}, which is defined in a <VirtualHost> of ServerName {{owner}} ' +
        '({{where}}); an application of ServerName {{mine}} cannot use it, so requests fail with HTTP 500 ' +
        '("Daemon process called \'{{group}}\' cannot be accessed by this WSGI application"). Move the WSGIDaemonProcess to the ' +
        'global server config, or give this <VirtualHost> ServerName {{owner}}.',
      sameScriptElsewhere:
        '{{alias}} runs embedded in every Apache child process: the same script runs in daemon group {{group}} ' +
        '({{where}}) elsewhere, but that group is defined in a <VirtualHost> of ServerName {{owner}}, which an application ' +
        'of ServerName {{mine}} cannot use (HTTP 500 "Daemon process called \'{{group}}\' cannot be accessed by this WSGI application"). ' +
        'Give this <VirtualHost> ServerName {{owner}} (the two halves of one site) or move the WSGIDaemonProcess to the global ' +
        'server config, then add "WSGIProcessGroup {{group}}" next to the alias.',
    },
  },
  create(ctx) {
    // One decision per alias from the model of this pass; the engine applies the insertions that
    // no earlier one of the pass can have changed and asks again for the rest.
    const view = new View(ctx.model())
    const scope = fixScope(view.model, ctx.files, ctx.options.allApps)
    const seen = new Set<unknown>()
    for (const alias of view.model.scriptAliases) {
      // By default Kallithea's applications only (--all-apps: every one).
      if (!scope.app(alias)) continue
      const d = decide(ctx, view, alias)
      if (d.kind === 'insert') reportInsert(ctx, view, d.alias, d.daemon)
      else if (d.kind === 'advise' && !seen.has(d.key)) {
        seen.add(d.key)
        ctx.report({ at: d.at, messageId: d.messageId, data: d.data })
      }
    }
    for (const { record, data } of problemsOf(view.model.problems, 'daemon-in-loop')) {
      if (scope.daemon(record)) ctx.report({ at: record, messageId: 'daemonInLoop', data: { ...data, where: where(record) } })
    }
  },
})

export default processGroup

/**
 * The model of one pass, with what decide() looks up for every alias gathered once (looking it
 * up in the whole model for each alias made large runs quadratic). Every list is in model order.
 */
class View {
  /** Each alias node's places (a file included twice mounts its aliases twice). */
  private byNode = new Map<Directive, ScriptAlias[]>()
  /** Aliases that run embedded by default (no WSGIProcessGroup applies), outside containers. */
  private byDefault: ScriptAlias[] = []
  private defaultByVhost = new Map<Section, ScriptAlias[]>()
  /** Handler apps (AddHandler wsgi-script) that run embedded by default: a WSGIProcessGroup of their scope moves them too. */
  private handlersByDefault: WsgiApp[] = []
  private handlersByVhost = new Map<Section, WsgiApp[]>()
  private byScript = new Map<string, ScriptAlias[]>()
  private rank = new Map<ScriptAlias, number>()
  private reachable = new Map<Section | 'global', DaemonGroup[]>()
  /** Aliases Apache refuses where they stand (in a <Directory>/<Location>), as the model reports. */
  readonly refused: ReadonlySet<Located>
  /** Aliases sent to a daemon group they cannot reach, with the model's problem. */
  readonly unreachable: ReadonlyMap<ScriptAlias, ProblemOf<'unreachable-group'>>

  constructor(readonly model: WsgiModel) {
    this.refused = new Set(problemsOf(model.problems, 'not-allowed-here').map((p) => p.record))
    this.unreachable = new Map(problemsOf(model.problems, 'unreachable-group').map((p) => [p.record, p]))
    model.scriptAliases.forEach((a, i) => {
      this.rank.set(a, i)
      pushTo(this.byNode, a.node, a)
      pushTo(this.byScript, a.script, a)
      if (a.group.via !== 'default' || this.refused.has(a)) return
      this.byDefault.push(a)
      if (a.scope.vhost) pushTo(this.defaultByVhost, a.scope.vhost.section, a)
    })
    for (const h of model.handlerApps) {
      if (h.group.via !== 'default') continue
      this.handlersByDefault.push(h)
      if (h.scope.vhost) pushTo(this.handlersByVhost, h.scope.vhost.section, h)
    }
  }

  /** Handler apps that run embedded by default: in the vhost `vhost`, or all of them (undefined). */
  handlersEmbeddedByDefault(vhost?: Section): WsgiApp[] {
    return vhost === undefined ? this.handlersByDefault : (this.handlersByVhost.get(vhost) ?? [])
  }

  places(alias: ScriptAlias): ScriptAlias[] {
    return this.byNode.get(alias.node) ?? [alias]
  }

  /** Aliases of `script` (as resolved), anywhere. */
  ofScript(script: string): ScriptAlias[] {
    return this.byScript.get(script) ?? []
  }

  /** Aliases that run embedded by default: in the vhost `vhost`, or all of them (undefined). */
  embeddedByDefault(vhost?: Section): ScriptAlias[] {
    return vhost === undefined ? this.byDefault : (this.defaultByVhost.get(vhost) ?? [])
  }

  /** Sort aliases of this model into model order, each once. */
  inOrder(aliases: Iterable<ScriptAlias>): ScriptAlias[] {
    return [...new Set(aliases)].sort((a, b) => (this.rank.get(a) ?? 0) - (this.rank.get(b) ?? 0))
  }

  /** Whether a definition of `daemon`'s name renders wherever the alias does (template branches). */
  rendersWith(alias: ScriptAlias, daemon: DaemonGroup): 'always' | 'sometimes' | 'never' {
    const defs = this.model.daemons.filter((d) => d.name === daemon.name && (d.scope.kind === 'global' || this.model.sameSite(d.scope, alias.scope)))
    return this.model.rendersWith(alias, defs)
  }

  /** model.reachableDaemons(scope), asked once per vhost: which daemons are reachable depends on the vhost (its site) only. */
  reachableDaemons(scope: Scope): DaemonGroup[] {
    const key = scope.vhost?.section ?? 'global'
    let found = this.reachable.get(key)
    if (found === undefined) this.reachable.set(key, (found = this.model.reachableDaemons(scope)))
    return found
  }
}

// ---------------------------------------------------------------------------------------------
// Deciding

function decide(ctx: TransformContext, view: View, alias: ScriptAlias): Decision {
  // Apache refuses a WSGIScriptAlias inside <Directory>/<Location>; the model reports it.
  if (view.refused.has(alias)) return { kind: 'none' }
  const unreachable = view.unreachable.get(alias)
  if (unreachable !== undefined) return adviseUnreachable(alias, unreachable)
  const g = alias.group
  if (g.mode !== 'embedded') return { kind: 'none' }
  // A daemon group in another branch of a template never renders with the alias.
  const reachable = view.reachableDaemons(alias.scope).filter((d) => view.rendersWith(alias, d) !== 'never')
  if (g.via !== 'default') return reachable.length > 0 ? adviseExplicitEmbedded(alias, reachable) : { kind: 'none' }
  if (reachable.length === 0) return adviseSameScriptElsewhere(view, alias)
  if (reachable.length > 1) return adviseSeveralDaemons(alias, reachable)
  const daemon = reachable[0]
  if (view.rendersWith(alias, daemon) === 'sometimes') return advise(alias.node, alias, 'conditionalDaemon', { alias: aliasLabel(alias), group: daemon.name, where: where(daemon) })
  if (g.partial.length > 0) return advisePartial(alias, daemon, g.partial)
  const moved = movedTogether(view, alias)
  if (moved.length > 1) return adviseSharedScope(alias, daemon, moved)
  const rivals = otherAppsFor(view, alias, daemon)
  if (rivals.length > 0) return adviseSharedDaemon(alias, daemon, rivals)
  if (!ctx.editable(ctx.fileOf(alias.node))) return { kind: 'none' }
  return { kind: 'insert', alias, daemon }
}

/**
 * Applications a WSGIProcessGroup at the alias's own level would move too: in a <VirtualHost>,
 * every alias (and wsgi-script handler) of that vhost that runs embedded by default; at global
 * scope, every one of the server that does (vhosts without their own WSGIProcessGroup inherit
 * the global one). An alias file included in several places counts once per place.
 */
function movedTogether(view: View, alias: ScriptAlias): WsgiApp[] {
  const vhost = alias.scope.vhost?.section
  if (vhost === undefined) return [...view.embeddedByDefault(), ...view.handlersEmbeddedByDefault()]
  const elsewhere = view.places(alias).filter((a) => a.group.via === 'default' && !view.refused.has(a))
  return [...view.inOrder([...view.embeddedByDefault(vhost), ...elsewhere]), ...view.handlersEmbeddedByDefault(vhost)]
}

/**
 * A global daemon group is reachable from every vhost: when other applications (another script)
 * that run embedded could use it too, which of them belong in it cannot be told. A daemon
 * defined in a vhost belongs to that site, so this only applies to global ones.
 */
function otherAppsFor(view: View, alias: ScriptAlias, daemon: DaemonGroup): ScriptAlias[] {
  if (daemon.scope.kind !== 'global') return []
  return view.embeddedByDefault().filter(
    (a) =>
      a.script !== alias.script &&
      a.group.mode === 'embedded' &&
      view.reachableDaemons(a.scope).some((d) => d.name === daemon.name),
  )
}

// ---------------------------------------------------------------------------------------------
// Editing

/**
 * WSGIProcessGroup right after the daemon when both share a parent, else right before the alias.
 * It takes effect wherever that parent is read (every vhost that includes the file).
 */
function reportInsert(ctx: TransformContext, view: View, alias: ScriptAlias, daemon: DaemonGroup): void {
  // Not into a template branch of the daemon's that the alias renders without (`{% if %}` ... `{% else %}`).
  // Nor after a daemon line continued into a template block (what follows it is still its words).
  const sameParent = daemon.file === alias.file && daemon.parent === alias.parent && !continuesIntoBlock(daemon.node) &&
    view.model.rendersWith(daemon, [alias]) === 'always' && view.model.rendersWith(alias, [daemon]) === 'always'
  const neighbour: Content = sameParent ? daemon.node : alias.node
  const file = ctx.fileOf(alias.node)
  const node = createDirective('WSGIProcessGroup', [daemon.rawName], {
    indent: indentOf(neighbour),
    eol: eolOf(neighbour) || (file?.tree.data.eol ?? '\n'),
  })
  ctx.report({
    at: alias,
    messageId: 'added',
    data: { group: daemon.name, directive: alias.node.name, url: alias.rawUrl, script: alias.script },
    fix: (fixer) => (sameParent ? fixer.insertAfter(daemon.node, node) : fixer.insertBefore(alias.node, node)),
  })
}

// ---------------------------------------------------------------------------------------------
// Advisories

function advise(key: unknown, at: Located, messageId: string, data: MessageData): Decision {
  return { kind: 'advise', key, at, messageId, data }
}

/** How a list of applications is named in a message. */
const aliasList = (apps: WsgiApp[]): string => apps.map(appLabel).join('; ')

function adviseSeveralDaemons(alias: ScriptAlias, daemons: DaemonGroup[]): Decision {
  const names = daemons.map((d) => `${d.name} (${where(d)})`).join(', ')
  return advise(alias.node, alias, 'severalDaemons', { alias: aliasLabel(alias), names })
}

function adviseSharedScope(alias: ScriptAlias, daemon: DaemonGroup, moved: WsgiApp[]): Decision {
  const vhost = alias.scope.vhost
  const scope = vhost ? `<VirtualHost ${vhost.section.args.join(' ')}> (${vhost.file}:${line(vhost.section)})` : 'the global server config'
  return advise(vhost?.section ?? 'global', alias, 'sharedScope', {
    count: moved.length, scope, list: aliasList(moved), group: daemon.name, directive: alias.node.name, url: alias.rawUrl, script: alias.rawScript,
  })
}

function adviseSharedDaemon(alias: ScriptAlias, daemon: DaemonGroup, rivals: ScriptAlias[]): Decision {
  return advise(daemon.node, alias, 'sharedDaemon', { group: daemon.name, where: where(daemon), list: aliasList([alias, ...rivals]) })
}

function adviseExplicitEmbedded(alias: ScriptAlias, daemons: DaemonGroup[]): Decision {
  const decided = alias.group.setting ?? alias
  const how = alias.group.via === 'alias-option' ? `its process-group= option` : `"${directiveText(decided.node)}" (${where(decided)})`
  const names = daemons.map((d) => d.name).join(', ')
  return advise(alias.node, alias, 'explicitEmbedded', { alias: aliasLabel(alias), how, names, first: daemons[0].name })
}

function advisePartial(alias: ScriptAlias, daemon: DaemonGroup, partial: Setting[]): Decision {
  const parts = partial.map((s) => `"${directiveText(s.node)}" (${where(s)})`).join(', ')
  return advise(alias.node, alias, 'partial', { alias: aliasLabel(alias), parts, group: daemon.name })
}

function adviseUnreachable(alias: ScriptAlias, { data }: ProblemOf<'unreachable-group'>): Decision {
  const { daemon } = data
  const owner = data.ownerSite || '(none)'
  const mine = data.site || '(none)'
  return advise(alias.node, alias.group.setting ?? alias, 'unreachable', { alias: aliasLabel(alias), group: daemon.name, owner, mine, where: where(daemon) })
}

/**
 * No daemon group is reachable: fine for an application meant to run embedded, but when a
 * daemon in a vhost of another ServerName serves the same script, this is that site's other
 * half (typically a :443 vhost whose ServerName is missing or differs) and cannot reach it.
 */
function adviseSameScriptElsewhere(view: View, alias: ScriptAlias): Decision {
  const daemons = new Set<DaemonGroup>()
  for (const other of view.ofScript(alias.script)) {
    if (other.script === alias.script && other.group.mode === 'daemon' && other.group.daemon) daemons.add(other.group.daemon)
  }
  const [daemon] = [...daemons]
  if (daemon === undefined) return { kind: 'none' }
  const owner = daemon.scope.vhost?.siteName || '(none)'
  const mine = siteName(view.model, alias) || '(none)'
  return advise(alias.node, alias, 'sameScriptElsewhere', { alias: aliasLabel(alias), group: daemon.name, where: where(daemon), owner, mine })
}

// ---------------------------------------------------------------------------------------------
// Helpers

function siteName(model: WsgiModel, alias: ScriptAlias): string {
  return alias.scope.vhost ? alias.scope.vhost.siteName : (model.globalServerName ?? '')
}

function line(node: Content): string {
  return String(node.position?.start.line ?? '?')
}
