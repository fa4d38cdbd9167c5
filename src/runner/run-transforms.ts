// Run the selected transforms in order, server by server: one engine per server (one model of that
// server shared until a fix edits its files), each transform gated on the mod_wsgi version it needs.
//
// Servers run one after the other over the same file objects: a file two servers read (a shared
// include, a script both mount) is edited by the first, and the second sees it edited. What both
// say about it is said once.
import type { WsgiModel } from '../model/model.js'
import { configErrors, incompleteErrors } from './config-errors.js'
import { Engine, TransformError, type RecordedChange } from './engine.js'
import type { Advisory, MigrateError, ProgressEvent } from './migrate.js'
import type { SourceFile, Transform, TransformOptions } from './transform.js'
import { satisfies, versionOf } from './versions.js'
import { errorMessage } from '../util/error-message.js'

export interface TransformRun {
  changes: RecordedChange[]
  advisories: Advisory[]
  errors: MigrateError[]
  modelBuilds: number
}

/** One server's part of the run, made when its turn comes (after the servers before it edited shared files). */
export interface ServerInput {
  files: readonly SourceFile[]
  options: TransformOptions
  buildModel: () => WsgiModel
  /** This server's own steps (its installed Kallithea's target); else the run's. */
  selected?: readonly Transform[]
}

export interface RunInput {
  servers: ReadonlyArray<() => ServerInput>
  frozen: ReadonlySet<SourceFile>
  /** The mod_wsgi version in use (gates transforms). */
  modWsgi?: string
  onProgress?: (event: ProgressEvent) => void
  /** A transform reported after this run returned (from a timer or callback): see `MigrateOptions.onLateError`. */
  onLateError?: (error: MigrateError) => void
}

export function runTransforms(selected: readonly Transform[], input: RunInput): TransformRun {
  const out: TransformRun = { changes: [], advisories: [], errors: [], modelBuilds: 0 }
  // What earlier servers said (a file two servers read gets the same advice twice): not again.
  const said = new Set<string>()
  let saying = new Set<string>()
  const late = new Set<string>()
  // Reported after the run returned: the result no longer takes errors; the caller is told.
  let returned = false
  const onLate = (id: string): void => {
    if (returned) input.onLateError?.({ code: 'transform', message: lateAfterRun(id) })
  }
  const say = <T>(list: T[], item: T, key: string): void => {
    if (said.has(key)) return
    saying.add(key)
    list.push(item)
  }
  for (const prepare of input.servers) {
    for (const key of saying) said.add(key)
    saying = new Set()
    const server = prepare()
    const steps = server.selected ?? selected
    const engine = new Engine({ files: server.files, frozen: input.frozen, options: server.options, buildModel: server.buildModel, onLate })
    const incomplete = incompleteErrors(engine.model())
    if (incomplete.length > 0) {
      // The walk stopped (an Include fan-out): what the transforms would decide from is not all there.
      for (const e of incomplete) say(out.errors, e, e.message)
      out.modelBuilds += engine.modelBuilds
      continue
    }
    steps.forEach((transform, i) => {
      const { id, title, modWsgi: needs } = transform.meta
      input.onProgress?.({ phase: 'transform', done: i, total: steps.length, transform: id })
      const modWsgi = input.modWsgi
      if (modWsgi !== undefined && versionOf(modWsgi) !== null && needs !== undefined && !satisfies(modWsgi, needs)) {
        const message = `not applied: ${title} needs mod_wsgi ${needs} and you run ${modWsgi}; upgrade mod_wsgi, then run again`
        say(out.advisories, { transform: id, file: '', message }, `gate ${id}`)
        return
      }
      const from = engine.advisories.length
      try {
        engine.run(transform)
      } catch (e) {
        const why = e instanceof TransformError ? e.message : errorMessage(e)
        const message = `transform ${id} failed: ${why}; nothing will be written (skip it with --skip ${id})`
        say(out.errors, { code: 'transform', message }, message)
      }
      for (const a of engine.advisories.slice(from)) {
        const advisory = toAdvisory(a)
        say(out.advisories, advisory, JSON.stringify([advisory.transform, advisory.file, advisory.line, advisory.column, advisory.message]))
      }
    })
    // What Apache would refuse in the files as the transforms left them.
    for (const e of configErrors(engine.model())) say(out.errors, e, e.message)
    out.changes.push(...engine.changes)
    out.modelBuilds += engine.modelBuilds
    for (const id of engine.late) late.add(id)
  }
  input.onProgress?.({ phase: 'transform', done: selected.length, total: selected.length })
  for (const id of late) {
    const message = `transform ${id} failed: it reported after create() returned (from a callback or a timer), and such reports are dropped; report within create. Nothing will be written (skip it with --skip ${id})`
    out.errors.push({ code: 'transform', message })
  }
  returned = true
  return out
}

/** A report given after the run returned: the result holds no error for it, so this says what to do. */
export function lateAfterRun(id: string): string {
  return `transform ${id} failed: it reported after create() returned (from a callback or a timer), after the run was over; report within create (skip it with --skip ${id})`
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
