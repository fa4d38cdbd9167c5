// restrict-embedded: `WSGIRestrictEmbedded On` at global scope, spelled right, once it is safe.
//
// Why: issue #203 recommends WSGIRestrictEmbedded On so Python is not initialised in every Apache
// child process (less memory, faster child start-up) once Kallithea runs in its daemon group. Two
// ways of writing it stop Apache from starting: the misspelling `WSGIRestrictedEmbedded` that was
// first suggested ("Invalid command"), and the directive inside a <VirtualHost> ("cannot occur
// within <VirtualHost> section"). Adding it while an application still runs embedded would make
// that application answer HTTP 500, so it is only added when every WSGI application of the run
// uses a daemon group.
//
// Each pass decides in this order and stops at the first step that has something to fix: the
// spelling, then the placement, then On itself (which needs the first two settled).
import { directiveText as text, firstPlaces, where } from '../../../src/model/describe.js'
import type { Located, RestrictEmbedded, ScriptAlias, WsgiModel } from '../../../src/model/model.js'
import { onOff } from '../../../src/model/options.js'
import { problemsOf } from '../../../src/model/problems.js'
import { defineTransform } from '../../../src/runner/define.js'
import type { ApacheFile, Fixer, MessageRef, TransformContext } from '../../../src/runner/transform.js'
import { createDirective, eolOf, indentOf, renameDirective, setArgs } from '../../../src/syntax/edit.js'
import type { Content, Directive, ParentNode, Section } from '../../../src/syntax/types.js'

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
      'WSGIRestrictEmbedded On at global scope (or turns Off into On) when every WSGI application runs in a daemon group.',
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
        `${HTTP_500}. Give {{each}} a daemon group (WSGIProcessGroup), then set ${NAME} On at global scope.`,
      invalidValue: `{{directive}} ({{where}}) is neither On nor Off, which Apache refuses; write ${NAME} On.`,
      unread:
        '{{what}}: {{path}} ({{directive}}, {{where}}) was not read, and an application it mounts could run embedded. ' +
        `Check it (or run with --map or a --root that holds it), then set ${NAME} On at global scope.`,
      parseErrors: `${NAME} On not added while {{file}} has parse errors (the applications it holds are unknown); fix them and run again.`,
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
    const pass = passOf(ctx.model())
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
}

function passOf(model: WsgiModel): Pass {
  const records = (code: 'restrict-embedded-misspelled' | 'restrict-embedded-in-vhost' | 'restrict-embedded-in-container'): RestrictEmbedded[] =>
    problemsOf(model.problems, code).map((p) => p.record)
  return {
    model,
    misspelled: new Set(records('restrict-embedded-misspelled')),
    misplaced: new Set([...records('restrict-embedded-in-vhost'), ...records('restrict-embedded-in-container')]),
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
    const target = ctx.parentOf(outer)
    const targetFile = ctx.fileOf(outer)
    const misspelled = pass.misspelled.has(r)
    const base = { directive: text(r.node), spelled: misspelled ? ' (misspelled, an invalid command too)' : '', tag: tag(outer), refusal: refusalText(outer) }
    if (global === undefined && (target === undefined || !ctx.editable(targetFile))) {
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
    const node = createDirective(NAME, [...r.node.args], { indent: indentOf(outer), eol: openEol(outer) || (targetFile as ApacheFile).tree.data.eol })
    const moved: MessageRef = onOff(r.value) === 'On'
      ? { messageId: 'movedOn', data: { tag: base.tag } }
      : { messageId: 'movedOther', data: { tag: base.tag, args: r.node.args.join(' ') } }
    ctx.report({
      at: r,
      messageId: 'removed',
      data: base,
      fix: (f) => {
        f.remove(r.node)
        f.insertBefore(outer, node, moved)
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
  const aliases = firstPlaces(model.scriptAliases)
  if (aliases.length === 0) return false
  const globals = model.restrictEmbedded.filter((r) => valid(pass, r))
  const invalid = globals.find((r) => onOff(r.value) === undefined)
  const current = [...globals].reverse().find((r) => onOff(r.value) !== undefined)
  const blockers = aliases.filter((a) => notInDaemon(a) !== undefined)
  if (blockers.length > 0) {
    const what = current ? `${text(current.node)} (${where(current)}) left as is` : `${NAME} On not added`
    ctx.report({ at: current ?? blockers[0], messageId: 'blocked', data: { what, ...appsData(blockers) } })
    return false
  }
  if (invalid !== undefined) {
    ctx.report({ at: invalid, messageId: 'invalidValue', data: { directive: text(invalid.node), where: where(invalid) } })
    return false
  }
  // A file the run could not read may mount an application that runs embedded.
  const unread = model.includes.find((i) => i.unread.length > 0)
  if (unread !== undefined) {
    const what = current ? `${text(current.node)} (${where(current)}) left as is` : `${NAME} On not added`
    ctx.report({ at: unread, messageId: 'unread', data: { what, path: unread.unread[0] as string, directive: text(unread.node), where: where(unread) } })
    return false
  }
  if (current !== undefined) return turnOn(ctx, current)
  const broken = ctx.files.find((f) => f.kind === 'apache' && f.tree.data.diagnostics.length > 0)
  if (broken) {
    ctx.report({ at: aliases[0], messageId: 'parseErrors', data: { file: broken.path } })
    return false
  }
  if (model.hasMacros) {
    ctx.report({ at: aliases[0], messageId: 'macros' })
    return false
  }
  const place = placement(ctx, model, aliases[0])
  if (place === undefined) return false
  const node = createDirective(NAME, ['On'], { indent: place.ref ? indentOf(place.ref) : '', eol: (place.ref ? eolOf(place.ref) : '') || place.file.tree.data.eol })
  ctx.report({ at: aliases[0], messageId: 'added', fix: (f) => place.insert(f, node) })
  return true
}

function turnOn(ctx: TransformContext, current: RestrictEmbedded): boolean {
  if (!ctx.editable(ctx.fileOf(current.node))) return false
  ctx.report({ at: current, messageId: 'turnedOn', fix: (f) => f.modify(current.node, (n) => setArgs(n, ['On', ...n.args.slice(1)])) })
  return true
}

/** Where a new global directive goes, and how. */
interface Place {
  file: ApacheFile
  ref?: Content
  insert: (fixer: Fixer, node: Directive) => void
}

/**
 * Where the new global directive goes. With a main server config in the run: at its top level,
 * before the Include that leads to the daemon's file, else after its last directive or section.
 * Without one: in the daemon's file, right before the daemon's outermost <VirtualHost>, or right
 * before the WSGIDaemonProcess when that is global.
 */
function placement(ctx: TransformContext, model: WsgiModel, alias: ScriptAlias): Place | undefined {
  const daemon = alias.group.daemon
  if (daemon === undefined) return undefined
  const main = ctx.files.find((f): f is ApacheFile => f.kind === 'apache' && f.path === ctx.options.mainConfig)
  if (main && daemon.file !== main.path) {
    if (!ctx.editable(main)) return undefined
    const step = daemon.scope.includes.find((s) => s.file === main.path)
    const inc = step ? model.locate(step.node) : undefined
    if (inc && isPlainGlobal(inc)) return before(main, inc.node)
    const last = [...main.tree.children].reverse().find((c) => c.type === 'directive' || c.type === 'section')
    if (last === undefined) return { file: main, insert: (f, node) => f.append(main.tree, node) }
    return { file: main, ref: last, insert: (f, node) => f.insertAfter(last, node) }
  }
  const vhost = daemon.scope.ancestors.find((s) => s.name.toLowerCase() === 'virtualhost')
  if (vhost) {
    const file = ctx.fileOf(vhost)
    return file && ctx.editable(file) ? before(file, vhost) : undefined
  }
  const file = ctx.fileOf(daemon.node)
  return file && ctx.editable(file) ? before(file, daemon.node) : undefined
}

function before(file: ApacheFile, ref: Content): Place {
  return { file, ref, insert: (f, node) => f.insertBefore(ref, node) }
}

// ---------------------------------------------------------------------------------------------
// 4. An effective On while some application has no daemon group: say what breaks.

function adviseCutOff(ctx: TransformContext, pass: Pass): void {
  if (!pass.model.embeddedRestricted) return
  const blockers = firstPlaces(pass.model.scriptAliases).filter((a) => notInDaemon(a) !== undefined)
  const on = effectiveGlobal(pass)
  if (blockers.length === 0 || on === undefined) return
  const one = blockers.length === 1
  ctx.report({ at: on, messageId: 'cutOff', data: { directive: text(on.node), where: where(on), ...appsData(blockers), answer: one ? 'it answers' : 'they answer' } })
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Why an application blocks WSGIRestrictEmbedded On, or undefined when it runs in a daemon. */
export function notInDaemon(alias: ScriptAlias): string | undefined {
  const g = alias.group
  if (g.mode === 'embedded') return 'runs embedded'
  if (g.mode === 'dynamic') return `picks its group per request (${g.group})`
  if (g.mode === 'unreachable') return `names daemon group ${g.group ?? ''}, which it cannot reach`
  if (g.mode === 'undefined-group') return `names daemon group ${g.group ?? ''}, which is not defined`
  const embeddedPart = g.partial.find((s) => s.value === '' || s.value === '%{GLOBAL}')
  if (embeddedPart) return `runs embedded for the requests of ${where(embeddedPart)}`
  return undefined
}

/** The applications that block, named, with the words that agree with their number. */
function appsData(aliases: ScriptAlias[]): Record<string, string> {
  const one = aliases.length === 1
  return {
    apps: aliases.map((a) => `${a.script} (${where(a)}, ${notInDaemon(a) ?? ''})`).join(', '),
    does: one ? 'does' : 'do',
    them: one ? 'it' : 'them',
    each: one ? 'it' : 'each',
  }
}

/** The last valid global WSGIRestrictEmbedded: the one that decides. */
function effectiveGlobal(pass: Pass): RestrictEmbedded | undefined {
  return [...pass.model.restrictEmbedded].reverse().find((r) => valid(pass, r) && onOff(r.value) !== undefined)
}

const OUTER = new Set(['virtualhost', 'directory', 'directorymatch', 'location', 'locationmatch', 'files', 'filesmatch'])

/** The outermost <VirtualHost> or per-directory section around a misplaced directive. */
function outermostSection(r: RestrictEmbedded): Section | undefined {
  return r.scope.ancestors.find((s) => OUTER.has(s.name.toLowerCase()))
}

function isPlainGlobal(loc: Located): boolean {
  return loc.scope.kind === 'global' && loc.scope.containers.length === 0 && loc.scope.conditional === undefined
}

function openEol(section: Section): string {
  return /(?:\r\n|\n|\r)$/.exec(section.open.raw)?.[0] ?? ''
}

function tag(section: Section): string {
  return `<${[section.name, ...section.args].join(' ')}>`
}

function refusalText(section: Section): string {
  const name = section.name.toLowerCase() === 'virtualhost' ? '<VirtualHost>' : '<Directory/Location/Files>'
  return `${NAME} cannot occur within ${name} section`
}

export type { ParentNode }
