// The contract every transform meets, built-in or a user's own module (`-t PATH`).
//
// Shaped like an ESLint rule: `meta` says what the transform is and holds its messages by id;
// `create(context)` holds only the decision. It reads the model of the files as they are now and
// reports what it sees, with a fix when it would change something. The engine (engine.ts) applies
// the fixes, makes a fresh model, and calls `create` again until a pass reports no fix: the
// advisories are those of that last pass. A transform does no I/O and edits only inside a fix.
import type { LineRange } from '../syntax/locate.js'
import type { Located, WsgiModel } from '../model/model.js'
import type { Collection } from '../syntax/collection.js'
import type { Content, Directive, Encoding, ParentNode, Root } from '../syntax/types.js'
import type { VenvInfo } from '../load/installed-version.js'

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
  /** Where the server has it, when `--map` read it from elsewhere (the path WSGIScriptAlias names). */
  serverPath?: string
  /** The script's text; a fix replaces it through `fixer.editScript`. */
  text: string
  /** How its bytes were read: a Latin-1 script can only take characters up to U+00FF. */
  encoding?: Encoding
}

export type SourceFile = ApacheFile | ScriptFile

export interface TransformOptions {
  /** The mod_wsgi version the user runs (gates transforms). */
  modWsgiVersion?: string
  /** Environment Apache is started with (Debian: from /etc/apache2/envvars). */
  env?: Record<string, string>
  /** Path (relative) of the main server config, when the run has one. */
  mainConfig?: string
  /** What the run read of the venvs the config names, by absolute normalized path (read inside the root only). */
  venvs?: ReadonlyMap<string, VenvInfo>
  /** The installed Kallithea version, when the run found it. */
  installedKallithea?: string
  /** The locale for `lang=` (--lang, or the host's UTF-8 locale in server mode); default C.UTF-8. */
  lang?: string
  /** The locales the host lists (`locale -a`), when the run asked it (server mode): none UTF-8 means `lang=` has nothing to name. */
  hostLocales?: readonly string[]
  /** X.Y of the Python mod_wsgi embeds, when the run knows it (else read from the LoadModule line). */
  embeddedPython?: string
  /** How the run knows `embeddedPython`, for messages: `read from the module /usr/lib/.../mod_wsgi.so`. */
  embeddedPythonFrom?: string
  /**
   * Apply the generic mod_wsgi fixes (process group, WSGIRestrictEmbedded, processes=1,
   * python-home, user=/group=) to every application, not only Kallithea's (`--all-apps`).
   */
  allApps?: boolean
  /** The ids of every transform this run takes: a step leaves to a later one what that one settles. */
  steps?: readonly string[]
}

/** Values a message template (`{{name}}`) is filled with. */
export type MessageData = Readonly<Record<string, string | number>>

/** A message: by id from `meta.messages` (with data), or given as text. */
export type MessageRef = { messageId: string; data?: MessageData } | { message: string }

/** What a report is about: a model record (one place of a directive), a node, or lines of a file. */
export type Subject =
  | { at: Located; node?: undefined; file?: undefined }
  | { node: Content; at?: undefined; file?: undefined }
  | { file: SourceFile; line?: number; column?: number; at?: undefined; node?: undefined }

/**
 * One finding. Without `fix` it is an advisory; with one, the fix's changes are explained by it.
 * `reads`: the model records the decision rests on, when they are not the subject's own place (a
 * script's fix rests on the aliases that load it): a fix of the same pass that changed one of
 * their scopes makes this one wait for a fresh model.
 */
export type Report = Subject & MessageRef & { fix?: (fixer: Fixer) => void; reads?: readonly Located[] }

/**
 * Edits made inside a fix. Each records one change (explained by the report's message unless it
 * is given its own); the file of a node is found by the engine. The edits are recorded, checked
 * and then applied together: a fix is applied whole or not at all (an edit may not refer to a
 * node another edit of the same fix adds). A fix whose new text a file's encoding cannot hold
 * (a Latin-1 file, a path with `θ`) is not applied: the user is told instead.
 */
export interface Fixer {
  insertBefore(ref: Content, node: Content, message?: MessageRef): void
  insertAfter(ref: Content, node: Content, message?: MessageRef): void
  /** Add `node` as the last child of `parent` (a file's root or a section). */
  append(parent: ParentNode, node: Content, message?: MessageRef): void
  remove(node: Content, message?: MessageRef): void
  /** Change a node's words in place (with the edit helpers: setOption, setArgs, ...). */
  modify(node: Directive, edit: (node: Directive) => void, message?: MessageRef): void
  /**
   * Say something about this fix that the user should check (it is given only when the fix is
   * applied, at the report's place): "the script taken for the alias is the only one of its name".
   */
  note(message: MessageRef): void
  /** Replace a script's text; `lines` are the lines of the change (in the original for a removal). */
  editScript(file: ScriptFile, text: string, changes: ReadonlyArray<{ kind: ChangeKind; lines: LineRange } & Partial<MessageRef>>): void
}

export type ChangeKind = 'insert' | 'modify' | 'remove'

export interface TransformContext {
  readonly files: readonly SourceFile[]
  readonly options: TransformOptions
  /** What mod_wsgi would do with the files as they are in this pass. */
  model(): WsgiModel
  report(report: Report): void
  /** The file a node of the run belongs to (undefined for a node that is not in it). */
  fileOf(node: Content): ApacheFile | undefined
  /** The parent of a node of the run. */
  parentOf(node: Content): ParentNode | undefined
  /** The jscodeshift-style collection over one file's tree: `ctx.config(file).findDirectives('User')`. */
  config(file: ApacheFile): Collection<never>
  /** Whether a fix may edit this file: it parsed without errors (and is not a shell file). */
  editable(file: SourceFile | undefined): boolean
}

export interface TransformMeta {
  /** Stable identifier: `process-group`. */
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
  /** Message templates by id; `{{name}}` is replaced by `data.name`. */
  messages: Readonly<Record<string, string>>
}

export interface Transform {
  meta: TransformMeta
  /** Called once per pass with a fresh model: report what to change (with a fix) or advise. */
  create(context: TransformContext): void
}
