// Versions of Kallithea forms and of mod_wsgi, with semver's own function modules (the whole
// package is not loaded: the CLI bundles only these; bench/cli.js shows the start-up cost).
import coerce from 'semver/functions/coerce.js'
import compare from 'semver/functions/compare.js'
import satisfiesRange from 'semver/functions/satisfies.js'
import validRange from 'semver/ranges/valid.js'
import type { SemVer } from 'semver'

export type { SemVer }

/** The version a text names (`v4.9` is 4.9.0, `mod_wsgi 3.3` is 3.3.0), or null. */
export function versionOf(text: string): SemVer | null {
  return coerce(text)
}

/** semver order of two versions (texts are coerced first). */
export function compareVersions(a: SemVer | string, b: SemVer | string): number {
  return compare(typeof a === 'string' ? (coerce(a) ?? a) : a, typeof b === 'string' ? (coerce(b) ?? b) : b)
}

/** Whether `range` is a semver range. */
export function isRange(range: string): boolean {
  return validRange(range) !== null
}

/** Whether a version (a text is coerced) is in `range`; false for a text that names no version. */
export function satisfies(version: SemVer | string, range: string): boolean {
  const v = typeof version === 'string' ? coerce(version) : version
  return v !== null && satisfiesRange(v, range)
}

/**
 * Whether the mod_wsgi the user runs is at least `min`; true when the run does not know it (the
 * transforms then assume a current mod_wsgi and say which version a change needs).
 */
export function modWsgiAtLeast(modWsgiVersion: string | undefined, min: string): boolean {
  if (modWsgiVersion === undefined) return true
  const v = coerce(modWsgiVersion)
  return v === null || compare(v, min) >= 0
}
