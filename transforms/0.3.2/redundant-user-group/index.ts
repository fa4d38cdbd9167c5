// redundant-user-group: drop `user=`/`group=` of WSGIDaemonProcess that name Apache's own user/group.
//
// Why: the 0.3.1 docs told users to add `user=www-data group=www-data` so Kallithea would not run
// as root. Apache never runs applications as root: its children and mod_wsgi daemons drop to the
// Apache user (`User`/`Group`) whoever starts it, and a daemon without user=/group= runs as that
// user. The options only matter for another owner (repositories owned by another user); those stay.
//
// mod_wsgi copies the default user/group when it reads the WSGIDaemonProcess line, so an option
// is only redundant when the deciding User/Group directive comes before the daemon in Apache's
// reading order; otherwise it is kept with an advisory. When the files do not say who Apache runs
// as (no User, no envvars: a partial tree), the option is kept too: removing `user=www-data` from
// a server that runs as `kallithea` would change who the daemon runs as.
import { where } from '../../../src/model/describe.js'
import { servesKallithea } from '../../../src/model/kallithea.js'
import type { DaemonGroup, Located, RunUser, WsgiModel } from '../../../src/model/model.js'
import { defineTransform } from '../../../src/runner/define.js'
import { fixableDaemons } from '../../../src/runner/fixable.js'
import type { Fixer, TransformContext } from '../../../src/runner/transform.js'
import { removeOption } from '../../../src/syntax/edit.js'
import type { Directive } from '../../../src/syntax/types.js'

/** The two options this transform looks at, with the RunUser fields that answer them. */
interface Owner {
  key: 'user' | 'group'
  /** The Apache directive that sets it. */
  directive: 'User' | 'Group'
  /** How the explanation says what mod_wsgi does without the option. */
  role: string
  value: (run: RunUser) => string
  source: (run: RunUser) => RunUser['source']
  node: (run: RunUser) => Directive | undefined
}

const OWNERS: readonly Owner[] = [
  { key: 'user', directive: 'User', role: 'as its own user', value: (r) => r.user, source: (r) => r.source, node: (r) => r.node },
  { key: 'group', directive: 'Group', role: 'with its own group', value: (r) => r.group, source: (r) => r.groupSource, node: (r) => r.groupNode },
]

export const redundantUserGroup = defineTransform({
  meta: {
    id: 'redundant-user-group',
    version: '0.3.2',
    title: 'Drop user=/group= options that name the Apache user',
    description:
      'Removes user= and group= options of WSGIDaemonProcess that equal the user/group Apache runs as (User/Group, ' +
      '${APACHE_RUN_USER} from envvars); any other owner stays, and so does every one while the files do not say who Apache runs as.',
    rationale:
      'Apache never runs applications as root: daemons without user=/group= already run as the Apache user, so naming ' +
      'it again only adds noise; the options are for repositories owned by another user.',
    messages: {
      removed:
        'Removed {{key}}={{raw}} from WSGIDaemonProcess {{name}}: Apache already runs mod_wsgi daemons {{role}} ' +
        '({{whereFrom}}) and never as root, so the daemon runs as before; {{key}}= only matters when the ' +
        '{{owned}} belong to another owner.',
      unknownRunUser:
        '{{key}}={{raw}} of WSGIDaemonProcess {{name}} was kept: these files do not say who Apache runs as ({{why}}), and removing it ' +
        'would assume {{raw}}, the Debian default; if Apache runs as another {{key}}, the daemon would then run as that one. ' +
        'Run on the main config that sets {{directive}} (or with its envvars), or remove it by hand if Apache runs as {{raw}}.',
      readAfter:
        "{{key}}={{raw}} of WSGIDaemonProcess {{name}} names Apache's own {{key}}, but Apache reads this line before " +
        "{{directive}} {{value}} ({{where}}); mod_wsgi takes a daemon's default " +
        '{{key}} from the {{directive}} in effect when it reads WSGIDaemonProcess, so the option is kept. To drop it, move ' +
        '{{directive}} before this line.',
    },
  },
  create(ctx) {
    const model = ctx.model()
    for (const daemon of fixableDaemons(ctx, model)) {
      // Both owners in one fix: dropping user= shifts the words group= stands on.
      const fixes = OWNERS.map((owner) => decide(ctx, daemon, owner, model)).filter((f) => f !== undefined)
      if (fixes.length === 0) continue
      ctx.report({ at: daemon, ...fixes[0].message, fix: (fixer) => fixes.forEach((f) => f.apply(fixer)) })
    }
  },
})

export default redundantUserGroup

interface Removal {
  message: { messageId: string; data: Record<string, string> }
  apply: (fixer: Fixer) => void
}

/** The removal of one owner option, or undefined (after advising when the order of lines forbids it). */
function decide(ctx: TransformContext, daemon: DaemonGroup, owner: Owner, model: WsgiModel): Removal | undefined {
  const found = daemon.options.filter((o) => o.key === owner.key)
  const apache = owner.value(model.runUser)
  if (found.length === 0 || !found.every((o) => o.value === apache)) return undefined
  const base = { key: owner.key, raw: found[0].raw, name: daemon.name }
  if (owner.source(model.runUser) === 'platform-default') {
    const node = owner.node(model.runUser)
    const why = node ? `${owner.directive} ${node.args[0] ?? ''} is not resolved here` : `no ${owner.directive} directive, no envvars`
    ctx.report({ at: daemon, messageId: 'unknownRunUser', data: { ...base, why, directive: owner.directive } })
    return undefined
  }
  const later = readAfter(owner, daemon, model)
  if (later) {
    const data = { ...base, directive: owner.directive, value: later.node.args[0] ?? '', where: where(later) }
    ctx.report({ at: daemon, messageId: 'readAfter', data })
    return undefined
  }
  // Kallithea's repositories; with --all-apps, another application's files.
  const owned = servesKallithea(daemon, model, ctx.files) ? 'repositories' : "application's files"
  const message = { messageId: 'removed', data: { ...base, role: owner.role, whereFrom: whereFrom(owner, model), owned } }
  return { message, apply: (fixer) => fixer.modify(daemon.node, (n) => removeOption(n, owner.key), message) }
}

/**
 * The User/Group directive that decides Apache's user, when Apache reads it after the daemon:
 * mod_wsgi copies the default user/group when it reads WSGIDaemonProcess, so a User further down
 * does not apply to the daemon (seen on Apache 2.4 + mod_wsgi 4.9: such a daemon kept the earlier user).
 */
function readAfter(owner: Owner, daemon: DaemonGroup, model: WsgiModel): Located | undefined {
  const node = owner.node(model.runUser)
  const decided = node ? model.locate(node) : undefined
  return decided && decided.order > daemon.order ? decided : undefined
}

/** How the run knows who Apache runs as, for the explanation. */
function whereFrom(owner: Owner, model: WsgiModel): string {
  const run = model.runUser
  const value = owner.value(run)
  const node = owner.node(run)
  const file = node ? model.locate(node)?.file : undefined
  const written = node ? `${owner.directive} ${node.args[0] ?? ''}` : ''
  switch (owner.source(run)) {
    case 'directive':
      return `${value}, set by ${owner.directive} in ${file ?? 'the server config'}`
    case 'env':
      return node ? `${value}, from ${written}${file ? ` in ${file}` : ''} and Apache's environment` : `${value}, from Apache's environment (APACHE_RUN_${owner.key.toUpperCase()})`
    case 'platform-default':
      // Not removed then (decide): said for completeness.
      return `${value}, assumed`
  }
}
