// What stands in the way of WSGIRestrictEmbedded On: every WSGI application of the server that is
// not provably in a daemon group (script aliases, wsgi-script handlers), each named with the URLs
// that would answer HTTP 500, and the folders whose .htaccess files may add more.
import { appLabel, directiveText, firstPlaces, isHandler, where } from '../../../src/model/describe.js'
import type { HandlerApp, Located, ScriptAlias, Setting, TemplateBranchRef, WsgiApp, WsgiModel } from '../../../src/model/model.js'
import type { Content, Root } from '../../../src/syntax/types.js'

/** One application (or folder) that blocks, and how it is named. */
export interface Blocker {
  at: Located
  text: string
}

/** Why an application blocks WSGIRestrictEmbedded On, or undefined when it runs in a daemon. */
export function notInDaemon(app: Pick<WsgiApp, 'group'>): string | undefined {
  const g = app.group
  if (g.mode === 'embedded') return 'runs embedded'
  if (g.mode === 'dynamic') return `picks its group per request (${g.group})`
  if (g.mode === 'templated' && g.branch?.loop === true) {
    return `takes its group ${g.group} from a WSGIDaemonProcess in the template loop "${g.branch.statement}" (${where(g.branch)}), defined again for each item after the first`
  }
  if (g.mode === 'templated' && g.branch !== undefined) return `takes its group ${g.group} only in some renderings of the template (${branchText(g.branch)})`
  if (g.mode === 'templated') return `may take its group from a template expression (${g.group}), unknown until it is rendered`
  if (g.mode === 'unreachable') return `names daemon group ${g.group ?? ''}, which it cannot reach`
  // A group defined elsewhere (a generated config's `process-group=localhost:9876`) is not
  // embedded: its requests never run in Apache's children, restricted or not.
  if (g.mode === 'undefined-group') return undefined
  const embeddedPart = g.partial.find(isEmbedded)
  if (embeddedPart) return `runs embedded for the requests of ${where(embeddedPart)}`
  return undefined
}

/** The template branch a group holds in: `the branch "if ssl" (file:line)`, or the line's own conditionals. */
const branchText = (b: TemplateBranchRef): string =>
  b.inline ? `its line ${where(b)} renders a different group in each branch of its conditionals` : `the branch "${b.statement}" at ${where(b)}`

const isEmbedded = (s: Setting): boolean => s.value === '' || s.value === '%{GLOBAL}'

/** The applications and folders that block, in the model's order. */
export function blockersOf(model: WsgiModel): Blocker[] {
  const apps: WsgiApp[] = [...firstPlaces(model.scriptAliases), ...firstPlaces(model.handlerApps)]
  const out: Blocker[] = []
  for (const app of apps.sort((a, b) => a.order - b.order)) {
    const why = notInDaemon(app)
    if (why !== undefined) out.push({ at: app, text: `${name(app)} ${urlsOf(app)} (${where(app)}, ${why})` })
  }
  for (const h of model.htaccess) {
    // An application added there runs in the group the config gives the folder.
    const why = notInDaemon(h)
    if (why === undefined) continue
    const text = `.htaccess files of <Directory ${h.directory.rawPath}>, which "${directiveText(h.setting.node)}" (${where(h.setting)}) ` +
      `lets add WSGI applications that the config does not show (${appLabel(h.handler)} serves a folder there), and one added there ${why}`
    out.push({ at: h.setting, text })
  }
  return out
}

/** How an application is named: its script, or its handler line. */
const name = (app: WsgiApp): string => (isHandler(app) ? directiveText(app.node) : app.script)

/** The URLs that would answer HTTP 500 once embedded mode is off: `at URLs /app and below of example.com`. */
function urlsOf(app: WsgiApp): string {
  if (isHandler(app)) return `serving ${handlerUrls(app)}`
  const g = app.group
  const site = app.scope.vhost?.siteName ? ` of ${app.scope.vhost.siteName}` : ''
  if (g.mode === 'daemon') {
    const parts = g.partial.filter(isEmbedded).map(containerOf)
    return `at the URLs${site} that ${parts.join(', ')} send${parts.length === 1 ? 's' : ''} to embedded mode`
  }
  const all = `at ${aliasUrls(app)}${site}`
  const elsewhere = g.partial.filter((s) => !isEmbedded(s)).map(containerOf)
  return elsewhere.length === 0 ? all : `${all} but those that ${elsewhere.join(', ')} send${elsewhere.length === 1 ? 's' : ''} to a daemon group`
}

function aliasUrls(alias: ScriptAlias): string {
  if (alias.directive === 'WSGIScriptAliasMatch') return `URLs matching ${alias.rawUrl}`
  return alias.url === '/' || alias.url === '' ? 'every URL' : `URLs ${alias.url} and below`
}

function handlerUrls(h: HandlerApp): string {
  const files = h.extensions.length > 0 ? `the ${h.extensions.map((e) => `*${e.startsWith('.') ? e : '.' + e}`).join(', ')} files` : 'every file'
  const c = h.scope.container
  return c ? `${files} of <${c.section.name} ${c.rawPath}>` : `${files} served${h.scope.vhost?.siteName ? ` by ${h.scope.vhost.siteName}` : ''}`
}

/** The container (or <If>) a partial setting stands in, with its place. */
function containerOf(s: Setting): string {
  const section = s.scope.container?.section ?? s.scope.conditional
  const tag = section ? `<${[section.name, ...section.args].join(' ')}>` : directiveText(s.node)
  return `${tag} (${where(s)})`
}

/** A line that starts with a template expression that writes text (`{{ extra }}`, `<%= @extra %>`). */
const WRITES = /^(?:\{\{|<%-?=)/

/**
 * The first line, of the files the model read, that the template writes whole when it is
 * rendered (`{{ kallithea_extra_apache_config }}`): it may mount an application that runs
 * embedded, like a file the run could not read.
 */
export function writtenByTemplate(model: WsgiModel, trees: readonly Root[]): Located | undefined {
  for (const tree of trees) {
    const stack: Content[] = [...tree.children].reverse()
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (n.type === 'section') stack.push(...[...n.children].reverse())
      if (n.type !== 'directive' || n.data?.template !== true || n.data.control !== undefined || !WRITES.test(n.name)) continue
      const at = model.locate(n)
      if (at !== undefined) return at
    }
  }
  return undefined
}
