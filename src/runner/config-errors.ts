// What Apache would refuse in a server's config, as the run's errors: the error-level problems of
// the model of the files as the transforms left them (a problem a transform fixed, such as the
// misspelled WSGIRestrictedEmbedded, is gone by then). A run with errors prints no patch: a
// config Apache refuses is not one to hand a partial fix to.
import { INCOMPLETE, type Problem } from '../model/problems.js'
import type { WsgiModel } from '../model/model.js'
import type { MigrateError } from './migrate.js'

/** The run error of one problem: `file:line:column: message`, code `config`. */
export function configError(p: Problem): MigrateError {
  const start = p.node.position?.start
  const at = start ? `${p.file}:${start.line}:${start.column}` : p.file
  return { code: 'config', file: p.file, ...(start ? { line: start.line, column: start.column } : {}), message: `${at}: ${p.message}` }
}

/** The errors Apache would stop at, in the model's order. */
export function configErrors(model: WsgiModel): MigrateError[] {
  return model.problems.filter((p) => p.severity === 'error').map(configError)
}

/** The errors that leave the model incomplete (the walk stopped): no transform may decide from it. */
export function incompleteErrors(model: WsgiModel): MigrateError[] {
  return model.problems.filter((p) => INCOMPLETE.has(p.code)).map(configError)
}
