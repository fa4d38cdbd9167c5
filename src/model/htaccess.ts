// `.htaccess` files a folder served by a wsgi-script handler may hold: with `AllowOverride
// FileInfo` (or `All`, or an `AllowOverrideList` naming AddHandler/SetHandler) they can add
// applications where the config does not show them, which run in the group the config gives the
// folder (mod_wsgi refuses WSGIProcessGroup there: "not allowed here", seen on 4.9). What they
// hold is not known, so a decision that needs every application in a daemon group must ask
// where such an application would run.
import { directoryKey, isLiteralGlob } from './containers.js'
import type { ContainerInfo, GroupResolution, HandlerApp, HtaccessOverride, Setting } from './types.js'
import { isUnder } from '../util/is-under.js'

/**
 * The AllowOverride lines that open a folder a handler serves (or one above or below it), with
 * the group an application added there would get (`groupOf`, as for a handler at that place).
 */
export function htaccessOverrides(
  overrides: readonly Setting[],
  handlers: readonly HandlerApp[],
  groupOf: (setting: Setting, handler: HandlerApp) => GroupResolution,
): HtaccessOverride[] {
  const out: HtaccessOverride[] = []
  if (handlers.length === 0) return out
  for (const setting of overrides) {
    // AllowOverride is read in <Directory> only (Apache refuses it anywhere else).
    const directory = setting.scope.container
    if (directory?.kind !== 'Directory') continue
    const handler = handlers.find((h) => sameServer(setting, h) && servesFolder(h, directory))
    if (handler !== undefined) out.push({ setting, directory, handler, group: groupOf(setting, handler) })
  }
  return out
}

/** A <Directory> of a vhost applies to that vhost's requests only; a global one to all. */
const sameServer = (setting: Setting, h: HandlerApp): boolean =>
  setting.scope.vhost === undefined || h.scope.vhost === undefined || setting.scope.vhost.section === h.scope.vhost.section

/** Whether the handler's files may lie in `dir`: its own <Directory> is in `dir` or holds it; anything else may. */
function servesFolder(h: HandlerApp, dir: ContainerInfo): boolean {
  const own = [...h.scope.containers].reverse().find((c) => c.kind === 'Directory' && !c.regex)
  if (own === undefined || dir.regex) return true
  const [a, b] = [directoryKey(own), directoryKey(dir)]
  if (!isLiteralGlob(a) || !isLiteralGlob(b)) return true
  return isUnder(b, a) || isUnder(a, b)
}
