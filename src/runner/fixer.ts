// The edits a fix may make, each recorded as one change. A fix is applied whole or not at all:
// its edits are first recorded, then checked (every node in the run, every file editable, every
// new text writable byte for byte in its file's encoding), and only then applied, in order. The
// fixer finds a node's file and parent itself and says where each edit takes effect (the claims
// the engine uses to order the rest of the pass).
import { append, cloneNode, insertAfter, insertBefore, remove } from '../syntax/edit.js'
import type { LineRange } from '../syntax/locate.js'
import { checkNewNode } from '../syntax/new-node.js'
import { toText } from '../syntax/print.js'
import { renderDirective, TemplateLineError } from '../syntax/render.js'
import type { Content, Directive, Encoding, ParentNode } from '../syntax/types.js'
import type { Claim } from './engine.js'
import { formatMessage, type Message } from './messages.js'
import type { NodeIndex, NodePlace } from './node-index.js'
import type { ApacheFile, ChangeKind, Fixer, MessageRef, ScriptFile, SourceFile, TransformMeta } from './transform.js'

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

/** A fix that cannot be applied as it is: its new text cannot be written in a file's encoding. */
export class UnwritableFix extends Error {
  constructor(readonly file: SourceFile, readonly characters: string) {
    super(`${file.path} is not UTF-8 (it is read as Latin-1) and the new text holds characters Latin-1 cannot hold (${characters})`)
  }
}

/** An edit recorded by the fixer: checked first, applied later. */
interface Op {
  /** Throws when the edit cannot be made (a TypeError, or UnwritableFix). */
  check(): void
  apply(): void
}

interface Applied {
  changes: AppliedChange[]
  writes: Claim[]
  notes: Message[]
}

/** Run a report's fix; returns its changes and where they take effect. Nothing is edited when it throws. */
export function applyFix(fix: (fixer: Fixer) => void, message: Message, env: FixEnv): Applied {
  const out: Applied = { changes: [], writes: [], notes: [] }
  const ops: Op[] = []
  fix(recorder(env, message, out, ops))
  for (const op of ops) op.check()
  for (const op of ops) op.apply()
  return out
}

/** The Fixer a fix is given: each call records an Op. */
function recorder(env: FixEnv, message: Message, out: Applied, ops: Op[]): Fixer {
  const say = (ref: MessageRef | undefined): Message => (ref === undefined ? message : formatMessage(env.meta, ref))
  const insert = (what: string, ref: Content, node: Content, ref2: MessageRef | undefined, edit: (at: NodePlace) => void): void => {
    const text = say(ref2)
    let at: NodePlace
    ops.push({
      check: () => {
        at = placeOf(env, ref, what)
        fresh(env, node, what)
        writable(at.file, toText(node))
      },
      apply: () => {
        edit(at)
        env.nodes.added(node, at)
        out.writes.push(...env.claims(ref))
        out.changes.push({ file: at.file, kind: 'insert', node, message: text })
      },
    })
  }
  return {
    insertBefore: (ref, node, ref2) => insert('insertBefore', ref, node, ref2, (at) => insertBefore(at.parent, ref, node, at.file.tree)),
    insertAfter: (ref, node, ref2) => insert('insertAfter', ref, node, ref2, (at) => insertAfter(at.parent, ref, node, at.file.tree)),
    append: (parent, node, ref2) => ops.push(appendOp(env, parent, node, say(ref2), out)),
    remove: (node, ref2) => ops.push(removeOp(env, node, say(ref2), out)),
    modify: (node, edit, ref2) => ops.push(modifyOp(env, node, edit, say(ref2), out)),
    note: (ref2) => void out.notes.push(formatMessage(env.meta, ref2)),
    editScript: (file, text, edits) => ops.push(scriptOp(env, file, text, edits, say, out)),
  }
}

function appendOp(env: FixEnv, parent: ParentNode, node: Content, message: Message, out: Applied): Op {
  let file: ApacheFile
  return {
    check: () => {
      const f = env.nodes.fileOfParent(parent)
      if (f === undefined) throw new TypeError('append: the parent is not part of the run\'s files')
      if (!env.editable(f)) throw new TypeError(`append: ${f.path} must not be edited`)
      fresh(env, node, 'append')
      writable(f, toText(node))
      file = f
    },
    apply: () => {
      append(parent, node, file.tree)
      env.nodes.added(node, { file, parent })
      out.writes.push(...(parent.type === 'section' ? env.claims(parent) : ['global' as const]))
      out.changes.push({ file, kind: 'insert', node, message })
    },
  }
}

function removeOp(env: FixEnv, node: Content, message: Message, out: Applied): Op {
  let at: NodePlace
  return {
    check: () => {
      at = placeOf(env, node, 'remove')
    },
    apply: () => {
      out.writes.push(...env.claims(node))
      const start = node.position?.start.line
      const end = node.position?.end.line
      remove(at.parent, node)
      env.nodes.removed(node)
      out.changes.push({ file: at.file, kind: 'remove', node, ...(start !== undefined && end !== undefined ? { lines: { start, end } } : {}), message })
    },
  }
}

/** A change of a node's words: tried on a copy first, so a refused edit changes nothing. */
function modifyOp(env: FixEnv, node: Directive, edit: (node: Directive) => void, message: Message, out: Applied): Op {
  let at: NodePlace
  return {
    check: () => {
      at = placeOf(env, node, 'modify')
      const copy = cloneNode(node)
      edit(copy)
      // An edit may set `raw` by hand: what it prints must still read back as the directive.
      if (copy.type !== 'directive') throw new TypeError('modify: the edit turned the directive into another kind of node')
      readsBack('modify', copy, 'write')
      writable(at.file, renderDirective(copy))
    },
    apply: () => {
      const before = renderDirective(node)
      edit(node)
      if (renderDirective(node) === before) return
      out.writes.push(...env.claims(node))
      out.changes.push({ file: at.file, kind: 'modify', node, message })
    },
  }
}

function scriptOp(
  env: FixEnv,
  file: ScriptFile,
  text: string,
  edits: ReadonlyArray<{ kind: ChangeKind; lines: LineRange } & Partial<MessageRef>>,
  say: (ref: MessageRef | undefined) => Message,
  out: Applied,
): Op {
  return {
    check: () => {
      if (file.kind !== 'wsgi' || !env.editable(file)) throw new TypeError(`editScript: ${file.path} is not a script this run may edit`)
      if (typeof text !== 'string') throw new TypeError('editScript: the new text must be a string')
      writable(file, text)
    },
    apply: () => {
      if (text === file.text) return
      file.text = text
      out.writes.push(file)
      for (const e of edits) {
        const own = 'messageId' in e || 'message' in e ? (e as MessageRef) : undefined
        out.changes.push({ file, kind: e.kind, lines: e.lines, message: say(own) })
      }
    },
  }
}

function placeOf(env: FixEnv, node: Content, what: string): NodePlace {
  const place = env.nodes.get(node)
  if (place === undefined) throw new TypeError(`${what}: the node is not part of the run's files`)
  if (!env.editable(place.file)) throw new TypeError(`${what}: ${place.file.path} must not be edited (it has parse errors or is not a config file)`)
  return place
}

/** A new node: not in the tree yet, and its text reads back as it (no line smuggled in). */
function fresh(env: FixEnv, node: Content, what: string): void {
  if (env.nodes.get(node) !== undefined) throw new TypeError(`${what}: the new node is already in the tree; create a new one`)
  readsBack(what, node, 'insert')
}

/** checkNewNode, its refusal prefixed with the fixer's method. */
function readsBack(what: string, node: Content, verb: string): void {
  try {
    checkNewNode(node, verb)
  } catch (e) {
    if (e instanceof TemplateLineError) throw e
    throw new TypeError(`${what}: ${(e as Error).message}`)
  }
}

function encodingOf(file: SourceFile): Encoding {
  return file.kind === 'apache' ? file.tree.data.encoding : (file.encoding ?? 'utf8')
}

/** A Latin-1 file can take only characters up to U+00FF: the bytes are written back one per character. */
function writable(file: SourceFile, text: string): void {
  if (encodingOf(file) !== 'latin1') return
  const bad = [...new Set(text.match(/[^\u0000-\u00ff]/gu) ?? [])]
  if (bad.length > 0) throw new UnwritableFix(file, bad.slice(0, 5).join(''))
}
