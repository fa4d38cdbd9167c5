// Writing a finished run: the changed files of a MigrateResult, all or nothing, inside its root.
import path from 'node:path'
import { relativeTo } from '../load/paths.js'
import type { MigrateResult } from './migrate.js'
import { errorMessage } from '../util/error-message.js'

export interface CommitOptions {
  /** Keep the original beside each changed file, with this suffix (e.g. `.orig`). */
  backup?: string
  /**
   * Called once every file is checked and its new content prepared, before the first is
   * replaced, with `result.written` and `result.backups` filled as they will be: the place to
   * write reports, so that a report that cannot be written stops the run with nothing changed.
   * What it throws is passed on as it is, and nothing is written.
   */
  beforeCommit?: (result: MigrateResult) => void | Promise<void>
  /** Catch SIGINT, SIGTERM, SIGHUP while writing (default true); see `WriteOptions.signals`. */
  signals?: boolean
  /** Stops the write as a signal does (all put back); see `WriteOptions.abort`. */
  abort?: AbortSignal
}

export interface CommitOutcome {
  /** Absolute paths of temporary files left by killed runs, removed from the folders written to. */
  leftovers: string[]
  /** The signal that stopped the write (then nothing was changed), or null. */
  signal: NodeJS.Signals | null
}

const WRITE_HINTS: Record<string, string> = {
  EREADONLY: '. Make it writable (or run with --dry-run and apply the patch yourself), then run again',
  EACCES: '. Run as a user who may replace it (often root), or with --dry-run and apply the patch yourself',
  EOWNER: '. Run as its owner or as root, so that owner and group are kept',
  EHARDLINK: '. Break the hard link (cp the file over itself), or apply the --dry-run patch yourself',
  ENOTFILE: '. Leave it out of the run',
  EOUTSIDE: '. Check who changed the link, then run again',
}


/**
 * Writes the changed files of a run made without `write` (all or nothing, atomically, each file
 * only if it still holds what was read and is still inside the root). Does nothing when the run
 * had errors: adds a `write` error saying so. Fills `result.written` and `result.backups`;
 * failures go to `result.errors`.
 */
export async function commitResult(result: MigrateResult, options: CommitOptions = {}): Promise<CommitOutcome> {
  const outcome: CommitOutcome = { leftovers: [], signal: null }
  const changed = result.files.filter((r) => r.status === 'changed')
  if (changed.length === 0 || result.written.length > 0) return outcome
  if (changed.some((r) => r.absolutePath === undefined)) {
    result.errors.push({ code: 'usage', message: 'in-memory files cannot be written; write `files[].after` yourself' })
    return outcome
  }
  if (result.errors.length > 0) {
    result.errors.push({ code: 'write', message: 'nothing written: the run had errors; fix them and run again' })
    return outcome
  }
  const byAbsolute = new Map(changed.map((r) => [r.absolutePath as string, r.path]))
  const shown = (p: string): string => byAbsolute.get(p) ?? (path.isAbsolute(p) ? relativeTo(result.base, p) : p)
  // Loaded only when writing: a dry run does not pay for it.
  const { WriteError, writeFilesAtomically } = await import('./write.js')
  let callerFailed: { error: unknown } | null = null
  try {
    const done = await writeFilesAtomically(
      changed.map((r) => ({ path: r.absolutePath as string, content: r.after, expected: r.before })),
      {
        root: result.root,
        ...(options.backup !== undefined ? { backupSuffix: options.backup } : {}),
        ...(options.signals !== undefined ? { signals: options.signals } : {}),
        ...(options.abort !== undefined ? { abort: options.abort } : {}),
        beforeCommit: async (planned) => {
          result.written.push(...planned.written.map(shown))
          result.backups.push(...planned.backups.map((p) => relativeTo(result.base, p)))
          try {
            await options.beforeCommit?.(result)
          } catch (error) {
            callerFailed = { error }
            throw error
          }
        },
      },
    )
    outcome.leftovers = done.leftovers
  } catch (e) {
    result.written.length = 0
    result.backups.length = 0
    if (callerFailed !== null && (callerFailed as { error: unknown }).error === e) throw e
    if (e instanceof WriteError) {
      result.written.push(...e.written.map(shown))
      outcome.signal = e.signal ?? null
      const nothing = e.written.length === 0 && !/nothing was changed/.test(e.detail) ? '; nothing was written' : ''
      if (e.code === 'EINTR' || e.code === 'EABORT') result.errors.push({ code: 'write', message: `${e.detail}${nothing}` })
      else {
        const rel = shown(e.path)
        result.errors.push({ code: 'write', file: rel, message: `${rel}: ${e.detail}${nothing}${WRITE_HINTS[e.code] ?? ''}` })
      }
    } else {
      result.errors.push({ code: 'write', message: `cannot write: ${errorMessage(e)}; nothing was written` })
    }
  }
  return outcome
}
