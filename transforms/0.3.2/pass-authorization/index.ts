// pass-authorization: Kallithea must get `WSGIPassAuthorization On`.
//
// hg and git clients authenticate with HTTP Basic auth. mod_wsgi hides the Authorization header
// from the application unless WSGIPassAuthorization is On, so without it `git clone` fails with
// "Authentication failed" and `hg clone` with "authorization failed". Every docs form has the line;
// hand-written configs lose it, or carry an `Off` copied from elsewhere.
//
// For each Kallithea alias (src/model/kallithea.ts) whose effective setting is not On, the
// least intrusive fix that changes no other application's behaviour is taken:
//   1. the `Off` that decided it (a directive, or the alias's own pass-authorization=Off) becomes On;
//   2. nothing decided it: `WSGIPassAuthorization On` goes right after the alias, same indentation;
//   3. either would also switch another (non-Kallithea) app: `pass-authorization=On` on the alias
//      itself (mod_wsgi >= 3.0), else an advisory.
// A setting that a template writes only in some renderings (`{% if auth %}` ... `{% endif %}`, the
// alias outside) is unknown, not On or Off: an advisory, no change to a choice the template makes.
// Each vhost that mounts the app (the :80/:443 pair) is fixed on its own.
import { aliasName, appName, isHandler, where } from '../../../src/model/describe.js'
import { isKallitheaAlias } from '../../../src/model/kallithea.js'
import type { Located, ScriptAlias, Setting, WsgiApp, WsgiModel } from '../../../src/model/model.js'
import { problemsOf } from '../../../src/model/problems.js'
import { pushTo } from '../../../src/util/multimap.js'
import { defineTransform } from '../../../src/runner/define.js'
import type { Fixer, SourceFile, TransformContext } from '../../../src/runner/transform.js'
import { modWsgiAtLeast } from '../../../src/runner/versions.js'
import { createDirective, eolOf, indentOf, setArgs, setOption } from '../../../src/syntax/edit.js'
import { continuesIntoBlock } from '../../../src/syntax/template-tree.js'
import type { Directive, Section } from '../../../src/syntax/types.js'

const WHY =
  'mod_wsgi now hands the HTTP Authorization header to Kallithea (HTTP_AUTHORIZATION), so git and hg clients can log in ' +
  '(without it `git clone` fails with "Authentication failed" and `hg clone` with "authorization failed")'

/** A planned fix for one alias. */
type Plan =
  | { kind: 'flip-directive'; setting: Setting }
  | { kind: 'flip-option'; alias: ScriptAlias }
  | { kind: 'insert'; alias: ScriptAlias }
  | { kind: 'add-option'; alias: ScriptAlias; because: WsgiApp[] }
  | { kind: 'advise'; alias: ScriptAlias; others: string }


/** Where a setting or alias takes effect: its vhost, or 'global'. */
type Level = Section | 'global'

/**
 * The model of one pass, with what plan() looks up for every alias gathered once (looking it up
 * in the whole model for each alias made large runs quadratic). Every list is in model order.
 * Whether an alias is Kallithea is asked once per alias: it depends on the alias and its
 * script's text, which this transform does not edit.
 */
class View {
  readonly kallithea = new Map<ScriptAlias, boolean>()
  /** Non-Kallithea apps (aliases, wsgi-script handlers) whose effective value is not On. */
  readonly others: WsgiApp[] = []
  private otherSet = new Set<WsgiApp>()
  readonly othersByVhost = new Map<Section, WsgiApp[]>()
  readonly othersByDirective = new Map<Directive, WsgiApp[]>()
  /** The first WSGIPassAuthorization with a value Apache rejects, by level, outside containers and <If>. */
  readonly invalid = new Map<Level, Setting>()

  constructor(readonly model: WsgiModel, files: readonly SourceFile[]) {
    // wsgi-script handlers are applications too: a line at their level hands them the header.
    const apps: WsgiApp[] = [...model.scriptAliases, ...model.handlerApps].sort((x, y) => x.order - y.order)
    for (const a of apps) {
      const isKallithea = !isHandler(a) && isKallitheaAlias(a, files)
      if (!isHandler(a)) this.kallithea.set(a, isKallithea)
      if (isKallithea || a.passAuthorization.value === 'On') continue
      this.others.push(a)
      this.otherSet.add(a)
      if (a.scope.vhost) pushTo(this.othersByVhost, a.scope.vhost.section, a)
      if (a.passAuthorization.directive) pushTo(this.othersByDirective, a.passAuthorization.directive, a)
    }
    // The model reports each WSGIPassAuthorization whose value is neither On nor Off.
    for (const { data: { setting: s } } of problemsOf(model.problems, 'invalid-flag')) {
      if (s === undefined || s.scope.containers.length > 0 || s.scope.conditional !== undefined) continue
      const level = s.scope.kind === 'global' ? 'global' : s.scope.vhost.section
      if (!this.invalid.has(level)) this.invalid.set(level, s)
    }
  }

  /** Whether `alias` is one of the other apps (not Kallithea, not On). */
  isOther(alias: ScriptAlias): boolean {
    return this.otherSet.has(alias)
  }
}

/** Non-Kallithea apps whose effective value is not On now and that an edit of the deciding `setting` would switch. */
function othersHitByDirective(view: View, setting: Setting): WsgiApp[] {
  return view.othersByDirective.get(setting.node) ?? []
}

/**
 * Non-Kallithea apps (not On now) that a server-level `WSGIPassAuthorization On` next to the alias
 * would switch: every app of the same vhost (or, at global level, of the whole server) that no
 * container or alias option decides for.
 */
function othersHitByInsert(view: View, alias: ScriptAlias): WsgiApp[] {
  const vhost: Section | undefined = alias.scope.vhost?.section
  const candidates = vhost === undefined ? view.others : (view.othersByVhost.get(vhost) ?? [])
  return candidates.filter((a) => {
    const pa = a.passAuthorization
    if (pa.via === 'container' || pa.via === 'alias-option') return false
    if (vhost === undefined) return pa.via === 'global' || pa.via === 'default'
    return true
  })
}

/** Whether mod_wsgi (version given by the user, if any) has WSGIScriptAlias options (3.0+). */
function hasAliasOptions(ctx: TransformContext): boolean {
  return modWsgiAtLeast(ctx.options.modWsgiVersion, '3.0.0')
}

const isFlag = (v: string): boolean => /^(?:on|off)$/i.test(v)

/** A WSGIPassAuthorization with a value Apache rejects, at the alias's own level (its vhost, or global). */
function invalidAtLevel(view: View, alias: ScriptAlias): Setting | undefined {
  return view.invalid.get(alias.scope.vhost?.section ?? 'global')
}

function plan(view: View, ctx: TransformContext, alias: ScriptAlias): Plan {
  const pa = alias.passAuthorization
  // The alias's own option wins over everything (an invalid value stops Apache): set it right.
  if (alias.options['pass-authorization']) return { kind: 'flip-option', alias }
  const hit: WsgiApp[] = []
  // 1. The Off that decided it becomes On.
  if (pa.value === 'Off' && pa.setting) {
    const others = othersHitByDirective(view, pa.setting)
    if (others.length === 0) return { kind: 'flip-directive', setting: pa.setting }
    hit.push(...others)
  }
  // 2. Nothing (or only a global Off, which a vhost setting overrides) decided it: a line next to
  //    the alias. A `WSGIPassAuthorization yes` at that level stops Apache: correct it instead.
  const canInsert = pa.via === 'default' || (pa.via === 'global' && alias.scope.kind === 'vhost')
  if (canInsert) {
    const others = othersHitByInsert(view, alias)
    const invalid = invalidAtLevel(view, alias)
    if (others.length === 0) return invalid ? { kind: 'flip-directive', setting: invalid } : { kind: 'insert', alias }
    hit.push(...others)
  }
  // 3. The alias's own option.
  return fallback(ctx, alias, [...new Set(hit)])
}

function fallback(ctx: TransformContext, alias: ScriptAlias, because: WsgiApp[]): Plan {
  if (hasAliasOptions(ctx)) return { kind: 'add-option', alias, because }
  const others = because.map((a) => `${appName(a)} (${where(a)})`).join(', ')
  return { kind: 'advise', alias, others: others || 'other applications' }
}

/** The report of a plan: its message, and the fix that carries it out. */
function reportPlan(ctx: TransformContext, view: View, alias: ScriptAlias, p: Plan): void {
  const setting = alias.passAuthorization.setting
  // The decision rests on the alias and on where its deciding setting is read.
  const reads = [alias, ...(setting ? view.model.places(setting.node) : [])]
  const name = aliasName(alias)
  if (p.kind === 'advise') {
    ctx.report({ at: alias, messageId: 'noOption', data: { alias: name, others: p.others, modWsgi: ctx.options.modWsgiVersion ?? '' } })
    return
  }
  const target = p.kind === 'flip-directive' ? p.setting : p.alias
  if (!ctx.editable(ctx.fileOf(target.node))) {
    ctx.report({ at: alias, messageId: 'parseErrors', data: { alias: name } })
    return
  }
  switch (p.kind) {
    case 'flip-directive': {
      const node = p.setting.node
      const was = node.args[0] ?? ''
      const rejected = isFlag(was) ? '' : ' (a value Apache refuses to start with)'
      ctx.report({ at: alias, reads, messageId: 'flippedDirective', data: { was, rejected }, fix: (f) => f.modify(node, (n) => setArgs(n, ['On', ...n.args.slice(1)])) })
      return
    }
    case 'flip-option': {
      const was = p.alias.options['pass-authorization']?.raw ?? ''
      ctx.report({ at: alias, reads, messageId: 'flippedOption', data: { was, alias: name }, fix: (f) => f.modify(alias.node, (n) => setOption(n, 'pass-authorization', 'On')) })
      return
    }
    case 'insert': {
      const ref = alias.node
      const eol = eolOf(ref) || (ctx.fileOf(ref)?.tree.data.eol ?? '\n')
      const node = createDirective('WSGIPassAuthorization', ['On'], { indent: indentOf(ref), eol })
      // Before an alias continued into a template block: after it would be inside its words.
      const fix = continuesIntoBlock(ref) ? (f: Fixer) => f.insertBefore(ref, node) : (f: Fixer) => f.insertAfter(ref, node)
      ctx.report({ at: alias, reads, messageId: 'added', data: { alias: name }, fix })
      return
    }
    case 'add-option': {
      const why = p.because.length > 0 ? `, which a WSGIPassAuthorization line would also switch on for ${p.because.map(appName).join(', ')}` : ''
      ctx.report({ at: alias, reads, messageId: 'addedOption', data: { alias: name, why }, fix: (f) => f.modify(alias.node, (n) => setOption(n, 'pass-authorization', 'On')) })
      return
    }
  }
}

const PASS_AUTHORIZATION = /^wsgipassauthorization$/i

/**
 * The line that decides the alias's WSGIPassAuthorization in some renderings only: its deciding
 * setting is in a template branch the alias is outside of (or written differently per branch), or
 * a line of its level writes one through inline conditionals (`{% if auth %}WSGIPassAuthorization
 * On{% endif %}`, read as a template line). Undefined when every rendering decides alike.
 */
function renderedSometimes(model: WsgiModel, alias: ScriptAlias): Located | undefined {
  const setting = alias.passAuthorization.setting
  if (setting !== undefined && setting.node !== alias.node && model.rendersWith(alias, [setting]) !== 'always') return setting
  const siblings = alias.scope.vhost?.section.children ?? []
  const line = siblings.find((n) => n.type === 'directive' && n.data?.template === true && n.data.alternatives?.some((a) => a.kind === 'directive' && PASS_AUTHORIZATION.test(a.name)))
  return line === undefined ? undefined : model.locate(line)
}

export const passAuthorization = defineTransform({
  meta: {
    id: 'pass-authorization',
    version: '0.3.2',
    title: 'WSGIPassAuthorization On for Kallithea',
    description:
      'Makes the effective WSGIPassAuthorization of every Kallithea WSGIScriptAlias On: turns a deciding Off into On, or adds ' +
      '"WSGIPassAuthorization On" right after the alias; other WSGI applications keep their setting.',
    rationale:
      'hg and git clients authenticate with HTTP auth; without WSGIPassAuthorization On mod_wsgi never passes HTTP_AUTHORIZATION ' +
      'to Kallithea, so `git clone` fails with "Authentication failed" and `hg clone` with "authorization failed".',
    messages: {
      flippedDirective: 'Changed WSGIPassAuthorization {{was}}{{rejected}} to On: ' + WHY + '.',
      flippedOption: 'Changed pass-authorization={{was}} to pass-authorization=On on {{alias}}: ' + WHY + '.',
      added: 'Added WSGIPassAuthorization On after {{alias}}: ' + WHY + '.',
      addedOption: 'Added pass-authorization=On to {{alias}} (Kallithea only{{why}}): ' + WHY + '.',
      noOption:
        '{{alias}} (Kallithea) does not get WSGIPassAuthorization On, so git and hg clients cannot authenticate; ' +
        'a WSGIPassAuthorization line here would also apply to {{others}}, and mod_wsgi {{modWsgi}} ' +
        'has no pass-authorization= option for WSGIScriptAlias (3.0+): give Kallithea its own <VirtualHost> or <Location> with "WSGIPassAuthorization On".',
      sometimes:
        '{{alias}} (Kallithea) left as is: its WSGIPassAuthorization is "{{line}}" ({{where}}), which the template writes only in ' +
        'some renderings, so in the others git and hg clients may not authenticate. Check each rendering, or write ' +
        '"WSGIPassAuthorization On" where every rendering of the alias has it.',
      parseErrors:
        '{{alias}} (Kallithea) needs WSGIPassAuthorization On so git and hg clients can authenticate; not changed because the file to edit has parse errors: fix them and run again.',
    },
  },
  create(ctx) {
    const view = new View(ctx.model(), ctx.files)
    for (const alias of view.model.scriptAliases) {
      if (!view.kallithea.get(alias)) continue
      const sometimes = renderedSometimes(view.model, alias)
      if (sometimes !== undefined) {
        ctx.report({ at: alias, messageId: 'sometimes', data: { alias: aliasName(alias), line: sometimes.node.raw.trim(), where: where(sometimes) } })
        continue
      }
      if (alias.passAuthorization.value === 'On') continue
      reportPlan(ctx, view, alias, plan(view, ctx, alias))
    }
  },
})

export default passAuthorization
