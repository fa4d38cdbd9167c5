// analyzeDispatchScript: the virtualenv activation a dispatch script holds, line by line.
import { fileURLToPath } from 'node:url'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import test from 'ava'
import { analyzeDispatchScript, removeVenvActivation } from '../../src/python/index.js'
import { DOCS_031_SITE, DOCS_031_ACTIVATE, DOCS_060_SITE, DOCS_060_ACTIVATE, DOCS_03_PYENV, VENV } from '../helpers/dispatch-scripts.js'

test('analyze: 0.3.1 docs, site.addsitedir script', (t) => {
  const a = analyzeDispatchScript(DOCS_031_SITE)
  t.is(a.lineCount, 15)
  t.deepEqual(a.siteImports, [
    { startLine: 8, endLine: 8, text: 'import site', topLevel: true, sharedLine: false, form: 'import site' },
  ])
  t.deepEqual(a.siteDirs, [
    {
      startLine: 9, endLine: 9, text: 'site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")',
      topLevel: true, sharedLine: false, form: 'site.addsitedir',
      path: '/srv/kallithea/venv/lib/python2.7/site-packages', venv: VENV, pythonVersion: '2.7',
    },
  ])
  t.deepEqual(a.activateAssignments, [])
  t.deepEqual(a.activateExecs, [])
  t.false(a.siteUsedElsewhere)
  t.is(a.venv, VENV)
  t.deepEqual(a.venvs, [VENV])
  t.deepEqual(a.conflicts, [])
  t.deepEqual(a.unresolved, [])
  t.deepEqual(a.errors, [])
})

test('analyze: 0.3.1 docs, activate_this script', (t) => {
  const a = analyzeDispatchScript(DOCS_031_ACTIVATE)
  t.deepEqual(a.activateAssignments, [
    {
      startLine: 1, endLine: 1, text: "activate_this = '/srv/kallithea/venv/bin/activate_this.py'",
      topLevel: true, sharedLine: false, name: 'activate_this',
      path: '/srv/kallithea/venv/bin/activate_this.py', venv: VENV,
    },
  ])
  t.deepEqual(a.activateExecs, [
    {
      startLine: 2, endLine: 2, text: 'execfile(activate_this, dict(__file__=activate_this))',
      topLevel: true, sharedLine: false, form: 'execfile', via: 'variable', name: 'activate_this',
      path: '/srv/kallithea/venv/bin/activate_this.py', venv: VENV, assignmentLine: 1,
    },
  ])
  t.deepEqual(a.siteImports, [])
  t.is(a.venv, VENV)
})

test('analyze: 0.6.0 docs scripts name python3.7 and the same venv', (t) => {
  const s = analyzeDispatchScript(DOCS_060_SITE)
  t.is(s.siteDirs[0]!.pythonVersion, '3.7')
  t.is(s.siteDirs[0]!.startLine, 8)
  t.is(s.venv, VENV)
  const e = analyzeDispatchScript(DOCS_060_ACTIVATE)
  t.is(e.activateExecs[0]!.form, 'execfile')
  t.is(e.venv, VENV)
})

test('analyze: 0.3 docs pyenv path resolves to that venv', (t) => {
  const a = analyzeDispatchScript(DOCS_03_PYENV)
  t.is(a.venv, '/srv/kallithea/pyenv')
  t.is(a.siteDirs[0]!.startLine, 5)
})

test('analyze: exec(open().read()) and exec(compile()) forms, Python 3', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
exec(open(activate_this).read(), dict(__file__=activate_this))
with open(activate_this) as f:
    pass
exec(compile(open(activate_this, "rb").read(), activate_this, 'exec'), {'__file__': activate_this})
exec(io.open(activate_this, encoding='utf-8').read(), {'__file__': activate_this})
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.activateExecs.map((e) => [e.startLine, e.form, e.via, e.venv]), [
    [2, 'exec(open().read())', 'variable', VENV],
    [5, 'exec(compile())', 'variable', VENV],
    [6, 'exec(open().read())', 'variable', VENV],
  ])
  t.deepEqual(a.unresolved, [])
})

test('analyze: Python 2 exec statement form', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
exec open(activate_this).read() in dict(__file__=activate_this)
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.activateExecs.map((e) => [e.startLine, e.form, e.venv]), [[2, 'exec statement', VENV]])
})

test('analyze: inlined literal path instead of the variable', (t) => {
  const src = `execfile('/srv/kallithea/venv/bin/activate_this.py', dict(__file__='/srv/kallithea/venv/bin/activate_this.py'))
exec(open("/opt/other/venv//bin/activate_this.py").read())
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.activateExecs.map((e) => [e.startLine, e.form, e.via, e.name, e.venv, e.assignmentLine]), [
    [1, 'execfile', 'literal', null, VENV, null],
    [2, 'exec(open().read())', 'literal', null, '/opt/other/venv', null],
  ])
  t.is(a.venv, null)
  t.deepEqual(a.conflicts, [
    { venv: VENV, lines: [1] },
    { venv: '/opt/other/venv', lines: [2] },
  ])
})

test('analyze: sys.path insert/append of a venv site-packages count like addsitedir', (t) => {
  const src = `import sys
sys.path.insert(0, '/srv/kallithea/venv/lib/python2.7/site-packages/')
sys.path.append("/srv/kallithea/venv/lib64/python3.11/site-packages")
sys.path.insert(0, '/srv/kallithea')
sys.path.insert(0, os.path.dirname(__file__))
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.siteDirs.map((d) => [d.startLine, d.form, d.venv, d.pythonVersion]), [
    [2, 'sys.path.insert', VENV, '2.7'],
    [3, 'sys.path.append', VENV, '3.11'],
    [4, 'sys.path.insert', null, null],
  ])
  t.is(a.venv, VENV)
  t.deepEqual(a.unresolved, [])
})

test('analyze: computed paths are reported as unresolved with their lines', (t) => {
  const src = `import os, site
VENV = '/srv/kallithea/venv'
activate_this = os.path.join(VENV, 'bin', 'activate_this.py')
execfile(activate_this, dict(__file__=activate_this))
site.addsitedir(os.path.join(VENV, 'lib/python2.7/site-packages'))
sys.path.insert(0, VENV + '/lib/python2.7/site-packages')
execfile(f'{VENV}/bin/activate_this.py')
p = "/srv/kallithea/venv/lib/python2.7/site-packages"
site.addsitedir(p)
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.unresolved.map((u) => [u.startLine, u.kind, u.reason]), [
    [3, 'activate-assignment', 'the activate_this.py path is computed, not a string literal'],
    [4, 'activate-exec', 'activate_this is not assigned a plain string literal'],
    [5, 'site-dir', 'the path is computed, not a string literal'],
    [6, 'site-dir', 'the path is computed, not a string literal'],
    [7, 'activate-exec', 'the activate_this.py path is built at run time'],
    [9, 'site-dir', 'the path is computed, not a string literal'],
  ])
  t.deepEqual(a.siteImports.map((i) => [i.startLine, i.form]), [[1, 'multi']])
  t.true(a.siteUsedElsewhere)
  t.is(a.venv, null)
  t.deepEqual(a.venvs, [])
})

test('analyze: resetting activate_this to None is not reported', (t) => {
  const a = analyzeDispatchScript(`activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this)
activate_this = None
`)
  t.deepEqual(a.unresolved, [])
  t.is(a.activateExecs[0]!.venv, VENV)
  t.is(removeVenvActivation(`activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this)
activate_this = None
`, VENV).text, 'activate_this = None\n')
})

test('analyze: relative or odd activate paths are not resolved', (t) => {
  const a = analyzeDispatchScript(`activate_this = 'venv/bin/activate_this.py'\nexecfile(activate_this)\n`)
  t.is(a.activateAssignments[0]!.venv, null)
  t.deepEqual(a.unresolved.map((u) => [u.startLine, u.kind]), [[1, 'activate-assignment'], [2, 'activate-exec']])
  t.is(a.venv, null)
})

test('analyze: a conditional rebinding makes the exec path ambiguous', (t) => {
  const src = `activate_this = '/a/bin/activate_this.py'
if os.path.exists('/b'):
    activate_this = '/b/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.activateAssignments.map((x) => [x.startLine, x.venv, x.topLevel]), [[1, '/a', true], [3, '/b', false]])
  t.deepEqual(a.unresolved.map((u) => [u.startLine, u.reason]), [[4, 'activate_this may hold different paths here']])
  t.deepEqual(a.conflicts, [{ venv: '/a', lines: [1] }, { venv: '/b', lines: [3] }])
})

test('analyze: activation in shapes that are not rewritten is flagged as unrecognized', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
with open(activate_this) as f:
    exec(f.read(), dict(__file__=activate_this))
if True: execfile(activate_this)
from site import addsitedir
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.unresolved.map((u) => [u.startLine, u.kind]), [[3, 'unrecognized'], [4, 'unrecognized']])
  t.deepEqual(a.activateExecs, [])
})

test('analyze: strings, comments and docstrings are not code', (t) => {
  const src = `"""Dispatch script.

activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
"""
# site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
doc = "execfile(activate_this, dict(__file__=activate_this))"
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.activateAssignments, [])
  t.deepEqual(a.activateExecs, [])
  t.deepEqual(a.siteDirs, [])
  t.deepEqual(a.siteImports, [])
  t.deepEqual(a.unresolved, [])
  t.false(a.siteUsedElsewhere)
  t.is(a.venv, null)
})

test('analyze: shared lines and indented findings are flagged', (t) => {
  const src = `import site; site.addsitedir('/srv/kallithea/venv/lib/python2.7/site-packages')
try:
    execfile('/srv/kallithea/venv/bin/activate_this.py')
except IOError:
    pass
`
  const a = analyzeDispatchScript(src)
  t.deepEqual(a.siteImports.map((x) => [x.sharedLine, x.topLevel]), [[true, true]])
  t.deepEqual(a.siteDirs.map((x) => [x.sharedLine, x.topLevel]), [[true, true]])
  t.deepEqual(a.activateExecs.map((x) => [x.sharedLine, x.topLevel]), [[false, false]])
})

test('analyze: site used elsewhere', (t) => {
  t.true(analyzeDispatchScript(DOCS_031_SITE + 'print(site.getsitepackages())\n').siteUsedElsewhere)
  t.false(analyzeDispatchScript(DOCS_031_SITE + 'x.site = 1\n').siteUsedElsewhere)
})

test('analyze: syntax errors are reported', (t) => {
  const a = analyzeDispatchScript(`activate_this = '/srv/kallithea/venv/bin/activate_this.py\n`)
  t.deepEqual(a.errors, [{ line: 1, message: 'unterminated string literal' }])
})

test('analyze: 20,000 nested brackets are too many for Python; 199 are read; an attribute chain has no bound', (t) => {
  const deep = (n: number, open: string, close: string) => `x = ${open.repeat(n)}1${close.repeat(n)}\n`
  for (const [open, close] of [['(', ')'], ['[', ']'], ['f(', ')'], ['execfile(', ', {})']]) {
    const a = analyzeDispatchScript(DOCS_031_ACTIVATE + deep(20_000, open!, close!))
    t.deepEqual(a.errors, [{ line: DOCS_031_ACTIVATE.split('\n').length, message: 'too many nested parentheses' }], open)
  }
  t.deepEqual(analyzeDispatchScript(deep(200, '(', ')')).errors, [])
  t.deepEqual(analyzeDispatchScript(deep(201, '(', ')')).errors, [{ line: 1, message: 'too many nested parentheses' }])
  // The activation found through 199 brackets (execfile's own and 198 more).
  const wrapped = `activate_this = '${VENV}/bin/activate_this.py'\nexecfile(${'('.repeat(198)}activate_this${')'.repeat(198)}, dict(__file__=activate_this))\n`
  const a = analyzeDispatchScript(wrapped)
  t.deepEqual(a.errors, [])
  t.is(a.activateExecs.length, 1)
  t.is(a.venv, VENV)
  // site.addsitedir reached through 20,000 attributes is no `site.addsitedir`; the plain one still is.
  const chain = analyzeDispatchScript(`import site\nx${'.y'.repeat(20_000)}.site.addsitedir('${VENV}/lib/python2.7/site-packages')\nsite.addsitedir('${VENV}/lib/python2.7/site-packages')\n`)
  t.deepEqual(chain.siteDirs.map((d) => d.startLine), [3])
})

// Copies of the docs' "Apache with mod_wsgi" section, one per release where it changed.
const DOCS_DIR = fileURLToPath(new URL('../../fixtures/kallithea-docs/', import.meta.url))
test('analyze + remove: every python block of every docs release', (t) => {
  t.true(existsSync(DOCS_DIR), `${DOCS_DIR} is missing`)
  const files = readdirSync(DOCS_DIR).filter((f) => f.endsWith('.rst'))
  t.true(files.length > 0)
  for (const f of files) {
    const rst = readFileSync(join(DOCS_DIR, f), 'utf8')
    // A block is every following line that is blank or indented deeper than its directive.
    const blocks: string[] = []
    const lines = rst.split('\n')
    lines.forEach((line, i) => {
      const m = /^([ \t]*)\.\. code-block:: python$/.exec(line)
      if (!m) return
      const body: string[] = []
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j]!
        if (l.trim() !== '' && !(l.startsWith(m[1]!) && /^[ \t]/.test(l.slice(m[1]!.length)))) break
        body.push(l)
      }
      const code = body.join('\n').trim()
      const indent = /^[ \t]*/.exec(body.find((l) => l.trim() !== '')!)![0]
      blocks.push(body.map((l) => l.slice(indent.length)).join('\n').trim() + '\n')
      t.truthy(code)
    })
    // 0.3 still named `pyenv` in its site.addsitedir example; every later release says `venv`.
    const expected = f.startsWith('0.3-') ? ['/srv/kallithea/pyenv', VENV] : [VENV, VENV]
    t.deepEqual(blocks.map((py) => analyzeDispatchScript(py).venv), expected, f)
    for (const py of blocks) {
      const venv = analyzeDispatchScript(py).venv!
      const r = removeVenvActivation(py, venv)
      t.deepEqual(r.skipped, [], f)
      t.true(r.removed.length === 2, f)
      const after = analyzeDispatchScript(r.text)
      t.deepEqual([after.activateAssignments, after.activateExecs, after.siteDirs, after.siteImports], [[], [], [], []], f)
    }
  }
})
