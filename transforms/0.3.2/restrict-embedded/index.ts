// restrict-embedded: `WSGIRestrictEmbedded On` at global scope, spelled right, once it is safe.
//
// Why: issue #203 recommends WSGIRestrictEmbedded On so Python is not initialised in every Apache
// child process (less memory, faster child start-up) once Kallithea runs in its daemon group. Two
// ways of writing it stop Apache from starting: the misspelling `WSGIRestrictedEmbedded` that was
// first suggested ("Invalid command"), and the directive inside a <VirtualHost> ("cannot occur
// within <VirtualHost> section"). Adding it while an application still runs embedded would make
// that application answer HTTP 500, so it is only added when every WSGI application of the server
// (script aliases, AddHandler/SetHandler wsgi-script folders) provably uses a daemon group, and,
// unless --all-apps, only to a server that hosts Kallithea.
//
// Each pass decides in this order and stops at the first step that has something to fix: the
// spelling, then the placement, then On itself (which needs the first two settled).
import { directiveText as text, firstPlaces, where } from '../../../src/model/describe.js'
import { fixScope, type FixScope } from '../../../src/model/kallithea.js'
import type { Located, RestrictEmbedded, WsgiModel } from '../../../src/model/model.js'
import { sectionKind } from '../../../src/model/rules.js'
import { onOff } from '../../../src/model/options.js'
import { problemsOf } from '../../../src/model/problems.js'
import { defineTransform } from '../../../src/runner/define.js'
import type { MessageRef, TransformContext } from '../../../src/runner/transform.js'
import { createDirective, renameDirective, setArgs } from '../../../src/syntax/edit.js'
import type { ParentNode, Section } from '../../../src/syntax/types.js'
import { blockersOf, notInDaemon, writtenByTemplate, type Blocker } from './blockers.js'
import { globalSpot } from './placement.js'

const NAME = 'WSGIRestrictEmbedded'
const EFFECT = 'Python is no longer initialised in Apache child processes, so they use less memory and start faster'
const HTTP_500 = 'HTTP 500 ("Embedded mode of mod_wsgi disabled by runtime configuration")'

export const restrictEmbedded = defineTransform({
  meta: {
    id: 'restrict-embedded',
    version: '0.3.2',
    title: 'WSGIRestrictEmbedded On at global scope',
    description:
      'Fixes the misspelled WSGIRestrictedEmbedded, moves WSGIRestrictEmbedded out of <VirtualHost> sections, and adds ' +
      'WSGIRestrictEmbedded On at global scope (or turns Off into On) when every WSGI application of a server that hosts Kallithea ' +
      '(of any server with --all-apps) runs in a daemon group; else one advisory names the applications and URLs that would break.',
    rationale:
      'With embedded mode allowed, every Apache child process initialises Python although the application runs in a daemon ' +
      'group; the misspelled or misplaced directive stops Apache from starting at all.',
    modWsgi: '>=2.0',
    messages: {
      renamed: `Renamed the misspelled {{written}} to ${NAME}: Apache refused to start with it ("Invalid command '{{written}}'") and now accepts the directive.`,
      removedGlobalDecides:
        'Removed {{directive}}{{spelled}} from {{tag}}, where Apache refused to start ("{{refusal}}"); the global {{global}} already decides for the whole server.',
      removed: 'Removed {{directive}}{{spelled}} from {{tag}}, where Apache refused to start ("{{refusal}}").',
      movedOn: `Moved ${NAME} On out of {{tag}} to global scope, where Apache accepts it: ${EFFECT}.`,
      movedOther: `Moved ${NAME} {{args}} out of {{tag}} to global scope, where Apache accepts it and it keeps embedded mode allowed.`,
      nowhere: '{{directive}} ({{where}}) sits in {{tag}}, where Apache refuses to start ("{{refusal}}"){{spelled}}; move it to the global server config by hand.',
      blocked:
        '{{what}}: {{apps}} {{does}} not run in a daemon group, and restricting embedded mode now would make {{them}} answer ' +
        `${HTTP_500}. Give {{each}} a daemon group (WSGIProcessGroup), then set ${NAME} On at global scope.{{also}}`,
      htaccess:
        `{{what}}: the {{apps}}, so it would answer ${HTTP_500}. Check those .htaccess files (or allow less: AllowOverride without FileInfo, ` +
        `or give the folder a daemon group with WSGIProcessGroup), then set ${NAME} On at global scope.`,
      invalidValue: `{{directive}} ({{where}}) is neither On nor Off, which Apache refuses; write ${NAME} On.`,
      unread:
        '{{what}}: {{path}} ({{directive}}, {{where}}) was not read, and an application it mounts could run embedded. ' +
        `Check it (or run with --map or a --root that holds it), then set ${NAME} On at global scope.`,
      templateLine:
        '{{what}}: the template writes the line {{line}} ({{where}}) when it is rendered, and an application it mounts could ' +
        `run embedded. Check what it renders to, then set ${NAME} On at global scope.`,
      parseErrors: `${NAME} On not added while {{file}} has parse errors (the applications it holds are unknown); fix them and run again.`,
      guarded:
        `${NAME} On not added: WSGIDaemonProcess {{name}} ({{where}}) is read only inside {{guard}}, within a section where a global ` +
        `line cannot stand; outside that condition Apache would refuse ${NAME} whenever it does not hold. Add "${NAME} On" by hand at ` +
        'global scope, inside the same condition.',
      macros:
        `${NAME} On not added: <Macro> bodies may mount applications that run embedded; add it at global scope by hand once every application runs in a daemon group.`,
      turnedOn: `Set ${NAME} from Off to On, since every WSGI application runs in a daemon group: ${EFFECT}.`,
      added: `Added ${NAME} On at global scope, since every WSGI application runs in a daemon group: ${EFFECT}.`,
      cutOff:
        '{{directive}} ({{where}}) disables embedded mode, but {{apps}} {{does}} not run in a daemon group: {{answer}} ' +
        `${HTTP_500}. Give {{each}} a daemon group with WSGIProcessGroup, or set ${NAME} Off.`,
    },
  },
  create(ctx) {
    const pass = passOf(ctx.model(), ctx)
    // By default a server without Kallithea is left as it is (--all-apps: every server).
    if (!pass.scope.allApps && !pass.scope.hostsKallithea) return
    if (fixSpelling(ctx, pass) || moveOutOfSections(ctx, pass)) return
    if (!ensureOn(ctx, pass)) adviseCutOff(ctx, pass)
  },
})

export default restrictEmbedded

/** The model of one pass, with what its problems say of each WSGIRestrictEmbedded. */
interface Pass {
  model: WsgiModel
  /** Written WSGIRestrictedEmbedded ("Invalid command"). */
  misspelled: ReadonlySet<RestrictEmbedded>
  /** In a <VirtualHost> or a per-directory section, where Apache refuses it. */
  misplaced: ReadonlySet<RestrictEmbedded>
  scope: FixScope
}

function passOf(model: WsgiModel, ctx: TransformContext): Pass {
  const records = (code: 'restrict-embedded-misspelled' | 'restrict-embedded-in-vhost' | 'restrict-embedded-in-container'): RestrictEmbedded[] =>
    problemsOf(model.problems, code).map((p) => p.record)
  return {
    model,
    misspelled: new Set(records('restrict-embedded-misspelled')),
    misplaced: new Set([...records('restrict-embedded-in-vhost'), ...records('restrict-embedded-in-container')]),
    scope: fixScope(model, ctx.files, ctx.options.allApps),
  }
}

/** Spelled right and where Apache accepts it: one that may decide. */
const valid = (pass: Pass, r: RestrictEmbedded): boolean => !pass.misspelled.has(r) && !pass.misplaced.has(r)

// ---------------------------------------------------------------------------------------------
// 1. WSGIRestrictedEmbedded at global scope: rename in place (ones in a vhost are moved below).

function fixSpelling(ctx: TransformContext, pass: Pass): boolean {
  let any = false
  for (const r of firstPlaces(pass.model.restrictEmbedded)) {
    if (!pass.misspelled.has(r) || pass.misplaced.has(r) || !ctx.editable(ctx.fileOf(r.node))) continue
    any = true
    ctx.report({ at: r, messageId: 'renamed', data: { written: r.node.name }, fix: (f) => f.modify(r.node, (n) => renameDirective(n, NAME)) })
  }
  return any
}

// ---------------------------------------------------------------------------------------------
// 2. Inside a <VirtualHost> (or <Directory>/<Location>/<Files>): move it to global scope.

function moveOutOfSections(ctx: TransformContext, pass: Pass): boolean {
  const global = effectiveGlobal(pass)
  let any = false
  for (const r of firstPlaces(pass.model.restrictEmbedded)) {
    const outer = outermostSection(r)
    if (!pass.misplaced.has(r) || outer === undefined || !ctx.editable(ctx.fileOf(r.node))) continue
    const misspelled = pass.misspelled.has(r)
    const base = { directive: text(r.node), spelled: misspelled ? ' (misspelled, an invalid command too)' : '', tag: tag(outer), refusal: refusalText(outer) }
    // Inside an <IfModule> within the section, no global place has the same condition.
    const spot = global === undefined && innerGuard(r) === undefined ? globalSpot(ctx, pass.model, [r]) : undefined
    if (global === undefined && spot === undefined) {
      // Nowhere to put it: leave it for the user rather than lose it.
      ctx.report({ at: r, messageId: 'nowhere', data: { ...base, where: where(r), spelled: misspelled ? ' and is misspelled' : '' } })
      return any
    }
    any = true
    if (global !== undefined) {
      const decides = `${text(global.node)}${global.node.position ? ` at ${where(global)}` : ''}`
      ctx.report({ at: r, messageId: 'removedGlobalDecides', data: { ...base, global: decides }, fix: (f) => f.remove(r.node) })
      continue
    }
    const node = createDirective(NAME, [...r.node.args], { indent: spot?.indent ?? '', eol: spot?.eol ?? '\n' })
    const moved: MessageRef = onOff(r.value) === 'On'
      ? { messageId: 'movedOn', data: { tag: base.tag } }
      : { messageId: 'movedOther', data: { tag: base.tag, args: r.node.args.join(' ') } }
    ctx.report({
      at: r,
      messageId: 'removed',
      data: base,
      fix: (f) => {
        f.remove(r.node)
        spot!.insert(f, node, moved)
      },
    })
  }
  return any
}

// ---------------------------------------------------------------------------------------------
// 3. Missing, or Off: On once every application runs in a daemon group.

/** Returns whether it reports a fix (then every application runs in a daemon group). */
function ensureOn(ctx: TransformContext, pass: Pass): boolean {
  const { model } = pass
  if (model.embeddedRestricted) return false
  if (model.scriptAliases.length === 0 && model.handlerApps.length === 0) return false
  const globals = model.restrictEmbedded.filter((r) => valid(pass, r))
  const invalid = globals.find((r) => onOff(r.value) === undefined)
  const current = [...globals].reverse().find((r) => onOff(r.value) !== undefined)
  const what = current ? `${text(current.node)} (${where(current)}) left as is` : `${NAME} On not added`
  const blockers = blockersOf(model)
  if (blockers.length > 0) {
    adviseBlocked(ctx, current, what, blockers)
    return false
  }
  if (invalid !== undefined) {
    ctx.report({ at: invalid, messageId: 'invalidValue', data: { directive: text(invalid.node), where: where(invalid) } })
    return false
  }
  // A file the run could not read may mount an application that runs embedded.
  const unread = model.includes.find((i) => i.unread.length > 0)
  if (unread !== undefined) {
    ctx.report({ at: unread, messageId: 'unread', data: { what, path: unread.unread[0] as string, directive: text(unread.node), where: where(unread) } })
    return false
  }
  // So may a line the template writes whole.
  const written = writtenByTemplate(model, ctx.files.flatMap((f) => (f.kind === 'apache' ? [f.tree] : [])))
  if (written !== undefined) {
    ctx.report({ at: written, messageId: 'templateLine', data: { what, line: written.node.name, where: where(written) } })
    return false
  }
  if (current !== undefined) return turnOn(ctx, current)
  return addOn(ctx, pass)
}

/** One advisory naming every application (and folder) in the way, with the URLs that would break. */
function adviseBlocked(ctx: TransformContext, current: RestrictEmbedded | undefined, what: string, blockers: Blocker[]): void {
  const apps = blockers.filter((b) => !isOverride(b))
  const folders = blockers.filter(isOverride)
  if (apps.length === 0) {
    ctx.report({ at: current ?? folders[0].at, messageId: 'htaccess', data: { what, apps: folders.map((b) => b.text).join('; ') } })
    return
  }
  const also = folders.length > 0 ? ` Then check the ${folders.map((b) => b.text).join('; ')}.` : ''
  ctx.report({ at: current ?? apps[0].at, messageId: 'blocked', data: { what, ...appsData(apps), also } })
}

const isOverride = (b: Blocker): boolean => /^allowoverride/i.test(b.at.node.name)

/** Add WSGIRestrictEmbedded On where a reader looks for it (placement.ts), when nothing stands in the way. */
function addOn(ctx: TransformContext, pass: Pass): boolean {
  const { model } = pass
  const apps = [...firstPlaces(model.scriptAliases), ...firstPlaces(model.handlerApps)].sort((a, b) => a.order - b.order)
  const broken = ctx.files.find((f) => f.kind === 'apache' && f.tree.data.diagnostics.some((d) => d.fatal === true))
  if (broken) {
    ctx.report({ at: apps[0], messageId: 'parseErrors', data: { file: broken.path } })
    return false
  }
  if (model.hasMacros) {
    ctx.report({ at: apps[0], messageId: 'macros' })
    return false
  }
  // Kallithea's daemon (--all-apps: the first application's), then the applications it runs: the
  // line goes to Kallithea's files, never to another application's (generated, overwritten).
  const lead = pass.scope.allApps ? apps.find((a) => a.group.daemon !== undefined) : model.scriptAliases.find((a) => a.group.daemon !== undefined && pass.scope.app(a))
  const daemon = lead?.group.daemon
  if (lead === undefined || daemon === undefined) return false
  const guard = innerGuard(daemon)
  if (guard !== undefined) {
    ctx.report({ at: daemon, messageId: 'guarded', data: { name: daemon.name, guard: tag(guard), where: where(daemon) } })
    return false
  }
  const served = apps.filter((a) => a.group.daemon?.node === daemon.node)
  const spot = globalSpot(ctx, model, [daemon, ...served])
  if (spot === undefined) return false
  const node = createDirective(NAME, ['On'], { indent: spot.indent, eol: spot.eol })
  ctx.report({ at: lead, messageId: 'added', fix: (f) => spot.insert(f, node) })
  return true
}

function turnOn(ctx: TransformContext, current: RestrictEmbedded): boolean {
  if (!ctx.editable(ctx.fileOf(current.node))) return false
  ctx.report({ at: current, messageId: 'turnedOn', fix: (f) => f.modify(current.node, (n) => setArgs(n, ['On', ...n.args.slice(1)])) })
  return true
}

// ---------------------------------------------------------------------------------------------
// 4. An effective On while some application has no daemon group: say what breaks.

function adviseCutOff(ctx: TransformContext, pass: Pass): void {
  if (!pass.model.embeddedRestricted) return
  const blockers = blockersOf(pass.model).filter((b) => !isOverride(b))
  const on = effectiveGlobal(pass)
  if (blockers.length === 0 || on === undefined) return
  const one = blockers.length === 1
  ctx.report({ at: on, messageId: 'cutOff', data: { directive: text(on.node), where: where(on), ...appsData(blockers), answer: one ? 'it answers' : 'they answer' } })
}

// ---------------------------------------------------------------------------------------------
// Helpers

export { notInDaemon }

/** The applications that block, named, with the words that agree with their number. */
function appsData(blockers: Blocker[]): Record<string, string> {
  const one = blockers.length === 1
  return {
    apps: blockers.map((b) => b.text).join(', '),
    does: one ? 'does' : 'do',
    them: one ? 'it' : 'them',
    each: one ? 'it' : 'each',
  }
}

/** The last valid global WSGIRestrictEmbedded: the one that decides. */
function effectiveGlobal(pass: Pass): RestrictEmbedded | undefined {
  return [...pass.model.restrictEmbedded].reverse().find((r) => valid(pass, r) && onOff(r.value) !== undefined)
}

/**
 * An `<IfModule>` (or other condition) around a record inside a <VirtualHost> or container: a
 * global line cannot stand in it, and outside it Apache without that module refuses the line.
 */
function innerGuard(record: Located): Section | undefined {
  const ancestors = record.scope.ancestors
  const k = ancestors.findIndex((s) => sectionKind(s.name.toLowerCase()) !== 'wrapper')
  return k === -1 ? undefined : ancestors.slice(k + 1).find((s) => sectionKind(s.name.toLowerCase()) === 'wrapper')
}

const OUTER = new Set(['virtualhost', 'directory', 'directorymatch', 'location', 'locationmatch', 'files', 'filesmatch'])

/** The outermost <VirtualHost> or per-directory section around a misplaced directive. */
function outermostSection(r: RestrictEmbedded): Section | undefined {
  return r.scope.ancestors.find((s) => OUTER.has(s.name.toLowerCase()))
}

function tag(section: Section): string {
  return `<${[section.name, ...section.args].join(' ')}>`
}

function refusalText(section: Section): string {
  const name = section.name.toLowerCase() === 'virtualhost' ? '<VirtualHost>' : '<Directory/Location/Files>'
  return `${NAME} cannot occur within ${name} section`
}

export type { ParentNode }
