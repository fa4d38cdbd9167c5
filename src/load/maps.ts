// Server paths in a repository: `--map /opt/kallithea=web/docker` reads what the config names
// under /opt/kallithea (Includes, scripts) from web/docker; a main config kept in a repository
// maps its ServerRoot (/etc/apache2) to its own folder without being asked.
import path from 'node:path'
import type { Root } from '../syntax/types.js'
import { directives } from './include-graph.js'
import { isInside } from './paths.js'

/** One server path and the folder (or file) of the run that stands for it; both absolute. */
export interface PathMap {
  server: string
  repo: string
}

/** `p` (absolute, as the config names it) in the run: through the longest map that covers it. */
export function mapPath(p: string, maps: readonly PathMap[]): string {
  let best: PathMap | undefined
  for (const m of maps) {
    if ((p === m.server || isInside(m.server, p)) && (best === undefined || m.server.length > best.server.length)) best = m
  }
  return best === undefined ? p : path.join(best.repo, path.relative(best.server, p))
}

/** Where a main config's relative Includes point, and the map its ServerRoot brings. */
export interface MainContext {
  serverRoot: string
  /** The folder of the run that stands for ServerRoot (the main config's, or above `conf/`). */
  home: string
  maps: PathMap[]
}

/**
 * ServerRoot of a main config (real path `abs`) as the run reads it: its `ServerRoot` when that
 * lies in the root; else its own folder (above `conf/`, Red Hat's `conf/httpd.conf`), which then
 * stands for the ServerRoot it names (Debian's `apache2.conf` names none: `/etc/apache2`).
 */
export function mainContext(tree: Root, abs: string, root: string): MainContext {
  const dir = path.dirname(abs)
  const home = path.basename(dir) === 'conf' && isInside(root, path.dirname(dir)) ? path.dirname(dir) : dir
  let declared: string | undefined
  for (const d of directives(tree)) {
    if (d.name.toLowerCase() === 'serverroot' && d.args[0]) {
      declared = path.resolve(dir, d.args[0])
      break
    }
  }
  if (declared !== undefined && isInside(root, declared)) return { serverRoot: declared, home: declared, maps: [] }
  const implied = declared ?? (path.basename(abs) === 'apache2.conf' ? '/etc/apache2' : undefined)
  const maps = implied !== undefined && !isInside(root, implied) ? [{ server: implied, repo: home }] : []
  return { serverRoot: home, home, maps }
}
