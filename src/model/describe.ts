// How reports name what the model found: one spelling of each, so messages read the same everywhere.
import type { Content, Directive } from '../syntax/types.js'
import type { HandlerApp, Located, ScriptAlias, WsgiApp } from './types.js'

/** `file:line` of a record (or of any node of a file). */
export function where(loc: { file: string; node: Content }): string {
  return `${loc.file}:${loc.node.position?.start.line ?? '?'}`
}

/** `WSGIScriptAlias /url`: the alias as a user finds it in the config. */
export function aliasName(alias: ScriptAlias): string {
  return `${alias.node.name} ${alias.rawUrl}`
}

/** `WSGIScriptAlias /url /script (file:line)`: the alias with its script and place. */
export function aliasLabel(alias: ScriptAlias): string {
  return `${alias.node.name} ${alias.rawUrl} ${alias.rawScript} (${where(alias)})`
}

/** A directive as one line: name and words, continuations joined. */
export function directiveText(node: Directive): string {
  return [node.name, ...node.args].join(' ')
}

/** The first place of each node (a file included twice lists its directives twice). */
export function firstPlaces<T extends Located>(records: readonly T[]): T[] {
  const seen = new Set<Content>()
  return records.filter((r) => {
    if (seen.has(r.node)) return false
    seen.add(r.node)
    return true
  })
}

/** `AddHandler wsgi-script .py in <Directory /var/www/cgi> (file:line)`: a handler app as a user finds it. */
export function handlerLabel(h: HandlerApp): string {
  return `${appName(h)} (${where(h)})`
}

/** `WSGIScriptAlias /url`, or the handler line with where it stands: an application as named in a list. */
export function appName(app: WsgiApp): string {
  if (!isHandler(app)) return aliasName(app)
  const c = app.scope.container
  const inside = c ? ` in <${c.section.name} ${c.rawPath}>` : app.scope.vhost ? ` in <VirtualHost ${app.scope.vhost.section.args.join(' ')}>` : ''
  return directiveText(app.node) + inside
}

/** Any application, labelled as a user finds it. */
export function appLabel(app: WsgiApp): string {
  return isHandler(app) ? handlerLabel(app) : aliasLabel(app)
}

/** Whether an application is a wsgi-script handler (not a script alias). */
export const isHandler = (app: WsgiApp): app is HandlerApp => app.directive === 'AddHandler' || app.directive === 'SetHandler'
