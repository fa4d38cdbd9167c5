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
// Each vhost that mounts the app (the :80/:443 pair) is fixed on its own.
import { createDirective, eolOf, indentOf, insertAfter, setArgs, setOption } from '../../../src/syntax/edit.js'
import type { ScriptAlias, Scope, Setting, WsgiModel } from '../../../src/model/model.js'
import type { SourceFile, Transform, TransformContext } from '../../../src/runner/transform.js'
import type { Directive, Section } from '../../../src/syntax/types.js'
import { coerceVersion, compareVersions } from '../../../src/runner/version.js'
import { isKallitheaAlias } from '../../../src/model/kallithea.js'
import { apacheFile, editableApacheFile as editable, InOrder } from '../../files.js'

const WHY =
  'mod_wsgi now hands the HTTP Authorization header to Kallithea (HTTP_AUTHORIZATION), so git and hg clients can log in ' +
  '(without it `git clone` fails with "Authentication failed" and `hg clone` with "authorization failed")'

/** A planned fix for one alias. */
type Plan =
  | { kind: 'flip-directive'; setting: Setting }
  | { kind: 'flip-option'; alias: ScriptAlias }
  | { kind: 'insert'; alias: ScriptAlias }
  | { kind: 'add-option'; alias: ScriptAlias; because: ScriptAlias[] }
  | { kind: 'advise'; alias: ScriptAlias; message: string }

const label = (a: ScriptAlias): string => `${a.node.name} ${a.rawUrl}`
const where = (a: { file: string; node: Directive }): string => `${a.file}:${a.node.position?.start.line ?? '?'}`

/** Where a setting or alias takes effect: its vhost, or 'global'. */
type Level = Section | 'global'
const levelOf = (l: { scope: Scope }): Level => l.scope.vhost?.section ?? 'global'

/**
 * The model of one pass, with what plan() looks up for every alias gathered once (looking it up
 * in the whole model for each alias made large runs quadratic). Every list is in model order.
 * Whether an alias is Kallithea is asked once per alias: it depends on the alias and its
 * script's text, which this transform does not edit.
 */
class View {
  readonly kallithea = new Map<ScriptAlias, boolean>()
  /** Non-Kallithea apps whose effective value is not On. */
  readonly others: ScriptAlias[] = []
  private otherSet = new Set<ScriptAlias>()
  readonly othersByVhost = new Map<Section, ScriptAlias[]>()
  readonly othersByDirective = new Map<Directive, ScriptAlias[]>()
  /** Each alias node's places, each WSGIPassAuthorization node's (a file included twice is read twice). */
  readonly aliasPlaces = new Map<Directive, ScriptAlias[]>()
  readonly settingPlaces = new Map<Directive, Setting[]>()
  /** The first WSGIPassAuthorization with a value Apache rejects, by level, outside containers and <If>. */
  readonly invalid = new Map<Level, Setting>()

  constructor(readonly model: WsgiModel, files: readonly SourceFile[]) {
    for (const a of model.scriptAliases) {
      const isKallithea = isKallitheaAlias(a, files)
      this.kallithea.set(a, isKallithea)
      push(this.aliasPlaces, a.node, a)
      if (isKallithea || a.passAuthorization.value === 'On') continue
      this.others.push(a)
      this.otherSet.add(a)
      if (a.scope.vhost) push(this.othersByVhost, a.scope.vhost.section, a)
      if (a.passAuthorization.directive) push(this.othersByDirective, a.passAuthorization.directive, a)
    }
    for (const s of model.passAuthorizations) {
      push(this.settingPlaces, s.node, s)
      if (isFlag(s.value) || s.scope.containers.length > 0 || s.scope.conditional !== undefined) continue
      const level = s.scope.kind === 'global' ? 'global' : s.scope.vhost?.section
      if (level !== undefined && !this.invalid.has(level)) this.invalid.set(level, s)
    }
  }

  /** Whether `alias` is one of the other apps (not Kallithea, not On). */
  isOther(alias: ScriptAlias): boolean {
    return this.otherSet.has(alias)
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** Non-Kallithea apps whose effective value is not On now and that an edit of the deciding `setting` would switch. */
function othersHitByDirective(view: View, setting: Setting): ScriptAlias[] {
  return view.othersByDirective.get(setting.node) ?? []
}

/**
 * Non-Kallithea apps (not On now) that a server-level `WSGIPassAuthorization On` next to the alias
 * would switch: every app of the same vhost (or, at global level, of the whole server) that no
 * container or alias option decides for.
 */
function othersHitByInsert(view: View, alias: ScriptAlias): ScriptAlias[] {
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
  const v = ctx.options.modWsgiVersion
  if (v === undefined) return true
  const c = coerceVersion(v)
  return c === null || compareVersions(c, [3, 0, 0]) >= 0
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
  const hit: ScriptAlias[] = []
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

function fallback(ctx: TransformContext, alias: ScriptAlias, because: ScriptAlias[]): Plan {
  if (hasAliasOptions(ctx)) return { kind: 'add-option', alias, because }
  const others = because.map((a) => `${label(a)} (${where(a)})`).join(', ')
  return {
    kind: 'advise',
    alias,
    message:
      `${label(alias)} (Kallithea) does not get WSGIPassAuthorization On, so git and hg clients cannot authenticate; ` +
      `a WSGIPassAuthorization line here would also apply to ${others || 'other applications'}, and mod_wsgi ${ctx.options.modWsgiVersion} ` +
      'has no pass-authorization= option for WSGIScriptAlias (3.0+): give Kallithea its own <VirtualHost> or <Location> with "WSGIPassAuthorization On".',
  }
}

/**
 * Carry out a plan (the edit now, its report through `report`); returns false when the file it
 * would edit has parse errors.
 */
function carryOut(ctx: TransformContext, p: Plan, report: (give: () => void) => void): boolean {
  switch (p.kind) {
    case 'flip-directive': {
      const file = editable(ctx, p.setting.file)
      if (!file) return false
      const node = p.setting.node
      const was = node.args[0] ?? ''
      setArgs(node, ['On', ...node.args.slice(1)])
      const rejected = isFlag(was) ? '' : ' (a value Apache refuses to start with)'
      report(() => ctx.change({ file, node, kind: 'modify', explanation: `Changed WSGIPassAuthorization ${was}${rejected} to On: ${WHY}.` }))
      return true
    }
    case 'flip-option': {
      const file = editable(ctx, p.alias.file)
      if (!file) return false
      const was = p.alias.options['pass-authorization']?.raw ?? ''
      setOption(p.alias.node, 'pass-authorization', 'On')
      const node = p.alias.node
      const explanation = `Changed pass-authorization=${was} to pass-authorization=On on ${label(p.alias)}: ${WHY}.`
      report(() => ctx.change({ file, node, kind: 'modify', explanation }))
      return true
    }
    case 'insert': {
      const file = editable(ctx, p.alias.file)
      if (!file) return false
      const ref = p.alias.node
      const node = createDirective('WSGIPassAuthorization', ['On'], { indent: indentOf(ref), eol: eolOf(ref) || file.tree.data.eol })
      insertAfter(p.alias.parent, ref, node, file.tree)
      const explanation = `Added WSGIPassAuthorization On after ${label(p.alias)}: ${WHY}.`
      report(() => ctx.change({ file, node, kind: 'insert', explanation }))
      return true
    }
    case 'add-option': {
      const file = editable(ctx, p.alias.file)
      if (!file) return false
      setOption(p.alias.node, 'pass-authorization', 'On')
      const why = p.because.length > 0
        ? `, which a WSGIPassAuthorization line would also switch on for ${p.because.map(label).join(', ')}`
        : ''
      const node = p.alias.node
      const explanation = `Added pass-authorization=On to ${label(p.alias)} (Kallithea only${why}): ${WHY}.`
      report(() => ctx.change({ file, node, kind: 'modify', explanation }))
      return true
    }
    case 'advise':
      return false
  }
}

/**
 * What the edits of a pass may have changed, so that an alias is planned from the pass's model
 * only when nothing plan() reads for it was touched. plan() reads the alias's effective value
 * (the settings of its level and the global ones, its own options), a rejected value at its
 * level, and the other (non-Kallithea) apps a fix would switch: those of its level (at global
 * level: of every level) and those its deciding setting decides for (where that setting is read).
 */
class Touched {
  /** Levels where a WSGIPassAuthorization was flipped or inserted ('global': every level). */
  private settings = new Set<Level>()
  /** Levels where one of the other apps was given an option. */
  private others = new Set<Level>()
  /** Aliases given an option (every place they are read). */
  private nodes = new Set<Directive>()

  /** Record what carrying out `p` (made from the model of `view`) changes. */
  add(view: View, p: Exclude<Plan, { kind: 'advise' }>): void {
    if (p.kind === 'flip-directive') this.setting(view, p.setting)
    else if (p.kind === 'insert') this.inserted(view, p.alias)
    else this.option(view, p.alias)
  }

  /**
   * Record what any fix of `alias` may change, for an alias put off to the next pass: a line next
   * to it, an option on it, a flip of the setting that decides for it or of a rejected value at
   * its level.
   */
  mayChange(view: View, alias: ScriptAlias): void {
    this.inserted(view, alias)
    this.option(view, alias)
    const setting = alias.passAuthorization.setting
    if (setting) this.setting(view, setting)
    this.settings.add(levelOf(alias))
  }

  /** Whether an edit recorded here may have changed what `alias` resolves to, or its plan. */
  affects(view: View, alias: ScriptAlias): boolean {
    if (this.nodes.has(alias.node) || this.settings.has('global')) return true
    const level = levelOf(alias)
    // At global level a line would switch the other apps of every level.
    if (level === 'global') return this.settings.size > 0 || this.others.size > 0
    if (this.settings.has(level) || this.others.has(level)) return true
    const setting = alias.passAuthorization.setting
    return setting !== undefined && this.places(view, setting).some((s) => this.settings.has(levelOf(s)) || this.others.has(levelOf(s)))
  }

  private setting(view: View, setting: Setting): void {
    for (const s of this.places(view, setting)) this.settings.add(levelOf(s))
  }

  /** A line right after the alias is read wherever the alias is. */
  private inserted(view: View, alias: ScriptAlias): void {
    for (const a of view.aliasPlaces.get(alias.node) ?? [alias]) this.settings.add(levelOf(a))
  }

  /** An option changes the alias in every place it is read; where it is one of the other apps, the others of that level change. */
  private option(view: View, alias: ScriptAlias): void {
    this.nodes.add(alias.node)
    for (const a of view.aliasPlaces.get(alias.node) ?? [alias]) if (view.isOther(a)) this.others.add(levelOf(a))
  }

  private places(view: View, setting: Setting): Setting[] {
    return view.settingPlaces.get(setting.node) ?? [setting]
  }
}

function apply(ctx: TransformContext): void {
  // Aliases already dealt with (fixed or advised), per vhost: an alias in a file included by two
  // vhosts is two applications.
  const done = new Map<Directive, Set<Section | undefined>>()
  const isDone = (a: ScriptAlias): boolean => done.get(a.node)?.has(a.scope.vhost?.section) ?? false
  const markDone = (a: ScriptAlias): void => {
    const set = done.get(a.node) ?? new Set<Section | undefined>()
    set.add(a.scope.vhost?.section)
    done.set(a.node, set)
  }
  // The aliases are dealt with one at a time in model order, each planned from the files as the
  // fixes before it left them. An edit only changes the aliases of its own vhost (or all, at
  // global level), so one model serves every alias that no earlier edit of the same pass touched
  // (the sites of a server are fixed together); the others wait for a fresh model. Reports keep
  // the one-at-a-time order (rank: the alias's index in the model, the same in every pass).
  const reports = new InOrder()
  for (;;) {
    const view = new View(ctx.model(), ctx.files)
    const touched = new Touched()
    let deferred = Infinity
    view.model.scriptAliases.forEach((alias, rank) => {
      // An edit only ever turns a value On: an alias On in this model is On after the edits too.
      if (isDone(alias) || alias.passAuthorization.value === 'On' || !view.kallithea.get(alias)) return
      if (touched.affects(view, alias)) {
        // Planned again from a fresh model; whatever its fix will be, the aliases ranked after it
        // that the fix may change wait too (the one-at-a-time walk fixed this one first).
        touched.mayChange(view, alias)
        deferred = Math.min(deferred, rank)
        return
      }
      markDone(alias)
      const p = plan(view, ctx, alias)
      if (p.kind === 'advise') {
        const file = apacheFile(ctx, alias.file) ?? ctx.files[0]
        reports.add(rank, () => ctx.advise({ file, node: alias.node, message: p.message }))
      } else if (carryOut(ctx, p, (report) => reports.add(rank, report))) {
        touched.add(view, p)
      } else {
        const file = apacheFile(ctx, alias.file)
        if (file) {
          reports.add(rank, () =>
            ctx.advise({
              file,
              node: alias.node,
              message: `${label(alias)} (Kallithea) needs WSGIPassAuthorization On so git and hg clients can authenticate; not changed because the file to edit has parse errors: fix them and run again.`,
            }),
          )
        }
      }
    })
    if (deferred === Infinity) return reports.flush()
    // An alias was put off because of an edit ranked before it: that edit's change is given now,
    // so the next model is a fresh one.
    reports.flushBefore(deferred)
  }
}

export const passAuthorization: Transform = {
  id: 'pass-authorization',
  version: '0.3.2',
  title: 'WSGIPassAuthorization On for Kallithea',
  description:
    'Makes the effective WSGIPassAuthorization of every Kallithea WSGIScriptAlias On: turns a deciding Off into On, or adds ' +
    '"WSGIPassAuthorization On" right after the alias; other WSGI applications keep their setting.',
  rationale:
    'hg and git clients authenticate with HTTP auth; without WSGIPassAuthorization On mod_wsgi never passes HTTP_AUTHORIZATION ' +
    'to Kallithea, so `git clone` fails with "Authentication failed" and `hg clone` with "authorization failed".',
  apply,
}
