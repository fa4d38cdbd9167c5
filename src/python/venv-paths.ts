// Virtualenv paths: the venv an `activate_this.py` or a `site-packages` directory belongs to,
// compared in one normal form so the same directory written two ways matches; and whether a
// statement's tokens build such a path at run time.
import type { Token } from './types.js'

/** `/srv//kallithea/./venv/` → `/srv/kallithea/venv`: collapse `//` and `/./`, drop a trailing `/`. */
export function normalizeVenv(p: string): string {
  let out = p.replace(/\/{2,}/g, '/')
  while (out.includes('/./')) out = out.replace('/./', '/')
  return out.length > 1 ? out.replace(/\/+$/, '') || '/' : out
}

/** `<venv>/bin/activate_this.py` => `<venv>`; relative paths depend on the cwd, so they do not count. */
export function venvFromActivate(path: string): string | null {
  const m = /^(.*)\/bin\/activate_this\.py$/.exec(normalizeVenv(path))
  if (!m || !path.startsWith('/')) return null
  return m[1] === '' ? '/' : m[1]!
}

/** `<venv>/lib[64]/pythonX.Y/site-packages` => `<venv>`, `X.Y`. */
export function venvFromSitePackages(path: string): { venv: string; pythonVersion: string } | null {
  const m = /^(\/.*)\/lib(?:64)?\/python(\d+(?:\.\d+)*)\/site-packages$/.exec(normalizeVenv(path))
  return m ? { venv: m[1]!, pythonVersion: m[2]! } : null
}

/** The venv a `python-path` entry `<venv>/lib[64]/pythonX.Y/site-packages` belongs to. */
export const venvOfSitePackages = (entry: string): string | null => venvFromSitePackages(entry)?.venv ?? null

export const isActivateFile = (path: string): boolean => /(?:^|\/)activate_this\.py$/.test(path)

/**
 * Does the token slice build an activate_this.py path (used to flag computed paths)? Only the
 * variable name and a string ending in the file name count, so prose in strings does not.
 */
export function mentionsActivate(toks: Token[]): boolean {
  return toks.some(
    (t) =>
      (t.type === 'name' && t.text.includes('activate_this')) ||
      (t.type === 'string' && /activate_this\.py(?:['"]{1,3})?$/.test(t.value ?? t.text)),
  )
}

/** Does the token slice hold a string that looks like a packages directory? */
export function mentionsSitePackages(toks: Token[]): boolean {
  return toks.some((t) => t.type === 'string' && /site-packages|dist-packages|\/lib\/python/.test(t.text))
}
