// The mod_wsgi model: what Apache httpd + mod_wsgi would make of a set of parsed config files.
// The public module of src/model/: buildModel (build.ts) and the records it returns (types.ts).
export { buildModel } from './build.js'
export { hostOf } from './handlers.js'
export { problemsOf } from './problems.js'
export { ALIAS_OPTIONS, DAEMON_OPTIONS } from './rules.js'
export type * from './types.js'
