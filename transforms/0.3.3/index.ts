// Kallithea 0.3.3 (the same form through 0.3.7): single-threaded daemon processes.
import { definePreset } from '../../src/runner/define.js'
import { preset as v0_3_2 } from '../0.3.2/index.js'
import { singleThreaded } from './single-threaded/index.js'

export const preset = definePreset({
  version: '0.3.3',
  title: 'Kallithea 0.3.3: single-threaded daemon processes',
  needs: 'Single-threaded processes suit every Kallithea release; five processes need about five times the memory of one.',
  extends: v0_3_2,
  transforms: [singleThreaded],
})

export default preset
export { singleThreaded }
