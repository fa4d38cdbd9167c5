// --exclude GLOB: files and folders a scan leaves out, as .gitignore patterns name them.
import { fnmatch } from './glob.js'
import { isInside, relativeTo } from './paths.js'
import type { Excluder } from './discover.js'

/**
 * The excluder for `patterns`: a pattern without `/` matches the name of the file or of any
 * folder above it (`*.j2`, `old`); one with `/` matches the path from `base` (`roles/*\/files`),
 * a folder meaning everything below it. Paths outside `base` match by their own name only.
 */
export function excluder(patterns: readonly string[], base: string): Excluder {
  if (patterns.length === 0) return () => undefined
  const byName = patterns.filter((p) => !p.replace(/\/+$/, '').includes('/'))
  const byPath = patterns.filter((p) => !byName.includes(p))
  return (path) => {
    const rel = isInside(base, path) ? relativeTo(base, path) : undefined
    const names = rel !== undefined ? rel.split('/') : [path.slice(path.lastIndexOf('/') + 1)]
    const named = byName.find((p) => names.some((n) => fnmatch(p.replace(/\/+$/, ''), n)))
    if (named !== undefined || rel === undefined) return named
    return byPath.find((p) => fnmatch(p.replace(/^(?:\.\/|\/)+/, '').replace(/\/+$/, ''), rel, { pathname: true, leadingDir: true }))
  }
}
