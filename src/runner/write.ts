// Replacing files safely: all or nothing, as far as a file system allows, and never outside the root.
//
// 1. Check every file first: inside the root by its real path, still exactly what was read
//    (`expected`), a regular file with a single link, not a backup or temporary file of ours,
//    writable (by its mode bits, so that running as root does not overwrite a file someone made
//    read-only), in a writable directory, owner and group keepable, backup name free. Any
//    problem: nothing is written at all.
// 2. Prepare every file: the new content in a temporary file next to it (see artifacts.ts for
//    the name), opened without following symlinks, with the original owner, group and mode,
//    fsynced; the backup (`<file><suffix>`), if asked for, created the same way without
//    replacing anything, and recorded as ours. Any failure: what was made is removed, nothing
//    was changed. (Stale temporary files of killed runs in those folders are removed before
//    step 1: one may be a second link to a file of the run.)
// 3. `beforeCommit` (the caller's last word: reports are written there), then for each file in
//    turn: check again that it is where it was (same real path, same folder, inside the root)
//    and still holds what was read, keep a hard link to it, rename the temporary file over it,
//    check the place once more. If anything fails, or SIGINT/SIGTERM/SIGHUP arrives, the files
//    already replaced get their kept originals back (the same inodes: mode, owner, ACLs intact).
//
// Symlinks are written through: the file they point to is replaced, the link stays. Not kept:
// ACLs, extended attributes (SELinux labels: run `restorecon` on such systems), hard links
// (refused), and the inode number.
import { chmodSync, closeSync, constants, fchownSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isInside } from '../load/paths.js'
import { recordBackups, removeStaleTemporaries, temporaryName } from './artifacts.js'
import {
  WriteError,
  checkAll,
  errno,
  openNoFollow,
  realOrNull,
  sameFileContent,
  systemError,
  type Plan,
} from './write-check.js'

export { WriteError, type WriteErrorCode } from './write-check.js'

export interface FileWrite {
  /** The file to replace. A symlink is followed: its target is replaced. */
  path: string
  /** The new content. */
  content: Buffer
  /** The content read earlier, which the file must still have. */
  expected: Buffer
}

export interface WriteOptions {
  /** Keep a copy of each original as `<file><backupSuffix>`. Implied by `backupSuffix`. */
  backup?: boolean
  /** Backup suffix; default `.orig`. */
  backupSuffix?: string
  /** Nothing whose real path (or whose folder's) leaves this directory is written; checked again right before each rename. */
  root?: string
  /**
   * Called once every file is checked and prepared, before the first is replaced, with what
   * will be written (as given) and the backups (paths next to the real files). If it throws,
   * nothing is written and the error is passed on as it is.
   */
  beforeCommit?: (planned: { written: string[]; backups: string[] }) => void | Promise<void>
  /**
   * Catch SIGINT, SIGTERM and SIGHUP while writing (default true): stop, put back what was
   * replaced, remove the temporary files, and reject with an `EINTR` error naming the signal.
   * The caller decides what to do next (the CLI ends by the same signal).
   */
  signals?: boolean
  /**
   * Stops the write as a signal does (all put back, temporary files removed), rejecting with an
   * `EABORT` error that gives the reason (a string, or an Error's message). Checked between files.
   */
  abort?: AbortSignal
  /** @internal Test hooks, to simulate races and failures. */
  hooks?: {
    beforeRename?: (path: string) => void | Promise<void>
    /** Right after the original is kept as a second link, before the rename. */
    afterLink?: (path: string) => void
  }
}

export interface WriteResult {
  /** Files replaced, as given, in the order given. */
  written: string[]
  /** Files whose new content equals the expected one: not touched. */
  unchanged: string[]
  /** Backup files created (paths next to the real files). */
  backups: string[]
  /** Temporary files left by killed runs in the folders written to, removed. */
  leftovers: string[]
}

/** One call's state: what it made, what to undo. */
interface Batch {
  plans: Plan[]
  root: string | null
  /** Files of ours to remove on the way out. */
  temps: Set<string>
  /** Backups created by this call. */
  backups: string[]
  /** Puts each folder's backup record back as it was. */
  undo: Array<() => void>
  done: Plan[]
  interrupted: () => NodeJS.Signals | null
  abort: AbortSignal | undefined
  hooks: NonNullable<WriteOptions['hooks']>
}

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
/** One turn of the event loop, so that a signal's listener runs. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Replaces several files, all or nothing: see the comment at the top of this module. Resolves
 * with what was done; rejects with a `WriteError` naming the file at fault.
 *
 * The file system is used synchronously (thousands of small files go much faster without a
 * thread-pool round trip each), with a turn of the event loop between files for signals.
 */
export async function writeFilesAtomically(writes: readonly FileWrite[], options: WriteOptions = {}): Promise<WriteResult> {
  const suffix = options.backupSuffix ?? '.orig'
  const wantBackup = options.backup === true || options.backupSuffix !== undefined
  if (wantBackup && (suffix === '' || suffix.includes('/') || suffix.includes('\0'))) {
    throw new WriteError(suffix, 'EINVAL', 'invalid backup suffix')
  }
  const root = options.root === undefined ? null : realOrNull(options.root)
  if (root === null && options.root !== undefined) throw new WriteError(options.root, 'EINVAL', 'the root cannot be resolved')
  const unchanged = writes.filter((w) => w.content.equals(w.expected)).map((w) => w.path)
  // Leftovers of a killed run go first: one may be a second link to a file to write (the original
  // kept for a roll-back), which the checks would take for a hard link of the user's.
  const leftovers = removeLeftovers(writes)
  const plans = checkAll(writes, wantBackup ? suffix : null, root)
  if (plans.length === 0) return { written: [], unchanged, backups: [], leftovers }

  let caught: NodeJS.Signals | null = null
  const onSignal = (signal: NodeJS.Signals) => {
    caught ??= signal
  }
  if (options.signals !== false) for (const signal of SIGNALS) process.on(signal, onSignal)
  const batch: Batch = { plans, root, temps: new Set(), backups: [], undo: [], done: [], interrupted: () => caught, abort: options.abort, hooks: options.hooks ?? {} }
  try {
    try {
      await prepare(batch)
      await options.beforeCommit?.({ written: plans.map((plan) => plan.write.path), backups: [...batch.backups] })
    } catch (error) {
      cleanUp(batch, new Set())
      throw error
    }
    await commit(batch)
    return { written: plans.map((plan) => plan.write.path), unchanged, backups: batch.backups, leftovers }
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal)
  }
}

/** Removes the stale temporary files of ours in the folders of the files to write; the paths removed. */
function removeLeftovers(writes: readonly FileWrite[]): string[] {
  const dirs = new Set<string>()
  for (const write of writes) {
    const real = write.content.equals(write.expected) ? null : realOrNull(write.path)
    if (real !== null) dirs.add(dirname(real))
  }
  return [...dirs].flatMap((dir) => removeStaleTemporaries(dir))
}

function stopIfInterrupted(batch: Batch, path: string): void {
  const signal = batch.interrupted()
  if (signal !== null) throw new WriteError(path, 'EINTR', `interrupted by ${signal}`, { signal })
  if (batch.abort?.aborted) throw new WriteError(path, 'EABORT', `stopped: ${reasonOf(batch.abort.reason)}`)
}

const reasonOf = (reason: unknown): string => (reason instanceof Error ? reason.message : String(reason))

/** Step 2: temporary files with the new contents, backups, the backup records. */
async function prepare(batch: Batch): Promise<void> {
  const recorded = new Map<string, Array<{ path: string; bytes: Buffer }>>()
  for (const plan of batch.plans) {
    await turn()
    stopIfInterrupted(batch, plan.write.path)
    plan.temp = writeTemp(plan, plan.write.content, batch.temps)
    if (plan.backupPath === null) continue
    if (!sameFileContent(plan.backupPath, plan.write.expected)) makeBackup(batch, plan, plan.backupPath)
    const list = recorded.get(plan.dir) ?? []
    list.push({ path: plan.backupPath, bytes: plan.write.expected })
    recorded.set(plan.dir, list)
  }
  for (const [dir, backups] of recorded) {
    try {
      batch.undo.push(recordBackups(dir, backups))
    } catch (error) {
      throw systemError(backups[0]!.path, 'cannot record the backup', error)
    }
  }
  await turn()
  stopIfInterrupted(batch, batch.plans[0]!.write.path)
}

function makeBackup(batch: Batch, plan: Plan, backupPath: string): void {
  const backupTemp = writeTemp(plan, plan.write.expected, batch.temps)
  try {
    linkSync(backupTemp, backupPath) // never replaces an existing file
  } catch (error) {
    if (errno(error) === 'EEXIST') {
      throw new WriteError(plan.write.path, 'EBACKUP', `backup ${backupPath} appeared meanwhile; re-run`)
    }
    throw systemError(plan.write.path, `cannot create backup ${backupPath}`, error)
  }
  batch.backups.push(backupPath)
  unlinkSync(backupTemp)
  batch.temps.delete(backupTemp)
}

/** Writes `content` to a new temporary file next to the plan's file, with its owner and mode. */
function writeTemp(plan: Plan, content: Buffer, temps: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const temp = temporaryName(plan.real)
    let fd: number
    try {
      fd = openSync(temp, NEW_FILE, 0o600)
    } catch (error) {
      if (errno(error) === 'EEXIST' && attempt < 5) continue
      throw systemError(plan.write.path, `cannot create a temporary file in ${plan.dir}`, error)
    }
    temps.add(temp)
    try {
      writeFileSync(fd, content)
      keepOwnerAndMode(fd, temp, plan)
      fsyncSync(fd)
    } catch (error) {
      throw error instanceof WriteError ? error : systemError(plan.write.path, `cannot write ${temp}`, error)
    } finally {
      closeSync(fd)
    }
    return temp
  }
}

function keepOwnerAndMode(fd: number, temp: string, plan: Plan): void {
  const created = fstatSync(fd)
  if (created.uid !== plan.stats.uid || created.gid !== plan.stats.gid) {
    try {
      fchownSync(fd, plan.stats.uid, plan.stats.gid)
    } catch (error) {
      const why = `cannot keep owner ${plan.stats.uid}:${plan.stats.gid}: ${(error as Error).message}`
      throw new WriteError(plan.write.path, 'EOWNER', why, { cause: error })
    }
  }
  chmodSync(temp, plan.stats.mode & 0o7777) // after chown, which may clear setuid/setgid
}

/** Step 3: each file in turn, checked right before its own rename; any failure puts all back. */
async function commit(batch: Batch): Promise<void> {
  try {
    for (const plan of batch.plans) {
      await turn()
      await batch.hooks.beforeRename?.(plan.write.path)
      stopIfInterrupted(batch, plan.write.path)
      commitOne(batch, plan)
    }
  } catch (error) {
    throw rollBack(batch, error)
  }
  for (const dir of new Set(batch.plans.map((plan) => plan.dir))) syncDirectory(dir)
  for (const temp of batch.temps) unlinkQuietly(temp)
}

function commitOne(batch: Batch, plan: Plan): void {
  const path = plan.write.path
  confirmPlace(plan, batch.root)
  const keep = temporaryName(plan.real)
  try {
    linkSync(plan.real, keep)
  } catch (error) {
    if (errno(error) === 'ENOENT') throw new WriteError(path, 'ENOENT', 'no longer exists; re-run')
    throw systemError(path, 'cannot keep the original for a roll-back', error)
  }
  batch.temps.add(keep)
  plan.keep = keep
  batch.hooks.afterLink?.(path)
  const fd = openNoFollow(path, keep)
  try {
    const stats = fstatSync(fd)
    const same = stats.isFile() && stats.nlink === 2 && stats.mode === plan.stats.mode && stats.uid === plan.stats.uid && stats.gid === plan.stats.gid
    if (!same || !readFileSync(fd).equals(plan.write.expected)) {
      throw new WriteError(path, 'ECHANGED', 'changed on disk since it was read; re-run')
    }
    try {
      renameSync(plan.temp!, plan.real)
    } catch (error) {
      throw systemError(path, 'cannot replace the file', error)
    }
    batch.temps.delete(plan.temp!)
    batch.done.push(plan)
    confirmPlace(plan, batch.root)
    // An edit written into the old file while it was being replaced would be lost: put back.
    const size = plan.write.expected.length
    const buffer = Buffer.alloc(size + 1)
    if (!buffer.subarray(0, readSync(fd, buffer, 0, size + 1, 0)).equals(plan.write.expected)) {
      throw new WriteError(path, 'ECHANGED', 'changed on disk while it was being replaced; re-run')
    }
  } finally {
    closeSync(fd)
  }
}

/** The file is still at the real path it was read from, its folder too, inside the root. */
function confirmPlace(plan: Plan, root: string | null): void {
  const now = realOrNull(plan.write.path)
  const dirNow = realOrNull(plan.dir)
  if (now === plan.real && dirNow === plan.dir) return
  const where = now !== plan.real ? now : dirNow
  if (root !== null && where !== null && !isInside(root, where)) {
    throw new WriteError(plan.write.path, 'EOUTSIDE', `now leads outside the root ${root} (-> ${where}); not written`)
  }
  throw new WriteError(plan.write.path, 'ECHANGED', 'moved or replaced by a symlink since it was read; re-run')
}

/** Puts the kept originals back, removes what was made; the error to throw, saying how it ended. */
function rollBack(batch: Batch, error: unknown): WriteError {
  const notRestored = new Set<Plan>()
  for (const plan of [...batch.done].reverse()) {
    try {
      renameSync(plan.keep!, plan.real)
      batch.temps.delete(plan.keep!)
    } catch {
      notRestored.add(plan)
    }
  }
  const failure = error instanceof WriteError ? error : systemError(batch.plans[batch.done.length]?.write.path ?? '', 'failed', error)
  const written = batch.done.filter((plan) => notRestored.has(plan)).map((plan) => plan.write.path)
  const putBack = batch.done.length - written.length
  const outcome =
    written.length > 0
      ? `could not put back: ${written.join(', ')}`
      : putBack === 0
        ? 'nothing was changed'
        : `nothing was changed (${putBack} file(s) put back)`
  cleanUp(batch, notRestored) // a file that could not be put back keeps its backup
  return new WriteError(failure.path, failure.code, `${failure.detail}; ${outcome}`, {
    cause: failure.cause ?? failure,
    written,
    ...(failure.signal !== undefined ? { signal: failure.signal } : {}),
  })
}

const unlinkQuietly = (path: string): void => {
  try {
    unlinkSync(path)
  } catch {
    // gone already
  }
}

/** Removes the temporary files and the new backups (but those of `keepBackupsOf`). */
function cleanUp(batch: Batch, keepBackupsOf: ReadonlySet<Plan>): void {
  for (const temp of batch.temps) unlinkQuietly(temp)
  batch.temps.clear()
  for (const plan of batch.plans) {
    if (plan.backupPath !== null && batch.backups.includes(plan.backupPath) && !keepBackupsOf.has(plan)) unlinkQuietly(plan.backupPath)
  }
  if (keepBackupsOf.size === 0) for (const undo of batch.undo) undo()
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Not supported everywhere (some file systems, Windows); the renames are done regardless.
  }
}
