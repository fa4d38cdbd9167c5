// Every built-in preset (one per Kallithea release whose documented form changed) and their steps
// in the order they run; the runner keeps the steps between --from and --to.
import { stepsOf, type Preset } from '../src/runner/define.js'
import type { Transform } from '../src/runner/transform.js'
import { preset as v0_3_2 } from './0.3.2/index.js'
import { preset as v0_3_3 } from './0.3.3/index.js'
import { preset as v0_4_0 } from './0.4.0/index.js'
import { preset as v0_4_1 } from './0.4.1/index.js'
import { preset as v0_5_1 } from './0.5.1/index.js'
import { preset as v0_6_0 } from './0.6.0/index.js'

/** The presets, oldest first; each builds on the one before. */
export const presets: readonly Preset[] = [v0_3_2, v0_3_3, v0_4_0, v0_4_1, v0_5_1, v0_6_0]

/** The newest preset (the last one): every step there is. */
export const latest: Preset = presets[presets.length - 1] as Preset

export const builtinTransforms: readonly Transform[] = stepsOf(latest)
