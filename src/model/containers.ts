// Per-directory containers against a WSGI application: whether a <Directory>, <Location> or
// <Files> (or its -Match form) applies to all of an alias's requests, some, or none. Each alias's
// paths and each container's pattern are prepared once per model.
import { posix } from 'node:path'
import { globMatcher } from '../load/glob.js'
import type { ContainerInfo, ContainerKind, ScriptAlias } from './types.js'
import { anchoredPrefix, coversDirectory, matchesExtensions } from './url-match.js'

/** How much of an alias's requests a container applies to. */
export type Coverage = 'full' | 'partial' | 'none'

function regex(source: string): RegExp | undefined {
  try {
    return new RegExp(source)
  } catch {
    return undefined
  }
}

export const collapse = (p: string): string => p.replace(/\/{2,}/g, '/')

/** What container tests need of an alias, computed once per alias. */
export interface AliasPaths {
  /**
   * URL, `//` collapsed, '/' when empty. For the Match form: the literal start every URL it
   * matches has ('/' when none is known); `regex` says so.
   */
  url: string
  /** The Match form: whether its URLs are known to start with `url` (an anchored regex). */
  regex?: { anchored: boolean }
  /** `url` ending in '/'. */
  urlDir: string
  /** Script path (up to the first `$` for the Match form), `//` collapsed. */
  script: string
  /** The script's directories (see directoriesOf). */
  dirs: string[]
  base: string
}

export function aliasPathsOf(alias: ScriptAlias): AliasPaths {
  const match = alias.directive === 'WSGIScriptAliasMatch'
  const prefix = match ? anchoredPrefix(alias.url) : undefined
  const url = collapse(match ? (prefix ?? '') : alias.url) || '/'
  const script = collapse(match ? alias.script.split('$')[0] : alias.script)
  const paths: AliasPaths = { url, urlDir: url.endsWith('/') ? url : url + '/', script, dirs: directoriesOf(script), base: posix.basename(script) }
  if (match) paths.regex = { anchored: prefix !== undefined }
  return paths
}

/** A container's path as its tests use it, computed once per container. */
interface CompiledContainer {
  kind: ContainerKind
  regex: boolean
  /** The regular expression (regex forms) or glob (Directory/Files); undefined: never matches. */
  re?: { test(s: string): boolean }
  /** A Directory/Files glob without wildcards: compared as a string, no RegExp needed. */
  literal: boolean
  /** Location: the path, `//` collapsed; LocationMatch: the regex; Directory: the path without trailing '/'. */
  path: string
  /** LocationMatch: the literal start of every URL it matches (anchored), and whether a match of a URL is a match of all longer ones. */
  prefix?: string
  extends?: boolean
}

/** Container globs: `*` within a segment, and (unlike Apache's APR_FNM_PATHNAME alone) no hidden names. */
function safeGlob(pattern: string): { test(s: string): boolean } {
  return globMatcher(pattern, { pathname: true, period: true })
}

function compileContainer(c: ContainerInfo): CompiledContainer {
  switch (c.kind) {
    case 'Location':
    case 'LocationMatch':
      if (!c.regex) return { kind: c.kind, regex: false, literal: true, path: collapse(c.path) }
      return { kind: c.kind, regex: true, literal: false, re: regex(c.path), path: c.path, extends: matchesExtensions(c.path), ...prefixOf(c.path) }
    case 'Directory':
    case 'DirectoryMatch': {
      if (c.regex) return { kind: c.kind, regex: true, literal: false, re: regex(c.path), path: c.path }
      const dir = directoryKey(c)
      if (isLiteralGlob(dir)) return { kind: c.kind, regex: false, literal: true, path: dir }
      return { kind: c.kind, regex: false, literal: false, re: safeGlob(dir), path: dir }
    }
    case 'Files':
    case 'FilesMatch':
      if (!c.regex && isLiteralGlob(c.path)) return { kind: c.kind, regex: false, literal: true, path: c.path }
      return { kind: c.kind, regex: c.regex, literal: false, re: c.regex ? regex(c.path) : safeGlob(c.path), path: c.path }
  }
}

/** A non-regex `<Directory>`'s path as compared: `//` collapsed, no trailing '/'. */
export const directoryKey = (c: ContainerInfo): string => collapse(c.path).replace(/(.)\/+$/, '$1')

/** Coverage of an alias by a container, with each container compiled once per model. */
export function containerCoverage(): (c: ContainerInfo, alias: AliasPaths) => Coverage {
  const compiled = new Map<ContainerInfo, CompiledContainer>()
  return (c, alias) => {
    let cc = compiled.get(c)
    if (cc === undefined) compiled.set(c, (cc = compileContainer(c)))
    return containerCovers(cc, alias)
  }
}

const prefixOf = (re: string): { prefix?: string } => {
  const p = anchoredPrefix(re)
  return p === undefined ? {} : { prefix: collapse(p) }
}

/**
 * Whether a <Location> or <LocationMatch> applies to all URLs of an alias, some, or none: 'full'
 * and 'none' only when proven, else 'partial' (the group then depends on the URL).
 */
function urlCoverage(c: CompiledContainer, alias: AliasPaths): Coverage {
  const { url, urlDir, regex: match } = alias
  // Every URL of the alias starts with `url` (a plain alias: is `url` or below it).
  const known = match === undefined || match.anchored
  // Two literal starts that part ways: no URL has both.
  const related = (q: string): boolean => (match === undefined ? q === url || q.startsWith(urlDir) || url.startsWith(q) : q.startsWith(url) || url.startsWith(q))
  if (!c.regex) {
    // <Location /a> matches /a, /a/..., and /ab: a plain prefix test.
    const loc = c.path
    if (loc === '' || loc === '/' || (known && url.startsWith(loc))) return 'full'
    return !known || related(loc) ? 'partial' : 'none'
  }
  const re = c.re
  if (re === undefined) return 'none'
  if (known && c.extends === true && re.test(url)) return 'full'
  if (match === undefined && coversDirectory(c.path, url)) return 'full'
  if (known && c.prefix !== undefined && !related(c.prefix)) return 'none'
  return 'partial'
}

/** Whether a container applies to all requests of an alias, some, or none. */
function containerCovers(c: CompiledContainer, alias: AliasPaths): Coverage {
  const { script } = alias
  switch (c.kind) {
    case 'Location':
    case 'LocationMatch':
      return urlCoverage(c, alias)
    case 'Directory':
    case 'DirectoryMatch': {
      const dirs = alias.dirs
      const dir = c.path
      if (c.literal) {
        if (dirs.includes(dir)) return 'full'
      } else {
        const re = c.re
        if (re === undefined) return 'none'
        if (c.regex) return dirs.some((d) => re.test(d) || re.test(d === '/' ? d : d + '/')) ? 'full' : 'none'
        if (dirs.some((d) => re.test(d))) return 'full'
      }
      // An alias to a directory of scripts: a <Directory> below it covers some of them.
      if (script.endsWith('/') && (dir + '/').startsWith(script)) return 'partial'
      return 'none'
    }
    case 'Files':
    case 'FilesMatch': {
      if (script.endsWith('/')) return 'partial'
      if (c.literal) return alias.base === c.path ? 'full' : 'none'
      const re = c.re
      if (re === undefined) return 'none'
      return re.test(alias.base) ? 'full' : 'none'
    }
  }
}

/** A Directory/Files glob without wildcards: compared as a string. */
export const isLiteralGlob = (s: string): boolean => !/[*?[\\]/.test(s)

/** `/srv/k/dispatch.wsgi` → `/`, `/srv`, `/srv/k`; a path ending in `/` is itself a directory. */
function directoriesOf(script: string): string[] {
  const isDir = script.endsWith('/')
  const parts = script.split('/').filter((p) => p !== '')
  if (!isDir) parts.pop()
  const out: string[] = script.startsWith('/') ? ['/'] : []
  let acc = script.startsWith('/') ? '' : '.'
  for (const p of parts) {
    acc = acc === '.' ? p : `${acc}/${p}`
    out.push(acc)
  }
  return out
}
