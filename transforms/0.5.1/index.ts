// Kallithea 0.5.1 (the same form in 0.5.2): fileConfig with __file__ and here.
import { definePreset } from '../../src/runner/define.js'
import { preset as v0_4_1 } from '../0.4.1/index.js'
import { fileconfigHere } from './fileconfig-here/index.js'

export const preset = definePreset({
  version: '0.5.1',
  title: "Kallithea 0.5.1: fileConfig(ini, {'__file__': ini, 'here': ...})",
  needs: 'Passing defaults to fileConfig suits every Kallithea release (PasteScript\'s fileConfig takes them too).',
  extends: v0_4_1,
  transforms: [fileconfigHere],
})

export default preset
export { fileconfigHere }
