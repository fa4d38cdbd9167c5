// What the generic mod_wsgi fixes walk: the daemon groups they may change.
import { firstPlaces } from '../model/describe.js'
import { fixScope } from '../model/kallithea.js'
import type { DaemonGroup, WsgiModel } from '../model/types.js'
import type { TransformContext } from './transform.js'

/**
 * Each daemon group at its first place, when its file may be edited and the fix scope takes it
 * (the groups that serve Kallithea; every group with --all-apps).
 */
export function fixableDaemons(ctx: TransformContext, model: WsgiModel): DaemonGroup[] {
  const scope = fixScope(model, ctx.files, ctx.options.allApps)
  return firstPlaces(model.daemons).filter((daemon) => ctx.editable(ctx.fileOf(daemon.node)) && scope.daemon(daemon))
}
