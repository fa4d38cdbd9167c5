// The contract every transform meets, built-in or a user's own module (`-t PATH`).
//
// A transform is a pure function of the files of a run: it receives freshly parsed trees (and the
// text of WSGI scripts), edits them in memory, and says what it changed and why. It does no I/O;
// the runner reads, prints, diffs and writes.
import type { WsgiModel } from '../model/model.js'
import type { Content, Root } from '../syntax/types.js'

export interface ApacheFile {
  kind: 'apache'
  /** Path relative to the run's root, with `/` separators. */
  path: string
  /** Absolute path on disk (for resolving relative script paths and Includes). */
  absolutePath: string
  tree: Root
}

export interface ScriptFile {
  kind: 'wsgi'
  path: string
  absolutePath: string
  /** The script's text; a transform replaces it to edit the script. */
  text: string
}

export type SourceFile = ApacheFile | ScriptFile

export interface TransformOptions {
  /** The mod_wsgi version the user runs (gates transforms). */
  modWsgiVersion?: string
  /** Environment Apache is started with (Debian: from /etc/apache2/envvars). */
  env?: Record<string, string>
  /** Path (relative) of the main server config, when the run has one. */
  mainConfig?: string
}

export interface ChangeInput {
  file: SourceFile
  /** The node inserted, edited, or removed (its original position is used for removals). */
  node?: Content
  /** 1-based line range instead of a node (scripts). */
  lines?: { start: number; end: number }
  kind: 'insert' | 'modify' | 'remove'
  /** One sentence: what changed and what that does at run time. */
  explanation: string
}

export interface AdvisoryInput {
  file: SourceFile
  node?: Content
  line?: number
  column?: number
  /** What was seen, why it was not changed, and what to do. */
  message: string
}

export interface TransformContext {
  readonly files: readonly SourceFile[]
  readonly options: TransformOptions
  /** What mod_wsgi would do with the files as they are now (recomputed after each change). */
  model(): WsgiModel
  change(change: ChangeInput): void
  advise(advisory: AdvisoryInput): void
}

export interface Transform {
  /** Stable identifier, also the fixtures folder name: `process-group`. */
  id: string
  /** The Kallithea release (semver) whose documented form this transform produces. */
  version: string
  title: string
  /** What it changes. */
  description: string
  /** Why: the run-time effect of the old form. */
  rationale: string
  /** mod_wsgi versions it applies to (semver range); below it the run advises instead. */
  modWsgi?: string
  apply(context: TransformContext): void
}
