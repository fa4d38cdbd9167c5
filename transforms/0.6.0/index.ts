// Kallithea 0.6.0: Python 3 only.
import { definePreset } from '../../src/runner/define.js'
import { preset as v0_5_1 } from '../0.5.1/index.js'
import { python3 } from './python3/index.js'

export const preset = definePreset({
  version: '0.6.0',
  title: 'Kallithea 0.6.0: Python 3, python-home, no execfile',
  needs:
    'exec(open(f).read(), g) and the removal of activation work on Python 2 as well; a lib/python3.X path needs the venv ' +
    'to be Python 3, which Kallithea 0.6.0 requires: make the venv with the python3 mod_wsgi embeds before upgrading.',
  extends: v0_5_1,
  transforms: [python3],
})

export default preset
export { python3 }
