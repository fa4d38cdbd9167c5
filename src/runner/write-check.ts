// The checks before a write (see write.ts): each file inside the root, unchanged, a regular file
// with one link, writable, its owner keepable, its backup name free; and the error they throw.
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs'
import { dirname } from 'node:path'
import { isInside, realOrNull } from '../load/paths.js'
export { realOrNull }
import { artifactFilter } from './artifacts.js'
import type { FileWrite } from './write.js'

export type WriteErrorCode =
  /** The file no longer has the content it had when it was read, or moved meanwhile. */
  | 'ECHANGED'
  /** The file no longer exists. */
  | 'ENOENT'
  /** Not a regular file (directory, FIFO, device...). */
  | 'ENOTFILE'
  /** The same file is listed twice (possibly through symlinks). */
  | 'EDUPLICATE'
  /** The file has other hard links, which a replacement would detach. */
  | 'EHARDLINK'
  /** The file (no write bit in its mode), its directory, or the file system is read-only. */
  | 'EREADONLY'
  /** No permission to replace the file or to create files in its directory. */
  | 'EACCES'
  /** The original owner or group could not be kept. */
  | 'EOWNER'
  /** The backup file name is taken by something else. */
  | 'EBACKUP'
  /** The file's real path (or its folder's) is outside the root. */
  | 'EOUTSIDE'
  /** The file is a backup or temporary file wsgi-migrate made: never overwritten. */
  | 'EARTIFACT'
  /** A signal (SIGINT, SIGTERM, SIGHUP) stopped the write; see `signal`. */
  | 'EINTR'
  /** The caller's AbortSignal stopped the write (its reason is in the message). */
  | 'EABORT'
  /** Invalid arguments. */
  | 'EINVAL'
  /** A file system operation failed while writing (see `cause`). */
  | 'EWRITE'

export class WriteError extends Error {
  override readonly name = 'WriteError'
  /** Files replaced before the failure and still replaced (empty when nothing was changed). */
  readonly written: string[]
  /** The message without the path in front. */
  readonly detail: string
  /** With `EINTR`: the signal that stopped the write. */
  readonly signal: NodeJS.Signals | undefined

  constructor(
    readonly path: string,
    readonly code: WriteErrorCode,
    detail: string,
    options: { cause?: unknown; written?: string[]; signal?: NodeJS.Signals } = {},
  ) {
    super(`${path}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.detail = detail
    this.written = options.written ?? []
    this.signal = options.signal
  }
}

export interface Plan {
  write: FileWrite
  real: string
  dir: string
  stats: Stats
  backupPath: string | null
  temp?: string
  /** A hard link to the original, made right before the rename: what a roll-back puts back. */
  keep?: string
}

const octal = (mode: number) => '0' + (mode & 0o7777).toString(8).padStart(3, '0')
export const NOFOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code
}


export function systemError(path: string, action: string, error: unknown, written: string[] = []): WriteError {
  const code = errno(error)
  const kind: WriteErrorCode =
    code === 'EACCES' || code === 'EPERM' ? 'EACCES' : code === 'EROFS' ? 'EREADONLY' : 'EWRITE'
  const detail = error instanceof Error ? error.message : String(error)
  return new WriteError(path, kind, `${action}: ${detail}`, { cause: error, written })
}


export function checkAll(writes: readonly FileWrite[], suffix: string | null, root: string | null): Plan[] {
  const plans: Plan[] = []
  const byReal = new Map<string, string>()
  const artifact = artifactFilter()
  for (const write of writes) {
    if (write.content.equals(write.expected)) continue
    const plan = check(write, suffix, root)
    const other = byReal.get(plan.real)
    if (other !== undefined) throw new WriteError(write.path, 'EDUPLICATE', `same file as ${other}`)
    const made = artifact(plan.real)
    if (made !== null && made.kind !== 'record') {
      throw new WriteError(write.path, 'EARTIFACT', `is a ${made.kind === 'backup' ? 'backup' : 'temporary file'} made by wsgi-migrate; never overwritten`)
    }
    byReal.set(plan.real, write.path)
    plans.push(plan)
  }
  for (const plan of plans) {
    if (plan.backupPath !== null && byReal.has(plan.backupPath)) {
      throw new WriteError(plan.write.path, 'EBACKUP', `backup ${plan.backupPath} would be a file of this run; choose another suffix`)
    }
  }
  return plans
}

function check(write: FileWrite, suffix: string | null, root: string | null): Plan {
  const { path } = write
  let real: string
  try {
    real = realpathSync.native(path)
  } catch (error) {
    if (errno(error) === 'ENOENT') throw new WriteError(path, 'ENOENT', 'no longer exists; re-run')
    throw systemError(path, 'cannot resolve the path', error)
  }
  if (root !== null && !isInside(root, real)) {
    throw new WriteError(path, 'EOUTSIDE', `leads outside the root ${root} (-> ${real}); not written`)
  }
  const fd = openNoFollow(path, real)
  let stats: Stats
  try {
    stats = singleFile(path, fd)
    if (!readFileSync(fd).equals(write.expected)) throw new WriteError(path, 'ECHANGED', 'changed on disk since it was read; re-run')
  } finally {
    closeSync(fd)
  }
  if ((stats.mode & 0o222) === 0) {
    throw new WriteError(path, 'EREADONLY', `file is read-only (mode ${octal(stats.mode)}); not replacing it`)
  }
  try {
    accessSync(real, constants.W_OK)
  } catch (error) {
    throw systemError(path, 'file is not writable', error)
  }
  const dir = dirname(real)
  checkDirectory(path, dir)
  checkOwner(path, stats)
  return { write, real, dir, stats, backupPath: suffix === null ? null : checkBackup(write, real + suffix) }
}

/** Opens `real` for reading without following a symlink in its last component (nor blocking on a FIFO). */
export function openNoFollow(path: string, real: string): number {
  try {
    return openSync(real, NOFOLLOW_READ)
  } catch (error) {
    if (errno(error) === 'ELOOP') throw new WriteError(path, 'ECHANGED', 'replaced by a symlink since it was read; re-run')
    if (errno(error) === 'ENOENT') throw new WriteError(path, 'ENOENT', 'no longer exists; re-run')
    throw systemError(path, 'cannot read the file', error)
  }
}

/** The stats of an open regular file with a single link. */
function singleFile(path: string, fd: number): Stats {
  const stats = fstatSync(fd)
  if (!stats.isFile()) throw new WriteError(path, 'ENOTFILE', 'not a regular file')
  if (stats.nlink > 1) throw new WriteError(path, 'EHARDLINK', `has ${stats.nlink} hard links; replacing it would detach the others`)
  return stats
}

function checkDirectory(path: string, dir: string): void {
  const dirStats = statSync(dir)
  if ((dirStats.mode & 0o222) === 0) {
    throw new WriteError(path, 'EREADONLY', `directory ${dir} is read-only (mode ${octal(dirStats.mode)}); cannot create the new file next to it`)
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw systemError(path, `cannot create files in ${dir}`, error)
  }
}

function checkOwner(path: string, stats: Stats): void {
  const uid = process.getuid?.()
  if (uid === undefined || uid === 0) return
  const groups = process.getgroups?.() ?? []
  if (stats.uid !== uid) {
    throw new WriteError(path, 'EOWNER', `owned by uid ${stats.uid}; replacing it as uid ${uid} would change its owner`)
  }
  if (stats.gid !== process.getgid?.() && !groups.includes(stats.gid)) {
    throw new WriteError(path, 'EOWNER', `group ${stats.gid} could not be kept (not a member)`)
  }
}

function checkBackup(write: FileWrite, backupPath: string): string {
  let existing: Stats | null
  try {
    existing = lstatSync(backupPath)
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw systemError(write.path, `cannot stat backup ${backupPath}`, error)
    existing = null
  }
  if (existing !== null && !(existing.isFile() && sameFileContent(backupPath, write.expected))) {
    throw new WriteError(write.path, 'EBACKUP', `backup ${backupPath} already exists with other content; move it away or choose another suffix`)
  }
  return backupPath
}

export function sameFileContent(path: string, content: Buffer): boolean {
  try {
    const fd = openSync(path, NOFOLLOW_READ)
    try {
      return readFileSync(fd).equals(content)
    } finally {
      closeSync(fd)
    }
  } catch {
    return false
  }
}
