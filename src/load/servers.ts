// Servers, not folders: which files of a run Apache would read together. A main config and all
// it includes are one server; the files of Debian's or Red Hat's include folders (sites-*/,
// conf.d/, ...) given without their main config are one server, the one that main config would
// make; any other file is a server of its own (with what it includes). Duplicate daemon names,
// reachability and "every application runs in a daemon group" are decided per server.
import { posix } from 'node:path'
import { CONFIG_DIRS } from './discover.js'
import type { IncludeGraph } from './include-graph.js'

export interface ServerGroup {
  /** main-config: a main config and what it includes; include-folder: include folders without it; file: one file. */
  kind: 'main-config' | 'include-folder' | 'file'
  /** The main config, the folder holding the include folders (`.` for the report base), or the file. */
  name: string
  /** Its config files (run paths): the tops in walk order, each followed by what it includes. */
  files: string[]
  /** The main config (kind `main-config`). */
  mainConfig?: string
}

/**
 * Group the config files of a run (run paths, envvars left out) into servers, by the Include
 * graph. A file included from two servers belongs to both.
 */
export function groupServers(configFiles: readonly string[], graph: IncludeGraph, isMain: (path: string) => boolean): ServerGroup[] {
  const mainDirs = new Set(configFiles.filter(isMain).map((m) => posix.dirname(m)))
  const groups = new Map<string, { server: ServerGroup; has: Set<string> }>()
  const reached = new Set<string>()
  const add = (top: string): void => {
    const { key, group } = groupOf(top, isMain, mainDirs)
    const entry = groups.get(key) ?? { server: group, has: new Set<string>() }
    groups.set(key, entry)
    for (const f of reach(top, graph)) {
      reached.add(f)
      if (entry.has.has(f)) continue
      entry.has.add(f)
      entry.server.files.push(f)
    }
  }
  for (const top of graph.roots) add(top)
  // Files only reachable through an Include cycle: the first one met stands for the rest.
  for (const f of configFiles) if (!reached.has(f)) add(f)
  return [...groups.values()].map((g) => g.server)
}

function groupOf(top: string, isMain: (path: string) => boolean, mainDirs: ReadonlySet<string>): { key: string; group: ServerGroup } {
  if (isMain(top)) return { key: `main:${top}`, group: { kind: 'main-config', name: top, files: [], mainConfig: top } }
  const dir = posix.dirname(top)
  if (CONFIG_DIRS.has(posix.basename(dir))) {
    const folder = posix.dirname(dir)
    // With its main config in the run, a file it does not include is not read by that server.
    if (!mainDirs.has(folder) && !mainDirs.has(posix.join(folder, 'conf'))) {
      return { key: `folder:${folder}`, group: { kind: 'include-folder', name: folder, files: [] } }
    }
  }
  return { key: `file:${top}`, group: { kind: 'file', name: top, files: [] } }
}

/** `top` and every file its Includes lead to, depth first in Apache order, each once. */
function reach(top: string, graph: IncludeGraph): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const stack = [top]
  while (stack.length > 0) {
    const f = stack.pop() as string
    if (seen.has(f)) continue
    seen.add(f)
    out.push(f)
    const next = graph.includes(f)
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i] as string)
  }
  return out
}
