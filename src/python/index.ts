// The dispatch-script (dispatch.wsgi) reader: a lossless scan of Python source, the analysis of
// its virtualenv activation, and the removal of that activation.
export { scanPython } from './tokens.js'
export { analyzeDispatchScript } from './analyze.js'
export { removeVenvActivation } from './remove.js'
export { normalizeVenv, venvOfSitePackages } from './venv-paths.js'
export type * from './types.js'
