// redundant-user-group: drop `user=`/`group=` of WSGIDaemonProcess that name Apache's own user/group.
//
// Why: the 0.3.1 docs told users to add `user=www-data group=www-data` so Kallithea would not run
// as root. Apache never runs applications as root: its children and mod_wsgi daemons drop to the
// Apache user (`User`/`Group`) whoever starts it, and a daemon without user=/group= runs as that
// user. The options only matter for another owner (repositories owned by another user); those stay.
//
// mod_wsgi copies the default user/group when it reads the WSGIDaemonProcess line, so an option
// is only redundant when the deciding User/Group directive comes before the daemon in Apache's
// reading order; otherwise it is kept with an advisory.
import { removeOption } from '../../../src/syntax/edit.js'
import type { DaemonGroup, Located, RunUser, WsgiModel } from '../../../src/model/model.js'
import type { ApacheFile, Transform, TransformContext } from '../../../src/runner/transform.js'
import type { Directive } from '../../../src/syntax/types.js'
import { forEachDaemon } from '../../files.js'

/** The two options this transform looks at, with the RunUser fields that answer them. */
interface Owner {
  key: 'user' | 'group'
  /** The Apache directive that sets it. */
  directive: 'User' | 'Group'
  value: (run: RunUser) => string
  source: (run: RunUser) => RunUser['source']
  node: (run: RunUser) => Directive | undefined
}

const OWNERS: readonly Owner[] = [
  { key: 'user', directive: 'User', value: (r) => r.user, source: (r) => r.source, node: (r) => r.node },
  { key: 'group', directive: 'Group', value: (r) => r.group, source: (r) => r.groupSource, node: (r) => r.groupNode },
]

export const redundantUserGroup: Transform = {
  id: 'redundant-user-group',
  version: '0.3.2',
  title: 'Drop user=/group= options that name the Apache user',
  description:
    'Removes user= and group= options of WSGIDaemonProcess that equal the user/group Apache runs as (User/Group, ' +
    '${APACHE_RUN_USER} from envvars, else www-data); any other owner stays.',
  rationale:
    'Apache never runs applications as root: daemons without user=/group= already run as the Apache user, so naming ' +
    'it again only adds noise; the options are for repositories owned by another user.',
  apply(ctx) {
    // One model for every daemon and both owners: dropping user= shifts the option indexes, but
    // only option keys and values are read here (unchanged by the edit), and removeOption finds
    // the words on the node itself.
    forEachDaemon(ctx, (daemon, file, model) => {
      for (const owner of OWNERS) dropIfApacheOwn(ctx, file, daemon, owner, model)
    })
  },
}

function dropIfApacheOwn(ctx: TransformContext, file: ApacheFile, daemon: DaemonGroup, owner: Owner, model: WsgiModel): void {
  const found = daemon.options.filter((o) => o.key === owner.key)
  const apache = owner.value(model.runUser)
  if (found.length === 0 || !found.every((o) => o.value === apache)) return
  const later = readAfter(owner, daemon, model)
  if (later) {
    ctx.advise({
      file,
      node: daemon.node,
      message:
        `${owner.key}=${found[0].raw} of WSGIDaemonProcess ${daemon.name} names Apache's own ${owner.key}, but Apache reads this line before ` +
        `${owner.directive} ${later.node.args[0] ?? ''} (${later.file}:${later.node.position?.start.line ?? '?'}); mod_wsgi takes a daemon's default ` +
        `${owner.key} from the ${owner.directive} in effect when it reads WSGIDaemonProcess, so the option is kept. To drop it, move ` +
        `${owner.directive} before this line.`,
    })
    return
  }
  if (!removeOption(daemon.node, owner.key)) return
  const role = owner.key === 'user' ? 'as its own user' : 'with its own group'
  ctx.change({
    file,
    node: daemon.node,
    kind: 'modify',
    explanation:
      `Removed ${owner.key}=${found[0].raw} from WSGIDaemonProcess ${daemon.name}: Apache already runs mod_wsgi daemons ${role} ` +
      `(${whereFrom(owner, model)}) and never as root, so the daemon runs as before; ${owner.key}= only matters when the ` +
      'repositories belong to another owner.',
  })
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
      return `${value}, from ${written}${file ? ` in ${file}` : ''} and Apache's environment`
    case 'platform-default':
      return node
        ? `${value}, the Debian default; ${written} is not set in this run`
        : `${value}, the Debian default; no ${owner.directive} directive in these files`
  }
}
