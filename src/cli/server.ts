// Writing to the live server, as certbot does: Apache's configtest must pass before anything is
// written; the originals are kept where Apache never reads them; after writing the configtest runs
// again, and if it fails every written file is put back byte for byte. Then reload, or say how.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { apacheMessage, configtest, graceful, type CtlResult } from '../load/apachectl.js'
import { parseEnvvars } from '../load/envvars.js'
import type { LiveConfig } from '../load/live-config.js'
import type { ModWsgiModule } from '../load/mod-wsgi-version.js'
import { isInside } from '../load/paths.js'
import { includeReading } from './backup-place.js'
import type { DiskInclude } from '../load/include-pattern.js'
import type { CommitOptions } from '../runner/commit.js'
import type { FileResult, MigrateResult } from '../runner/migrate.js'

/** What happened on the live server, for the reports. */
export interface LiveOutcome {
  live: LiveConfig
  modWsgi?: ModWsgiModule
  before?: CtlResult
  after?: CtlResult
  /** The folder this run's backups went to. */
  backupDir?: string
  /** Files put back after a failed configtest (run paths). */
  restored: string[]
  reloaded: boolean
  /** The signal that stopped the write (then nothing was changed). */
  signal?: NodeJS.Signals | null
}

export interface LiveWriteOptions {
  /** Backups below DIR/<time>/ (default: <prefix>/var/backups/wsgi-migrate); false: none. */
  backupDir: string | false
  reload: boolean
  env: NodeJS.ProcessEnv
  now: Date
  /** Called once everything is ready, before the first file is replaced (the reports go out then). */
  beforeCommit?: CommitOptions['beforeCommit']
  /** Stops the write as a signal does; see `CommitOptions.abort`. */
  abort?: AbortSignal
}

/** Write a finished run to the live server (see the top of this file); problems go to `result.errors`. */
export async function writeLive(result: MigrateResult, outcome: LiveOutcome, options: LiveWriteOptions): Promise<void> {
  const changed = result.files.filter((f) => f.status === 'changed')
  if (changed.length === 0 || result.errors.length > 0) {
    if (result.errors.length > 0 && changed.length > 0) result.errors.push({ code: 'write', message: 'nothing written: the run had errors; fix them and run again' })
    return
  }
  const { ctl } = outcome.live
  if (ctl === undefined) {
    result.errors.push({ code: 'configtest', message: 'cannot run Apache\'s configtest: no apachectl, apache2ctl or httpd found; give --apachectl PATH. Nothing written' })
    return
  }
  const env = ctlEnv(ctl.kind, outcome.live.mainConfig, options.env)
  outcome.before = configtest(ctl, env)
  if (!outcome.before.ok) {
    result.errors.push({
      code: 'configtest',
      message: `Apache's configtest fails before any change (${outcome.before.command}): ${apacheMessage(outcome.before.output)}. Nothing written: fix that first (--dry-run shows the rest of the changes)`,
    })
    return
  }
  if (options.backupDir !== false) {
    const parent = options.backupDir || path.join(outcome.live.prefix, 'var/backups/wsgi-migrate')
    const dir = backUp(result, changed, parent, stamp(options.now), outcome.live.prefix, result.includes ?? [])
    if (dir === undefined) return
    outcome.backupDir = dir
  }
  const { commitResult } = await import('../runner/commit.js')
  const outcome2 = await commitResult(result, {
    ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
    ...(options.abort ? { abort: options.abort } : {}),
  })
  if (outcome2.signal !== null) outcome.signal = outcome2.signal
  if (result.written.length === 0 || result.errors.length > 0 || outcome.signal) return
  outcome.after = configtest(ctl, env)
  if (!outcome.after.ok) return putBack(result, outcome)
  if (options.reload) {
    const r = graceful(ctl, env)
    if (!r.ok) result.errors.push({ code: 'configtest', message: `written, and the configtest passes, but the reload failed (${r.command}): ${apacheMessage(r.output)}. Reload by hand: ${outcome.live.reload}` })
    else outcome.reloaded = true
  }
}

/**
 * The environment for apachectl: ours, and for the httpd binary also Debian's envvars beside the
 * main config (apache2ctl sources it itself; `${APACHE_RUN_DIR}` and the like come from there).
 */
function ctlEnv(kind: 'script' | 'binary', mainConfig: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const envvars = path.join(path.dirname(mainConfig), 'envvars')
  if (kind === 'script' || !existsSync(envvars)) return env
  try {
    return { ...env, ...parseEnvvars(readFileSync(envvars, 'latin1')) }
  } catch {
    return env
  }
}

/** `20261203T082433Z` */
function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')
}

/**
 * Copy each original to `<dir>/<its path from the layout's root>` (a fresh `dir`, never a folder
 * Apache reads); returns the folder, or undefined after an error (nothing written).
 */
function backUp(result: MigrateResult, changed: readonly FileResult[], parent: string, name: string, prefix: string, includes: readonly DiskInclude[]): string | undefined {
  const wanted = path.resolve(parent, name)
  let dir = wanted
  for (let n = 2; existsSync(dir); n++) dir = `${wanted}-${n}`
  // Not in a folder of a config read; an Include pattern reaching a copy is checked below.
  const read = result.files.filter((f) => f.kind === 'apache' && f.absolutePath !== undefined).map((f) => path.dirname(f.absolutePath as string))
  const readBy = read.find((d) => isInside(d, dir))
  if (readBy !== undefined) {
    result.errors.push({ code: 'usage', message: `--backup-dir ${parent}: inside ${readBy}, where Apache reads config files; choose a folder outside the server's config. Nothing written` })
    return undefined
  }
  const copies = changed.map((f) => path.join(dir, isInside(prefix, f.absolutePath as string) ? path.relative(prefix, f.absolutePath as string) : (f.absolutePath as string)))
  for (const copy of copies) {
    const include = includeReading(includes, copy)
    if (include === undefined) continue
    const at = `${include.file}${include.line !== undefined ? `:${include.line}` : ''}`
    const is = include.directive.endsWith(` ${include.pattern}`) ? '' : `, that is ${include.pattern}`
    result.errors.push({ code: 'usage', message: `--backup-dir ${parent}: Apache would read the backups there as config (${include.directive} at ${at}${is}); choose a folder no Include reaches. Nothing written` })
    return undefined
  }
  try {
    for (const [i, f] of changed.entries()) {
      const copy = copies[i] as string
      mkdirSync(path.dirname(copy), { recursive: true, mode: 0o700 })
      writeFileSync(copy, f.before, { mode: 0o600, flag: 'wx' })
      result.backups.push(copy)
    }
  } catch (e) {
    result.errors.push({ code: 'write', message: `cannot keep the backups in ${dir}: ${(e as Error).message}. Nothing written (--backup-dir DIR chooses another folder)` })
    return undefined
  }
  return dir
}

/** The configtest fails after writing: every written file back as it was. */
async function putBack(result: MigrateResult, outcome: LiveOutcome): Promise<void> {
  const byPath = new Map(result.files.map((f) => [f.path, f]))
  const written = result.written.map((p) => byPath.get(p) as FileResult)
  const message = `Apache's configtest fails after writing (${outcome.after?.command}): ${apacheMessage(outcome.after?.output ?? '')}`
  const { writeFilesAtomically } = await import('../runner/write.js')
  try {
    await writeFilesAtomically(written.map((f) => ({ path: f.absolutePath as string, content: f.before, expected: f.after })))
    outcome.restored = result.written.splice(0)
    result.errors.push({ code: 'configtest', message: `${message}. Every written file was put back as it was (${outcome.restored.length}); nothing changed` })
  } catch (e) {
    const where = outcome.backupDir !== undefined ? `; the originals are in ${outcome.backupDir}` : ''
    result.errors.push({ code: 'configtest', message: `${message}. Putting the files back failed too: ${(e as Error).message}${where}` })
  }
}
