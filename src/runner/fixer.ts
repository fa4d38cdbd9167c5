// The edits a fix may make, each recorded as one change. The fixer finds a node's file and parent
// itself, refuses to touch a file that must not be edited, and says where each edit takes effect
// (the claims the engine uses to order the rest of the pass).
import { append, insertAfter, insertBefore, remove } from '../syntax/edit.js'
import type { LineRange } from '../syntax/locate.js'
import { renderDirective } from '../syntax/render.js'
import type { Content, Directive, ParentNode } from '../syntax/types.js'
import type { Claim } from './engine.js'
import { formatMessage, type Message } from './messages.js'
import type { NodeIndex, NodePlace } from './node-index.js'
import type { ChangeKind, Fixer, MessageRef, SourceFile, TransformMeta } from './transform.js'

/** One change a fix made. `lines`: of a script change, or a removed node's original lines. */
export interface AppliedChange {
  file: SourceFile
  kind: ChangeKind
  node?: Content
  lines?: LineRange
  message: Message
}

export interface FixEnv {
  meta: TransformMeta
  nodes: NodeIndex
  editable: (file: SourceFile) => boolean
  /** Where a node of the pass's model is read. */
  claims: (node: Content) => Claim[]
}

/** Run a report's fix; returns its changes and where they take effect. */
export function applyFix(fix: (fixer: Fixer) => void, message: Message, env: FixEnv): { changes: AppliedChange[]; writes: Claim[]; notes: Message[] } {
  const changes: AppliedChange[] = []
  const notes: Message[] = []
  const writes: Claim[] = []
  const say = (ref: MessageRef | undefined): Message => (ref === undefined ? message : formatMessage(env.meta, ref))
  const placeOf = (node: Content, what: string): NodePlace => {
    const place = env.nodes.get(node)
    if (place === undefined) throw new TypeError(`${what}: the node is not part of the run's files`)
    if (!env.editable(place.file)) throw new TypeError(`${what}: ${place.file.path} must not be edited (it has parse errors or is not a config file)`)
    return place
  }
  const fresh = (node: Content, what: string): void => {
    if (env.nodes.get(node) !== undefined) throw new TypeError(`${what}: the new node is already in the tree; create a new one`)
  }
  const inserted = (ref: Content, node: Content, at: NodePlace, ref2: MessageRef | undefined): void => {
    env.nodes.added(node, at)
    writes.push(...env.claims(ref))
    changes.push({ file: at.file, kind: 'insert', node, message: say(ref2) })
  }
  const fixer: Fixer = {
    insertBefore(ref, node, ref2) {
      const at = placeOf(ref, 'insertBefore')
      fresh(node, 'insertBefore')
      insertBefore(at.parent, ref, node, at.file.tree)
      inserted(ref, node, at, ref2)
    },
    insertAfter(ref, node, ref2) {
      const at = placeOf(ref, 'insertAfter')
      fresh(node, 'insertAfter')
      insertAfter(at.parent, ref, node, at.file.tree)
      inserted(ref, node, at, ref2)
    },
    append(parent: ParentNode, node, ref2) {
      const file = env.nodes.fileOfParent(parent)
      if (file === undefined) throw new TypeError('append: the parent is not part of the run\'s files')
      if (!env.editable(file)) throw new TypeError(`append: ${file.path} must not be edited`)
      fresh(node, 'append')
      append(parent, node, file.tree)
      env.nodes.added(node, { file, parent })
      writes.push(...(parent.type === 'section' ? env.claims(parent) : ['global' as const]))
      changes.push({ file, kind: 'insert', node, message: say(ref2) })
    },
    remove(node, ref2) {
      const at = placeOf(node, 'remove')
      writes.push(...env.claims(node))
      const start = node.position?.start.line
      const end = node.position?.end.line
      remove(at.parent, node)
      env.nodes.removed(node)
      changes.push({ file: at.file, kind: 'remove', node, ...(start !== undefined && end !== undefined ? { lines: { start, end } } : {}), message: say(ref2) })
    },
    modify(node: Directive, edit, ref2) {
      const at = placeOf(node, 'modify')
      const before = renderDirective(node)
      edit(node)
      if (renderDirective(node) === before) return
      writes.push(...env.claims(node))
      changes.push({ file: at.file, kind: 'modify', node, message: say(ref2) })
    },
    note(ref2) {
      notes.push(formatMessage(env.meta, ref2))
    },
    editScript(file, text, edits) {
      if (file.kind !== 'wsgi' || !env.editable(file)) throw new TypeError(`editScript: ${file.path} is not a script this run may edit`)
      if (typeof text !== 'string') throw new TypeError('editScript: the new text must be a string')
      if (text === file.text) return
      file.text = text
      writes.push(file)
      for (const e of edits) changes.push({ file, kind: e.kind, lines: e.lines, message: say('messageId' in e || 'message' in e ? (e as MessageRef) : undefined) })
    },
  }
  fix(fixer)
  return { changes, writes, notes }
}
