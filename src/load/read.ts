// Reading one config file for the loader: inside the root, never through a symlink swapped in
// after the scan, within a size limit, and never a file Apache itself could not read (UTF-16).
// Every refusal is a ReadError whose `detail` is one clear line saying what to do.
//
// The file is opened with O_NOFOLLOW (a last component swapped for a symlink fails to open) and
// O_NONBLOCK (a FIFO swapped in does not hang the run); then the path of the opened file itself
// (/proc/self/fd, or else its device and inode against the real path) must still be the real
// path checked against the root, so that a folder swapped for a symlink is caught too.
import { constants as buffers } from 'node:buffer'
import { closeSync, constants, fstatSync, openSync, readSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs'
import { isInside } from './paths.js'

/** Apache configs are small: a file over this is refused (`--max-size` raises it). */
export const DEFAULT_MAX_SIZE = 64 * 1024 * 1024

/** What a file may hold at most, whatever `--max-size` says: its text must fit in one string. */
export const HARD_MAX_SIZE = buffers.MAX_STRING_LENGTH

export type ReadErrorCode =
  /** No such file (any more). */
  | 'ENOENT'
  /** Its real path is outside the root. */
  | 'EOUTSIDE'
  /** Swapped for a symlink (or moved) between the scan and the read. */
  | 'ESWAPPED'
  /** Larger than the size limit. */
  | 'ETOOLARGE'
  /** UTF-16 (or UTF-32) text, which Apache cannot read. */
  | 'EUTF16'
  /** A directory. */
  | 'EISDIR'
  /** A FIFO, socket or device. */
  | 'ENOTFILE'
  /** No permission to read it. */
  | 'EACCES'
  /** Any other failure of the file system. */
  | 'EIO'

export class ReadError extends Error {
  override readonly name = 'ReadError'
  constructor(
    /** The path as given. */
    readonly path: string,
    readonly code: ReadErrorCode,
    /** The message without the path in front: one line, saying what to do. */
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`)
  }
}

export interface ReadOptions {
  /** The run's root (a real path): nothing outside it is read. */
  root: string
  /** Size limit in bytes; default `DEFAULT_MAX_SIZE`. */
  maxSize?: number
  /** @internal Test hook: runs between the real path check and the open, to simulate a swap. */
  hooks?: { beforeOpen?: (real: string) => void }
}

export interface ReadResult {
  /** The real path read (symlinks resolved). */
  real: string
  bytes: Buffer
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY


/** Reads a config file: see the comment at the top of this module. Throws a ReadError. */
export function readConfigFile(path: string, options: ReadOptions): ReadResult {
  const { root } = options
  const maxSize = Math.min(options.maxSize ?? DEFAULT_MAX_SIZE, HARD_MAX_SIZE)
  let real: string
  try {
    real = realpathSync.native(path)
  } catch (error) {
    throw fromSystem(path, error)
  }
  if (!isInside(root, real)) throw new ReadError(path, 'EOUTSIDE', `leads outside the root ${root} (-> ${real}); not read`)
  options.hooks?.beforeOpen?.(real)
  let fd: number
  try {
    fd = openSync(real, OPEN_FLAGS)
  } catch (error) {
    if (errnoOf(error) === 'ELOOP') throw new ReadError(path, 'ESWAPPED', 'was replaced by a symlink after the scan; not read: re-run')
    throw fromSystem(path, error)
  }
  try {
    const stats = fstatSync(fd)
    checkOpened(path, fd, real, stats, root)
    if (stats.isDirectory()) throw new ReadError(path, 'EISDIR', 'is a directory, not a file; name it as a folder to scan, or leave it out')
    if (!stats.isFile()) throw new ReadError(path, 'ENOTFILE', 'not a regular file (a FIFO, socket or device); not read')
    if (stats.size > maxSize) throw tooLarge(path, stats.size, maxSize)
    const bytes = readUpTo(path, fd, stats.size, maxSize)
    const utf16 = wideEncoding(bytes)
    if (utf16 !== null) throw new ReadError(path, 'EUTF16', `is ${utf16}; Apache cannot read UTF-16: save it as UTF-8`)
    return { real, bytes }
  } finally {
    closeSync(fd)
  }
}

/** The opened file must be the one at `real`: a folder on the way may have been swapped meanwhile. */
function checkOpened(path: string, fd: number, real: string, stats: Stats, root: string): void {
  let opened: string | null = null
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    // no /proc: compare the inode with the real path's
  }
  if (opened !== null && opened.startsWith('/')) {
    if (opened === real) return
    if (!isInside(root, opened)) throw new ReadError(path, 'EOUTSIDE', `leads outside the root ${root} (-> ${opened}); not read`)
  } else {
    const there = statOrNull(real)
    if (there !== null && there.dev === stats.dev && there.ino === stats.ino) return
  }
  throw new ReadError(path, 'ESWAPPED', 'was moved or replaced while it was being read; not read: re-run')
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

/** Reads to the end, but never more than `maxSize` bytes (the file may grow while it is read). */
function readUpTo(path: string, fd: number, size: number, maxSize: number): Buffer {
  let buffer = Buffer.allocUnsafe(Math.min(maxSize, size) + 1)
  let length = 0
  for (;;) {
    if (length === buffer.length) {
      if (length > maxSize) throw tooLarge(path, null, maxSize)
      const bigger = Buffer.allocUnsafe(Math.min(maxSize + 1, buffer.length * 2))
      buffer.copy(bigger, 0, 0, length)
      buffer = bigger
    }
    let n: number
    try {
      n = readSync(fd, buffer, length, buffer.length - length, null)
    } catch (error) {
      throw fromSystem(path, error)
    }
    if (n === 0) break
    length += n
  }
  if (length > maxSize) throw tooLarge(path, null, maxSize)
  return buffer.subarray(0, length)
}

/** `1.5 KiB`, `70.0 MiB`: sizes as a person reads them. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} byte${bytes === 1 ? '' : 's'}` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}

/** `size`: null when the file grew past the limit while it was read. */
function tooLarge(path: string, size: number | null, maxSize: number): ReadError {
  const shown = size === null ? `over the ${formatSize(maxSize)} limit` : `${formatSize(size)}, over the ${formatSize(maxSize)} limit`
  if (maxSize === HARD_MAX_SIZE) return new ReadError(path, 'ETOOLARGE', `too large (${shown}, the most wsgi-migrate can read; Apache configs are small): leave it out`)
  return new ReadError(path, 'ETOOLARGE', `too large (${shown}; Apache configs are small): leave it out, or raise the limit with --max-size`)
}

/**
 * `UTF-16LE`, `UTF-16BE` (or `UTF-32...`) when the bytes are text in a wide encoding: a byte
 * order mark, or, without one, NUL bytes in every other place (ASCII in UTF-16). A stray NUL in
 * an 8-bit file is not enough.
 */
export function wideEncoding(bytes: Buffer): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes[2] === 0 && bytes[3] === 0 && bytes.length >= 4 ? 'UTF-32LE' : 'UTF-16LE'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16BE'
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff) return 'UTF-32BE'
  const pairs = Math.min(bytes.length, 1024) >> 1
  if (pairs < 2) return null
  let high = 0 // ASCII in UTF-16LE: a zero after each character
  let low = 0 // in UTF-16BE: a zero before it
  for (let i = 0; i < pairs * 2; i += 2) {
    const a = bytes[i]!
    const b = bytes[i + 1]!
    if (a !== 0 && b === 0) high++
    else if (a === 0 && b !== 0) low++
  }
  if (high >= pairs * 0.6) return 'UTF-16LE'
  if (low >= pairs * 0.6) return 'UTF-16BE'
  return null
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? 'EIO'
}

/**
 * Why a file or a directory could not be read, as one clear line (for `path: <reason>`); the
 * discovery of files uses it for directories it cannot list.
 */
export function unreadableReason(error: unknown, kind: 'file' | 'directory'): string {
  const code = errnoOf(error)
  const what = kind === 'file' ? 'file' : 'directory'
  const reasons: Record<string, string> = {
    EACCES: `cannot read the ${what}: permission denied; check its permissions, or leave it out`,
    EPERM: `cannot read the ${what}: operation not permitted; check its permissions, or leave it out`,
    ENOENT: 'does not exist',
    ENOTDIR: 'a part of the path is not a directory',
    ELOOP: 'symlink loop',
    ENAMETOOLONG: 'the name is too long',
    EISDIR: 'is a directory, not a file; name it as a folder to scan, or leave it out',
    EIO: `cannot read the ${what}: input/output error (a failing disk?)`,
  }
  return reasons[code] ?? `cannot read the ${what}: ${code}; check it, or leave it out`
}

function fromSystem(path: string, error: unknown): ReadError {
  const code = errnoOf(error)
  const ours: ReadErrorCode = code === 'ENOENT' ? 'ENOENT' : code === 'EACCES' || code === 'EPERM' ? 'EACCES' : code === 'EISDIR' ? 'EISDIR' : 'EIO'
  return new ReadError(path, ours, unreadableReason(error, 'file'))
}

/**
 * `--max-size`: a number of bytes, or with a binary unit (`64M`, `64MiB`, `512k`, `1G`);
 * null when it is not a positive size.
 */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:(k|m|g)(?:i?b)?|b)?\s*$/i.exec(text)
  if (!match) return null
  const unit = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1
  const bytes = Math.floor(Number(match[1]) * unit)
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : null
}
