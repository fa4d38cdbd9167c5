// restrict-embedded: `WSGIRestrictEmbedded On` at global scope, spelled right, once it is safe.
//
// Why: issue #203 recommends WSGIRestrictEmbedded On so Python is not initialised in every Apache
// child process (less memory, faster child start-up) once Kallithea runs in its daemon group. Two
// ways of writing it stop Apache from starting: the misspelling `WSGIRestrictedEmbedded` that was
// first suggested ("Invalid command"), and the directive inside a <VirtualHost> ("cannot occur
// within <VirtualHost> section"). Adding it while an application still runs embedded would make
// that application answer HTTP 500, so it is only added when every WSGI application of the run
// uses a daemon group.
import { createDirective, eolOf, indentOf, insertAfter, insertBefore, remove, renameDirective, setArgs } from '../../../src/syntax/edit.js'
import type { ParentNode } from '../../../src/syntax/edit.js'
import type { Located, RestrictEmbedded, ScriptAlias, WsgiModel } from '../../../src/model/model.js'
import type { ApacheFile, Transform, TransformContext } from '../../../src/runner/transform.js'
import type { Content, Directive, Root, Section } from '../../../src/syntax/types.js'
import { apacheFile, editableApacheFile as editable } from '../../files.js'

const NAME = 'WSGIRestrictEmbedded'
const EFFECT = 'Python is no longer initialised in Apache child processes, so they use less memory and start faster'

/** Where a new global directive goes: before or after `ref` in `parent` of `file`. */
interface Place {
  file: ApacheFile
  parent: ParentNode
  ref?: Content
  after: boolean
}

export const restrictEmbedded: Transform = {
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
  apply(ctx) {
    // Phases 1 and 2 read one model (phase 2 knows what phase 1 renamed); phase 3 reads the files
    // as those left them; phase 4 only has something to say when phase 3 changed nothing.
    const model = ctx.model()
    const renamed = fixSpelling(ctx, model)
    moveOutOfSections(ctx, model, renamed)
    if (!ensureOn(ctx)) adviseCutOff(ctx)
  },
}

// ---------------------------------------------------------------------------------------------
// 1. WSGIRestrictedEmbedded at global scope: rename in place (ones in a vhost are moved below).

/** Returns the nodes renamed (the model still has them as misspelled). */
function fixSpelling(ctx: TransformContext, model: WsgiModel): Set<Directive> {
  const done = new Set<Directive>()
  for (const r of model.restrictEmbedded) {
    if (!r.misspelled || misplaced(r) || done.has(r.node)) continue
    const file = editable(ctx, r.file)
    if (!file) continue
    done.add(r.node)
    const written = r.node.name
    renameDirective(r.node, NAME)
    ctx.change({
      file,
      node: r.node,
      kind: 'modify',
      explanation:
        `Renamed the misspelled ${written} to ${NAME}: Apache refused to start with it ("Invalid command '${written}'") ` +
        `and now accepts the directive.`,
    })
  }
  return done
}

// ---------------------------------------------------------------------------------------------
// 2. Inside a <VirtualHost> (or <Directory>/<Location>/<Files>): move it to global scope.

/**
 * One model serves every move (`model`, as phase 1 found the files; `renamed`: what phase 1 fixed
 * since): a removed directive is skipped, and the directive that decides at global scope is
 * carried along (a moved one becomes it). Only a moved one whose words hold a variable sends the
 * rest to a fresh model, which resolves it where it now stands.
 */
function moveOutOfSections(ctx: TransformContext, first: WsgiModel, renamed: ReadonlySet<Directive>): void {
  let model: WsgiModel | undefined = first
  let global: Global | undefined = effectiveGlobal(first, renamed)
  const gone = new Set<Directive>()
  for (let guard = 0; guard < 1000; guard++) {
    if (model === undefined) {
      model = ctx.model()
      global = effectiveGlobal(model)
    }
    const r = model.restrictEmbedded.find(
      (x) => !gone.has(x.node) && misplaced(x) && editable(ctx, x.file) !== undefined && outermostSection(x) !== undefined,
    )
    if (r === undefined) return
    const outer = outermostSection(r) as Section
    const target = findParent(ctx, outer)
    if (global === undefined && (target === undefined || target.file.tree.data.diagnostics.length > 0)) {
      // Nowhere to put it: leave it for the user rather than lose it.
      const file = editable(ctx, r.file) as ApacheFile
      ctx.advise({ file, node: r.node, message: `${text(r.node)} (${where(r)}) ${refusal(r, outer)}; move it to the global server config by hand.` })
      return
    }
    gone.add(r.node)
    const file = editable(ctx, r.file) as ApacheFile
    remove(r.parent, r.node)
    const spelled = r.misspelled ? ' (misspelled, an invalid command too)' : ''
    if (global !== undefined) {
      ctx.change({
        file,
        node: r.node,
        kind: 'remove',
        explanation:
          `Removed ${text(r.node)}${spelled} from ${tag(outer)}, where Apache refused to start ("${refusalText(outer)}"); ` +
          `the global ${text(global.node)}${global.node.position ? ` at ${where(global)}` : ''} already decides for the whole server.`,
      })
      continue
    }
    const place = target as { file: ApacheFile; parent: ParentNode }
    const node = createDirective(NAME, r.node.args, { indent: indentOf(outer), eol: openEol(outer) || place.file.tree.data.eol })
    insertBefore(place.parent, outer, node)
    ctx.change({
      file,
      node: r.node,
      kind: 'remove',
      explanation: `Removed ${text(r.node)}${spelled} from ${tag(outer)}, where Apache refused to start ("${refusalText(outer)}").`,
    })
    const on = onOff(r.value) === 'On'
    // Now the only valid one at global scope, when its value is valid (there was none before).
    if (r.node.args.some((a) => a.includes('${'))) model = undefined
    else if (onOff(r.value) !== undefined) global = { node, file: place.file.path }
    ctx.change({
      file: place.file,
      node,
      kind: 'insert',
      explanation: on
        ? `Moved ${NAME} On out of ${tag(outer)} to global scope, where Apache accepts it: ${EFFECT}.`
        : `Moved ${NAME} ${r.node.args.join(' ')} out of ${tag(outer)} to global scope, where Apache accepts it and it keeps embedded mode allowed.`,
    })
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Missing, or Off: On once every application runs in a daemon group.

/** Returns whether it changed anything (then every application runs in a daemon group). */
function ensureOn(ctx: TransformContext): boolean {
  const model = ctx.model()
  if (model.embeddedRestricted) return false
  const aliases = uniqueAliases(model)
  if (aliases.length === 0) return false
  const globals = model.restrictEmbedded.filter((r) => !r.misspelled && !misplaced(r))
  const invalid = globals.find((r) => onOff(r.value) === undefined)
  const current = [...globals].reverse().find((r) => onOff(r.value) !== undefined)
  const blockers = aliases.filter((a) => notInDaemon(a) !== undefined)
  if (blockers.length > 0) {
    const at = current ?? blockers[0]
    const file = apacheFile(ctx, at.file)
    const what = current ? `${text(current.node)} (${where(current)}) left as is` : `${NAME} On not added`
    if (file) {
      ctx.advise({
        file,
        node: at.node,
        message:
          `${what}: ${listApps(blockers)} ${blockers.length === 1 ? 'does' : 'do'} not run in a daemon group, and restricting embedded ` +
          `mode now would make ${blockers.length === 1 ? 'it' : 'them'} answer HTTP 500 ("Embedded mode of mod_wsgi disabled by runtime ` +
          `configuration"). Give ${blockers.length === 1 ? 'it' : 'each'} a daemon group (WSGIProcessGroup), then set ${NAME} On at global scope.`,
      })
    }
    return false
  }
  if (invalid !== undefined) {
    adviseNotNow(ctx, invalid, `${text(invalid.node)} (${where(invalid)}) is neither On nor Off, which Apache refuses; write ${NAME} On`)
    return false
  }
  if (current !== undefined) return turnOn(ctx, current)
  const broken = ctx.files.find((f) => f.kind === 'apache' && f.tree.data.diagnostics.length > 0)
  if (broken) {
    adviseNotNow(ctx, aliases[0], `${NAME} On not added while ${broken.path} has parse errors (the applications it holds are unknown); fix them and run again`)
    return false
  }
  if (model.hasMacros) {
    adviseNotNow(ctx, aliases[0], `${NAME} On not added: <Macro> bodies may mount applications that run embedded; add it at global scope by hand once every application runs in a daemon group`)
    return false
  }
  const place = placement(ctx, model, aliases[0])
  if (place === undefined) return false
  addOn(ctx, place)
  return true
}

function turnOn(ctx: TransformContext, current: RestrictEmbedded): boolean {
  const file = editable(ctx, current.file)
  if (!file) return false
  setArgs(current.node, ['On', ...current.node.args.slice(1)])
  ctx.change({
    file,
    node: current.node,
    kind: 'modify',
    explanation: `Set ${NAME} from Off to On, since every WSGI application runs in a daemon group: ${EFFECT}.`,
  })
  return true
}

function addOn(ctx: TransformContext, place: Place): void {
  const ref = place.ref
  const indent = ref ? indentOf(ref) : ''
  const eol = (ref ? eolOf(ref) : '') || place.file.tree.data.eol
  const node = createDirective(NAME, ['On'], { indent, eol })
  if (ref === undefined) place.parent.children.push(node)
  else if (place.after) insertAfter(place.parent, ref, node, place.file.tree)
  else insertBefore(place.parent, ref, node)
  ctx.change({
    file: place.file,
    node,
    kind: 'insert',
    explanation: `Added ${NAME} On at global scope, since every WSGI application runs in a daemon group: ${EFFECT}.`,
  })
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
  const main = ctx.options.mainConfig === undefined ? undefined : apacheFile(ctx, ctx.options.mainConfig)
  if (main && daemon.file !== main.path) {
    if (main.tree.data.diagnostics.length > 0) return undefined
    const step = daemon.scope.includes.find((s) => s.file === main.path)
    const inc = step ? model.locate(step.node) : undefined
    if (inc && isPlainGlobal(inc)) return { file: main, parent: inc.parent, ref: inc.node, after: false }
    const last = [...main.tree.children].reverse().find((c) => c.type === 'directive' || c.type === 'section')
    return { file: main, parent: main.tree, ref: last, after: true }
  }
  const vhost = daemon.scope.ancestors.find((s) => s.name.toLowerCase() === 'virtualhost')
  if (vhost) {
    const target = findParent(ctx, vhost)
    if (!target || target.file.tree.data.diagnostics.length > 0) return undefined
    return { file: target.file, parent: target.parent, ref: vhost, after: false }
  }
  const file = editable(ctx, daemon.file)
  return file ? { file, parent: daemon.parent, ref: daemon.node, after: false } : undefined
}

// ---------------------------------------------------------------------------------------------
// 4. An effective On while some application has no daemon group: say what breaks.

function adviseCutOff(ctx: TransformContext): void {
  const model = ctx.model()
  if (!model.embeddedRestricted) return
  const blockers = uniqueAliases(model).filter((a) => notInDaemon(a) !== undefined)
  const on = effectiveGlobal(model)
  if (blockers.length === 0 || on === undefined) return
  const file = apacheFile(ctx, on.file)
  if (!file) return
  ctx.advise({
    file,
    node: on.node,
    message:
      `${text(on.node)} (${where(on)}) disables embedded mode, but ${listApps(blockers)} ${blockers.length === 1 ? 'does' : 'do'} not run ` +
      `in a daemon group: ${blockers.length === 1 ? 'it answers' : 'they answer'} HTTP 500 ("Embedded mode of mod_wsgi disabled by runtime ` +
      `configuration"). Give ${blockers.length === 1 ? 'it' : 'each'} a daemon group with WSGIProcessGroup, or set ${NAME} Off.`,
  })
}

// ---------------------------------------------------------------------------------------------
// Helpers

function adviseNotNow(ctx: TransformContext, at: Located, message: string): void {
  const file = apacheFile(ctx, at.file)
  if (file) ctx.advise({ file, node: at.node, message: `${message}.` })
}

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

function listApps(aliases: ScriptAlias[]): string {
  return aliases.map((a) => `${a.script} (${where(a)}, ${notInDaemon(a) ?? ''})`).join(', ')
}

/** Each alias node once (a file included twice mounts its aliases twice). */
function uniqueAliases(model: WsgiModel): ScriptAlias[] {
  const seen = new Set<Directive>()
  return model.scriptAliases.filter((a) => {
    if (seen.has(a.node)) return false
    seen.add(a.node)
    return true
  })
}

function misplaced(r: RestrictEmbedded): boolean {
  return r.inVirtualHost || r.inContainer
}

/** The WSGIRestrictEmbedded that decides at global scope, or one this transform just moved there. */
type Global = Pick<Located, 'node' | 'file'>

/** The last valid global WSGIRestrictEmbedded: the one that decides (`renamed`: misspelled ones since fixed). */
function effectiveGlobal(model: WsgiModel, renamed: ReadonlySet<Directive> = new Set()): RestrictEmbedded | undefined {
  return [...model.restrictEmbedded]
    .reverse()
    .find((r) => (!r.misspelled || renamed.has(r.node)) && !misplaced(r) && onOff(r.value) !== undefined)
}

const OUTER = new Set(['virtualhost', 'directory', 'directorymatch', 'location', 'locationmatch', 'files', 'filesmatch'])

/** The outermost <VirtualHost> or per-directory section around a misplaced directive. */
function outermostSection(r: RestrictEmbedded): Section | undefined {
  return r.scope.ancestors.find((s) => OUTER.has(s.name.toLowerCase()))
}

function isPlainGlobal(loc: Located): boolean {
  return loc.scope.kind === 'global' && loc.scope.containers.length === 0 && loc.scope.conditional === undefined
}

/** The file and parent holding `section` (it may sit in another file than what it encloses). */
function findParent(ctx: TransformContext, section: Section): { file: ApacheFile; parent: ParentNode } | undefined {
  for (const f of ctx.files) {
    if (f.kind !== 'apache') continue
    const parent = parentIn(f.tree, section)
    if (parent) return { file: f, parent }
  }
  return undefined
}

function parentIn(parent: Root | Section, node: Content): ParentNode | undefined {
  for (const child of parent.children) {
    if (child === node) return parent
    if (child.type === 'section') {
      const found = parentIn(child, node)
      if (found) return found
    }
  }
  return undefined
}



function onOff(value: string): 'On' | 'Off' | undefined {
  const v = value.toLowerCase()
  return v === 'on' ? 'On' : v === 'off' ? 'Off' : undefined
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

function refusal(r: RestrictEmbedded, section: Section): string {
  return `sits in ${tag(section)}, where Apache refuses to start ("${refusalText(section)}")${r.misspelled ? ' and is misspelled' : ''}`
}

function text(node: Directive): string {
  return [node.name, ...node.args].join(' ')
}

function where(loc: Pick<Located, 'node' | 'file'>): string {
  return `${loc.file}:${loc.node.position?.start.line ?? '?'}`
}
