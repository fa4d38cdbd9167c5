// Python's limit of 20 statically nested blocks, checked against the system's python3: for each
// script, the reader's first error is Python's SyntaxError (message and line), or both accept it.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { scanPython } from '../../src/python/index.js'

/** `n` headers, each indented one deeper, around `body`. */
const nest = (n: number, header: string, body = 'pass', base = 0): string =>
  `${Array.from({ length: n }, (_, i) => `${' '.repeat(base + i)}${header}\n`).join('')}${body.split('\n').map((l) => ' '.repeat(base + n) + l).join('\n')}\n`

/** `n` nested `try` statements with their clauses; the nesting goes into clause `into`. */
function tries(n: number, clauses: string[], into: string): string {
  const out: string[] = []
  const rec = (i: number, ind: string): void => {
    for (const c of ['try:', ...clauses]) {
      out.push(ind + c)
      if (c === into && i < n - 1) rec(i + 1, `${ind}  `)
      else out.push(`${ind}  pass`)
    }
  }
  rec(0, '')
  return `${out.join('\n')}\n`
}

const fin = ['finally:']
const exc = ['except E:']
const cases: Record<string, string> = {}
for (const n of [20, 21]) {
  for (const h of ['for x in y:', 'while x:', 'with x:', 'with (a) as b:', 'if x:']) cases[`${n} × ${h}`] = nest(n, h)
  cases[`${n} × for, then an inline for`] = nest(n - 1, 'for x in y:', 'for z in y: pass')
  cases[`${n} × for, nested in its else`] = nest(n, 'else:').replace(/^( *)else:$/gm, '$1for x in y:\n$1 pass\n$1else:')
}
for (const n of [6, 7, 9, 10, 11, 18, 19, 20, 21]) {
  cases[`${n} × try/except, nested in the try`] = tries(n, exc, 'try:')
  cases[`${n} × try/except, nested in the except`] = tries(n, exc, 'except E:')
  cases[`${n} × try/except e as f, nested in the except`] = tries(n, ['except E as e:'], 'except E as e:')
  cases[`${n} × try/except/else, nested in the else`] = tries(n, [...exc, 'else:'], 'else:')
  // Python compiles a `finally` body twice: nesting only in `finally` would take it 2^n copies.
  if (n < 18) cases[`${n} × try/finally, nested in the finally`] = tries(n, fin, 'finally:')
  cases[`${n} × try/except/finally, nested in the try`] = tries(n, [...exc, ...fin], 'try:')
  cases[`${n} × try/except/finally, nested in the except`] = tries(n, [...exc, ...fin], 'except E:')
  cases[`${n} × try/except/else/finally, nested in the else`] = tries(n, [...exc, 'else:', ...fin], 'else:')
  for (const h of ['with a, b:', 'with (a, b,):', 'with (a as x, b as y):', 'with (a), (b):', 'with a as (x, y), b:', 'with f(a, b):']) {
    cases[`${n} × ${h}`] = nest(n, h)
  }
}
Object.assign(cases, {
  'def starts over': `${nest(15, 'for x in y:', 'def f():')}${nest(15, 'for x in y:', 'pass', 16)}`,
  'class starts over': `${nest(15, 'for x in y:', 'class C:')}${nest(15, 'for x in y:', 'pass', 16)}`,
  'async for, async with': `async def f():\n${nest(10, 'async for x in y:', 'pass', 1)}${nest(11, 'async with a:', 'pass', 1)}`,
  'match/case add none': nest(19, 'for x in y:', `match x:\n  case 1:\n    for z in y:\n      for w in z:\n        pass`),
  'a sibling block after a deep one': `${nest(20, 'for x in y:')}for a in b:\n  pass\n`,
  '18 and 19 fors, then try/finally nested in the finally': [18, 19].map((k) => nest(k, 'for x in y:', tries(2, fin, 'finally:').trimEnd())).join(''),
  '19 fors, try/except inline': nest(19, 'for x in y:', 'try: pass\nexcept E: pass'),
  '18 fors, try/except/finally inline': nest(18, 'for x in y:', 'try: pass\nexcept E: pass\nfinally: pass'),
  'an if/else after a try/finally at the same depth': nest(19, 'for x in y:', 'try: pass\nfinally: pass\nif a: pass\nelse:\n  for z in y: pass'),
})

/** Python's verdict on each script: `null` when it compiles, else [message, line]. */
function pythonSays(scripts: Record<string, string>): Record<string, [string, number] | null> {
  const program = `
import json, sys
out = {}
for name, src in json.load(sys.stdin).items():
    try:
        compile(src, name, 'exec')
        out[name] = None
    except SyntaxError as e:
        out[name] = [e.msg, e.lineno]
print(json.dumps(out))
`
  return JSON.parse(execFileSync('python3', ['-c', program], { input: JSON.stringify(scripts), encoding: 'utf8' })) as Record<string, [string, number] | null>
}

test('the reader refuses a 21st statically nested block where python3 does, on the line it names', (t) => {
  const python = pythonSays(cases)
  const refused = Object.values(python).filter((v) => v?.[0] === 'too many statically nested blocks').length
  t.true(refused > 20, 'the cases reach the limit')
  t.is(Object.values(python).filter((v) => v !== null && v[0] !== 'too many statically nested blocks').length, 0)
  for (const [name, src] of Object.entries(cases)) {
    const first = scanPython(src).errors[0]
    t.deepEqual(first ? [first.message, first.line] : null, python[name], name)
  }
})
