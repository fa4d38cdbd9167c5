// Bytes in, text out, and back to the very same bytes.
import { isUtf8 } from 'node:buffer'
import type { Encoding } from './types.js'

/** UTF-8 when the bytes are valid UTF-8 (a BOM stays in the text), else Latin-1: one char a byte. */
export function decode(bytes: Uint8Array): { text: string; encoding: Encoding } {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // Valid UTF-8 decodes to text that encodes back to the same bytes; isUtf8 checks without copies.
  if (isUtf8(buf)) return { text: buf.toString('utf8'), encoding: 'utf8' }
  return { text: buf.toString('latin1'), encoding: 'latin1' }
}

export function encode(text: string, encoding: Encoding): Buffer {
  return Buffer.from(text, encoding)
}

/** The line ending used most in `text` (`\r\n` or `\n`); `\n` when it has none. */
export function dominantEol(text: string): string {
  let crlf = 0
  let lf = 0
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++
    else lf++
  }
  // Apache ends lines at LF only: a CR-only file is one line to it, so new lines get LF.
  return crlf > lf ? '\r\n' : '\n'
}
