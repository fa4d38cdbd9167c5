// The mod_wsgi a server loads (`LoadModule wsgi_module PATH`), its version and the Python it
// embeds, read from the module itself: mod_wsgi 3.x holds "mod_wsgi/3.4"; 4.x holds its version
// string beside the "mod_wsgi/%s" it formats; the package manager knows it too.
import { spawnSync } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import type { ApacheFile } from '../runner/transform.js'
import type { Root } from '../syntax/types.js'
import { directives } from './include-graph.js'
import type { Loaded } from './loaded.js'
import { mainContext } from './maps.js'
import { createVariables } from './variables.js'

export interface ModWsgiModule {
  /** The module's path as the config resolves it. */
  module: string
  /** `4.9.4`; undefined when the module does not say. */
  version?: string
  /** `3.11`: the Python it links. */
  python?: string
  /** Where the version came from. */
  source?: 'module' | 'dpkg' | 'rpm'
}

/**
 * The module the config loads: the first `LoadModule wsgi_module` of the trees (in the order
 * given), with `${VAR}` from Defines and `env`, a relative path from `serverRoot`. Undefined when none.
 */
export function modWsgiOf(trees: readonly Root[], env: Record<string, string>, serverRoot: string): ModWsgiModule | undefined {
  const vars = createVariables(env)
  for (const tree of trees) {
    for (const d of directives(tree)) {
      if (vars.apply(d)) continue
      if (d.name.toLowerCase() !== 'loadmodule' || d.args[0] !== 'wsgi_module' || !d.args[1]) continue
      const module = path.resolve(serverRoot, vars.resolve(d.args[1]))
      return { module, ...moduleVersion(module) }
    }
  }
  return undefined
}

/** The version and Python of a mod_wsgi module on disk (nothing when it cannot be read). */
export function moduleVersion(module: string): Omit<ModWsgiModule, 'module'> {
  let real: string
  let text: string
  try {
    real = realpathSync.native(module)
    text = readFileSync(real).toString('latin1')
  } catch {
    return {}
  }
  const python = /libpython(\d+\.\d+)/.exec(text)?.[1] ?? /-(\d+\.\d+)$/.exec(real)?.[1]
  const withPython = python !== undefined ? { python } : {}
  const inModule = versionInModule(text)
  if (inModule !== undefined) return { version: inModule, source: 'module', ...withPython }
  const packaged = packageVersion(real)
  return packaged ? { ...packaged, ...withPython } : withPython
}

const VERSION = /^\d+\.\d+(?:\.\d+)?$/

/** "mod_wsgi/3.4", or the version string next to the "mod_wsgi/%s" format (4.x). */
function versionInModule(text: string): string | undefined {
  const literal = /mod_wsgi\/(\d+\.\d+(?:\.\d+)?)/.exec(text)
  if (literal) return literal[1]
  const strings = text.split(/[^\x20-\x7e]+/)
  const at = strings.indexOf('mod_wsgi/%s')
  if (at === -1) return undefined
  for (const i of [at - 1, at + 1, at - 2, at + 2]) {
    const s = strings[i]
    if (s !== undefined && VERSION.test(s)) return s
  }
  return undefined
}

/** The version of the package that installed the module: dpkg, then rpm. */
function packageVersion(real: string): { version: string; source: 'dpkg' | 'rpm' } | undefined {
  const run = (cmd: string, args: string[]): string | undefined => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 })
    return r.status === 0 ? r.stdout.trim() : undefined
  }
  const pkg = run('dpkg-query', ['-S', real])?.split(':')[0]
  const deb = pkg ? run('dpkg-query', ['-W', '-f=${Version}', pkg]) : undefined
  const debVersion = deb?.replace(/^\d+:/, '').replace(/[-+~].*$/, '')
  if (debVersion && VERSION.test(debVersion)) return { version: debVersion, source: 'dpkg' }
  const rpm = run('rpm', ['-qf', '--qf', '%{VERSION}', real])
  if (rpm && VERSION.test(rpm)) return { version: rpm, source: 'rpm' }
  return undefined
}

/** The mod_wsgi module a loaded run's server loads (its main config's ServerRoot resolves it). */
export function loadedModWsgi(loaded: { files: readonly Loaded[]; mainConfig?: string; env: Record<string, string>; root?: string }): ModWsgiModule | undefined {
  const trees = loaded.files.filter((l) => l.file.kind === 'apache' && !l.envvars).map((l) => l.file as ApacheFile)
  const main = trees.find((f) => f.path === loaded.mainConfig)
  const serverRoot = main ? mainContext(main.tree, main.absolutePath, loaded.root ?? '/').serverRoot : '/'
  return modWsgiOf([...(main ? [main] : []), ...trees.filter((f) => f !== main)].map((f) => f.tree), loaded.env, serverRoot)
}
