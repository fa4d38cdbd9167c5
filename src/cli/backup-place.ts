// Whether Apache would read a backup the live-server run keeps: an Include (or IncludeOptional)
// naming a folder reads every file below it, and each wildcard component matches one name (with
// APR_FNM_PERIOD), after which a matched folder is read whole too. A backup kept below such a
// folder is read as config at the next start: a second copy of every daemon group, which Apache
// refuses ("Name duplicates previous WSGI daemon definition"). The Includes are the run's own, as
// the load step resolved them (Defines, Apache's environment, ServerRoot); no step edits them.
import path from 'node:path'
import { includeReads, type DiskInclude } from '../load/include-pattern.js'
import { realOrNull } from '../load/paths.js'

/** The Include of the run that would read `file` (absolute, perhaps not there yet), if any. */
export function includeReading(includes: readonly DiskInclude[], file: string): DiskInclude | undefined {
  const real = realSoFar(file)
  return includes.find((i) => includeReads(i, real))
}

/** `file` with the part of it that exists made real (the patterns are real paths). */
function realSoFar(file: string): string {
  const rest: string[] = []
  for (let dir = file; ; dir = path.dirname(dir)) {
    const real = realOrNull(dir)
    if (real !== null) return path.join(real, ...rest)
    if (path.dirname(dir) === dir) return file
    rest.unshift(path.basename(dir))
  }
}
