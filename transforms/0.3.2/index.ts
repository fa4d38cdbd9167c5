// Kallithea 0.3.2: the Apache + mod_wsgi form the docs took after mod_wsgi's author reported the
// 0.3.1 one (Kallithea issue #203).
import { definePreset } from '../../src/runner/define.js'
import { dropProcessesOne } from './drop-processes-1/index.js'
import { passAuthorization } from './pass-authorization/index.js'
import { processGroup } from './process-group/index.js'
import { pythonHome } from './python-home/index.js'
import { redundantUserGroup } from './redundant-user-group/index.js'
import { restrictEmbedded } from './restrict-embedded/index.js'
import { scriptActivation } from './script-activation/index.js'

// process-group runs before restrict-embedded: restricting is only safe once apps use a daemon.
// python-home runs before script-activation: the script loses its activation only once the
// daemon group has python-home.
export const preset = definePreset({
  version: '0.3.2',
  title: 'Kallithea 0.3.2: the app in its daemon group, python-home, WSGIPassAuthorization',
  needs: 'It suits every Kallithea release (it corrects how mod_wsgi is used, not Kallithea); python-home needs mod_wsgi 3.4 or later.',
  transforms: [processGroup, restrictEmbedded, dropProcessesOne, pythonHome, redundantUserGroup, passAuthorization, scriptActivation],
})

export default preset
export { dropProcessesOne, passAuthorization, processGroup, pythonHome, redundantUserGroup, restrictEmbedded, scriptActivation }
