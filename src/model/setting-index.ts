// Settings filed by scope and container path, so that finding what may apply to an alias costs
// what it returns, not the size of the config: the plain settings of each scope, and the
// container ones in buckets (global, per vhost) indexed by the container path they need.
import type { Section } from '../syntax/types.js'
import { collapse, directoryKey, isLiteralGlob, type AliasPaths } from './containers.js'
import { pushTo } from '../util/multimap.js'
import type { ScriptAlias, Scope, Setting } from './types.js'

/** Container settings of one scope (the global one, or one vhost). */
interface Bucket {
  /** Settings inside containers or `<If>`s, in reading order. */
  all: Setting[]
  /** Made on the first lookup in a bucket large enough for it to pay (most vhosts hold a few). */
  index?: BucketIndex
}

/** A bucket's settings filed so that a lookup finds those that may apply without a scan. */
interface BucketIndex {
  /** For aliases: settings no index narrows down (regex or glob containers, `<If>` only). */
  always: Setting[]
  /** For aliases: by the literal path of a plain `<Directory>` among their containers. */
  dirs: Map<string, Setting[]>
  /** For aliases: by the path of a plain `<Location>` among their containers. */
  locs: Map<string, Setting[]>
  /** Keys of `locs`, sorted (prefix searches), and their distinct lengths. */
  locKeys: string[]
  locLengths: number[]
  /** For aliases: by the literal name of a plain `<Files>` among their containers. */
  files: Map<string, Setting[]>
  /** For plain scopes: settings with no container (in an `<If>`), and by outermost container. */
  noContainers: Setting[]
  byOuter: Map<Section, Setting[]>
}

/** Buckets up to this size are scanned: an index costs more than it saves. */
const SMALL_BUCKET = 8

export interface SettingIndex {
  global: Bucket
  vhosts: Map<Section, Bucket>
  /** The plain settings at global scope, and in each vhost, in reading order (the last decides). */
  plainGlobal: Setting[]
  plainByVhost: Map<Section, Setting[]>
}

/**
 * Sort the settings of a list that pass `valid` (a list is always used with the same test) by
 * scope: the last plain one of each scope, and the container ones in buckets.
 */
export function indexSettings(list: readonly Setting[], valid: (s: Setting) => boolean): SettingIndex {
  const index: SettingIndex = { global: { all: [] }, vhosts: new Map(), plainGlobal: [], plainByVhost: new Map() }
  for (const s of list) {
    if (!valid(s)) continue
    const scope = s.scope
    if (scope.containers.length === 0 && scope.conditional === undefined) {
      if (scope.kind === 'global') index.plainGlobal.push(s)
      else pushTo(index.plainByVhost, scope.vhost.section, s)
      continue
    }
    if (scope.kind === 'global') index.global.all.push(s)
    else {
      const b = index.vhosts.get(scope.vhost.section)
      if (b === undefined) index.vhosts.set(scope.vhost.section, { all: [s] })
      else b.all.push(s)
    }
  }
  return index
}

/** Each setting is filed under one container that any alias it covers must match by key. */
function indexBucket(settings: readonly Setting[]): BucketIndex {
  const index: BucketIndex = {
    always: [], dirs: new Map(), locs: new Map(), locKeys: [], locLengths: [], files: new Map(), noContainers: [], byOuter: new Map(),
  }
  for (const s of settings) {
    const containers = s.scope.containers
    if (containers.length === 0) index.noContainers.push(s)
    else pushTo(index.byOuter, containers[0].section, s)
    let filed = false
    for (const c of containers) {
      if (c.regex) continue
      if (c.kind === 'Location') {
        pushTo(index.locs, collapse(c.path), s)
      } else if (c.kind === 'Directory' && isLiteralGlob(directoryKey(c))) {
        pushTo(index.dirs, directoryKey(c), s)
      } else if (c.kind === 'Files' && isLiteralGlob(c.path)) {
        pushTo(index.files, c.path, s)
      } else continue
      filed = true
      break
    }
    if (!filed) index.always.push(s)
  }
  index.locKeys = [...index.locs.keys()].sort()
  index.locLengths = [...new Set(index.locKeys.map((k) => k.length))].sort((a, b) => a - b)
  return index
}

/**
 * Lists of a bucket holding every setting that may cover the target (and maybe a few more); with
 * `partial` false, only those that may cover all of an alias's requests.
 */
export function bucketCandidates(
  bucket: Bucket,
  scope: Scope,
  target: ScriptAlias | undefined,
  pathsOf: (alias: ScriptAlias) => AliasPaths,
  partial: boolean,
): Array<readonly Setting[] | undefined> {
  if (bucket.all.length <= SMALL_BUCKET) return [bucket.all]
  const index = (bucket.index ??= indexBucket(bucket.all))
  if (target === undefined) {
    return [index.noContainers, scope.containers.length > 0 ? index.byOuter.get(scope.containers[0].section) : undefined]
  }
  const alias = pathsOf(target)
  // A WSGIScriptAliasMatch: any <Location> may cover some of what its regex matches.
  if (alias.regex !== undefined) return [bucket.all]
  const out: Array<readonly Setting[] | undefined> = [index.always]
  const scriptIsDir = alias.script.endsWith('/')
  // <Directory>: one of the script's directories, or (a directory alias) anything below it.
  if (index.dirs.size > 0) {
    if (scriptIsDir && partial) out.push(...index.dirs.values())
    else for (const d of alias.dirs) out.push(index.dirs.get(d))
  }
  // <Location>: a prefix of the URL (full), or below the URL's directory (partial).
  if (index.locs.size > 0) {
    const { url, urlDir } = alias
    for (const n of index.locLengths) {
      if (n > url.length) break
      out.push(index.locs.get(url.slice(0, n)))
    }
    const keys = index.locKeys
    if (partial) for (let i = lowerBound(keys, urlDir); i < keys.length && keys[i].startsWith(urlDir); i++) out.push(index.locs.get(keys[i]))
  }
  // <Files>: the script's name; every one for a directory alias (partly).
  if (index.files.size > 0) {
    if (!scriptIsDir) out.push(index.files.get(alias.base))
    else if (partial) out.push(...index.files.values())
  }
  return out
}

/** First index in sorted `keys` whose key is not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The items of several lists (each in `order`), in `order`, each once. */
export function inOrder<T extends { order: number }>(lists: ReadonlyArray<readonly T[] | undefined>): T[] {
  const nonEmpty = lists.filter((l): l is readonly T[] => l !== undefined && l.length > 0)
  if (nonEmpty.length === 0) return []
  if (nonEmpty.length <= 3) return nonEmpty.reduce<T[]>((out, list, i) => (i === 0 ? list.slice() : mergeInOrder(out, list)), [])
  // Many lists (a directory alias against every <Directory> of a large bucket): sort once.
  const all = nonEmpty.flat() as T[]
  all.sort((a, b) => a.order - b.order)
  return all.filter((x, i) => i === 0 || all[i - 1] !== x)
}

function mergeInOrder<T extends { order: number }>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]
    const y = b[j]
    if (x === y) {
      out.push(x)
      i++
      j++
    } else if (x.order < y.order) {
      out.push(x)
      i++
    } else {
      out.push(y)
      j++
    }
  }
  while (i < a.length) out.push(a[i++])
  while (j < b.length) out.push(b[j++])
  return out
}
