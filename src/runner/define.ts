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

/** What a transform list may hold: transforms and presets, in the order they run. */
export type Steps = Transform | Preset | ReadonlyArray<Transform | Preset>

/** A preset (its steps in `transforms`, no `create`), by its shape: a bundle may hold copies of the types. */
export function isPreset(x: unknown): x is Preset {
  return typeof x === 'object' && x !== null && Array.isArray((x as Preset).transforms) && typeof (x as Transform).create !== 'function'
}

/** A transform by its shape: an object with a `meta` object and a `create` function. */
export function isTransform(x: unknown): x is Transform {
  if (typeof x !== 'object' || x === null) return false
  const { meta, create } = x as Partial<Transform>
  return typeof create === 'function' && typeof meta === 'object' && meta !== null
}

/** The transforms of `what` in order, each preset giving its steps (stepsOf). */
export function transformsOf(what: Steps): Transform[]
export function transformsOf(what: readonly unknown[]): unknown[]
export function transformsOf(what: Steps | readonly unknown[]): unknown[] {
  const list: readonly unknown[] = Array.isArray(what) ? what : [what]
  return list.flatMap((w) => (isPreset(w) ? stepsOf(w) : [w]))
}
