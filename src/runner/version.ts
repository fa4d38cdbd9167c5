// Versions: the little of semver a run needs. `semver` itself costs more to load than a run of a
// small tree takes to transform, so the CLI, the runner and the transforms use these instead:
//
//   semver.coerce(v)            coerceVersion(v)               (a tuple, or null)
//   semver.lt(a, b)             compareVersions(a, b) < 0
//   semver.satisfies(v, range)  satisfies(v, range)            (v may be a tuple; a string is coerced)
//   semver.validRange(range)    parseRange(range) !== null
//
// Tested against semver in test/migrate.test.ts. Pre-release tags are not supported.

export type Version = readonly [number, number, number]

/** Like semver.coerce: the first `N[.N[.N]]` in the text (`v4.9` is 4.9.0); null if there is none. */
export function coerceVersion(text: string): Version | null {
  const m = /(?:^|[^\d])(\d{1,15})(?:\.(\d{1,15}))?(?:\.(\d{1,15}))?(?:$|[^\d])/.exec(text)
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : null
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/**
 * A semver range as a test, or null when it is not one: `||`, space-separated comparators
 * (`<`, `<=`, `>`, `>=`, `=`), `^`, `~`, x-ranges (`4`, `4.x`, `*`) and `a - b`, with semver's
 * meanings (`>4.9` is `>=4.10.0`, `^0.3` is `>=0.3.0 <0.4.0`). Pre-release tags are not supported.
 */
export function parseRange(range: string): ((v: Version) => boolean) | null {
  type Bound = (v: Version) => boolean
  const partial = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/
  const parsePartial = (s: string): Array<number | null> | null => {
    const m = partial.exec(s)
    if (!m) return null
    const parts = [m[1], m[2], m[3]].map((x) => (x === undefined || /[xX*]/.test(x) ? null : Number(x)))
    // After a wildcard everything is a wildcard.
    const first = parts.indexOf(null)
    return first === -1 ? parts : parts.map((x, i) => (i >= first ? null : x))
  }
  const floor = (p: Array<number | null>): Version => [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0]
  /** The smallest version above every version matching the partial (null: none, `*`). */
  const ceiling = (p: Array<number | null>): Version | null =>
    p[0] === null ? null : p[1] === null ? [p[0] + 1, 0, 0] : p[2] === null ? [p[0], p[1] + 1, 0] : [p[0], p[1], p[2] + 1]
  const ge = (b: Version): Bound => (v) => compareVersions(v, b) >= 0
  const lt = (b: Version | null): Bound => (v) => b === null || compareVersions(v, b) < 0
  const comparator = (op: string, p: Array<number | null>): Bound[] | null => {
    const lo = floor(p)
    const hi = ceiling(p)
    switch (op) {
      case '':
      case '=':
        return [ge(lo), lt(hi)]
      case '>=':
        return [ge(lo)]
      case '>':
        return hi === null ? [() => false] : [ge(hi)]
      case '<':
        return p[0] === null ? [() => false] : [lt(lo)]
      case '<=':
        return [lt(hi)]
      case '~':
        return [ge(lo), lt(p[1] === null ? ceiling([p[0], null, null]) : [lo[0], lo[1] + 1, 0])]
      case '^': {
        if (p[0] === null) return []
        const upper: Version | null =
          lo[0] > 0 || p[1] === null ? [lo[0] + 1, 0, 0] : lo[1] > 0 || p[2] === null ? [0, lo[1] + 1, 0] : [0, 0, lo[2] + 1]
        return [ge(lo), lt(upper)]
      }
      default:
        return null
    }
  }
  const sets: Bound[][] = []
  for (const alternative of range.split('||')) {
    const text = alternative.trim().replace(/(<=|>=|<|>|=|\^|~)\s+/g, '$1')
    const bounds: Bound[] = []
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
    if (hyphen) {
      const a = parsePartial(hyphen[1] as string)
      const b = parsePartial(hyphen[2] as string)
      if (!a || !b) return null
      bounds.push(ge(floor(a)), lt(ceiling(b)))
    } else {
      for (const word of text === '' ? [] : text.split(/\s+/)) {
        const m = /^(<=|>=|<|>|=|\^|~)?(.*)$/.exec(word) as RegExpExecArray
        const p = parsePartial(m[2] as string)
        const c = p && comparator(m[1] ?? '', p)
        if (!c) return null
        bounds.push(...c)
      }
    }
    sets.push(bounds)
  }
  return (v) => sets.some((bounds) => bounds.every((b) => b(v)))
}

/**
 * Whether a version is in a semver range (see parseRange); false when either is not one. Unlike
 * semver.satisfies, a string is coerced first (`mod_wsgi 4.9` is 4.9.0), as semver.satisfies(
 * semver.coerce(v), range) does.
 */
export function satisfies(version: string | Version, range: string): boolean {
  const v = typeof version === 'string' ? coerceVersion(version) : version
  if (v === null) return false
  const test = parseRange(range)
  return test !== null && test(v)
}
