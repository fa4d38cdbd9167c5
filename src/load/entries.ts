// Listing a directory the way Apache does: names are bytes, sorted as bytes. A name that is not
// UTF-8 (a Latin-1 `café.conf` made on an old system) has no string path Node can open, so it is
// set apart, shown with its odd bytes as `\xHH`, for the caller to note as not read.
import { isUtf8 } from 'node:buffer'
import { readdirSync, type Dirent } from 'node:fs'

/** A directory entry whose name is UTF-8 text: Dirent's type tests, and the name as a string. */
export type Entry = Pick<Dirent, 'name' | 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>

export interface Listing {
  /** Entries with UTF-8 names, in byte order of their names (Apache's `strcmp`). */
  entries: Entry[]
  /** Entries whose name is not UTF-8, in byte order, named by `escapeName`. */
  notUtf8: Entry[]
}

/** The entries of `dir`; throws what readdir throws (EACCES, ENOENT...). */
export function listDirectory(dir: string): Listing {
  const raw = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })
  raw.sort((a, b) => Buffer.compare(a.name, b.name))
  const listing: Listing = { entries: [], notUtf8: [] }
  for (const dirent of raw) {
    const utf8 = isUtf8(dirent.name)
    // The type tests read the Dirent's own state: the entry is the Dirent with a string name over it.
    const entry = Object.assign(Object.create(dirent) as Entry, { name: utf8 ? dirent.name.toString('utf8') : escapeName(dirent.name) })
    ;(utf8 ? listing.entries : listing.notUtf8).push(entry)
  }
  return listing
}

/** Why a name that is not UTF-8 is not read (the name is shown by `escapeName`). */
export const NOT_UTF8 = 'the name is not UTF-8 (its odd bytes shown as \\xHH); not read: rename it in UTF-8 to have it read'

/** A UTF-8 character (any length) as its Latin-1 bytes; anything else, one stray byte (group 1). */
export const UTF8_CHAR = /[\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}|([\x80-\xff])/g

/**
 * A file name in bytes as text one can read: its UTF-8 characters as they are, every byte that
 * is not part of one as `\xHH`, and `\` as `\\` so that the two cannot be confused.
 */
export function escapeName(bytes: Buffer): string {
  return bytes.toString('latin1').replace(UTF8_CHAR, (char: string, stray: string | undefined) => {
    if (stray !== undefined) return `\\x${stray.charCodeAt(0).toString(16).padStart(2, '0')}`
    return char === '\\' ? '\\\\' : Buffer.from(char, 'latin1').toString('utf8')
  })
}
