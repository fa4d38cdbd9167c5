// Names written in a Latin-1 config: Apache reads a path as the bytes written. When they are
// UTF-8 they name the path as text; when not, no string does (Node's string paths are UTF-8), so
// the run names them with their odd bytes as `\xHH`, tells whether they lie inside the root and
// whether there is anything there, and reads nothing.
import { isUtf8 } from 'node:buffer'
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Encoding } from '../syntax/types.js'
import { escapeName } from './entries.js'
import { mapPath, type PathMap } from './maps.js'
import { isInside, relativeTo } from './paths.js'

/** `text` from a file in `encoding` as Apache reads it: a path as text, or bytes no text names. */
export function asWritten(text: string, encoding: Encoding | undefined): string | Buffer {
  if (encoding !== 'latin1' || !/[^\x00-\x7f]/.test(text)) return text
  const bytes = Buffer.from(text, 'latin1')
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes
}

export interface BytePath {
  /** Inside the root (after the maps). */
  inside: boolean
  /** Relative to the base when inside, else absolute; odd bytes as `\xHH`. */
  shown: string
  /** Whether something is there (never read). */
  exists: boolean
  /** Whether a map changed it (a repository run). */
  mapped: boolean
}

/** Where the bytes of a path lead: relative ones from `dir`, through `maps`, against `root`. */
export function bytePath(bytes: Buffer, where: { dir: string; maps: readonly PathMap[]; root: string; base: string }): BytePath {
  // Paths as Latin-1 text, one char a byte, so that they compare as bytes with the bytes written.
  const bytewise = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')
  const root = bytewise(where.root)
  const full = path.resolve(bytewise(where.dir), bytes.toString('latin1'))
  const local = mapPath(full, where.maps.map((m) => ({ server: bytewise(m.server), repo: bytewise(m.repo) })))
  const inside = isInside(root, local)
  return {
    inside,
    shown: escapeName(Buffer.from(inside ? relativeTo(bytewise(where.base), local) : local, 'latin1')),
    exists: inside && existsSync(Buffer.from(local, 'latin1')),
    mapped: local !== full,
  }
}
