// Where a global line (WSGIRestrictEmbedded On) goes: where a reader looks for it. At the top of
// the file that defines the Kallithea daemon, outside any section (inside the <IfModule> that
// guards the daemon, so that Apache without mod_wsgi still starts); never between a comment and
// the directive it describes; not in a distribution's own main config (apache2.conf, httpd.conf,
// which its package manages) while a site file can hold it. When the daemon's file is read inside
// a <VirtualHost> (an Include there), the line goes to the file around it, before that section.
import type { Located, WsgiModel } from '../../../src/model/model.js'
import { sectionKind } from '../../../src/model/rules.js'
import { isMainConfigName } from '../../../src/load/paths.js'
import type { ApacheFile, Fixer, MessageRef, TransformContext } from '../../../src/runner/transform.js'
import { indentOf } from '../../../src/syntax/edit.js'
import { EPP_PARAMETER_TAG } from '../../../src/syntax/templates.js'
import type { Content, Directive, ParentNode, Section } from '../../../src/syntax/types.js'

/** Where the new global directive goes, and how. */
export interface Spot {
  file: ApacheFile
  /** The layout of the line there: the indentation of what it goes before, the file's line ending. */
  indent: string
  eol: string
  insert: (fixer: Fixer, node: Directive, message?: MessageRef) => void
}

/** A file the line may go to: into `parent` (a wrapper, or the file's top), before `before` (or its first line). */
interface Candidate {
  file: string
  parent?: Section
  before?: Section
}

/**
 * The spot for a global line about `records` (the daemon first, then the aliases it serves; or a
 * misplaced WSGIRestrictEmbedded): the first candidate that can be edited, a main config last.
 */
export function globalSpot(ctx: TransformContext, model: WsgiModel, records: readonly Located[]): Spot | undefined {
  const candidates = records.flatMap((r) => candidatesOf(model, r))
  const editable = candidates.filter((c) => ctx.editable(fileByPath(ctx, c.file)))
  const chosen = editable.find((c) => !isMainConfigName(c.file)) ?? editable[0]
  if (chosen === undefined) return undefined
  const file = fileByPath(ctx, chosen.file) as ApacheFile
  const parent: ParentNode = chosen.parent ?? (chosen.before === undefined ? file.tree : (ctx.parentOf(chosen.before) ?? file.tree))
  const start = chosen.before === undefined ? undefined : parent.children.indexOf(chosen.before as Content)
  const ref = attachedStart(parent.children as Content[], start)
  const indent = ref === undefined ? '' : indentOf(ref)
  return { file, indent, eol: file.tree.data.eol, insert: (f, node, message) => (ref === undefined ? f.append(parent, node, message) : f.insertBefore(ref, node, message)) }
}

const fileByPath = (ctx: TransformContext, path: string): ApacheFile | undefined =>
  ctx.files.find((f): f is ApacheFile => f.kind === 'apache' && f.path === path)

/** Sections that only say whether their inside is read (<IfModule>...): a global line may stand in them. */
const isWrapper = (s: Section): boolean => sectionKind(s.name.toLowerCase()) === 'wrapper'

/**
 * The record's own file when its top is read at global scope (no section but wrappers around the
 * Include that reads it), else the files around it outwards. In each: inside the wrappers that
 * open around what leads to the record, before the first section that is not one.
 */
function candidatesOf(model: WsgiModel, record: Located): Candidate[] {
  const steps = record.scope.includes
  const out: Candidate[] = []
  // Files from the record's own outwards: the file, and the Include that read it (none for a top file).
  for (let j = steps.length; j >= 0; j--) {
    const into = j === 0 ? undefined : model.locate(steps[j - 1].node)
    if (into !== undefined && !into.scope.ancestors.every(isWrapper)) continue
    const inner = j === steps.length ? record : model.locate(steps[j].node)
    if (inner === undefined) continue
    // The sections of this file around what leads to the record: its wrappers, then the first other section.
    const own = inner.scope.ancestors.slice(into?.scope.ancestors.length ?? 0)
    const k = own.findIndex((s) => !isWrapper(s))
    const parent = k === 0 ? undefined : own[(k === -1 ? own.length : k) - 1]
    const before = k === -1 ? undefined : own[k]
    out.push({ file: inner.file, ...(parent ? { parent } : {}), ...(before && j < steps.length ? { before } : {}) })
  }
  return out
}

/**
 * The node to insert before so the line stands outside any section and is not put between a
 * comment and what it describes: the first directive or section (or `start`), moved up over the
 * comment lines right above it. Undefined: append (the file holds nothing else).
 */
function attachedStart(children: readonly Content[], start: number | undefined): Content | undefined {
  const isLine = (c: Content): boolean => c.type === 'directive' || c.type === 'section'
  // An EPP parameter tag stays the template's first line: the top starts after it.
  const first = children.findIndex(isLine)
  const top = first !== -1 && children[first].type === 'directive' && EPP_PARAMETER_TAG.test(children[first].raw) ? first + 1 : 0
  let i = start !== undefined && start >= top ? start : children.findIndex((c, k) => k >= top && isLine(c))
  if (i === -1) return top === 0 ? undefined : children[top]
  while (i > top && children[i - 1].type === 'comment') i--
  return children[i]
}
