// Apache's wildcards: `apr_fnmatch` and `apr_fnmatch_test`, one engine for Include patterns (on
// disk and over an in-memory set of files) and for <Directory>/<Files> container globs.
//
// Apache compares bytes; this compares UTF-16 code units, which differs only for `?` and
// brackets against non-ASCII names.

export interface FnmatchFlags {
  /** APR_FNM_PATHNAME: only `/` matches `/` (wildcards and brackets stay within a segment). */
  pathname?: boolean
  /**
   * APR_FNM_PERIOD: a leading `.` (of the string, or of each segment with `pathname`) is matched
   * only by a literal `.` (or `\.`), never by `*`, `?` or a bracket.
   */
  period?: boolean
  /**
   * FNM_LEADING_DIR (glibc's, not apr's; needs `pathname`): the pattern may match a directory
   * above `string`, whose rest (`/...`) is then ignored. Include uses it: a directory named by
   * the pattern means every file below it.
   */
  leadingDir?: boolean
}

/** Apache's `apr_fnmatch_test`: `*`, `?`, or `[` with a `]` after it; `\` escapes. */
export function hasWildcard(pattern: string): boolean {
  let brackets = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '?' || c === '*') return true
    if (c === '\\') {
      i++
      if (i >= pattern.length) return false
    } else if (c === '[') brackets++
    else if (c === ']' && brackets > 0) return true
  }
  return false
}

/**
 * Apache's `apr_fnmatch(pattern, string, flags)`: `*`, `?`, `[abc]`, `[a-z]`, `[!x]` / `[^x]`,
 * `\` escapes (a trailing `\` is literal); a `[` that does not open a well-formed bracket
 * expression is literal; `]` first in a bracket is literal. Case-sensitive.
 */
export function fnmatch(pattern: string, string: string, flags: FnmatchFlags = {}): boolean {
  const period = flags.period === true
  if (!flags.pathname) return matchSegment(pattern, 0, pattern.length, string, 0, string.length, period, false)
  let p = 0
  let s = 0
  for (;;) {
    const pEnd = segmentEnd(pattern, p)
    const found = string.indexOf('/', s)
    const sEnd = found === -1 ? string.length : found
    if (!matchSegment(pattern, p, pEnd, string, s, sEnd, period, true)) return false
    if (pEnd === pattern.length) return sEnd === string.length || flags.leadingDir === true
    if (sEnd === string.length) return false
    p = pEnd + (pattern[pEnd] === '\\' ? 2 : 1) // `\/` separates segments too
    s = sEnd + 1
  }
}

/** A matcher with RegExp's `test` shape, so callers can hold a glob or a regular expression. */
export function globMatcher(pattern: string, flags: FnmatchFlags = {}): { test(string: string): boolean } {
  return { test: (string) => fnmatch(pattern, string, flags) }
}

/** Where the pattern segment starting at `p` ends: at the next `/` or `\/`, else at the end. */
function segmentEnd(pattern: string, p: number): number {
  let i = p
  while (i < pattern.length) {
    const c = pattern[i]
    if (c === '/') return i
    if (c === '\\' && i + 1 < pattern.length) {
      if (pattern[i + 1] === '/') return i
      i += 2
    } else i++
  }
  return i
}

/** `pattern[p0, p1)` against `string[s0, s1)`: the classic `*` backtracking, token by token. */
function matchSegment(
  pattern: string, p0: number, p1: number, string: string, s0: number, s1: number, period: boolean, pathname: boolean,
): boolean {
  let p = p0
  let s = s0
  if (period && s < s1 && string[s] === '.') {
    if (p < p1 && pattern[p] === '.') p++
    else if (p + 1 < p1 && pattern[p] === '\\' && pattern[p + 1] === '.') p += 2
    else return false
    s++
  }
  let starP = -1
  let starS = 0
  while (s < s1) {
    if (p < p1 && pattern[p] === '*') {
      while (p < p1 && pattern[p] === '*') p++
      starP = p
      starS = s
      continue
    }
    const next = p < p1 ? matchOne(pattern, p, p1, string[s] as string, pathname) : -1
    if (next !== -1) {
      p = next
      s++
    } else if (starP >= 0) {
      p = starP
      s = ++starS
    } else {
      return false
    }
  }
  while (p < p1 && pattern[p] === '*') p++
  return p === p1
}

/** One pattern token at `p` against `ch`: the index after the token, or -1. */
function matchOne(pattern: string, p: number, p1: number, ch: string, pathname: boolean): number {
  const c = pattern[p]
  if (c === '?') return p + 1
  if (c === '[') {
    const bracket = matchBracket(pattern, p, p1, ch, pathname)
    if (bracket !== undefined) return bracket.matched ? bracket.end : -1
    return ch === '[' ? p + 1 : -1 // not a bracket expression: a literal '['
  }
  if (c === '\\' && p + 1 < p1) return pattern[p + 1] === ch ? p + 2 : -1
  return c === ch ? p + 1 : -1
}

/** The bracket expression at `start` (a `[`) against `ch`; undefined if it is not well formed. */
function matchBracket(
  pattern: string, start: number, p1: number, ch: string, pathname: boolean,
): { matched: boolean; end: number } | undefined {
  let i = start + 1
  const negate = pattern[i] === '!' || pattern[i] === '^'
  if (negate) i++
  let matched = false
  let first = true
  while (i < p1) {
    if (pattern[i] === ']' && !first) return { matched: matched !== negate, end: i + 1 }
    if (pattern[i] === '\\') {
      i++
      if (i >= p1) return undefined
    }
    first = false
    const low = pattern[i] as string
    if (pattern[i + 1] === '-' && i + 2 < p1 && pattern[i + 2] !== ']') {
      i += pattern[i + 2] === '\\' ? 3 : 2
      // As apr does: a range must end inside the bracket; with PATHNAME not on a backslash.
      if (i >= p1 || (pathname && pattern[i] === '\\')) return undefined
      if (ch >= low && ch <= (pattern[i] as string)) matched = true
      i++
      continue
    }
    if (ch === low) matched = true
    i++
  }
  return undefined
}
