// The public API of wsgi-migrate.
export { parse } from './syntax/parse.js'
export { print, toText } from './syntax/print.js'
export { config, Collection, type NodePath } from './syntax/collection.js'
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
} from './syntax/edit.js'
export { formatDiagnostic, isClean } from './syntax/diagnostics.js'
export { isTemplated } from './syntax/templates.js'
export {
  areAlternatives,
  branchesByNode,
  branchesOf,
  exclusive,
  isLoop,
  isTemplatedNode,
  templateBlocks,
  templatedArgs,
  type BranchStep,
  type TemplateBlock,
  type TemplateBranch,
} from './syntax/template-tree.js'
export { buildModel } from './model/model.js'
export type * from './model/model.js'
export { migrate, runMigration, selectTransforms, writeResult } from './runner/migrate.js'
export type * from './runner/migrate.js'
export { createPatch } from './runner/patch.js'
export { toJsonReport, toMarkdownSummary, type JsonReport } from './runner/report.js'
export type * from './runner/transform.js'
export type * from './syntax/types.js'
export { applyTransforms, type ApplyOptions, type ApplyResult } from './runner/apply.js'
export { definePreset, defineTransform, stepsOf, type Preset } from './runner/define.js'
export { CONTINUE, EXIT, SKIP, visit, visitParents } from './syntax/visit.js'
export { builtinTransforms as transforms, latest, presets } from '../transforms/index.js'
export { memoryReader, rootedReader, inspectVenv, type TreeReader, type VenvInfo, type KallitheaFound } from './load/installed-version.js'
export type { KallitheaVersions, VenvReport } from './runner/kallithea-version.js'
