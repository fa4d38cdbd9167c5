// The documented shape of the `--json` report, checked key by key (shared by the CLI tests).

/** A string: types and literals joined by | (`int`: a whole number ≥ 0, `#1`: the number 1); an
 * array: a list of its one item; an object: exactly these keys; { $nullable: spec }: null, or spec. */
export type Spec = string | Spec[] | { [k: string]: Spec }

const place = { file: 'string|null', line: 'int|null', column: 'int|null' }

/** The documented shape of `--json` (src/runner/report.ts JsonReport): every key, every type. */
export const REPORT_SPEC: Spec = {
  format: '#1',
  tool: { name: "'wsgi-migrate'", version: 'string' },
  mode: "'write'|'dry-run'|'check'",
  exitCode: '#0|#1|#2',
  transforms: [{ id: 'string', version: 'string', title: 'string' }],
  kallithea: {
    installed: 'string|null',
    installedFrom: 'string|null',
    target: 'string',
    targetFrom: "'to'|'installed'|'python'|'default'",
    venvs: [{
      venv: 'string', namedBy: [{ via: "'python-home'|'python-path'|'WSGIPythonHome'|'WSGIPythonPath'|'activate_this'|'addsitedir'", at: 'string' }], pythons: ['string'],
      version: 'string|null', source: 'string|null', evidence: 'string|null', unread: "'outside-root'|'missing'|'unreadable'|null",
    }],
  },
  summary: { scanned: 'int', changed: 'int', unchanged: 'int', failed: 'int', errors: 'int', advisories: 'int', changes: 'int', skipped: 'int', written: 'int' },
  files: [{ path: 'string', kind: "'apache'|'wsgi'", status: "'changed'|'unchanged'|'error'", changes: 'int' }],
  changes: [{ transform: 'string', file: 'string', kind: "'insert'|'modify'|'remove'", lines: { start: 'int', end: 'int' }, explanation: 'string' }],
  advisories: [{ transform: 'string', message: 'string', ...place }],
  errors: [{ code: "'usage'|'io'|'parse'|'outside-root'|'transform'|'write'|'configtest'|'config'", message: 'string', ...place }],
  skipped: [{ path: 'string', code: "'outside-root'|'excluded'|'backup'|'artifact'|'not-apache'|'not-utf8'|'variable'|'unreadable'", reason: 'string', ...place }],
  written: ['string'],
  backups: ['string'],
  patch: 'string',
  patchEncoding: "'utf8'|'latin1'",
  servers: [{ kind: "'main-config'|'include-folder'|'file'|'files'", name: 'string', files: ['string'], kallithea: { installed: 'string|null', target: 'string' } }],
  server: {
    $nullable: {
      config: 'string',
      found: 'string',
      apachectl: 'string|null',
      modWsgi: { $nullable: { module: 'string', version: 'string|null', python: 'string|null' } },
      configtest: { before: "'passed'|'failed'|null", after: "'passed'|'failed'|null", output: 'string|null' },
      backupDir: 'string|null',
      restored: ['string'],
      reloaded: 'boolean',
      reload: 'string',
    },
  },
}

/** What in `r` departs from REPORT_SPEC, key by key. */
export function validateReport(r: unknown): string[] {
  const problems: string[] = []
  const check = (v: unknown, spec: Spec, at: string): void => {
    if (typeof spec === 'string') {
      const ok = spec.split('|').some((s) => {
        if (s === 'null') return v === null
        if (s === 'int') return Number.isInteger(v) && (v as number) >= 0
        if (s.startsWith("'")) return v === s.slice(1, -1)
        if (s.startsWith('#')) return v === Number(s.slice(1))
        return typeof v === s
      })
      if (!ok) problems.push(`${at}: ${JSON.stringify(v)} is not ${spec}`)
    } else if (Array.isArray(spec)) {
      if (!Array.isArray(v)) problems.push(`${at}: not an array`)
      else v.forEach((item, i) => check(item, spec[0] as Spec, `${at}[${i}]`))
    } else if ('$nullable' in spec) {
      if (v !== null) check(v, spec.$nullable as Spec, at)
    } else {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        problems.push(`${at}: not an object`)
        return
      }
      const keys = Object.keys(v).sort()
      const want = Object.keys(spec).sort()
      if (JSON.stringify(keys) !== JSON.stringify(want)) problems.push(`${at}: keys ${keys.join(',')} are not ${want.join(',')}`)
      for (const k of want) check((v as Record<string, unknown>)[k], spec[k] as Spec, `${at}.${k}`)
    }
  }
  check(r, REPORT_SPEC, '$')
  return problems
}

/** A shape to compare: a union of atoms (`string`, `number`, `null`, `'x'`, `1`), sorted and joined
 * by |; `{ items }` a list; `{ keys }` an object (`nullable`: or null). */
export type Shape = string | { items: Shape } | { keys: Record<string, Shape>; nullable?: true }

/** The shape of a Spec (REPORT_SPEC): `int` is a number, `#1` the literal 1. */
export function shapeOfSpec(spec: Spec): Shape {
  if (typeof spec === 'string') return atoms(spec.split('|').map((s) => (s === 'int' ? 'number' : s.replace(/^#/, ''))))
  if (Array.isArray(spec)) return { items: shapeOfSpec(spec[0] as Spec) }
  if ('$nullable' in spec) return orNull(shapeOfSpec(spec.$nullable as Spec))
  return { keys: Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, shapeOfSpec(v)])) }
}

const atoms = (list: string[]): string => [...new Set(list)].sort().join('|')
const orNull = (s: Shape): Shape => (typeof s === 'string' ? atoms([...s.split('|'), 'null']) : { ...s, nullable: true } as Shape)

/**
 * The shape a TypeScript-like type text describes, as the README writes the report: object types
 * (`a, b: number` gives both keys one type), `Array<T>`, `T[]`, unions, string and number
 * literals, `//` comments.
 */
export function shapeOfType(text: string): Shape {
  const tokens = text.replace(/\/\/.*$/gm, '').match(/'[^']*'|[A-Za-z_$][\w$]*|\d+|[{}<>[\]|,:]/g) ?? []
  let at = 0
  const peek = (): string | undefined => tokens[at]
  const next = (expected?: string): string => {
    const token = tokens[at++]
    if (token === undefined || (expected !== undefined && token !== expected)) throw new Error(`expected ${expected ?? 'more'} at token ${at}, got ${token}`)
    return token
  }
  const object = (): Shape => {
    const keys: Record<string, Shape> = {}
    next('{')
    while (peek() !== '}') {
      const names = [next()]
      while (peek() === ',') {
        next(',')
        names.push(next())
      }
      next(':')
      const shape = union()
      for (const n of names) keys[n] = shape
      if (peek() === ',') next(',')
    }
    next('}')
    return { keys }
  }
  const primary = (): Shape => {
    let shape: Shape
    if (peek() === '{') shape = object()
    else if (peek() === 'Array') {
      next('Array')
      next('<')
      shape = { items: union() }
      next('>')
    } else shape = next()
    while (peek() === '[' && tokens[at + 1] === ']') {
      at += 2
      shape = { items: shape }
    }
    return shape
  }
  const union = (): Shape => {
    const parts = [primary()]
    while (peek() === '|') {
      next('|')
      parts.push(primary())
    }
    const structured = parts.filter((p) => typeof p !== 'string')
    const plain = parts.filter((p): p is string => typeof p === 'string')
    if (structured.length > 1 || (structured.length === 1 && plain.some((p) => p !== 'null'))) throw new Error(`a union of ${JSON.stringify(parts)}`)
    return structured.length === 1 ? (plain.length ? orNull(structured[0] as Shape) : (structured[0] as Shape)) : atoms(plain)
  }
  const shape = union()
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]} at token ${at}`)
  return shape
}
