// removeVenvActivation: which statements go, which stay and why, byte for byte.
import test from 'ava'
import { analyzeDispatchScript, removeVenvActivation } from '../../src/python/index.js'
import { DOCS_031_SITE, DOCS_031_ACTIVATE, DOCS_060_SITE, DOCS_060_ACTIVATE, DOCS_03_PYENV, VENV } from '../helpers/dispatch-scripts.js'

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
