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
