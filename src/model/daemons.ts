// Sites and daemon groups: which vhosts mod_wsgi treats as one site (equal server names, the
// :80/:443 pair), and which daemon groups an application can reach from where it is mounted.
import type { Section } from '../syntax/types.js'
import { pushTo } from '../util/multimap.js'
import { inOrder } from './setting-index.js'
import type { DaemonGroup, Scope, VirtualHostInfo } from './types.js'

export interface Sites {
  /** The server name mod_wsgi compares for a scope ('' when none is known). */
  siteOf(scope: Scope): string
  /** Same vhost, or vhosts of equal site name. */
  sameSite(a: Scope, b: Scope): boolean
}

/**
 * Give each vhost its site name (its ServerName, else the main server's) and answer site
 * questions. Needs the whole config: a global ServerName may come after the vhosts.
 */
export function sitesOf(virtualHosts: readonly VirtualHostInfo[], globalServerName: string | undefined): Sites {
  for (const v of virtualHosts) v.siteName = v.serverName ?? globalServerName ?? ''
  const siteOf = (scope: Scope): string => (scope.vhost ? scope.vhost.siteName : (globalServerName ?? ''))
  const sameSite = (a: Scope, b: Scope): boolean => {
    if (a.vhost && b.vhost && a.vhost.section === b.vhost.section) return true
    return siteOf(a) === siteOf(b)
  }
  return { siteOf, sameSite }
}

export interface DaemonIndex {
  /** First definition of a group by exact name. */
  daemon(name: string): DaemonGroup | undefined
  /** Whether an application in `scope` can use `d`: a global group, or one of the same site. */
  reachable(d: DaemonGroup, scope: Scope): boolean
  /** The groups reachable from `scope`, each name once, in reading order. */
  reachableDaemons(scope: Scope): DaemonGroup[]
}

/**
 * Daemons indexed once, so a lookup costs what it returns, not the size of the config: a vhost
 * daemon is reachable from its own vhost and from every vhost of the same site name.
 */
export function indexDaemons(daemons: readonly DaemonGroup[], sites: Sites): DaemonIndex {
  const first = new Map<string, DaemonGroup>()
  const globalDaemons: DaemonGroup[] = []
  const bySite = new Map<string, DaemonGroup[]>()
  const byVhost = new Map<Section, DaemonGroup[]>()
  for (const d of daemons) {
    if (!first.has(d.name)) first.set(d.name, d)
    if (d.scope.kind === 'global') globalDaemons.push(d)
    else {
      pushTo(bySite, sites.siteOf(d.scope), d)
      pushTo(byVhost, d.scope.vhost.section, d)
    }
  }
  const reachable = (d: DaemonGroup, scope: Scope): boolean => d.scope.kind === 'global' || sites.sameSite(d.scope, scope)
  const reachableDaemons = (scope: Scope): DaemonGroup[] => {
    const candidates = inOrder([globalDaemons, bySite.get(sites.siteOf(scope)), scope.vhost ? byVhost.get(scope.vhost.section) : undefined])
    const seen = new Set<string>()
    return candidates.filter((d) => {
      if (seen.has(d.name) || !reachable(d, scope)) return false
      seen.add(d.name)
      return true
    })
  }
  return { daemon: (name) => first.get(name), reachable, reachableDaemons }
}
