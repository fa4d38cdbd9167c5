// What can be proven about the URLs a regular expression matches, for <LocationMatch> and
// WSGIScriptAliasMatch: the literal start every match has, and whether a match of a URL is a
// match of every longer URL. Testing one sample URL proves nothing about a regex with `$` (the
// `<LocationMatch "^/(a|b)?$">` beside `WSGIScriptAliasMatch ^/([0-9]+)/start$` matched `/` but
// not `/123/start`, whose requests then ran embedded); these answers are proofs or nothing.
import { isUnder } from '../util/is-under.js'

/** Characters of a regex outside classes and escapes, with their depth in groups. */
function* topLevel(re: string): Generator<{ c: string; i: number; depth: number }> {
  let depth = 0
  for (let i = 0; i < re.length; i++) {
    const c = re[i]
    if (c === '\\') {
      i++
      continue
    }
    if (c === '[') {
      // A class: `]` first is literal; an escape inside is skipped.
      let j = i + 1
      if (re[j] === '^') j++
      if (re[j] === ']') j++
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1
      i = j
      continue
    }
    if (c === '(') depth++
    yield { c, i, depth }
    if (c === ')') depth--
  }
}

/** The literal text every match starts with at the start of the URL (`^/app/(.*)$` → `/app/`). */
function literalPrefix(re: string): string {
  let out = ''
  for (let i = 1; i < re.length; i++) {
    const c = re[i]
    if (c === '\\' && i + 1 < re.length && /[^A-Za-z0-9]/.test(re[i + 1])) {
      out += re[++i]
      continue
    }
    if ('.[]()*+?{}|^$\\'.includes(c)) {
      // A quantifier makes the previous character optional.
      if ('*?{'.includes(c)) out = out.slice(0, -1)
      break
    }
    out += c
  }
  return out
}

/**
 * The literal start of every URL the regex matches, when it is anchored (`^`) and has no
 * alternative outside a group (`^/a|/b` matches `/b` anywhere); undefined when nothing is known.
 */
export function anchoredPrefix(re: string): string | undefined {
  if (!re.startsWith('^')) return undefined
  for (const { c, depth } of topLevel(re)) if (c === '|' && depth === 0) return undefined
  return literalPrefix(re)
}

/**
 * Whether a match of a string is a match of every string that extends it: true for a regex with
 * no end anchor and no look-ahead or word boundary (what matched is still there, unchanged).
 */
export function matchesExtensions(re: string): boolean {
  for (let i = 0; i < re.length; i++) {
    const c = re[i]
    if (c === '\\') {
      if (/[bBzZ]/.test(re[i + 1] ?? '')) return false
      i++
      continue
    }
    if (c === '$') return false
    if (c === '(' && (re.startsWith('(?=', i) || re.startsWith('(?!', i))) return false
  }
  // `$` inside a class is literal but the scan above refuses it: only ever a missed proof.
  return true
}

/** Tails after a literal `Q` that match `''` and every `/...`: `^/app(/.*)?$` covers all of `/app`. */
const DIRECTORY_TAILS = new Set(['(/.*)?$', '(?:/.*)?$', '(/.*)?', '(?:/.*)?', '(/|$)', '(?:/|$)', '($|/)', '(?:$|/)', '(/.*|$)', '(?:/.*|$)'])

/** Whether the regex matches every URL of a prefix `P` (`P` itself and `P/...`) by its form `^P<tail>`. */
export function coversDirectory(re: string, prefix: string): boolean {
  const q = anchoredPrefix(re)
  if (q === undefined) return false
  const rest = re.slice(1 + escapedLength(re.slice(1), q.length))
  return DIRECTORY_TAILS.has(rest) && isUnder(q, prefix)
}

/** How many characters of the written regex spell the first `n` literal characters. */
function escapedLength(written: string, n: number): number {
  let i = 0
  for (let k = 0; k < n; k++) i += written[i] === '\\' ? 2 : 1
  return i
}
