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
import { createDirective, eolOf, indentOf, insertAfter, insertBefore } from '../../../src/syntax/edit.js'
import type { DaemonGroup, Located, ScriptAlias, Scope, Setting, WsgiModel } from '../../../src/model/model.js'
import type { ApacheFile, Transform, TransformContext } from '../../../src/runner/transform.js'
import type { Content, Directive, Section } from '../../../src/syntax/types.js'
import { apacheFile, InOrder } from '../../files.js'

/** What to do about one script alias. */
type Decision =
  | { kind: 'none' }
  | { kind: 'insert'; alias: ScriptAlias; daemon: DaemonGroup }
  | { kind: 'advise'; key: unknown; at: Located; message: string }

export const processGroup: Transform = {
  id: 'process-group',
  version: '0.3.2',
  title: 'Run the application in its daemon group (WSGIProcessGroup)',
  description:
    'Adds WSGIProcessGroup <name> where a WSGIScriptAlias runs embedded while exactly one WSGIDaemonProcess is reachable from it: ' +
    'after the WSGIDaemonProcess when both share a section, else right before the alias.',
  rationale:
    'Without WSGIProcessGroup mod_wsgi never delegates requests to the daemon group: the application runs embedded in every ' +
    'Apache child process (many copies, the system Python, memory exhaustion under prefork) and the daemon idles.',
  apply(ctx) {
    // Each insertion changes what the aliases of its scope resolve to, so the decisions are made
    // in passes: one model, then every insertion that no earlier insertion of the same pass can
    // have changed (see insertionScopes), then a fresh model for the rest. Aliases of separate
    // vhosts never wait on each other: a run takes two models (decide and insert, then check and
    // advise) however many sites it holds. Advisories come from the last model, with nothing
    // left to insert.
    const reports = new InOrder()
    for (let guard = 0; guard < 1000; guard++) {
      const view = new View(ctx.model())
      const decisions = view.model.scriptAliases.map((alias) => decide(ctx, view, alias))
      const touched = new Set<Section | 'global'>()
      let inserted = false
      let deferred = Infinity
      decisions.forEach((d, rank) => {
        if (d.kind !== 'insert') return
        const scopes = insertionScopes(view, d.alias)
        const clash = touched.has('global') || (scopes.has('global') && touched.size > 0) || [...scopes].some((s) => touched.has(s))
        // Where this insertion takes effect: the decisions ranked after it there wait for the
        // next pass whether it is made now or put off (the one-at-a-time walk made it first).
        for (const s of scopes) touched.add(s)
        if (clash) {
          // An insertion of this pass applies there too: decide again from a fresh model.
          deferred = Math.min(deferred, rank)
          return
        }
        insertGroup(ctx, d.alias, d.daemon, (report) => reports.add(rank, report))
        inserted = true
      })
      if (inserted) {
        // Report in the order of the one-at-a-time walk (model order): what ranks below the first
        // alias put off can be given now, which also makes the next ctx.model() a fresh one.
        reports.flushBefore(deferred)
        continue
      }
      reports.flush()
      const seen = new Set<unknown>()
      for (const d of decisions) {
        if (d.kind !== 'advise' || seen.has(d.key)) continue
        seen.add(d.key)
        const file = apacheFile(ctx, d.at.file)
        if (file) ctx.advise({ file, node: d.at.node, message: d.message })
      }
      return
    }
  },
}

/**
 * Where a WSGIProcessGroup inserted for `alias` takes effect: it goes into the alias's parent (next
 * to the alias, or after the daemon sharing that parent), which Apache reads wherever it reads
 * the alias: the vhost (or the global config) of each place the alias is read (a file included
 * by two vhosts is read in both).
 */
function insertionScopes(view: View, alias: ScriptAlias): Set<Section | 'global'> {
  return new Set(view.places(alias).map((a) => a.scope.vhost?.section ?? 'global'))
}

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
  private byScript = new Map<string, ScriptAlias[]>()
  private rank = new Map<ScriptAlias, number>()
  private reachable = new Map<Section | 'global', DaemonGroup[]>()

  constructor(readonly model: WsgiModel) {
    const push = <K>(map: Map<K, ScriptAlias[]>, key: K, a: ScriptAlias): void => {
      const list = map.get(key)
      if (list) list.push(a)
      else map.set(key, [a])
    }
    model.scriptAliases.forEach((a, i) => {
      this.rank.set(a, i)
      push(this.byNode, a.node, a)
      push(this.byScript, a.script, a)
      if (a.group.via !== 'default' || a.scope.containers.length > 0) return
      this.byDefault.push(a)
      if (a.scope.vhost) push(this.defaultByVhost, a.scope.vhost.section, a)
    })
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
  const model = view.model
  // Apache refuses a WSGIScriptAlias inside <Directory>/<Location>; the model reports it.
  if (alias.scope.containers.length > 0) return { kind: 'none' }
  const g = alias.group
  if (g.mode === 'unreachable' && g.daemon) return adviseUnreachable(model, alias, g.daemon)
  if (g.mode !== 'embedded') return { kind: 'none' }
  const reachable = view.reachableDaemons(alias.scope)
  if (g.via !== 'default') return reachable.length > 0 ? adviseExplicitEmbedded(alias, reachable) : { kind: 'none' }
  if (reachable.length === 0) return adviseSameScriptElsewhere(view, alias)
  if (reachable.length > 1) return adviseSeveralDaemons(alias, reachable)
  const daemon = reachable[0]
  if (g.partial.length > 0) return advisePartial(alias, daemon, g.partial)
  const moved = movedTogether(view, alias)
  if (moved.length > 1) return adviseSharedScope(alias, daemon, moved)
  const rivals = otherAppsFor(view, alias, daemon)
  if (rivals.length > 0) return adviseSharedDaemon(alias, daemon, rivals)
  const file = apacheFile(ctx, alias.file)
  if (!file || file.tree.data.diagnostics.length > 0) return { kind: 'none' }
  return { kind: 'insert', alias, daemon }
}

/**
 * Applications a WSGIProcessGroup at the alias's own level would move too: in a <VirtualHost>,
 * every alias of that vhost that runs embedded by default; at global scope, every alias of the
 * server that does (vhosts without their own WSGIProcessGroup inherit the global one). An alias
 * file included in several places counts once per place.
 */
function movedTogether(view: View, alias: ScriptAlias): ScriptAlias[] {
  const vhost = alias.scope.vhost?.section
  if (vhost === undefined) return view.embeddedByDefault()
  const elsewhere = view.places(alias).filter((a) => a.group.via === 'default' && a.scope.containers.length === 0)
  return view.inOrder([...view.embeddedByDefault(vhost), ...elsewhere])
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

/** Insert the WSGIProcessGroup now; its report goes through `report` (held back to keep the order). */
function insertGroup(ctx: TransformContext, alias: ScriptAlias, daemon: DaemonGroup, report: (give: () => void) => void): void {
  const file = apacheFile(ctx, alias.file) as ApacheFile
  const tree = file.tree
  const sameParent = daemon.file === alias.file && daemon.parent === alias.parent
  const neighbour: Content = sameParent ? daemon.node : alias.node
  const node = createDirective('WSGIProcessGroup', [daemon.rawName], {
    indent: indentOf(neighbour),
    eol: eolOf(neighbour) || tree.data.eol,
  })
  if (sameParent) insertAfter(daemon.parent, daemon.node, node, tree)
  else insertBefore(alias.parent, alias.node, node)
  const explanation =
    `Added WSGIProcessGroup ${daemon.name} for ${alias.node.name} ${alias.rawUrl}: ${alias.script} ran embedded in every ` +
    `Apache child process and now runs in the daemon group ${daemon.name}.`
  report(() => ctx.change({ file, node, kind: 'insert', explanation }))
}

// ---------------------------------------------------------------------------------------------
// Advisories

function adviseSeveralDaemons(alias: ScriptAlias, daemons: DaemonGroup[]): Decision {
  const names = daemons.map((d) => `${d.name} (${where(d)})`).join(', ')
  return {
    kind: 'advise',
    key: alias.node,
    at: alias,
    message:
      `${label(alias)} runs embedded in every Apache child process, and several daemon groups can serve it: ${names}. ` +
      `Not changed, since which one is meant cannot be told; add "WSGIProcessGroup <name>" next to the alias ` +
      `(or process-group=<name> on the alias) naming the group that should run it.`,
  }
}

function adviseSharedScope(alias: ScriptAlias, daemon: DaemonGroup, moved: ScriptAlias[]): Decision {
  const scope = alias.scope.vhost ? `<VirtualHost ${alias.scope.vhost.section.args.join(' ')}> (${alias.scope.vhost.file}:${line(alias.scope.vhost.section)})` : 'the global server config'
  const list = moved.map((a) => `${a.node.name} ${a.rawUrl} ${a.rawScript} (${where(a)})`).join('; ')
  return {
    kind: 'advise',
    key: alias.scope.vhost?.section ?? 'global',
    at: alias,
    message:
      `${moved.length} WSGI applications in ${scope} run embedded in every Apache child process: ${list}. ` +
      `A WSGIProcessGroup there would move all of them into daemon group ${daemon.name}, so nothing was changed. ` +
      `Add process-group=${daemon.name} to the WSGIScriptAlias of each application that belongs in that group, e.g. ` +
      `"${alias.node.name} ${alias.rawUrl} ${alias.rawScript} process-group=${daemon.name}" (mod_wsgi 3.0 or later).`,
  }
}

function adviseSharedDaemon(alias: ScriptAlias, daemon: DaemonGroup, rivals: ScriptAlias[]): Decision {
  const list = [alias, ...rivals].map((a) => `${a.node.name} ${a.rawUrl} ${a.rawScript} (${where(a)})`).join('; ')
  return {
    kind: 'advise',
    key: daemon.node,
    at: alias,
    message:
      `Daemon group ${daemon.name} (${where(daemon)}) is defined at global scope, and several applications that run embedded in ` +
      `every Apache child process could use it: ${list}. Not changed, since which of them belong in it cannot be told ` +
      `(some may be meant to run embedded); add "WSGIProcessGroup ${daemon.name}" in the <VirtualHost> of each application ` +
      `that belongs in it, or process-group=${daemon.name} on its WSGIScriptAlias.`,
  }
}

function adviseExplicitEmbedded(alias: ScriptAlias, daemons: DaemonGroup[]): Decision {
  const decided = alias.group.setting ?? alias
  const how = alias.group.via === 'alias-option' ? `its process-group= option` : `"${text(decided.node)}" (${where(decided)})`
  const names = daemons.map((d) => d.name).join(', ')
  return {
    kind: 'advise',
    key: alias.node,
    at: alias,
    message:
      `${label(alias)} runs embedded in every Apache child process because ${how} says so, although daemon group ${names} ` +
      `could serve it. Left as is, since that is an explicit choice; to run it in the daemon, name the group there instead ` +
      `(WSGIProcessGroup ${daemons[0].name}).`,
  }
}

function advisePartial(alias: ScriptAlias, daemon: DaemonGroup, partial: Setting[]): Decision {
  const parts = partial.map((s) => `"${text(s.node)}" (${where(s)})`).join(', ')
  return {
    kind: 'advise',
    key: alias.node,
    at: alias,
    message:
      `${label(alias)} runs embedded in every Apache child process except for the requests that ${parts} routes elsewhere. ` +
      `Not changed, since a WSGIProcessGroup for the rest would interact with that routing; add "WSGIProcessGroup ${daemon.name}" ` +
      `next to the alias if the other requests belong in daemon group ${daemon.name}.`,
  }
}

function adviseUnreachable(model: WsgiModel, alias: ScriptAlias, daemon: DaemonGroup): Decision {
  const owner = daemon.scope.vhost?.siteName || '(none)'
  const mine = siteName(model, alias) || '(none)'
  return {
    kind: 'advise',
    key: alias.node,
    at: alias.group.setting ?? alias,
    message:
      `${label(alias)} is sent to daemon group ${daemon.name}, which is defined in a <VirtualHost> of ServerName ${owner} ` +
      `(${where(daemon)}); an application of ServerName ${mine} cannot use it, so requests fail with HTTP 500 ` +
      `("Daemon process called '${daemon.name}' cannot be accessed by this WSGI application"). Move the WSGIDaemonProcess to the ` +
      `global server config, or give this <VirtualHost> ServerName ${owner}.`,
  }
}

/**
 * No daemon group is reachable: fine for an application meant to run embedded, but when a
 * daemon in a vhost of another ServerName serves the same script, this is that site's other
 * half (typically a :443 vhost whose ServerName is missing or differs) and cannot reach it.
 */
function adviseSameScriptElsewhere(view: View, alias: ScriptAlias): Decision {
  const model = view.model
  const daemons = new Set<DaemonGroup>()
  for (const other of view.ofScript(alias.script)) {
    if (other.script === alias.script && other.group.mode === 'daemon' && other.group.daemon) daemons.add(other.group.daemon)
  }
  const [daemon] = [...daemons]
  if (daemon === undefined) return { kind: 'none' }
  const owner = daemon.scope.vhost?.siteName || '(none)'
  const mine = siteName(model, alias) || '(none)'
  return {
    kind: 'advise',
    key: alias.node,
    at: alias,
    message:
      `${label(alias)} runs embedded in every Apache child process: the same script runs in daemon group ${daemon.name} ` +
      `(${where(daemon)}) elsewhere, but that group is defined in a <VirtualHost> of ServerName ${owner}, which an application ` +
      `of ServerName ${mine} cannot use (HTTP 500 "Daemon process called '${daemon.name}' cannot be accessed by this WSGI application"). ` +
      `Give this <VirtualHost> ServerName ${owner} (the two halves of one site) or move the WSGIDaemonProcess to the global ` +
      `server config, then add "WSGIProcessGroup ${daemon.name}" next to the alias.`,
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers


function siteName(model: WsgiModel, alias: ScriptAlias): string {
  return alias.scope.vhost ? alias.scope.vhost.siteName : (model.globalServerName ?? '')
}

function line(node: Content): string {
  return String(node.position?.start.line ?? '?')
}

function where(loc: Located): string {
  return `${loc.file}:${line(loc.node)}`
}

function label(alias: ScriptAlias): string {
  return `${alias.node.name} ${alias.rawUrl} ${alias.rawScript} (${where(alias)})`
}

/** A directive as one line: name and words, continuations joined. */
function text(node: Content): string {
  return node.type === 'directive' ? [node.name, ...node.args].join(' ') : ''
}
