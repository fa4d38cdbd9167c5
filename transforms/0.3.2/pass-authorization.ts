// pass-authorization: Kallithea must get `WSGIPassAuthorization On`.
//
// hg and git clients authenticate with HTTP Basic auth. mod_wsgi hides the Authorization header
// from the application unless WSGIPassAuthorization is On, so without it `git clone` fails with
// "Authentication failed" and `hg clone` with "authorization failed". Every docs form has the line;
// hand-written configs lose it, or carry an `Off` copied from elsewhere.
//
// For each Kallithea alias (transforms/kallithea-app.ts) whose effective setting is not On, the
// least intrusive fix that changes no other application's behaviour is taken:
//   1. the `Off` that decided it (a directive, or the alias's own pass-authorization=Off) becomes On;
//   2. nothing decided it: `WSGIPassAuthorization On` goes right after the alias, same indentation;
//   3. either would also switch another (non-Kallithea) app: `pass-authorization=On` on the alias
//      itself (mod_wsgi >= 3.0), else an advisory.
// Each vhost that mounts the app (the :80/:443 pair) is fixed on its own.
import semver from 'semver'
import { createDirective, eolOf, indentOf, insertAfter, setArgs, setOption } from '../../src/edit.js'
import type { PassAuthorization, ScriptAlias, Setting, WsgiModel } from '../../src/mod-wsgi-model.js'
import type { Transform, TransformContext } from '../../src/transform.js'
import type { Directive, Section } from '../../src/types.js'
import { isKallitheaAlias } from '../kallithea-app.js'
import { apacheFile, editableApacheFile as editable } from '../files.js'

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



/** Non-Kallithea apps whose effective value is not On now and that an edit matching `hit` would switch. */
function othersHit(model: WsgiModel, ctx: TransformContext, hit: (a: ScriptAlias, pa: PassAuthorization) => boolean): ScriptAlias[] {
  return model.scriptAliases.filter((a) => !isKallitheaAlias(a, ctx.files) && a.passAuthorization.value !== 'On' && hit(a, a.passAuthorization))
}

/** Flipping the deciding directive also switches every other app it decides for. */
function hitByDirective(setting: Setting) {
  return (_: ScriptAlias, pa: PassAuthorization): boolean => pa.directive === setting.node
}

/**
 * A server-level `WSGIPassAuthorization On` next to the alias applies to every app of the same
 * vhost (or, at global level, of the whole server) that no container or alias option decides for.
 */
function hitByInsert(alias: ScriptAlias) {
  const vhost: Section | undefined = alias.scope.vhost?.section
  return (a: ScriptAlias, pa: PassAuthorization): boolean => {
    if (pa.via === 'container' || pa.via === 'alias-option') return false
    if (vhost === undefined) return pa.via === 'global' || pa.via === 'default'
    return a.scope.vhost?.section === vhost
  }
}

/** Whether mod_wsgi (version given by the user, if any) has WSGIScriptAlias options (3.0+). */
function hasAliasOptions(ctx: TransformContext): boolean {
  const v = ctx.options.modWsgiVersion
  if (v === undefined) return true
  const c = semver.coerce(v)
  return c === null || semver.gte(c, '3.0.0')
}

const isFlag = (v: string): boolean => /^(?:on|off)$/i.test(v)

/** A WSGIPassAuthorization with a value Apache rejects, at the alias's own level (its vhost, or global). */
function invalidAtLevel(model: WsgiModel, alias: ScriptAlias): Setting | undefined {
  const vhost = alias.scope.vhost?.section
  return model.passAuthorizations.find(
    (s) =>
      !isFlag(s.value) &&
      s.scope.containers.length === 0 &&
      s.scope.conditional === undefined &&
      (vhost === undefined ? s.scope.kind === 'global' : s.scope.vhost?.section === vhost),
  )
}

function plan(model: WsgiModel, ctx: TransformContext, alias: ScriptAlias): Plan {
  const pa = alias.passAuthorization
  // The alias's own option wins over everything (an invalid value stops Apache): set it right.
  if (alias.options['pass-authorization']) return { kind: 'flip-option', alias }
  const hit: ScriptAlias[] = []
  // 1. The Off that decided it becomes On.
  if (pa.value === 'Off' && pa.setting) {
    const others = othersHit(model, ctx, hitByDirective(pa.setting))
    if (others.length === 0) return { kind: 'flip-directive', setting: pa.setting }
    hit.push(...others)
  }
  // 2. Nothing (or only a global Off, which a vhost setting overrides) decided it: a line next to
  //    the alias. A `WSGIPassAuthorization yes` at that level stops Apache: correct it instead.
  const canInsert = pa.via === 'default' || (pa.via === 'global' && alias.scope.kind === 'vhost')
  if (canInsert) {
    const others = othersHit(model, ctx, hitByInsert(alias))
    const invalid = invalidAtLevel(model, alias)
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

/** Carry out a plan; returns false when the file it would edit has parse errors. */
function carryOut(ctx: TransformContext, p: Plan): boolean {
  switch (p.kind) {
    case 'flip-directive': {
      const file = editable(ctx, p.setting.file)
      if (!file) return false
      const node = p.setting.node
      const was = node.args[0] ?? ''
      setArgs(node, ['On', ...node.args.slice(1)])
      const rejected = isFlag(was) ? '' : ' (a value Apache refuses to start with)'
      ctx.change({ file, node, kind: 'modify', explanation: `Changed WSGIPassAuthorization ${was}${rejected} to On: ${WHY}.` })
      return true
    }
    case 'flip-option': {
      const file = editable(ctx, p.alias.file)
      if (!file) return false
      const was = p.alias.options['pass-authorization']?.raw ?? ''
      setOption(p.alias.node, 'pass-authorization', 'On')
      ctx.change({
        file,
        node: p.alias.node,
        kind: 'modify',
        explanation: `Changed pass-authorization=${was} to pass-authorization=On on ${label(p.alias)}: ${WHY}.`,
      })
      return true
    }
    case 'insert': {
      const file = editable(ctx, p.alias.file)
      if (!file) return false
      const ref = p.alias.node
      const node = createDirective('WSGIPassAuthorization', ['On'], { indent: indentOf(ref), eol: eolOf(ref) || file.tree.data.eol })
      insertAfter(p.alias.parent, ref, node, file.tree)
      ctx.change({ file, node, kind: 'insert', explanation: `Added WSGIPassAuthorization On after ${label(p.alias)}: ${WHY}.` })
      return true
    }
    case 'add-option': {
      const file = editable(ctx, p.alias.file)
      if (!file) return false
      setOption(p.alias.node, 'pass-authorization', 'On')
      const why = p.because.length > 0
        ? `, which a WSGIPassAuthorization line would also switch on for ${p.because.map(label).join(', ')}`
        : ''
      ctx.change({
        file,
        node: p.alias.node,
        kind: 'modify',
        explanation: `Added pass-authorization=On to ${label(p.alias)} (Kallithea only${why}): ${WHY}.`,
      })
      return true
    }
    case 'advise':
      return false
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
  for (;;) {
    const model = ctx.model()
    const alias = model.scriptAliases.find(
      (a) => !isDone(a) && a.passAuthorization.value !== 'On' && isKallitheaAlias(a, ctx.files),
    )
    if (alias === undefined) return
    markDone(alias)
    const p = plan(model, ctx, alias)
    if (p.kind === 'advise') {
      ctx.advise({ file: apacheFile(ctx, alias.file) ?? ctx.files[0], node: alias.node, message: p.message })
    } else if (!carryOut(ctx, p)) {
      const file = apacheFile(ctx, alias.file)
      if (file) {
        ctx.advise({
          file,
          node: alias.node,
          message: `${label(alias)} (Kallithea) needs WSGIPassAuthorization On so git and hg clients can authenticate; not changed because the file to edit has parse errors: fix them and run again.`,
        })
      }
    }
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
