// Helpers every transform needs to reach the files and daemons of a run.
import type { DaemonGroup, WsgiModel } from '../src/model/model.js'
import type { ApacheFile, SourceFile, TransformContext } from '../src/runner/transform.js'
import type { Directive } from '../src/syntax/types.js'

export function apacheFile(ctx: TransformContext, path: string): ApacheFile | undefined {
  return apacheIndex(ctx.files).byPath.get(path)
}

const indexes = new WeakMap<readonly SourceFile[], { count: number; byPath: Map<string, ApacheFile> }>()

/** The Apache files of a run by path, made once per list of files (not one scan per lookup). */
function apacheIndex(files: readonly SourceFile[]): { count: number; byPath: Map<string, ApacheFile> } {
  const known = indexes.get(files)
  if (known && known.count === files.length) return known
  const byPath = new Map<string, ApacheFile>()
  for (const f of files) if (f.kind === 'apache' && !byPath.has(f.path)) byPath.set(f.path, f)
  const index = { count: files.length, byPath }
  indexes.set(files, index)
  return index
}

/** The Apache file at `path`, unless its parse had errors: such a file is never edited. */
export function editableApacheFile(ctx: TransformContext, path: string): ApacheFile | undefined {
  const file = apacheFile(ctx, path)
  return file && file.tree.data.diagnostics.length === 0 ? file : undefined
}

/**
 * Call `fn` once for each WSGIDaemonProcess node in an editable file (a file included twice
 * defines its daemons twice: the first visit counts), all read from ONE model of the files as
 * they are when the walk starts: the model is built once per call, not once per daemon.
 *
 * So `fn` may edit only the daemon it is given (its node's words), and must not need the model
 * to reflect an edit it made: the options of `daemon` are those read before any edit (their
 * `index` no longer matches the node once an option was removed; re-read the node with
 * `options()`/`getOption()` from src/syntax/edit.ts when indexes matter). Edits of one daemon change
 * nothing the next daemon's decision reads (its own options, the run user, the aliases and the
 * groups they run in).
 */
export function forEachDaemon(ctx: TransformContext, fn: (daemon: DaemonGroup, file: ApacheFile, model: WsgiModel) => void): void {
  const model = ctx.model()
  const seen = new Set<Directive>()
  for (const first of model.daemons) {
    if (seen.has(first.node)) continue
    seen.add(first.node)
    const file = editableApacheFile(ctx, first.file)
    if (!file) continue
    const daemon = model.locate(first.node) as DaemonGroup | undefined
    if (daemon && 'options' in daemon) fn(daemon, file, model)
  }
}

/**
 * Reports (ctx.change / ctx.advise calls) held back and given in the order of a rank, for a
 * transform that decides in passes (many decisions per model build) but must report in the order
 * the one-at-a-time walk it replaces did: that walk handled the aliases in the order of the model
 * (their index in `model.scriptAliases`), which passes do not when a decision is put off to the
 * next pass because an edit of this pass may change it.
 *
 * `flushBefore(rank)` gives every held report ranked below `rank` (nothing ranked lower can come
 * any more); a pass that made an edit must give at least one ctx.change before asking for the
 * model again, since only a change makes the runner rebuild it.
 */
export class InOrder {
  private held: Array<{ rank: number; seq: number; report: () => void }> = []
  private seq = 0

  /** Hold `report` (a function calling ctx.change or ctx.advise) under `rank`. */
  add(rank: number, report: () => void): void {
    this.held.push({ rank, seq: this.seq++, report })
  }

  /** Give the held reports ranked below `rank`, lowest rank first (in the order added within a rank). */
  flushBefore(rank: number): void {
    const due = this.held.filter((h) => h.rank < rank).sort((a, b) => a.rank - b.rank || a.seq - b.seq)
    if (due.length === 0) return
    this.held = this.held.filter((h) => h.rank >= rank)
    for (const h of due) h.report()
  }

  flush(): void {
    this.flushBefore(Infinity)
  }
}
