// How a version transform reports its edits of a dispatch script: one fix per script holding all
// its edits (each explained by its own message), made against the script's text of this pass.
import type { Located } from '../model/model.js'
import { splice, type TextEdit } from '../python/index.js'
import type { ChangeKind, MessageData, ScriptFile, TransformContext } from './transform.js'

export interface ScriptChange {
  edit: TextEdit
  kind: ChangeKind
  messageId: string
  data: MessageData
}

/**
 * Report `changes` of `file` as one fix. `reads`: the aliases that load the script (the decision
 * rests on them: a fix of the same pass in their scope makes this one wait for a fresh model).
 */
export function reportScriptChanges(ctx: TransformContext, file: ScriptFile, reads: readonly Located[], unordered: readonly ScriptChange[]): void {
  // In the order of the file, as a reader of the report goes through it.
  const changes = [...unordered].sort((a, b) => a.edit.start - b.edit.start)
  const first = changes[0]
  if (first === undefined) return
  const { text, lines } = splice(file.text, changes.map((c) => c.edit))
  ctx.report({
    file,
    line: lines[0]!.start,
    reads,
    messageId: first.messageId,
    data: first.data,
    fix: (fixer) => fixer.editScript(file, text, changes.map((c, i) => ({ kind: c.kind, lines: lines[i]!, messageId: c.messageId, data: c.data }))),
  })
}

/** An advisory about a line of a script. */
export function adviseScript(ctx: TransformContext, file: ScriptFile, reads: readonly Located[], line: number, messageId: string, data: MessageData): void {
  ctx.report({ file, line, reads, messageId, data: { script: file.path, line, ...data } })
}

/** The sentence every script transform says of a script Python would reject (it is not edited). */
export const PYTHON_REJECTS = 'Python would reject this script ({{why}}): not changed; fix it first.'
