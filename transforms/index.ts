// Every built-in preset (one per Kallithea release whose documented form changed) and their steps
// in the order they run; the runner keeps the steps between --from and --to.
import { stepsOf, type Preset } from '../src/runner/define.js'
import type { Transform } from '../src/runner/transform.js'
import { preset as v0_3_2 } from './0.3.2/index.js'

/** The presets, oldest first; each builds on the one before. */
export const presets: readonly Preset[] = [v0_3_2]

/** The newest preset: every step there is. */
export const latest: Preset = v0_3_2

export const builtinTransforms: readonly Transform[] = stepsOf(latest)
