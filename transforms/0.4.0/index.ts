// Kallithea 0.4.0 (Pylons → TurboGears2): the dispatch script without PasteScript.
import { definePreset } from '../../src/runner/define.js'
import { preset as v0_3_3 } from '../0.3.3/index.js'
import { loggingConfig } from './logging-config/index.js'

export const preset = definePreset({
  version: '0.4.0',
  title: 'Kallithea 0.4.0: logging.config instead of PasteScript, no HGENCODING',
  needs:
    'logging.config works with Kallithea 0.3.x too; HGENCODING is kept while the installed Kallithea is older than 0.4.0, ' +
    'whose Mercurial still takes its encoding from it.',
  extends: v0_3_3,
  transforms: [loggingConfig],
})

export default preset
export { loggingConfig }
