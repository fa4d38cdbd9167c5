// Which transforms a run applies: `from < version <= to`, `only`/`skip`, in version order (the
// order within a version is the preset's), as `ng update` runs the migrations between two versions.
import { builtinTransforms } from '../../transforms/index.js'
import { isTransform, transformsOf, type Preset } from './define.js'
import type { Transform } from './transform.js'
import { compareVersions, isRange, versionOf, type SemVer } from './versions.js'

/** The Kallithea version whose documented form a run produces when `to` is not given. */
export const DEFAULT_TO = '0.3.2'

export interface Selection {
  /** Highest Kallithea version whose form to apply (`latest` for all). */
  to?: string
  /**
   * The version taken when `to` is not given (the run sets it to the installed Kallithea it
   * found); default DEFAULT_TO.
   */
  target?: string
  /** Apply only transforms for versions above this one. */
  from?: string
  only?: string[]
  skip?: string[]
  /**
   * Extra transforms (a user's own modules) or presets (their steps), run with the built-in ones,
   * in version order. One with a built-in's id and version is that built-in (a re-export, a
   * bundle's own copy): it runs once, where it would anyway.
   */
  transforms?: ReadonlyArray<Transform | Preset>
}

/** A usage problem found while selecting (the runner reports it as a `usage` error). */
export interface SelectionError {
  code: 'usage'
  message: string
}

/** Where selection problems go (a run's error list takes them as they are). */
export interface ErrorSink {
  push(...errors: SelectionError[]): number
  readonly length: number
}

/** The transforms a run applies, in the order they run; problems go to `errors` (then none is selected). */
export function selectTransforms(options: Selection, errors: ErrorSink = []): Transform[] {
  const before = errors.length
  const usage = (message: string): void => void errors.push({ code: 'usage', message })
  const all = [...new Set([...builtinTransforms, ...userTransforms(options.transforms ?? [], usage)])]
  const to = bound('--to', options.to, usage)
  const from = bound('--from', options.from, usage)
  if (to && from && compareVersions(from, to) >= 0) usage(`--from ${options.from} is not below --to ${options.to}: nothing to apply`)
  const byId = checkTransforms(all, usage)
  if (errors.length === before) beyondNewest(all, { to, from }, options, usage)
  for (const id of [...(options.only ?? []), ...(options.skip ?? [])]) {
    if (!byId.has(id)) usage(`unknown transform '${id}'; see --list`)
  }
  if (errors.length > before) return []

  const builtin = new Set<Transform>(builtinTransforms)
  const limit = to === undefined ? (options.to === 'latest' ? null : versionOf(options.target ?? DEFAULT_TO)) : to
  const inRange = (t: Transform): boolean => {
    const v = versionOf(t.meta.version) as SemVer
    const applyTo = limit !== null && (builtin.has(t) || options.to !== undefined)
    if (applyTo && compareVersions(v, limit) > 0) return false
    return !from || compareVersions(v, from) > 0
  }
  for (const id of options.only ?? []) {
    const t = byId.get(id) as Transform
    if (inRange(t)) continue
    usage(`--only ${id}: it is for Kallithea ${t.meta.version}, outside ${from ? `--from ${options.from} ` : ''}--to ${options.to ?? options.target ?? DEFAULT_TO}; widen --to/--from`)
  }
  if (errors.length > before) return []
  return all
    .map((t, order) => ({ t, order, v: versionOf(t.meta.version) as SemVer }))
    .filter(({ t }) => inRange(t))
    .filter(({ t }) => !options.only?.length || options.only.includes(t.meta.id))
    .filter(({ t }) => !options.skip?.includes(t.meta.id))
    .sort((a, b) => compareVersions(a.v, b.v) || a.order - b.order)
    .map(({ t }) => t)
}

/** The user's transforms, presets expanded, each checked for its shape; a built-in's copy is the built-in. */
function userTransforms(list: readonly unknown[], usage: (m: string) => void): Transform[] {
  const builtins = new Map(builtinTransforms.map((t) => [keyOf(t), t]))
  const out: Transform[] = []
  for (const t of transformsOf(list)) {
    if (isTransform(t)) out.push(builtins.get(keyOf(t)) ?? t)
    else usage(`transforms: ${describe(t)} is neither a transform ({ meta: { id, version, title, messages }, create(context) }) nor a preset ({ version, transforms: [...] })`)
  }
  return out
}

const keyOf = (t: Transform): string => `${String(t.meta.id)}@${String(t.meta.version)}`

function describe(x: unknown): string {
  if (typeof x !== 'object' || x === null) return String(x)
  return Array.isArray(x) ? 'an array' : `an object with ${Object.keys(x).map((k) => `'${k}'`).join(', ') || 'no keys'}`
}

/** `--to`/`--from`: undefined when absent or `latest`, else the version (a usage error when it is none). */
function bound(flag: string, v: string | undefined, usage: (m: string) => void): SemVer | undefined {
  if (v === undefined || v === 'latest') return undefined
  const parsed = versionOf(v)
  if (parsed === null) usage(`${flag} ${v}: not a version; use e.g. 0.3.2 or latest`)
  return parsed ?? undefined
}

/** A bound past every form there is: `--to 0.7.0` names no known version, `--from 0.6.0` leaves no step. */
function beyondNewest(all: readonly Transform[], b: { to?: SemVer; from?: SemVer }, options: Selection, usage: (m: string) => void): void {
  const versions = [...new Set(all.map((t) => t.meta.version))].sort((x, y) => compareVersions(x, y))
  const newest = versions.at(-1)
  if (newest === undefined) return
  const known = `the versions are ${versions.join(', ')} (or latest)`
  if (b.to && compareVersions(b.to, newest) > 0) usage(`--to ${options.to}: no Kallithea form past ${newest} is known; ${known}`)
  if (b.from && compareVersions(b.from, newest) >= 0) usage(`--from ${options.from}: no step is newer, nothing to apply; ${known}`)
}

/** Transforms by id, each checked: one id each, a version, a valid mod_wsgi range. */
function checkTransforms(all: readonly Transform[], usage: (m: string) => void): Map<string, Transform> {
  const byId = new Map<string, Transform>()
  for (const t of all) {
    const { id, version, modWsgi } = t.meta
    if (byId.has(id)) usage(`two transforms have the id '${id}'; give yours another id`)
    byId.set(id, t)
    if (versionOf(version) === null) usage(`transform ${id}: version '${version}' is not a version`)
    if (modWsgi !== undefined && !isRange(modWsgi)) usage(`transform ${id}: modWsgi '${modWsgi}' is not a semver range`)
  }
  return byId
}
