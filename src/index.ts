// The public API of wsgi-migrate.
export { parse } from './parse.js'
export { print, toText } from './print.js'
export { config, Collection, type NodePath } from './collection.js'
export {
  append,
  childIndent,
  createDirective,
  eolOf,
  getOption,
  indentOf,
  indentUnit,
  insertAfter,
  insertBefore,
  options,
  remove,
  removeOption,
  renameDirective,
  renameOption,
  replaceWith,
  setArgs,
  setOption,
  type OptionRef,
  type ParentNode,
} from './edit.js'
export { formatDiagnostic, isClean } from './diagnostics.js'
export { buildModel } from './mod-wsgi-model.js'
export type * from './mod-wsgi-model.js'
export { migrate, selectTransforms, writeResult } from './migrate.js'
export type * from './migrate.js'
export { createPatch } from './patch.js'
export { toJsonReport, toMarkdownSummary, type JsonReport } from './report.js'
export type * from './transform.js'
export type * from './types.js'
export { builtinTransforms as transforms } from '../transforms/index.js'
