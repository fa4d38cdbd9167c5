// Helpers that give transforms and presets their types (as ESLint's rule objects are typed).
import type { Transform } from './transform.js'

/** Kallithea's documented form at one release: its own steps, after those of the release it builds on. */
export interface Preset {
  version: string
  title: string
  /**
   * What this form asks of the installed Kallithea (and its Python): said when a run takes a
   * deployment to this form while an older Kallithea is installed (`--to` past it).
   */
  needs: string
  /** The preset of the release before, whose steps run first. */
  extends?: Preset
  /** This release's own steps, in the order they run. */
  transforms: readonly Transform[]
}

export function defineTransform<T extends Transform>(transform: T): T {
  return transform
}

export function definePreset(preset: Preset): Preset {
  return preset
}

/** Every step of a preset: those of the presets it builds on first. */
export function stepsOf(preset: Preset): Transform[] {
  const chain: Preset[] = []
  for (let p: Preset | undefined = preset; p !== undefined; p = p.extends) chain.unshift(p)
  return chain.flatMap((p) => p.transforms)
}
