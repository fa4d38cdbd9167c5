// Unified diffs in git's format, byte for byte.
//
// Contents are handled as "binary" strings (Latin-1 decoded: one char per byte), so every byte of
// a file survives the round trip, whatever its encoding. Lines are split on `\n` only: a `\r`
// stays part of its line, so a CRLF file yields `-foo\r` / `+bar\r` lines, which is exactly what
// `git apply` and `patch` expect. The line diff itself comes from the `diff` package
// (`structuredPatch`, Myers' algorithm); this module only formats it the way `git diff` does.
import { createHash } from 'node:crypto'
import { structuredPatch } from 'diff/lib/patch/create.js'

export interface FileChange {
  /** Path relative to the repository / config root, with `/` separators. */
  path: string
  before: Buffer
  after: Buffer
}

export interface PatchOptions {
  /** Lines of context around each change (git's `-U`). Default 3. */
  context?: number
}

const NO_NEWLINE = '\\ No newline at end of file'

/**
 * One multi-file patch for `changes`, in git's format (`diff --git`, full `index` hashes,
 * `---`/`+++`, hunks), sorted by path (byte order, like git). Files whose `before` equals
 * `after` are left out; no changes at all gives an empty buffer. The result applies with
 * `git apply` and `patch -p1`.
 */
export function createPatch(changes: readonly FileChange[], options: PatchOptions = {}): Buffer {
  const context = options.context ?? 3
  if (!Number.isSafeInteger(context) || context < 0) {
    throw new RangeError(`context must be a non-negative integer, got ${String(options.context)}`)
  }
  const seen = new Set<string>()
  for (const change of changes) {
    checkPath(change.path)
    if (seen.has(change.path)) throw new Error(`createPatch: duplicate path ${JSON.stringify(change.path)}`)
    seen.add(change.path)
  }
  const sorted = changes
    .filter((change) => !change.before.equals(change.after))
    .sort((a, b) => comparePaths(a.path, b.path))
  const out: string[] = []
  for (const change of sorted) out.push(filePatch(change, context))
  return Buffer.from(out.join(''), 'latin1')
}

function filePatch(change: FileChange, context: number): string {
  const before = change.before.toString('latin1')
  const after = change.after.toString('latin1')
  const a = quotePath('a/' + change.path)
  const b = quotePath('b/' + change.path)
  // Like git: a name with a space gets a trailing tab on the ---/+++ lines, so that `patch`
  // does not take the part after the space for a timestamp.
  const tab = change.path.includes(' ') ? '\t' : ''
  const lines = [
    `diff --git ${a} ${b}`,
    `index ${blobId(change.before)}..${blobId(change.after)}`,
    `--- ${a}${tab}`,
    `+++ ${b}${tab}`,
  ]
  const structured = structuredPatch('a', 'b', before, after, undefined, undefined, { context })
  const oldLines = before.split('\n')
  let funcName = ''
  let searchedDownTo = -1
  for (const hunk of structured.hunks) {
    // git's default "function name" after the @@: the nearest line above the hunk that starts
    // with a letter, `_` or `$` (searching back to where the previous hunk's search started;
    // if none is found there, the previous hunk's name carries over).
    const first = hunk.oldStart - 2
    for (let i = first; i > searchedDownTo; i--) {
      const name = funcNameOf(oldLines[i]!)
      if (name !== null) {
        funcName = name
        break
      }
    }
    searchedDownTo = first
    lines.push(
      `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@` +
        (funcName === '' ? '' : ' ' + funcName),
      ...removalsFirst(hunk.lines),
    )
  }
  return lines.join('\n') + '\n'
}

/**
 * xdiff's `def_ff`: the first 80 bytes of the line, trailing white space removed; then cut
 * before the first byte that is not valid UTF-8, as git's `sane_truncate_line` does.
 */
function funcNameOf(line: string): string | null {
  if (!/^[A-Za-z_$]/.test(line)) return null
  const name = line.slice(0, 80).replace(/[ \t\n\v\f\r]+$/, '')
  return name.slice(0, validUtf8Length(name))
}

/** Length of the longest prefix of a binary string that is valid UTF-8 (git's rules). */
function validUtf8Length(s: string): number {
  const at = (k: number) => (k < s.length ? s.charCodeAt(k) : -1)
  const cont = (k: number) => (at(k) & 0xc0) === 0x80 && at(k) >= 0
  let i = 0
  while (i < s.length) {
    const c = at(i)
    let size: number
    if (c < 0x80) size = 1
    else if ((c & 0xe0) === 0xc0) {
      if (!cont(i + 1) || (c & 0xfe) === 0xc0) break // overlong
      size = 2
    } else if ((c & 0xf0) === 0xe0) {
      const c1 = at(i + 1)
      if (!cont(i + 1) || !cont(i + 2)) break
      if (c === 0xe0 && (c1 & 0xe0) === 0x80) break // overlong
      if (c === 0xed && (c1 & 0xe0) === 0xa0) break // surrogate
      if (c === 0xef && c1 === 0xbf && (at(i + 2) & 0xfe) === 0xbe) break // U+FFFE, U+FFFF
      size = 3
    } else if ((c & 0xf8) === 0xf0) {
      const c1 = at(i + 1)
      if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) break
      if (c === 0xf0 && (c1 & 0xf0) === 0x80) break // overlong
      if ((c === 0xf4 && c1 > 0x8f) || c > 0xf4) break // above U+10FFFF
      size = 4
    } else break
    i += size
  }
  return i
}

/** git's hunk range: `start,count`, `,1` left out, start one lower for an empty range. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`
  return count === 1 ? `${start}` : `${start},${count}`
}

/**
 * Within each block of changed lines, put the `-` lines before the `+` lines (as git does),
 * keeping each `\ No newline at end of file` marker after the line it belongs to.
 */
function removalsFirst(hunkLines: readonly string[]): string[] {
  const items: string[][] = []
  for (const line of hunkLines) {
    if (line === NO_NEWLINE && items.length > 0) items[items.length - 1]!.push(line)
    else items.push([line])
  }
  const out: string[] = []
  let removed: string[][] = []
  let added: string[][] = []
  const flush = () => {
    for (const item of removed) out.push(...item)
    for (const item of added) out.push(...item)
    removed = []
    added = []
  }
  for (const item of items) {
    const sign = item[0]![0]
    if (sign === '-') removed.push(item)
    else if (sign === '+') added.push(item)
    else {
      flush()
      out.push(...item)
    }
  }
  flush()
  return out
}

/** The id git gives a blob with these bytes. */
function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
}

function checkPath(path: string): void {
  const bad = (why: string) =>
    new Error(`createPatch: invalid path ${JSON.stringify(path)}: ${why}`)
  if (path === '') throw bad('empty')
  if (path.startsWith('/')) throw bad('must be relative')
  if (path.includes('\0')) throw bad('contains NUL')
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw bad('must be a normalized relative path with / separators')
    }
  }
}

/** Byte order of the UTF-8 encodings, like git and `LC_ALL=C sort`. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

const ESCAPES: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
}

/**
 * git's `quote_c_style` (with the default `core.quotePath=true`): a name with `"`, `\`, a
 * control character, DEL or a non-ASCII byte is put in double quotes with C escapes and octal
 * escapes for the UTF-8 bytes; any other name, spaces included, is left as it is.
 */
export function quotePath(name: string): string {
  const bytes = Buffer.from(name, 'utf8')
  if (!bytes.some((byte) => byte < 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x5c)) {
    return name
  }
  let out = '"'
  for (const byte of bytes) {
    const escape = ESCAPES[byte]
    if (escape !== undefined) out += escape
    else if (byte < 0x20 || byte >= 0x7f) out += '\\' + byte.toString(8).padStart(3, '0')
    else out += String.fromCharCode(byte)
  }
  return out + '"'
}

const BOLD = '\x1b[1m'
const CYAN = '\x1b[36m'
const RED = '\x1b[31m'
const GREEN = '\x1b[32m'
const RESET = '\x1b[m'

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/

/**
 * ANSI colors like `git diff --color`: bold file headers, cyan `@@` ranges, red removed lines,
 * green added lines, context left plain. Hunk lengths are followed, so a removed line that
 * starts with `--` is not mistaken for a header. A line's trailing `\r` is kept after the
 * reset code, as git does. Give it the patch bytes (a Buffer) to get bytes back: decoding a
 * patch of Latin-1 or UTF-8 files as one or the other and re-encoding garbles the other kind.
 */
export function colorizePatch(patch: string): string
/** The same on the bytes `createPatch` returns: write the result as is, no re-encoding. */
export function colorizePatch(patch: Buffer): Buffer
export function colorizePatch(patch: string | Buffer): string | Buffer {
  if (Buffer.isBuffer(patch)) return Buffer.from(colorize(patch.toString('latin1')), 'latin1')
  return colorize(patch)
}

function colorize(patch: string): string {
  const lines = patch.split('\n')
  let oldLeft = 0
  let newLeft = 0
  const paint = (color: string, line: string): string => {
    if (line === '') return line
    const cr = line.endsWith('\r') ? '\r' : ''
    return color + line.slice(0, line.length - cr.length) + RESET + cr
  }
  return lines
    .map((line, index) => {
      if (oldLeft > 0 || newLeft > 0) {
        const sign = line[0]
        if (sign === '-') {
          oldLeft--
          return paint(RED, line)
        }
        if (sign === '+') {
          newLeft--
          return paint(GREEN, line)
        }
        if (sign === '\\') return line
        if (sign === ' ' || line === '') {
          oldLeft--
          newLeft--
          return line
        }
        // Not a hunk line after all: the counts were wrong. Fall through as a header line.
        oldLeft = newLeft = 0
      }
      if (index === lines.length - 1 && line === '') return line
      const header = HUNK_HEADER.exec(line)
      if (header) {
        oldLeft = header[1] === undefined ? 1 : Number(header[1])
        newLeft = header[2] === undefined ? 1 : Number(header[2])
        return paint(CYAN, header[0]) + line.slice(header[0].length)
      }
      if (line.startsWith('\\')) return line
      return paint(BOLD, line)
    })
    .join('\n')
}
