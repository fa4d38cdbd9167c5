// What wsgi-migrate itself leaves beside the configs: temporary files while it writes, and the
// backups it makes. Neither is ever read as configuration nor overwritten.
//
// Temporary files are known by their name, `.<name>.wsgi-migrate-<pid>-<12 hex>.tmp`: hidden, so
// directory scans pass them by, and carrying the id of the process that made them, so that a
// leftover of a killed run (its process is gone) is told from the files of a run in progress.
//
// Backups cannot be known by name: their suffix is the user's (`.orig`, `-orig`, `_bak`, even
// `.conf`). So each backup made is recorded in its folder's `.wsgi-migrate-backups`, a line per
// backup with its name and the SHA-256 of its bytes; a file is a backup of ours while it holds the
// bytes recorded for its name (a file the user later put there under that name is theirs). The
// record is comment lines only: Apache reading it through a directory Include sees nothing.
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, constants, fsyncSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** The file in each folder that lists the backups made there. */
export const BACKUP_RECORD = '.wsgi-migrate-backups'

const TEMPORARY = /^\.(.*)\.wsgi-migrate-(\d+)-[0-9a-f]{12}\.tmp$/s
const RECORD_LINE = /^# sha256:([0-9a-f]{64}) (".*")$/

/** A new temporary file name for `file` (in the same folder), owned by this process. */
export function temporaryName(file: string): string {
  const name = basename(file).slice(0, 100) // room for the rest within NAME_MAX
  return join(dirname(file), `.${name}.wsgi-migrate-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
}

/** The process that made a temporary file of ours, or null when `file` is not one. */
export function temporaryOwner(file: string): number | null {
  const match = TEMPORARY.exec(basename(file))
  return match ? Number(match[2]) : null
}

/** Whether the process that made a temporary file is gone (a killed run left the file). */
export function isStaleTemporary(file: string): boolean {
  const pid = temporaryOwner(file)
  if (pid === null || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Why a temporary file of a killed run is not read (the "not read" note). */
export const STALE_TEMPORARY =
  'temporary file left by an interrupted wsgi-migrate run; not read (a run that writes in this folder removes it, or delete it)'

export type Artifact =
  | { kind: 'temporary'; stale: boolean; reason: string }
  | { kind: 'backup' | 'record'; reason: string }

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** The record of a folder: backup name → SHA-256. Missing or unreadable: empty. */
function readRecord(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = RECORD_LINE.exec(line)
    if (!match) continue
    try {
      out.set(JSON.parse(match[2]!) as string, match[1]!)
    } catch {
      // not a line of ours
    }
  }
  return out
}

/** The names the record of `dir` lists as backups, whatever those files hold now. */
export function recordedBackups(dir: string): string[] {
  return [...readRecord(readOrNull(join(dir, BACKUP_RECORD))?.toString('utf8') ?? '').keys()]
}

/**
 * A predicate for one run: whether `file` (an absolute path) is a temporary file, a backup or a
 * backup record of this tool, with a reason fit for a "not read" note; null for any other file.
 * Each folder's record is read once per predicate.
 */
export function artifactFilter(): (file: string) => Artifact | null {
  const records = new Map<string, Map<string, string>>()
  const recordOf = (dir: string): Map<string, string> => {
    let record = records.get(dir)
    if (record === undefined) {
      records.set(dir, (record = readRecord(readOrNull(join(dir, BACKUP_RECORD))?.toString('utf8') ?? '')))
    }
    return record
  }
  return (file) => {
    const name = basename(file)
    if (name === BACKUP_RECORD) return { kind: 'record', reason: 'the list of backups wsgi-migrate made here; not read' }
    if (temporaryOwner(file) !== null) {
      const stale = isStaleTemporary(file)
      const reason = stale ? STALE_TEMPORARY : 'temporary file of a wsgi-migrate run in progress; not read'
      return { kind: 'temporary', stale, reason }
    }
    const hash = recordOf(dirname(file)).get(name)
    if (hash === undefined) return null
    const bytes = readOrNull(file)
    if (bytes === null || sha256(bytes) !== hash) return null
    return { kind: 'backup', reason: `backup made by wsgi-migrate (listed in ${BACKUP_RECORD}); not read (rename it, or delete its line there, to read it)` }
  }
}

/** Removes the stale temporary files of ours in `dir` (left by killed runs); the paths removed. */
export function removeStaleTemporaries(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const file = join(dir, name)
    if (!isStaleTemporary(file)) continue
    try {
      unlinkSync(file)
      removed.push(file)
    } catch {
      // gone already, or not ours to remove: the loader still never reads it
    }
  }
  return removed
}

const HEADER =
  '# Backups made by wsgi-migrate in this folder: it never reads them as configuration and never\n' +
  '# overwrites them. Delete a line to have that file treated as an ordinary file again.\n' +
  '# (Comment lines only: Apache reading this file sees an empty configuration.)\n'

/**
 * Adds backups (paths in `dir`, with their bytes) to the folder's record, replacing the record
 * atomically. Entries whose file is gone or holds other bytes are dropped. Resolves with a
 * function that puts the record back as it was (for a run that gives up).
 */
export function recordBackups(dir: string, backups: ReadonlyArray<{ path: string; bytes: Buffer }>): () => void {
  const recordPath = join(dir, BACKUP_RECORD)
  const before = readOrNull(recordPath)
  const entries = readRecord(before?.toString('utf8') ?? '')
  for (const [name, hash] of entries) {
    const bytes = readOrNull(join(dir, name))
    if (bytes === null || sha256(bytes) !== hash) entries.delete(name)
  }
  for (const backup of backups) entries.set(basename(backup.path), sha256(backup.bytes))
  const lines = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, hash]) => `# sha256:${hash} ${JSON.stringify(name)}\n`)
  replaceSmallFile(recordPath, Buffer.from(HEADER + lines.join(''), 'utf8'))
  return () => {
    try {
      if (before === null) unlinkSync(recordPath)
      else replaceSmallFile(recordPath, before)
    } catch {
      // best effort: a record naming files that are gone (or hold other bytes) names nothing
    }
  }
}

/** Temporary file, fsync, rename: the record is whole or absent, never half written. */
function replaceSmallFile(path: string, content: Buffer): void {
  const temp = temporaryName(path)
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)
  try {
    try {
      writeFileSync(fd, content)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (error) {
    try {
      unlinkSync(temp)
    } catch {
      // not made, or gone
    }
    throw error
  }
}

/** A file's bytes (not through a symlink), or null when there is none to read. */
function readOrNull(path: string): Buffer | null {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch {
    return null
  }
  try {
    return readFileSync(fd)
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}
