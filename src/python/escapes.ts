// The value of a string literal: its escapes resolved the way Python 2 and 3 both read them, or
// `null` where they would read it differently (a path we cannot read for sure must not drive an edit).

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v',
}

/** What an escape adds and the index of its last character, or `null` when it cannot be read for sure. */
type Escape = [out: string, last: number] | null
/** Reads the escape whose character after `\` is at `j`. */
type EscapeReader = (body: string, j: number, prefix: string) => Escape

const octal: EscapeReader = (body, j) => {
  let digits = body[j]!
  while (digits.length < 3 && /[0-7]/.test(body[j + 1] ?? '')) digits += body[++j]
  return [String.fromCharCode(parseInt(digits, 8)), j]
}

const hex: EscapeReader = (body, j) => {
  const digits = body.slice(j + 1, j + 3)
  return /^[0-9a-fA-F]{2}$/.test(digits) ? [String.fromCharCode(parseInt(digits, 16)), j + 2] : null
}

/** Python 2 reads `\u` literally in a plain string, Python 3 as an escape: too ambiguous. */
const unicode: EscapeReader = (body, j, prefix) => (prefix.includes('b') ? ['\\' + body[j], j] : null)

const ESCAPE_READERS: Record<string, EscapeReader> = {
  // A backslash before a line break joins the lines.
  '\n': (_, j) => ['', j],
  '\r': (body, j) => ['', body[j + 1] === '\n' ? j + 1 : j],
  x: hex,
  u: unicode,
  U: unicode,
  N: unicode,
}

function readEscape(body: string, j: number, prefix: string): Escape {
  const nx = body[j]
  if (nx === undefined) return null
  const simple = SIMPLE_ESCAPES[nx]
  if (simple !== undefined) return [simple, j]
  const reader = ESCAPE_READERS[nx] ?? (/[0-7]/.test(nx) ? octal : undefined)
  // Unknown escapes stay as written, backslash included.
  return reader ? reader(body, j, prefix) : ['\\' + nx, j]
}

/** Resolve the escapes of a literal's body; `null` when Python 2 and 3 would read it differently. */
export function decodeString(body: string, prefix: string): string | null {
  const templ = prefix.includes('f') || prefix.includes('t')
  if (prefix.includes('r')) return templ ? body.replace(/\{\{/g, '{').replace(/\}\}/g, '}') : body
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (ch !== '\\') {
      if (templ && (ch === '{' || ch === '}') && body[i + 1] === ch) i++
      out += ch
      continue
    }
    const escape = readEscape(body, i + 1, prefix)
    if (escape === null) return null
    out += escape[0]
    i = escape[1]
  }
  return out
}
