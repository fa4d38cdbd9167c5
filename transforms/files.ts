// Helpers every transform needs to reach the files and daemons of a run.
import type { DaemonGroup, WsgiModel } from '../src/mod-wsgi-model.js'
import type { ApacheFile, TransformContext } from '../src/transform.js'
import type { Directive } from '../src/types.js'

export function apacheFile(ctx: TransformContext, path: string): ApacheFile | undefined {
  return ctx.files.find((f): f is ApacheFile => f.kind === 'apache' && f.path === path)
}

/** The Apache file at `path`, unless its parse had errors: such a file is never edited. */
export function editableApacheFile(ctx: TransformContext, path: string): ApacheFile | undefined {
  const file = apacheFile(ctx, path)
  return file && file.tree.data.diagnostics.length === 0 ? file : undefined
}

/**
 * Call `fn` once for each WSGIDaemonProcess in an editable file. The model is rebuilt after every
 * change, so each daemon is read afresh from the model as it is when its turn comes.
 */
export function forEachDaemon(ctx: TransformContext, fn: (daemon: DaemonGroup, file: ApacheFile, model: WsgiModel) => void): void {
  const seen = new Set<Directive>()
  for (const first of ctx.model().daemons) {
    if (seen.has(first.node)) continue
    seen.add(first.node)
    const file = editableApacheFile(ctx, first.file)
    if (!file) continue
    const model = ctx.model()
    const daemon = model.locate(first.node) as DaemonGroup | undefined
    if (daemon && 'options' in daemon) fn(daemon, file, model)
  }
}
