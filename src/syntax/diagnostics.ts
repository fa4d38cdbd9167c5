// Diagnostics read like compiler errors: `file:line:column: reason`.
import type { VFileMessage } from 'vfile-message'
import type { Root } from './types.js'

export function formatDiagnostic(message: VFileMessage, file = message.file ?? '<input>'): string {
  return `${file}:${message.line ?? 1}:${message.column ?? 1}: ${message.reason}`
}

/** True when the tree parsed without errors (warnings, `fatal: false`, may remain). */
export function isClean(tree: Root): boolean {
  return tree.data.diagnostics.every((d) => d.fatal !== true)
}
