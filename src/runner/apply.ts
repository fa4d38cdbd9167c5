// One call that runs a transform, a list of them or a preset over a config held in memory (text,
// bytes or a tree from `parse`) and gives back the new text with the changes and advisories: what
// a Node script or a transform's own tests need, as jscodeshift's applyTransform.
import { transformsOf, type Steps } from './define.js'
import { runMigration, type Advisory, type Change, type FileResult, type MigrateError, type MigrateOptions } from './migrate.js'
import type { Root } from '../syntax/types.js'

export interface ApplyOptions {
  /** The name the input has in the run (reports; relative Includes). Default: the tree's path, else `input.conf`. */
  path?: string
  /** Other files of the run by path: a dispatch script, files the input includes. */
  files?: Readonly<Record<string, string | Uint8Array>>
  /** The mod_wsgi version in use (transforms that need a newer one advise). */
  modWsgi?: string
  /** Apache's environment (APACHE_RUN_USER, ...). */
  env?: Record<string, string>
  /** Fix every WSGI application, not only Kallithea's (`--all-apps`). */
  allApps?: boolean
}

export interface ApplyResult<T> {
  /** The new text (a Buffer for bytes in; for a tree, its text: the tree itself was edited). */
  output: T
  changes: Change[]
  advisories: Advisory[]
  /** Parse errors, a transform that failed: then `output` is the input unchanged. */
  errors: MigrateError[]
  /** Every file of the run, the extra ones included. */
  files: FileResult[]
}

type Output<I> = I extends Uint8Array ? Buffer : string

/**
 * Run `what` (in the order given; a preset's steps in its order) over `input`, in memory.
 *
 *   const { output, changes } = applyTransforms(processGroup, text)
 */
export function applyTransforms<I extends string | Uint8Array | Root>(what: Steps, input: I, options: ApplyOptions = {}): ApplyResult<Output<I>> {
  const transforms = transformsOf(what)
  const main = options.path ?? (isTree(input) ? input.data.path : undefined) ?? 'input.conf'
  const run: MigrateOptions = {
    files: [{ path: main, content: input }, ...Object.entries(options.files ?? {}).map(([path, content]) => ({ path, content }))],
    ...(options.modWsgi !== undefined ? { modWsgi: options.modWsgi } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.allApps ? { allApps: true } : {}),
  }
  const result = runMigration(run, transforms)
  const file = result.files.find((f) => f.path === main)
  const failed = result.errors.length > 0 || file === undefined
  const bytes = failed ? (file?.before ?? Buffer.from(typeof input === 'string' ? input : isTree(input) ? '' : input)) : file.after
  const text = failed ? (typeof input === 'string' ? input : (file?.text ?? '')) : file.text
  const output = (typeof input === 'string' || isTree(input) ? text : bytes) as Output<I>
  return { output, changes: result.changes, advisories: result.advisories, errors: result.errors, files: result.files }
}

function isTree(x: unknown): x is Root {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && (x as Root).type === 'root'
}
