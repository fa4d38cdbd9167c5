// The built-in transforms, in the order they run within one version (the runner sorts by version).
import type { Transform } from '../src/runner/transform.js'
import { processGroup } from './0.3.2/process-group/process-group.js'
import { restrictEmbedded } from './0.3.2/restrict-embedded/restrict-embedded.js'
import { dropProcessesOne } from './0.3.2/drop-processes-1/drop-processes-1.js'
import { pythonHome } from './0.3.2/python-home/python-home.js'
import { redundantUserGroup } from './0.3.2/redundant-user-group/redundant-user-group.js'
import { passAuthorization } from './0.3.2/pass-authorization/pass-authorization.js'
import { scriptActivation } from './0.3.2/script-activation/script-activation.js'

// process-group runs before restrict-embedded: restricting is only safe once apps use a daemon.
// python-home runs before script-activation: the script loses its activation only once the
// daemon group has python-home.
export const builtinTransforms: readonly Transform[] = [
  processGroup,
  restrictEmbedded,
  dropProcessesOne,
  pythonHome,
  redundantUserGroup,
  passAuthorization,
  scriptActivation,
]
