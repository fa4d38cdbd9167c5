// Run the selected transforms in order through one engine (one model shared until a fix edits the
// files), gating each on the mod_wsgi version it needs.
import type { WsgiModel } from '../model/model.js'
import { Engine, TransformError, type RecordedChange } from './engine.js'
import type { Advisory, MigrateError, ProgressEvent } from './migrate.js'
import type { SourceFile, Transform, TransformOptions } from './transform.js'
import { satisfies, versionOf } from './versions.js'

export interface TransformRun {
  changes: RecordedChange[]
  advisories: Advisory[]
  errors: MigrateError[]
  modelBuilds: number
}

export interface RunInput {
  files: readonly SourceFile[]
  frozen: ReadonlySet<SourceFile>
  options: TransformOptions
  buildModel: () => WsgiModel
  onProgress?: (event: ProgressEvent) => void
}

export function runTransforms(selected: readonly Transform[], input: RunInput): TransformRun {
  const engine = new Engine(input)
  const advisories: Advisory[] = []
  const errors: MigrateError[] = []
  const modWsgi = input.options.modWsgiVersion
  selected.forEach((transform, i) => {
    const { id, title, modWsgi: needs } = transform.meta
    input.onProgress?.({ phase: 'transform', done: i, total: selected.length, transform: id })
    if (modWsgi !== undefined && versionOf(modWsgi) !== null && needs !== undefined && !satisfies(modWsgi, needs)) {
      advisories.push({
        transform: id,
        file: '',
        message: `not applied: ${title} needs mod_wsgi ${needs} and you run ${modWsgi}; upgrade mod_wsgi, then run again`,
      })
      return
    }
    const from = engine.advisories.length
    try {
      engine.run(transform)
    } catch (e) {
      const why = e instanceof TransformError ? e.message : ((e as Error)?.message ?? String(e))
      errors.push({ code: 'transform', message: `transform ${id} failed: ${why}; nothing will be written (skip it with --skip ${id})` })
    }
    for (const a of engine.advisories.slice(from)) advisories.push(toAdvisory(a))
  })
  input.onProgress?.({ phase: 'transform', done: selected.length, total: selected.length })
  for (const id of engine.late) {
    errors.push({ code: 'transform', message: `transform ${id} failed: it reported after create() returned (from a callback or a timer), and such reports are dropped; report within create. Nothing will be written (skip it with --skip ${id})` })
  }
  return { changes: engine.changes, advisories, errors, modelBuilds: engine.modelBuilds }
}

function toAdvisory(a: Engine['advisories'][number]): Advisory {
  return {
    transform: a.transform,
    file: a.file?.path ?? '',
    ...(a.line !== undefined ? { line: a.line } : {}),
    ...(a.column !== undefined ? { column: a.column } : {}),
    message: a.message.text,
    ...(a.message.messageId !== undefined ? { messageId: a.message.messageId, data: a.message.data ?? {} } : {}),
  }
}
