// Whether Apache would read a backup the live-server run keeps: an Include (or IncludeOptional)
// naming a folder reads every file below it, and each wildcard component matches one name (with
// APR_FNM_PERIOD), after which a matched folder is read whole too. A backup kept below such a
// folder is read as config at the next start: a second copy of every daemon group, which Apache
// refuses ("Name duplicates previous WSGI daemon definition").
import path from 'node:path'
import { fnmatch, hasWildcard } from '../load/glob.js'
import { directives } from '../load/include-graph.js'
import { createVariables, hasVariable } from '../load/variables.js'
import type { FileResult } from '../runner/migrate.js'
import { parse } from '../syntax/parse.js'

/** One Include of the server, absolute, with where it is written. */
export interface IncludePattern {
  pattern: string
  /** `file:line`. */
  at: string
}

/**
 * The Include patterns of the server's config files, absolute (a relative one is below
 * `serverRoot`), with `${VAR}` from Apache's environment; patterns whose variables stay unknown
 * are left out (Defines are not followed here).
 */
export function includePatterns(files: readonly FileResult[], serverRoot: string, env: Readonly<Record<string, string>>): IncludePattern[] {
  const vars = createVariables(env)
  const out: IncludePattern[] = []
  for (const f of files) {
    if (f.kind !== 'apache' || f.absolutePath === undefined) continue
    for (const node of directives(parse(f.after))) {
      const name = node.name.toLowerCase()
      if ((name !== 'include' && name !== 'includeoptional') || node.args[0] === undefined) continue
      const pattern = vars.resolve(node.args[0])
      if (hasVariable(pattern)) continue
      out.push({ pattern: path.resolve(serverRoot, pattern), at: `${f.absolutePath}:${node.position?.start.line ?? 0}` })
    }
  }
  return out
}

/** The Include that would read `file` (absolute), if any. */
export function includeReading(patterns: readonly IncludePattern[], file: string): IncludePattern | undefined {
  const names = file.split('/').filter((n) => n !== '')
  return patterns.find(({ pattern }) => {
    const parts = pattern.split('/').filter((n) => n !== '')
    // The file itself, or a folder above it (read whole).
    return names.length >= parts.length && parts.every((p, i) => matches(p, names[i]!))
  })
}

const matches = (part: string, name: string): boolean => (hasWildcard(part) ? fnmatch(part, name, { period: true }) : part === name)
