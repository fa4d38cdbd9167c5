// The engine, as ESLint's fixer loop: run a transform's decision against the current model, apply
// the fixes it reports, and run it again on a fresh model until a pass has nothing left to fix.
//
// A pass applies every fix whose decision no earlier fix of the same pass can have changed, so a
// run over a thousand sites takes a few passes, not one per site. What a decision read and what a
// fix wrote are "claims": the <VirtualHost> (or the global server config, which every scope
// inherits) where the nodes are read, and the script files edited. A fix whose decision read a
// claim an earlier fix of the pass wrote waits for the next pass and a fresh model. Advisories
// come from the last pass, the one that changed nothing, so they describe the files as the fixes
// left them.
import type { Located, WsgiModel } from '../model/model.js'
import { config } from '../syntax/collection.js'
import type { LineRange } from '../syntax/locate.js'
import type { Content, Section } from '../syntax/types.js'
import { formatMessage, type Message } from './messages.js'
import { NodeIndex } from './node-index.js'
import { applyFix, UnwritableFix, type AppliedChange } from './fixer.js'
import { TemplateLineError } from '../syntax/render.js'
import type { ApacheFile, Report, ScriptFile, SourceFile, Transform, TransformContext, TransformOptions } from './transform.js'
import { errorMessage } from '../util/error-message.js'

/** Passes after which a transform that still changes something is stopped (it would not settle). */
export const MAX_PASSES = 100

export const GLOBAL = 'global'
/** Where a decision reads or a fix writes: a vhost, the global config, or a script file. */
export type Claim = Section | ScriptFile | typeof GLOBAL

export interface RecordedChange extends AppliedChange {
  transform: string
}

export interface RecordedAdvisory {
  transform: string
  file?: SourceFile
  line?: number
  column?: number
  message: Message
}

export interface EngineOptions {
  files: readonly SourceFile[]
  /** Files no fix may edit (parse errors, shell files). */
  frozen: ReadonlySet<SourceFile>
  options: TransformOptions
  buildModel: () => WsgiModel
  /** A transform reported after its create() returned (from a timer or callback): the report is dropped. */
  onLate?: (transform: string) => void
}

/** The error a transform's run ends with; the runner reports it and writes nothing. */
export class TransformError extends Error {}

export class Engine {
  readonly changes: RecordedChange[] = []
  readonly advisories: RecordedAdvisory[] = []
  modelBuilds = 0
  /** Transforms that reported after their create() returned (their reports were dropped). */
  readonly late = new Set<string>()
  private current: WsgiModel | undefined
  private readonly nodes: NodeIndex
  private readonly byPath = new Map<string, SourceFile>()
  private readonly fileSet: ReadonlySet<SourceFile>

  constructor(private readonly opts: EngineOptions) {
    this.nodes = new NodeIndex(opts.files)
    this.fileSet = new Set(opts.files)
    for (const f of opts.files) if (!this.byPath.has(f.path)) this.byPath.set(f.path, f)
  }

  /** The model of the files as they are now (built once until a fix edits them). */
  model(): WsgiModel {
    if (this.current === undefined) {
      this.modelBuilds++
      this.current = this.opts.buildModel()
    }
    return this.current
  }

  /** Run one transform to its fixed point; throws TransformError when it misbehaves. */
  run(transform: Transform): void {
    const notes: RecordedAdvisory[] = []
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      const reports = this.collect(transform)
      // The model the decisions were made from (none when the transform did not ask for one).
      const model = this.current
      const refused: RecordedAdvisory[] = []
      if (!this.applyPass(transform, reports, model, notes, refused)) {
        this.advisories.push(...notes, ...refused)
        // A note of a fix may be what the last pass says again: say it once.
        const said = new Set(notes.map(adviceKey))
        for (const r of reports) {
          if (r.report.fix !== undefined) continue
          const advice = { transform: r.transform, ...this.whereOf(r.report), message: r.message }
          if (!said.has(adviceKey(advice))) this.advisories.push(advice)
        }
        return
      }
    }
    throw new TransformError(`it still changed the config after ${MAX_PASSES} passes (it does not settle)`)
  }

  /** One call of `create` against the current model; reports given after it returns are refused. */
  private collect(transform: Transform): Collected[] {
    const reports: Collected[] = []
    let open = true
    const context: TransformContext = {
      files: this.opts.files,
      options: this.opts.options,
      model: () => this.model(),
      report: (report) => {
        if (!open) {
          // Not thrown: a timer's callback would crash the process. The run says so instead.
          this.late.add(transform.meta.id)
          this.opts.onLate?.(transform.meta.id)
          return
        }
        checkReport(report, this.fileSet)
        reports.push({ transform: transform.meta.id, report, message: asTransformError(() => formatMessage(transform.meta, report)) })
      },
      fileOf: (node) => this.nodes.get(node)?.file,
      parentOf: (node) => this.nodes.get(node)?.parent,
      editable: (file) => file !== undefined && !this.opts.frozen.has(file),
      config: (file) => config(file.tree),
    }
    const returned: unknown = transform.create(context)
    open = false
    if (returned !== undefined && typeof (returned as { then?: unknown })?.then === 'function') {
      // Swallow the rejection of a promise we refuse, so it cannot surface later as a crash.
      ;(returned as Promise<unknown>).then(undefined, () => undefined)
      throw new TransformError('create() returned a Promise; transforms run synchronously (report within create)')
    }
    return reports
  }

  /** Apply the fixes of one pass; returns whether any of them changed something. */
  private applyPass(
    transform: Transform,
    reports: Collected[],
    model: WsgiModel | undefined,
    notes: RecordedAdvisory[],
    refused: RecordedAdvisory[],
  ): boolean {
    const dirty = new Set<Claim>()
    const claims = (node: Content): Claim[] => claimsOf(model, node)
    let changed = false
    for (const { report, message } of reports) {
      if (report.fix === undefined) continue
      const reads = readsOf(report, claims)
      if (overlaps(reads, dirty)) {
        for (const c of reads) dirty.add(c)
        continue
      }
      const fix = report.fix
      const env = { meta: transform.meta, nodes: this.nodes, editable: (file: SourceFile) => !this.opts.frozen.has(file), claims }
      const applied = asTransformError(() => {
        try {
          return applyFix(fix, message, env)
        } catch (e) {
          if (e instanceof UnwritableFix) refused.push({ transform: transform.meta.id, ...this.whereOf(report), message: unwritable(e, message) })
          else if (e instanceof TemplateLineError) refused.push({ transform: transform.meta.id, ...this.whereOf(report), message: templateLine(message) })
          else throw e
          return undefined
        }
      })
      if (applied === undefined) continue
      for (const c of applied.writes) dirty.add(c)
      if (applied.changes.length === 0) continue
      for (const n of applied.notes) notes.push({ transform: transform.meta.id, ...this.whereOf(report), message: n })
      changed = true
      this.current = undefined
      for (const c of applied.changes) this.changes.push({ ...c, transform: transform.meta.id })
    }
    return changed
  }

  /** The file, line and column an advisory is about. */
  private whereOf(report: Report): Omit<RecordedAdvisory, 'transform' | 'message'> {
    if (report.file !== undefined) {
      return { file: report.file, ...(report.line !== undefined ? { line: report.line } : {}), ...(report.column !== undefined ? { column: report.column } : {}) }
    }
    const node = report.at?.node ?? report.node
    const file = report.at !== undefined ? this.byPath.get(report.at.file) : this.nodes.get(node as Content)?.file
    const start = node?.position?.start
    return { ...(file ? { file } : {}), ...(start ? { line: start.line, column: start.column } : {}) }
  }

}

/** A report as given in a pass, with its message already checked and filled. */
interface Collected {
  transform: string
  report: Report
  message: Message
}

/** What a report's decision read: its own place's scope (a model record), or every place of its node. */
function readsOf(report: Report, claims: (node: Content) => Claim[]): Claim[] {
  if (report.reads !== undefined) return [...report.reads.map(scopeClaim), ...(report.file?.kind === 'wsgi' ? [report.file] : [])]
  if (report.at !== undefined) return [scopeClaim(report.at)]
  if (report.node !== undefined) return claims(report.node)
  return report.file?.kind === 'wsgi' ? [report.file, GLOBAL] : [GLOBAL]
}

/** The scopes a node is read in (GLOBAL when the model does not know it: sections, new nodes). */
function claimsOf(model: WsgiModel | undefined, node: Content): Claim[] {
  const places = model?.places(node) ?? []
  return places.length > 0 ? places.map(scopeClaim) : [GLOBAL]
}

/** Run `fn`, turning a TypeError (a bad report, an edit helper refusing) into a TransformError. */
function asTransformError<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (e instanceof TransformError) throw e
    throw new TransformError(errorMessage(e))
  }
}

/** What a fix would have done, and why it was not: its file cannot hold the new text. */
function unwritable(e: UnwritableFix, message: Message): Message {
  const text = `Not changed: ${e.message}, which would be written mangled. The change was: ${message.text} ` +
    'Make it by hand, writing those characters as the bytes Apache and the file system expect (UTF-8), or convert the file to UTF-8 first.'
  return { messageId: 'unwritable', data: { file: e.file.path, characters: e.characters }, text }
}

/** What a fix would have done, and why it was not: the line is a template's, written in pieces per branch. */
function templateLine(message: Message): Message {
  const text = 'Not changed: the template writes this line in pieces, one per branch of a block statement on the line, and an edit cannot ' +
    `keep each branch whole. The change was: ${message.text} Make it by hand in each branch.`
  return { messageId: 'templateLine', data: {}, text }
}

function adviceKey(a: RecordedAdvisory): string {
  return JSON.stringify([a.file?.path, a.line, a.column, a.message.text])
}

function scopeClaim(loc: Located): Claim {
  return loc.scope.vhost?.section ?? GLOBAL
}

/** GLOBAL is inherited by every scope: it overlaps anything. */
function overlaps(reads: readonly Claim[], dirty: ReadonlySet<Claim>): boolean {
  if (dirty.size === 0) return false
  if (dirty.has(GLOBAL)) return true
  return reads.some((c) => c === GLOBAL || dirty.has(c))
}

/** The shape of a report, checked where it is given (a user's transform gets a clear error). */
function checkReport(report: Report, files: ReadonlySet<SourceFile>): void {
  if (typeof report !== 'object' || report === null) throw new TransformError('report() needs an object')
  const subjects = [report.at, report.node, report.file].filter((x) => x !== undefined).length
  if (subjects !== 1) throw new TransformError('a report names exactly one of at (a model record), node, or file')
  if (report.fix !== undefined && typeof report.fix !== 'function') throw new TransformError('a report\'s fix must be a function')
  // A file of the run, as the context gave it: a path made up by the transform is no place to point at.
  if (report.file !== undefined && !files.has(report.file)) throw new TransformError('a report\'s file must be one of context.files')
  for (const key of ['line', 'column'] as const) {
    const n: unknown = (report as { line?: unknown; column?: unknown })[key]
    if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n > 0)) {
      throw new TransformError(`a report's ${key} must be a positive whole number (got ${JSON.stringify(n) ?? String(n)})`)
    }
  }
}

export type { AppliedChange, LineRange, ApacheFile }
