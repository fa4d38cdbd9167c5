// Paths of a run: what lies inside the root, how a file is named in reports, and the order
// Apache sorts names in.
import { realpathSync, statSync } from 'node:fs'
import { dirname, relative, sep } from 'node:path'
import { isUnder } from '../util/is-under.js'

/** Whether `path` is `root` or below it (both absolute and normalized; no I/O). */
export function isInside(root: string, path: string): boolean {
  return isUnder(root, path, sep)
}

/** The real path (symlinks resolved), or null when there is nothing there. */
export function realOrNull(path: string): string | null {
  try {
    return realpathSync.native(path)
  } catch {
    return null
  }
}

/** Whether a path lookup failed for lack of permission (a folder on the way cannot be entered). */
export const isDenied = (error: unknown): boolean => ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException | null)?.code ?? '')

/**
 * The folder on the way to `path` that cannot be entered, after a lookup of `path` was denied:
 * the deepest one that can still be looked at (its own permissions deny the rest).
 */
export function blockedFolder(path: string): string {
  let dir = dirname(path)
  for (;;) {
    try {
      statSync(dir)
      return dir
    } catch {
      if (dirname(dir) === dir) return dir
      dir = dirname(dir)
    }
  }
}

/** `abs` relative to `root`, with `/` separators: how reports and the patch name a file. */
export function relativeTo(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/')
}

/** `apache2.conf` (Debian) or `httpd.conf` (Red Hat): the file Apache starts from. */
export function isMainConfigName(path: string): boolean {
  return /(?:^|\/)(?:apache2|httpd)\.conf$/.test(path)
}

/**
 * Byte order of the UTF-8 encodings (like `strcmp`, which Apache sorts with). UTF-16 code units
 * below the surrogates (U+D800) sort as their UTF-8 bytes do, so only names that differ at a
 * surrogate or beyond (or end on one) need the encodings compared.
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x < 0xd800 && y < 0xd800) return x - y
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  }
  if (a.length === b.length) return 0
  const last = n > 0 ? a.charCodeAt(n - 1) : 0
  if (last >= 0xd800 && last <= 0xdbff) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
  return a.length - b.length
}
