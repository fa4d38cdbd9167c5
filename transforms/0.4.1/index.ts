// Kallithea 0.4.1 (the same form in 0.5.0): a UTF-8 locale for the daemon.
import { definePreset } from '../../src/runner/define.js'
import { preset as v0_4_0 } from '../0.4.0/index.js'
import { daemonLang } from './daemon-lang/index.js'

export const preset = definePreset({
  version: '0.4.1',
  title: 'Kallithea 0.4.1: lang=C.UTF-8 on the daemon',
  needs: 'A UTF-8 locale suits every Kallithea release; lang= needs mod_wsgi 3.4 or later and a locale the host has (locale -a).',
  extends: v0_4_0,
  transforms: [daemonLang],
})

export default preset
export { daemonLang }
