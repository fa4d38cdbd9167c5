// The virtualenvs Kallithea runs from, as the config and its dispatch scripts name them: the
// python-home and python-path of the daemon groups that serve Kallithea, the global WSGIPythonHome
// (for such a group without python-home, and for Kallithea run embedded) and WSGIPythonPath (for
// Kallithea run embedded: mod_wsgi applies it to embedded mode only), and the activate_this /
// site.addsitedir of its dispatch scripts. The run reads these venvs to learn the installed
// Kallithea (src/load/installed-version.ts).
import { analyzeDispatchScript, normalizeVenv, venvFromSitePackages } from '../python/index.js'
import type { SourceFile } from '../runner/transform.js'
import { where } from './describe.js'
import { isKallitheaAlias, kallitheaScripts, servesKallithea } from './kallithea.js'
import type { Setting, WsgiModel } from './model.js'

export type VenvVia = 'python-home' | 'python-path' | 'WSGIPythonHome' | 'WSGIPythonPath' | 'activate_this' | 'addsitedir'

/** One place that names a venv. */
export interface VenvRef {
  /** Absolute, normalized. */
  venv: string
  via: VenvVia
  /** `file:line` of the directive or script statement. */
  at: string
}

/** Every venv Kallithea's daemons and scripts name, in the order of the config; one entry per place. */
export function kallitheaVenvs(model: WsgiModel, files: readonly SourceFile[]): VenvRef[] {
  const refs: VenvRef[] = []
  const taken = new Set<string>()
  const add = (venv: string | null | undefined, via: VenvVia, at: string): void => {
    if (!venv || !venv.startsWith('/') || venv.includes('${')) return
    const n = normalizeVenv(venv)
    // One place per file and way: activate_this's assignment and its execfile are one activation.
    const file = at.replace(/:\d+$/, '')
    const key = JSON.stringify([n, via, file])
    if (taken.has(key)) return
    taken.add(key)
    refs.push({ venv: n, via, at })
  }
  // Server config only, the last one wins (Apache keeps one value).
  const home = globalSetting(model.pythonHomes)
  const path = globalSetting(model.pythonPaths)
  const seen = new Set<unknown>()
  for (const d of model.daemons) {
    if (seen.has(d.node) || !servesKallithea(d, model, files)) continue
    seen.add(d.node)
    for (const o of d.options) {
      if (o.key === 'python-home') add(o.value, 'python-home', where(d))
      if (o.key === 'python-path') for (const entry of o.value.split(':')) add(venvFromSitePackages(entry)?.venv, 'python-path', where(d))
    }
    // A daemon group without python-home= starts from the global Python home.
    if (home && !d.options.some((o) => o.key === 'python-home')) add(home.value, 'WSGIPythonHome', where(home))
  }
  if (model.scriptAliases.some((a) => a.group.mode === 'embedded' && isKallitheaAlias(a, files))) {
    if (home) add(home.value, 'WSGIPythonHome', where(home))
    for (const entry of path?.value.split(':') ?? []) add(venvFromSitePackages(entry)?.venv, 'WSGIPythonPath', where(path!))
  }
  for (const file of kallitheaScripts(model, files).keys()) {
    const a = analyzeDispatchScript(file.text)
    for (const x of [...a.activateAssignments, ...a.activateExecs]) add(x.venv, 'activate_this', `${file.path}:${x.startLine}`)
    for (const x of a.siteDirs) add(x.venv, 'addsitedir', `${file.path}:${x.startLine}`)
  }
  return refs
}

/** The effective server-wide setting: the last one outside any virtual host. */
function globalSetting(list: readonly Setting[]): Setting | undefined {
  return list.filter((s) => s.scope.kind !== 'vhost' && s.value !== '').at(-1)
}
