// The dispatch-script (dispatch.wsgi) reader: a lossless scan of Python source, the analysis of
// its virtualenv activation, and the removal of that activation; the statements the version
// transforms edit (imports, one-call statements) and edits at token offsets.
export { scanPython } from './tokens.js'
export { analyzeDispatchScript } from './analyze.js'
export { removeVenvActivation } from './remove.js'
export { normalizeVenv, venvFromSitePackages, venvOfSitePackages } from './venv-paths.js'
export { callStatements, fromImports, importBindings, importsName, qualifiedName, linesOf, readStatements, sourceOf, stringAt, type Arg, type CallStatement, type FromImport, type ScriptStatements } from './statements.js'
export { splice, type SpliceResult, type TextEdit } from './splice.js'
export type * from './types.js'
