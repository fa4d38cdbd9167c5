// Replacing files safely: all or nothing, as far as a file system allows.
//
// 1. Check every file first: still exactly what was read (`expected`), a regular file with a
//    single link, writable (by its mode bits, so that running as root does not overwrite a
//    file someone made read-only), in a writable directory, owner and group keepable, backup
//    name free. Any problem: nothing is written at all.
// 2. Prepare every file: the new content in a temporary file next to it
//    (`.<name>.wsgi-migrate-<random>.tmp`), with the original owner, group and mode, fsynced;
//    the backup (`<file><suffix>`), if asked for, created the same way without replacing
//    anything. Any failure: temporary files and new backups are removed, nothing was changed.
// 3. Check once more that no file changed meanwhile, then rename each temporary file over its
//    target (atomic per file) and fsync the directories. If a rename fails, the files already
//    replaced are put back to their old content.
//
// Symlinks are written through: the file they point to is replaced, the link stays. Not kept:
// ACLs, extended attributes (SELinux labels: run `restorecon` on such systems), hard links
// (refused), and the inode number.
import { randomBytes } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { access, link, lstat, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

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
  /** @internal Test hooks, to simulate races and failures. */
  hooks?: {
    beforeCommit?: () => void | Promise<void>
    beforeRename?: (path: string) => void | Promise<void>
  }
}

export interface WriteResult {
  /** Files replaced, as given, in the order given. */
  written: string[]
  /** Files whose new content equals the expected one: not touched. */
  unchanged: string[]
  /** Backup files created (paths next to the real files). */
  backups: string[]
}

export type WriteErrorCode =
  /** The file no longer has the content it had when it was read. */
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

  constructor(
    readonly path: string,
    readonly code: WriteErrorCode,
    detail: string,
    options: { cause?: unknown; written?: string[] } = {},
  ) {
    super(`${path}: ${detail}`, options.cause === undefined ? undefined : { cause: options.cause })
    this.detail = detail
    this.written = options.written ?? []
  }
}

interface Plan {
  write: FileWrite
  real: string
  dir: string
  stats: Stats
  backupPath: string | null
  temp?: string
}

const octal = (mode: number) => '0' + (mode & 0o7777).toString(8).padStart(3, '0')

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code
}

function systemError(path: string, action: string, error: unknown, written: string[] = []): WriteError {
  const code = errno(error)
  const kind: WriteErrorCode =
    code === 'EACCES' || code === 'EPERM' ? 'EACCES' : code === 'EROFS' ? 'EREADONLY' : 'EWRITE'
  const detail = error instanceof Error ? error.message : String(error)
  return new WriteError(path, kind, `${action}: ${detail}`, { cause: error, written })
}

/**
 * Replaces several files, all or nothing: see the comment at the top of this module. Resolves
 * with what was done; rejects with a `WriteError` naming the file at fault.
 */
export async function writeFilesAtomically(
  writes: readonly FileWrite[],
  options: WriteOptions = {},
): Promise<WriteResult> {
  const suffix = options.backupSuffix ?? '.orig'
  const wantBackup = options.backup === true || options.backupSuffix !== undefined
  if (wantBackup && (suffix === '' || suffix.includes('/') || suffix.includes('\0'))) {
    throw new WriteError(suffix, 'EINVAL', 'invalid backup suffix')
  }
  const hooks = options.hooks ?? {}
  const unchanged = writes.filter((w) => w.content.equals(w.expected)).map((w) => w.path)
  const plans: Plan[] = []

  // 1. Check everything before touching anything.
  const byReal = new Map<string, string>()
  for (const write of writes) {
    if (write.content.equals(write.expected)) continue
    const plan = await check(write, wantBackup ? suffix : null)
    const other = byReal.get(plan.real)
    if (other !== undefined) {
      throw new WriteError(write.path, 'EDUPLICATE', `same file as ${other}`)
    }
    byReal.set(plan.real, write.path)
    plans.push(plan)
  }
  if (plans.length === 0) return { written: [], unchanged, backups: [] }

  // 2. Prepare temporary files and backups.
  const temps: string[] = []
  const backups: string[] = []
  const cleanUp = async (keepBackupsOf: ReadonlySet<Plan> = new Set()) => {
    for (const temp of temps) await unlink(temp).catch(() => {})
    for (const plan of plans) {
      if (plan.backupPath !== null && backups.includes(plan.backupPath) && !keepBackupsOf.has(plan)) {
        await unlink(plan.backupPath).catch(() => {})
      }
    }
  }
  try {
    for (const plan of plans) {
      plan.temp = await writeTemp(plan, plan.write.content, temps)
      if (plan.backupPath !== null && !(await sameFileContent(plan.backupPath, plan.write.expected))) {
        const backupTemp = await writeTemp(plan, plan.write.expected, temps)
        try {
          await link(backupTemp, plan.backupPath) // never replaces an existing file
        } catch (error) {
          if (errno(error) === 'EEXIST') {
            throw new WriteError(plan.write.path, 'EBACKUP', `backup ${plan.backupPath} appeared meanwhile; re-run`)
          }
          throw systemError(plan.write.path, `cannot create backup ${plan.backupPath}`, error)
        }
        backups.push(plan.backupPath)
        await unlink(backupTemp)
        temps.splice(temps.indexOf(backupTemp), 1)
      }
    }
    await hooks.beforeCommit?.()
    // 3a. Nothing changed meanwhile?
    for (const plan of plans) await checkUnchanged(plan)
  } catch (error) {
    await cleanUp()
    throw error
  }

  // 3b. Commit.
  const done: Plan[] = []
  try {
    for (const plan of plans) {
      await hooks.beforeRename?.(plan.write.path)
      try {
        await rename(plan.temp!, plan.real)
      } catch (error) {
        throw systemError(plan.write.path, 'cannot replace the file', error)
      }
      temps.splice(temps.indexOf(plan.temp!), 1)
      done.push(plan)
    }
  } catch (error) {
    const notRestored = new Set<Plan>()
    for (const plan of [...done].reverse()) {
      try {
        const temp = await writeTemp(plan, plan.write.expected, temps)
        await rename(temp, plan.real)
        temps.splice(temps.indexOf(temp), 1)
      } catch {
        notRestored.add(plan)
      }
    }
    await cleanUp(notRestored) // a file that could not be restored keeps its backup
    const written = done.filter((plan) => notRestored.has(plan)).map((plan) => plan.write.path)
    const failure = error instanceof WriteError ? error : systemError(plans[done.length]!.write.path, 'failed', error)
    const outcome =
      written.length === 0
        ? done.length === 0
          ? 'nothing was changed'
          : `nothing was changed (${done.length} file(s) put back)`
        : `could not put back: ${written.join(', ')}`
    throw new WriteError(failure.path, failure.code, `${failure.detail}; ${outcome}`, {
      cause: failure.cause ?? failure,
      written,
    })
  }
  for (const dir of new Set(plans.map((plan) => plan.dir))) await syncDirectory(dir)
  return { written: plans.map((plan) => plan.write.path), unchanged, backups }
}

async function check(write: FileWrite, suffix: string | null): Promise<Plan> {
  const { path } = write
  let real: string
  try {
    real = await realpath(path)
  } catch (error) {
    if (errno(error) === 'ENOENT') throw new WriteError(path, 'ENOENT', 'no longer exists; re-run')
    throw systemError(path, 'cannot resolve the path', error)
  }
  const stats = await lstat(real).catch((error: unknown) => {
    throw systemError(path, 'cannot stat the file', error)
  })
  if (!stats.isFile()) throw new WriteError(path, 'ENOTFILE', 'not a regular file')
  if (stats.nlink > 1) {
    throw new WriteError(path, 'EHARDLINK', `has ${stats.nlink} hard links; replacing it would detach the others`)
  }
  const current = await readFile(real).catch((error: unknown) => {
    throw systemError(path, 'cannot read the file', error)
  })
  if (!current.equals(write.expected)) {
    throw new WriteError(path, 'ECHANGED', 'changed on disk since it was read; re-run')
  }
  if ((stats.mode & 0o222) === 0) {
    throw new WriteError(path, 'EREADONLY', `file is read-only (mode ${octal(stats.mode)}); not replacing it`)
  }
  try {
    await access(real, constants.W_OK)
  } catch (error) {
    throw systemError(path, 'file is not writable', error)
  }
  const dir = dirname(real)
  const dirStats = await stat(dir)
  if ((dirStats.mode & 0o222) === 0) {
    throw new WriteError(
      path,
      'EREADONLY',
      `directory ${dir} is read-only (mode ${octal(dirStats.mode)}); cannot create the new file next to it`,
    )
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw systemError(path, `cannot create files in ${dir}`, error)
  }
  const uid = process.getuid?.()
  if (uid !== undefined && uid !== 0) {
    const groups = process.getgroups?.() ?? []
    if (stats.uid !== uid) {
      throw new WriteError(path, 'EOWNER', `owned by uid ${stats.uid}; replacing it as uid ${uid} would change its owner`)
    }
    if (stats.gid !== process.getgid?.() && !groups.includes(stats.gid)) {
      throw new WriteError(path, 'EOWNER', `group ${stats.gid} could not be kept (not a member)`)
    }
  }
  let backupPath: string | null = null
  if (suffix !== null) {
    backupPath = real + suffix
    const existing = await lstat(backupPath).catch((error: unknown) => {
      if (errno(error) === 'ENOENT') return null
      throw systemError(path, `cannot stat backup ${backupPath}`, error)
    })
    if (existing !== null && !(existing.isFile() && (await sameFileContent(backupPath, write.expected)))) {
      throw new WriteError(
        path,
        'EBACKUP',
        `backup ${backupPath} already exists with other content; move it away or choose another suffix`,
      )
    }
  }
  return { write, real, dir, stats, backupPath }
}

async function checkUnchanged(plan: Plan): Promise<void> {
  const current = await readFile(plan.real).catch(() => null)
  if (current === null || !current.equals(plan.write.expected)) {
    throw new WriteError(plan.write.path, 'ECHANGED', 'changed on disk since it was read; re-run')
  }
}

async function sameFileContent(path: string, content: Buffer): Promise<boolean> {
  const existing = await readFile(path).catch(() => null)
  return existing !== null && existing.equals(content)
}

/** Writes `content` to a new temporary file next to the plan's file, with its owner and mode. */
async function writeTemp(plan: Plan, content: Buffer, temps: string[]): Promise<string> {
  const name = basename(plan.real).slice(0, 100)
  for (let attempt = 0; ; attempt++) {
    const temp = join(plan.dir, `.${name}.wsgi-migrate-${randomBytes(6).toString('hex')}.tmp`)
    let handle
    try {
      handle = await open(temp, 'wx', 0o600)
    } catch (error) {
      if (errno(error) === 'EEXIST' && attempt < 5) continue
      throw systemError(plan.write.path, `cannot create a temporary file in ${plan.dir}`, error)
    }
    temps.push(temp)
    try {
      await handle.writeFile(content)
      const created = await handle.stat()
      if (created.uid !== plan.stats.uid || created.gid !== plan.stats.gid) {
        try {
          await handle.chown(plan.stats.uid, plan.stats.gid)
        } catch (error) {
          throw new WriteError(
            plan.write.path,
            'EOWNER',
            `cannot keep owner ${plan.stats.uid}:${plan.stats.gid}: ${(error as Error).message}`,
            { cause: error },
          )
        }
      }
      await handle.chmod(plan.stats.mode & 0o7777) // after chown, which may clear setuid/setgid
      await handle.sync()
    } catch (error) {
      throw error instanceof WriteError ? error : systemError(plan.write.path, `cannot write ${temp}`, error)
    } finally {
      await handle.close()
    }
    return temp
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Not supported everywhere (some file systems, Windows); the renames are done regardless.
  }
}
