// The CLI's outputs: `--patch FILE`, `--summary FILE` and stdout. They are written before any
// config file is replaced, so that one that cannot be written (a full disk, a closed pipe) stops
// the run with nothing changed; and none may name a file of the run.
import { fstatSync, lstatSync, readdirSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs'
import path from 'node:path'
import { isInside, realOrNull, relativeTo } from '../load/paths.js'
import { artifactFilter, BACKUP_RECORD, recordedBackups, temporaryOwner } from '../runner/artifacts.js'
import type { MigrateResult } from '../runner/migrate.js'
import { includeReading } from './backup-place.js'
import { errorMessage } from '../util/error-message.js'

/** An output that could not be written; the message is one line. */
export class OutputError extends Error {
  override readonly name = 'OutputError'
}

export interface Outputs {
  patch?: { file: string; content: Buffer }
  summary?: { file: string; content: string }
  stdout?: string | Buffer
}

const statOrNull = (p: string): Stats | null => {
  try {
    return statSync(p)
  } catch {
    return null
  }
}

const sameFile = (a: Stats | null, b: Stats | null): boolean => a !== null && b !== null && a.dev === b.dev && a.ino === b.ino

/**
 * What of the run an output would overwrite, as a phrase (`x.conf, a file of this run`): a file
 * read, the backup a write would make, or a file this tool made (an earlier backup, a backup
 * record, a temporary file); null when there is none. `target` is the output's absolute path,
 * or the stats of an already open output (stdout redirected to a file).
 */
export function clashWithRun(target: string | Stats, result: MigrateResult, backupSuffix: string | undefined): string | null {
  const stats = typeof target === 'string' ? statOrNull(target) : target
  // Before the files read: a backup the shell emptied is no longer known by its bytes, and read.
  const ours = typeof target === 'string' ? null : stdoutArtifact(target, result)
  if (ours !== null) return ours
  const real = typeof target === 'string' ? (realOrNull(target) ?? path.join(realOrNull(path.dirname(target)) ?? path.dirname(target), path.basename(target))) : null
  // A file that does not exist yet can only be named by its path; one that does, by its inode too.
  const hits = (candidate: string): boolean => real === candidate || (stats !== null && sameFile(stats, statOrNull(candidate)))
  for (const file of result.files) {
    if (file.absolutePath === undefined) continue
    if (hits(file.absolutePath)) return `${file.path}, a file of this run`
    if (backupSuffix !== undefined && file.status === 'changed' && hits(file.absolutePath + backupSuffix)) {
      return `${file.path}${backupSuffix}, the backup of ${file.path}, a file of this run`
    }
  }
  // Earlier backups hold the only originals; the record says which files those are.
  if (real !== null) {
    const artifact = artifactFilter()(real)
    if (artifact !== null) return `${shownPath(result, real)}, ${ARTIFACT[artifact.kind]}`
  }
  return null
}

const shownPath = (result: MigrateResult, abs: string): string => (isInside(result.base, abs) ? relativeTo(result.base, abs) : abs)

/**
 * The file of ours that stdout is redirected onto, found by its inode in the folders of the run
 * (an open file has no name to check). The shell opened it before the run began: `> x.conf-orig`
 * has emptied that backup already, so its bytes no longer match its record; it is still ours.
 */
function stdoutArtifact(stats: Stats, result: MigrateResult): string | null {
  const dirs = new Set(result.files.flatMap((f) => (f.absolutePath === undefined ? [] : [path.dirname(f.absolutePath)])))
  for (const dir of dirs) {
    const backups = recordedBackups(dir)
    const names = [BACKUP_RECORD, ...backups, ...listOrEmpty(dir).filter((n) => temporaryOwner(n) !== null)]
    const name = names.find((n) => sameFile(stats, lstatOrNull(path.join(dir, n))))
    if (name === undefined) continue
    const file = path.join(dir, name)
    const intact = artifactFilter()(file)
    // A listed name holding other bytes is a file the user put there: theirs, unless it is empty.
    if (intact === null && stats.size > 0) continue
    return `${shownPath(result, file)}, ${ARTIFACT[intact?.kind ?? 'backup']}`
  }
  return null
}

function listOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

const lstatOrNull = (p: string): Stats | null => {
  try {
    return lstatSync(p)
  } catch {
    return null
  }
}

const ARTIFACT = {
  backup: 'a backup wsgi-migrate made (listed in .wsgi-migrate-backups)',
  record: 'the list of backups wsgi-migrate made in that folder',
  temporary: 'a temporary file of wsgi-migrate',
} as const

/**
 * `--backup=SUFFIX`: why a backup it would make is read by Apache (an Include of the run matches
 * it: `--backup=.conf` beside a file of `sites-enabled/*.conf`), or null when none is.
 */
export function backupReadByApache(result: MigrateResult, suffix: string): string | null {
  for (const file of result.files) {
    if (file.status !== 'changed' || file.absolutePath === undefined) continue
    const backup = file.absolutePath + suffix
    const include = includeReading(result.includes ?? [], backup)
    if (include === undefined) continue
    const where = `${include.file}${include.line !== undefined ? `:${include.line}` : ''}`
    return (
      `--backup=${suffix}: the backup ${file.path}${suffix} would be read by Apache as config (${include.directive} at ${where}), ` +
      'next to the file it backs up; choose a suffix that Include does not match, such as .orig (nothing was written)'
    )
  }
  return null
}

/** stdout's stats when it is a regular file (a redirection), else null. */
export function stdoutFile(fd = 1): Stats | null {
  try {
    const stats = fstatSync(fd)
    return stats.isFile() ? stats : null
  } catch {
    return null
  }
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'EPIPE') return 'the reading end of the pipe is closed (EPIPE)'
  if (code === 'ENOSPC') return 'no space left on device (ENOSPC)'
  return errorMessage(error)
}

/** Writes the outputs: the files first, then stdout. Throws an OutputError for the first that fails. */
export function writeOutputs(outputs: Outputs, cwd: string, stdout: (data: string | Buffer) => void): void {
  const toFile = (option: string, file: string, content: string | Buffer) => {
    try {
      writeFileSync(path.resolve(cwd, file), content)
    } catch (error) {
      throw new OutputError(`${option} ${file}: cannot write: ${why(error)}`)
    }
  }
  if (outputs.patch) toFile('--patch', outputs.patch.file, outputs.patch.content)
  if (outputs.summary) toFile('--summary', outputs.summary.file, outputs.summary.content)
  if (outputs.stdout === undefined || outputs.stdout.length === 0) return
  try {
    stdout(outputs.stdout)
  } catch (error) {
    throw new OutputError(`stdout: cannot write: ${why(error)}`)
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4))

/** Writes all of `data` to `fd`, synchronously (a non-blocking pipe that is full is waited on). */
export function writeAllSync(fd: number, data: string | Buffer): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
      Atomics.wait(pause, 0, 0, 5)
    }
  }
}
