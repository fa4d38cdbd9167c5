// Properties of the removal over generated scripts: lossless, idempotent, nothing left behind.
import fc from 'fast-check'
import test from 'ava'
import { analyzeDispatchScript, removeVenvActivation, scanPython } from '../../src/python/index.js'
import { VENV } from '../helpers/dispatch-scripts.js'

const FRAGMENTS = [
  "activate_this = '/srv/kallithea/venv/bin/activate_this.py'",
  'execfile(activate_this, dict(__file__=activate_this))',
  'exec(\n    open(activate_this).read(),\n    dict(__file__=activate_this))',
  'import site',
  'site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")',
  'site.addsitedir("/opt/other/lib/python2.7/site-packages")',
  "sys.path.insert(0, '/srv/kallithea/venv/lib/python2.7/site-packages')",
  'print(site.getsitepackages())',
  'print(activate_this)',
  '# site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")',
  '"""\nexecfile(activate_this)\n"""',
  'if x:',
  '    execfile(activate_this)',
  '\tpass',
  '    import site',
  "    activate_this = '/srv/kallithea/venv/bin/activate_this.py'",
  '    print(site)',
  'try:',
  'except Exception:',
  'def f():',
  '    return activate_this',
  '# -*- coding: latin-1 -*-',
  'exec open(activate_this).read() in {}',
  '',
  'import os; import site',
  'x = 1',
]

const scriptArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: FRAGMENTS.length - 1 }), { maxLength: 14 }),
    fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 14, maxLength: 14 }),
    fc.boolean(),
  )
  .map(([picks, eols, finalEol]) =>
    picks.map((p, i) => FRAGMENTS[p]!.replace(/\n/g, eols[i]!) + (i < picks.length - 1 || finalEol ? eols[i]! : '')).join(''),
  )

test('property: output is the input minus the removed lines, and a second pass removes nothing', (t) => {
  fc.assert(
    fc.property(scriptArb, (src) => {
      const once = removeVenvActivation(src, VENV)
      // Rebuild the output from the physical lines that were not removed.
      const removedLines = new Set(once.removed.flatMap((r) => {
        const ls: number[] = []
        for (let l = r.startLine; l <= r.endLine; l++) ls.push(l)
        return ls
      }))
      const kept = scanPython(src).lines
        .filter((l) => !removedLines.has(l.line))
        .map((l) => src.slice(l.start, l.end))
        .join('')
      if (once.text !== kept) return false
      if (once.removed.map((r) => r.text).join('').length + once.text.length !== src.length) return false
      const twice = removeVenvActivation(once.text, VENV)
      return twice.text === once.text && twice.removed.length === 0
    }),
    { numRuns: 2000 },
  )
  t.pass()
})

test('property: a script that Python-tokenizes cleanly keeps no venv activation at top level', (t) => {
  fc.assert(
    fc.property(scriptArb, (src) => {
      const r = removeVenvActivation(src, VENV)
      const a = analyzeDispatchScript(r.text)
      if (a.errors.length > 0) return true
      const kept = new Set(r.skipped.map((s) => s.text))
      return [...a.activateExecs, ...a.siteDirs]
        .filter((f) => f.venv === VENV && f.topLevel && !f.sharedLine)
        .every((f) => kept.has(f.text))
    }),
    { numRuns: 1000 },
  )
  t.pass()
})
