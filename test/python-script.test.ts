import { fileURLToPath } from 'node:url'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import test from 'ava'
import fc from 'fast-check'
import {
  analyzeDispatchScript,
  removeVenvActivation,
  scanPython,
} from '../src/python/python-script.js'

const VENV = '/srv/kallithea/venv'

// ---------------------------------------------------------------------------------------------
// The dispatch scripts of the Kallithea docs, as published
// ---------------------------------------------------------------------------------------------

const DOCS_031_SITE = `import os
os.environ["HGENCODING"] = "UTF-8"
os.environ['PYTHON_EGG_CACHE'] = '/srv/kallithea/.egg-cache'

# sometimes it's needed to set the curent dir
os.chdir('/srv/kallithea/')

import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")

from paste.deploy import loadapp
from paste.script.util.logging_config import fileConfig

fileConfig('/srv/kallithea/my.ini')
application = loadapp('config:/srv/kallithea/my.ini')
`

const DOCS_031_ACTIVATE = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

const DOCS_060_SITE = `import os
os.environ['PYTHON_EGG_CACHE'] = '/srv/kallithea/.egg-cache'

# sometimes it's needed to set the current dir
os.chdir('/srv/kallithea/')

import site
site.addsitedir("/srv/kallithea/venv/lib/python3.7/site-packages")

ini = '/srv/kallithea/my.ini'
from logging.config import fileConfig
fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

const DOCS_060_ACTIVATE = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from logging.config import fileConfig
fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

const DOCS_03_PYENV = `import os
os.environ["HGENCODING"] = "UTF-8"

import site
site.addsitedir("/srv/kallithea/pyenv/lib/python2.7/site-packages")

from paste.deploy import loadapp
application = loadapp('config:/srv/kallithea/my.ini')
`

// ---------------------------------------------------------------------------------------------
// Scanner
// ---------------------------------------------------------------------------------------------

const roles = (text: string): string[] => scanPython(text).lines.map((l) => l.role)

test('scan: roles of blank, comment, start and continuation lines', (t) => {
  const src = [
    '# header',
    '',
    'x = (1,',
    '     # inside brackets',
    '',
    '     2)',
    'y = 1 + \\',
    '    2',
    's = """a',
    'import site',
    '"""',
    '    ',
    'z = 3',
  ].join('\n')
  t.deepEqual(roles(src), [
    'comment', 'blank', 'start', 'continuation', 'continuation', 'continuation', 'start',
    'continuation', 'start', 'continuation', 'continuation', 'blank', 'start',
  ])
  const scan = scanPython(src)
  t.deepEqual(scan.errors, [])
  t.deepEqual(
    scan.logicalLines.map((l) => [l.startLine, l.endLine]),
    [[3, 6], [7, 8], [9, 11], [13, 13]],
  )
  t.is(scan.lines[12]!.eol, '')
})

test('scan: string prefixes and escapes never leak code or comments', (t) => {
  const src = [
    `a = r'\\'' # c1`,
    `b = b"#not a comment"`,
    `c = u'it\\'s'; d = Rb'x' BR"y" uR'z'`,
    `e = f'{x}' + F"{{y}}" + rf'{z}'`,
    `g = "execfile(activate_this)"  # site.addsitedir("/x")`,
  ].join('\n') + '\n'
  const scan = scanPython(src)
  t.deepEqual(scan.errors, [])
  t.is(scan.logicalLines.length, 5)
  const strings = scan.logicalLines.flatMap((l) => l.tokens.filter((x) => x.type === 'string'))
  t.deepEqual(strings.map((s) => s.text), [
    `r'\\''`, `b"#not a comment"`, `u'it\\'s'`, `Rb'x'`, `BR"y"`, `uR'z'`, `f'{x}'`, `F"{{y}}"`,
    `rf'{z}'`, `"execfile(activate_this)"`,
  ])
  t.deepEqual(strings.map((s) => s.value), [
    `\\'`, '#not a comment', "it's", 'x', 'y', 'z', null, '{y}', null, 'execfile(activate_this)',
  ])
  t.is(scan.logicalLines[2]!.statements.length, 2)
  t.true(scan.logicalLines[2]!.statements.every((s) => s.sharedLine))
  t.deepEqual(scan.logicalLines.map((l) => l.tokens.some((x) => x.type === 'comment')), [
    false, false, false, false, false,
  ])
})

test('scan: f-strings with nested quotes and format-spec fields (Python 3.12 reading)', (t) => {
  const src = [
    `a = f"{d["k"]}" # trailing`,
    `b = f'{x:{width}.{prec}}' + f'{y!r:>{w}}'`,
    `c = f"""{'"'}` + '\n' + `more"""`,
    `d = 1`,
  ].join('\n') + '\n'
  const scan = scanPython(src)
  t.deepEqual(scan.errors, [])
  t.deepEqual(
    scan.logicalLines.map((l) => [l.startLine, l.endLine]),
    [[1, 1], [2, 2], [3, 4], [5, 5]],
  )
})

test('scan: escapes decoded, \\u left unresolved because Python 2 and 3 disagree', (t) => {
  const values = (src: string) =>
    scanPython(src).logicalLines.flatMap((l) => l.tokens.filter((x) => x.type === 'string').map((x) => x.value))
  t.deepEqual(values(`x = '/a\\tb\\\\c\\x41\\101'\n`), ['/a\tb\\cAA'])
  t.deepEqual(values(`x = '/srv/\\u00e9'\n`), [null])
  t.deepEqual(values(`x = u'/srv/\\u00e9'\n`), [null])
  t.deepEqual(values(`x = r'/srv/\\u00e9'\n`), ['/srv/\\u00e9'])
  t.deepEqual(values(`x = '/srv/ka\\\nllithea'\n`), ['/srv/kallithea'])
})

test('scan: semicolons split statements; a trailing one does not', (t) => {
  const scan = scanPython('import site;\na = 1; b = (1;\n')
  t.deepEqual(scan.logicalLines[0]!.statements.map((s) => [s.text, s.sharedLine]), [['import site', false]])
  t.true(scan.errors.length > 0)
  const ok = scanPython('a = 1; b = [x for x in y]; c()\n')
  t.deepEqual(ok.logicalLines[0]!.statements.map((s) => s.text), ['a = 1', 'b = [x for x in y]', 'c()'])
})

test('scan: errors for unterminated strings and brackets', (t) => {
  t.deepEqual(scanPython("x = 'abc\ny = 1\n").errors, [{ line: 1, message: 'unterminated string literal' }])
  t.deepEqual(scanPython('x = """abc\ny = 1\n').errors, [
    { line: 1, message: 'unterminated triple-quoted string literal' },
  ])
  t.deepEqual(scanPython('x = foo(1,\ny = 1\n').errors, [{ line: 1, message: "')' never closed" }])
  t.deepEqual(scanPython('x = 1)\n').errors, [{ line: 1, message: "unmatched ')'" }])
  t.deepEqual(scanPython('').errors, [])
  t.deepEqual(scanPython('').lines, [])
})

test('scan: indentation widths, tabs to multiples of 8, compound and block headers', (t) => {
  const scan = scanPython('if x:\n\ta = 1\n  \tb = 2\n        c = 3\nelse: d = 4\n')
  t.deepEqual(scan.logicalLines.map((l) => l.indentWidth), [0, 8, 8, 8, 0])
  t.deepEqual(scan.logicalLines.map((l) => [l.compound, l.opensBlock]), [
    [true, true], [false, false], [false, false], [false, false], [true, false],
  ])
  t.deepEqual(scan.logicalLines.map((l) => l.statements[0]!.topLevel), [false, false, false, false, false])
})

test('scan: indentation errors Python would reject', (t) => {
  t.deepEqual(scanPython('x = 1\n    y = 2\n').errors, [{ line: 2, message: 'unexpected indent' }])
  t.deepEqual(scanPython('if x:\ny = 2\n').errors, [{ line: 2, message: 'expected an indented block' }])
  t.deepEqual(scanPython('if x:  # nothing\n').errors, [{ line: 1, message: 'expected an indented block' }])
  t.deepEqual(scanPython('if x:\n        a\n    b\n').errors, [
    { line: 3, message: 'unindent does not match any outer indentation level' },
  ])
  t.deepEqual(scanPython('if x:\n    a\n    if y:\n\tb\nc\n').errors, [])
  t.deepEqual(scanPython('x = {\n  1: 2,\n}\nif x: y\n').errors, [])
})

test('scan: CR, LF and CRLF line endings, BOM on line 1', (t) => {
  const scan = scanPython('\uFEFFa = 1\r\nb = 2\rc = (3,\n4)')
  t.true(scan.bom)
  t.deepEqual(scan.lines.map((l) => l.eol), ['\r\n', '\r', '\n', ''])
  t.deepEqual(scan.logicalLines.map((l) => [l.startLine, l.endLine, l.indent, l.start, l.end]), [
    [1, 1, '', 0, 8],
    [2, 2, '', 8, 14],
    [3, 4, '', 14, 24],
  ])
  t.is(scan.logicalLines[0]!.statements[0]!.text, 'a = 1')
})

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

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

// The docs excerpts are in the repo (fixtures/kallithea-docs/): a missing folder is a failure, not a skip.
const DOCS_DIR = fileURLToPath(new URL('../fixtures/kallithea-docs/', import.meta.url))
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

// ---------------------------------------------------------------------------------------------
// Removal
// ---------------------------------------------------------------------------------------------

test('remove: 0.3.1 docs, site.addsitedir script', (t) => {
  const r = removeVenvActivation(DOCS_031_SITE, VENV)
  t.is(r.text, `import os
os.environ["HGENCODING"] = "UTF-8"
os.environ['PYTHON_EGG_CACHE'] = '/srv/kallithea/.egg-cache'

# sometimes it's needed to set the curent dir
os.chdir('/srv/kallithea/')


from paste.deploy import loadapp
from paste.script.util.logging_config import fileConfig

fileConfig('/srv/kallithea/my.ini')
application = loadapp('config:/srv/kallithea/my.ini')
`)
  t.deepEqual(r.removed, [
    { startLine: 8, endLine: 8, text: 'import site\n', what: 'import-site' },
    {
      startLine: 9, endLine: 9,
      text: 'site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")\n', what: 'addsitedir',
    },
  ])
  t.deepEqual(r.skipped, [])
})

test('remove: 0.3.1 docs, activate_this script', (t) => {
  const r = removeVenvActivation(DOCS_031_ACTIVATE, VENV)
  t.is(r.text, `
import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`)
  t.deepEqual(r.removed, [
    {
      startLine: 1, endLine: 1, text: "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\n",
      what: 'activate-assignment',
    },
    { startLine: 2, endLine: 2, text: 'execfile(activate_this, dict(__file__=activate_this))\n', what: 'activate-exec' },
  ])
  t.deepEqual(r.skipped, [])
})

test('remove: 0.6.0 docs scripts', (t) => {
  t.is(removeVenvActivation(DOCS_060_SITE, VENV).text, `import os
os.environ['PYTHON_EGG_CACHE'] = '/srv/kallithea/.egg-cache'

# sometimes it's needed to set the current dir
os.chdir('/srv/kallithea/')


ini = '/srv/kallithea/my.ini'
from logging.config import fileConfig
fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`)
  t.is(removeVenvActivation(DOCS_060_ACTIVATE, VENV).text, `
import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from logging.config import fileConfig
fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`)
})

test('remove: the venv argument is normalized (trailing and doubled slashes)', (t) => {
  t.is(removeVenvActivation(DOCS_031_ACTIVATE, '/srv//kallithea/venv/').removed.length, 2)
})

test('remove: a different venv than asked is not removed', (t) => {
  const r = removeVenvActivation(DOCS_03_PYENV, VENV)
  t.is(r.text, DOCS_03_PYENV)
  t.deepEqual(r.removed, [])
  t.deepEqual(r.skipped, [])
  t.is(removeVenvActivation(DOCS_031_ACTIVATE, '/srv/kallithea/venv2').text, DOCS_031_ACTIVATE)
  t.is(removeVenvActivation(DOCS_031_ACTIVATE, '/srv/kallithea').text, DOCS_031_ACTIVATE)
})

test('remove: mixed venvs, only the asked one goes; import site stays for the other', (t) => {
  const src = `import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
site.addsitedir("/opt/extra/lib/python2.7/site-packages")
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `import site
site.addsitedir("/opt/extra/lib/python2.7/site-packages")
`)
  t.deepEqual(r.skipped, [
    {
      startLine: 1, endLine: 1, text: 'import site', what: 'import-site', reason: 'name-used',
      message: 'site is still used on line 3',
    },
  ])
})

test('remove: CRLF line endings are kept', (t) => {
  const src = DOCS_031_ACTIVATE.replace(/\n/g, '\r\n')
  const r = removeVenvActivation(src, VENV)
  t.is(
    r.text,
    "\r\nimport os\r\nos.environ['HOME'] = '/srv/kallithea'\r\n\r\nini = '/srv/kallithea/kallithea.ini'\r\n" +
      'from paste.script.util.logging_config import fileConfig\r\nfileConfig(ini)\r\n' +
      "from paste.deploy import loadapp\r\napplication = loadapp('config:' + ini)\r\n",
  )
  t.deepEqual(r.removed.map((x) => x.text), [
    "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\r\n",
    'execfile(activate_this, dict(__file__=activate_this))\r\n',
  ])
})

test('remove: mixed and lone-CR line endings are kept byte for byte', (t) => {
  const src = 'import os\r\nimport site\rsite.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")\nx = 1\r\n'
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, 'import os\r\nx = 1\r\n')
  t.deepEqual(r.removed.map((x) => [x.startLine, x.text]), [
    [2, 'import site\r'],
    [3, 'site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")\n'],
  ])
})

test('remove: no final newline', (t) => {
  const src = `import os
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, 'import os\n')
  t.deepEqual(r.removed.map((x) => x.text), [
    "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\n",
    'execfile(activate_this, dict(__file__=activate_this))',
  ])
  const tail = "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\nexecfile(activate_this)\nimport os"
  t.is(removeVenvActivation(tail, VENV).text, 'import os')
})

test('remove: a BOM stays in front', (t) => {
  const r = removeVenvActivation('\uFEFF' + DOCS_031_ACTIVATE, VENV)
  t.true(r.text.startsWith('\uFEFF\nimport os\n'))
  t.is(r.removed[0]!.text, "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\n")
})

test('remove: a string literal containing execfile(activate_this is not touched', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
HELP = "execfile(activate_this, dict(__file__=activate_this))"
OLD = '''
execfile(activate_this, dict(__file__=activate_this))
'''
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `HELP = "execfile(activate_this, dict(__file__=activate_this))"
OLD = '''
execfile(activate_this, dict(__file__=activate_this))
'''
`)
})

test('remove: a comment mentioning site.addsitedir is not touched', (t) => {
  const src = `# import site
# site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")  # old way, see docs
x = 1  # site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `# import site
# site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
x = 1  # site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
`)
  t.deepEqual(r.removed.map((x) => x.startLine), [3, 4])
})

test('remove: a triple-quoted docstring holding activation lines is not touched', (t) => {
  const src = `"""WSGI entry point.

Used to say:
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
"""
r'''
import site
'''
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `"""WSGI entry point.

Used to say:
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
"""
r'''
import site
'''
`)
  t.deepEqual(r.removed.map((x) => x.startLine), [12, 13])
})

test('remove: multi-line exec call with parentheses over 3 lines', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
exec(
    open(activate_this).read(),
    dict(__file__=activate_this))
import os
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, 'import os\n')
  t.deepEqual(r.removed, [
    {
      startLine: 1, endLine: 1, text: "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\n",
      what: 'activate-assignment',
    },
    {
      startLine: 2, endLine: 4,
      text: 'exec(\n    open(activate_this).read(),\n    dict(__file__=activate_this))\n',
      what: 'activate-exec',
    },
  ])
})

test('remove: backslash continuation and a trailing comment go with the statement', (t) => {
  const src = `activate_this = \\
    '/srv/kallithea/venv/bin/activate_this.py'  # venv
execfile(activate_this,  # run it
         dict(__file__=activate_this))
# keep me
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, '# keep me\n')
  t.deepEqual(r.removed.map((x) => [x.startLine, x.endLine]), [[1, 2], [3, 4]])
})

test('remove: exec(compile(...)), Python 2 exec statement and inlined literals', (t) => {
  const src = `import os
exec(compile(open('/srv/kallithea/venv/bin/activate_this.py', "rb").read(), '/srv/kallithea/venv/bin/activate_this.py', 'exec'))
exec open("/srv/kallithea/venv/bin/activate_this.py").read() in dict(__file__="x")
execfile("/srv/kallithea/venv/bin/activate_this.py")
sys.path.insert(0, '/srv/kallithea/venv/lib/python3.11/site-packages')
sys.path.append('/srv/kallithea')
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `import os
sys.path.append('/srv/kallithea')
`)
  t.deepEqual(r.removed.map((x) => [x.startLine, x.what]), [
    [2, 'activate-exec'], [3, 'activate-exec'], [4, 'activate-exec'], [5, 'sys-path'],
  ])
})

test('remove: import site still used elsewhere stays', (t) => {
  const src = `import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
print(site.getsitepackages())
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `import site
print(site.getsitepackages())
`)
  t.deepEqual(r.removed.map((x) => x.what), ['addsitedir'])
  t.deepEqual(r.skipped, [
    {
      startLine: 1, endLine: 1, text: 'import site', what: 'import-site', reason: 'name-used',
      message: 'site is still used on line 3',
    },
  ])
})

test('remove: import site is left alone when only sys.path entries go', (t) => {
  const src = `import site, sys
import site
sys.path.insert(0, '/srv/kallithea/venv/lib/python2.7/site-packages')
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, 'import site, sys\nimport site\n')
  t.deepEqual(r.skipped, [])
})

test('remove: multi-name import of site is left alone', (t) => {
  const src = `import os, site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, 'import os, site\n')
  t.deepEqual(r.skipped, [])
})

test('remove: activate_this still read later keeps its assignment', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
print("activated %s" % activate_this)
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
print("activated %s" % activate_this)
`)
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.reason, x.message]), [
    [1, 'name-used', 'activate_this is still used on line 3'],
  ])
})

test('remove: a use inside a function keeps the assignment', (t) => {
  const src = `def where():
    return activate_this
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this)
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `def where():
    return activate_this
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
`)
})

test('remove: tab-indented if block holding only the activation is skipped', (t) => {
  const src = `import os
if os.path.exists('/srv/kallithea/venv'):
\tactivate_this = '/srv/kallithea/venv/bin/activate_this.py'
\texecfile(activate_this, dict(__file__=activate_this))
import sys
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, src)
  t.deepEqual(r.removed, [])
  t.deepEqual(r.skipped, [
    {
      startLine: 3, endLine: 3, text: "activate_this = '/srv/kallithea/venv/bin/activate_this.py'",
      what: 'activate-assignment', reason: 'empty-block',
      message: 'removing it would leave the block opened on line 2 empty',
    },
    {
      startLine: 4, endLine: 4, text: 'execfile(activate_this, dict(__file__=activate_this))',
      what: 'activate-exec', reason: 'empty-block',
      message: 'removing it would leave the block opened on line 2 empty',
    },
  ])
})

test('remove: try block with only the activation is skipped; the except body keeps import site', (t) => {
  const src = `try:
    activate_this = '/srv/kallithea/venv/bin/activate_this.py'
    execfile(activate_this, dict(__file__=activate_this))
    # activation done
except IOError:
    import site
    site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `try:
    activate_this = '/srv/kallithea/venv/bin/activate_this.py'
    execfile(activate_this, dict(__file__=activate_this))
    # activation done
except IOError:
    import site
`)
  t.deepEqual(r.removed.map((x) => [x.startLine, x.what]), [[7, 'addsitedir']])
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.what, x.reason]), [
    [2, 'activate-assignment', 'empty-block'],
    [3, 'activate-exec', 'empty-block'],
    [6, 'import-site', 'empty-block'],
  ])
})

test('remove: a block of import site + activation keeps the import, so a second run agrees', (t) => {
  const src = `try:
    import site
    execfile('/srv/kallithea/venv/bin/activate_this.py')
except ImportError:
    pass
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `try:
    import site
except ImportError:
    pass
`)
  t.deepEqual(r.removed.map((x) => [x.startLine, x.what]), [[3, 'activate-exec'], [6, 'addsitedir']])
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.what, x.reason]), [[2, 'import-site', 'empty-block']])
  t.deepEqual(removeVenvActivation(r.text, VENV).removed, [])
})

test('remove: indented activation goes when the block keeps other statements', (t) => {
  const src = `try:
    import kallithea
    activate_this = '/srv/kallithea/venv/bin/activate_this.py'
    if True:
        pass
    execfile(activate_this, dict(__file__=activate_this))
except ImportError:
    raise
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `try:
    import kallithea
    if True:
        pass
except ImportError:
    raise
`)
  t.deepEqual(r.skipped, [])
})

test('remove: activation inside a function body goes when the body keeps other statements', (t) => {
  const src = `def application(environ, start_response):
    execfile('/srv/kallithea/venv/bin/activate_this.py')
    site.addsitedir(sitedir='/srv/kallithea/venv/lib/python2.7/site-packages')
    return app(environ, start_response)
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, `def application(environ, start_response):
    return app(environ, start_response)
`)
  t.deepEqual(r.removed.map((x) => [x.startLine, x.what]), [[2, 'activate-exec'], [3, 'addsitedir']])
})

test('remove: computed paths are never removed', (t) => {
  const src = `activate_this = '/srv/kallithea/venv' + '/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
site.addsitedir(os.path.join('/srv/kallithea/venv', 'lib/python2.7/site-packages'))
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, src)
  t.deepEqual(r.removed, [])
  t.deepEqual(r.skipped, [])
  t.deepEqual(analyzeDispatchScript(src).unresolved.map((u) => [u.startLine, u.kind]), [
    [1, 'activate-assignment'], [2, 'activate-exec'], [3, 'site-dir'],
  ])
})

test('remove: adjacent literals and parentheses still read as one constant', (t) => {
  const src = `activate_this = ('/srv/kallithea/venv'
                 '/bin/activate_this.py')
execfile((activate_this), dict(__file__=activate_this))
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, '')
  t.deepEqual(r.removed.map((x) => [x.startLine, x.endLine]), [[1, 2], [3, 3]])
})

test('remove: one-line conditional activation is unrecognized and kept', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
if os.path.exists(activate_this): execfile(activate_this, dict(__file__=activate_this))
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, src)
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.reason]), [[1, 'name-used']])
})

test('remove: a line holding other statements after ; is reported, not removed', (t) => {
  const src = `import os; import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages"); x = 1
activate_this = '/srv/kallithea/venv/bin/activate_this.py'; execfile(activate_this)
import sys;
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, src)
  t.deepEqual(r.removed, [])
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.what, x.reason]), [
    [1, 'import-site', 'shared-line'],
    [2, 'addsitedir', 'shared-line'],
    [3, 'activate-assignment', 'shared-line'],
    [3, 'activate-exec', 'shared-line'],
  ])
})

test('remove: a trailing ; alone does not make a shared line', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py';
execfile(activate_this, dict(__file__=activate_this)) ;
x = 1
`
  t.is(removeVenvActivation(src, VENV).text, 'x = 1\n')
})

test('remove: a file Python would reject is left alone', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
x = 'unterminated
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, src)
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.reason]), [[1, 'syntax-error'], [2, 'syntax-error']])
})

test('remove: never lets a later coding declaration move into effect', (t) => {
  const src = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
# -*- coding: latin-1 -*-
x = 1
`
  const r = removeVenvActivation(src, VENV)
  t.is(r.text, src)
  t.deepEqual(r.skipped.map((x) => [x.startLine, x.reason]), [[1, 'coding-cookie'], [2, 'coding-cookie']])
  const ok = `# -*- coding: utf-8 -*-
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
# -*- coding: latin-1 -*-
`
  t.is(removeVenvActivation(ok, VENV).text, '# -*- coding: utf-8 -*-\n# -*- coding: latin-1 -*-\n')
})

test('remove: f-strings with the same quotes inside do not hide or fake statements', (t) => {
  const src = `label = f"{cfg["name"]}: execfile(activate_this)"
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this)
`
  t.is(removeVenvActivation(src, VENV).text, 'label = f"{cfg["name"]}: execfile(activate_this)"\n')
})

test('remove: idempotent on its own output', (t) => {
  const inputs = [
    DOCS_031_SITE, DOCS_031_ACTIVATE, DOCS_060_SITE, DOCS_060_ACTIVATE, DOCS_03_PYENV,
    DOCS_031_SITE + 'print(site.getsitepackages())\n',
    `try:\n    execfile('/srv/kallithea/venv/bin/activate_this.py')\nexcept IOError:\n    pass\n`,
    `activate_this = '/srv/kallithea/venv/bin/activate_this.py'\nexecfile(activate_this)\nprint(activate_this)\n`,
  ]
  for (const src of inputs) {
    const once = removeVenvActivation(src, VENV)
    const twice = removeVenvActivation(once.text, VENV)
    t.is(twice.text, once.text)
    t.deepEqual(twice.removed, [])
  }
})

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

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
