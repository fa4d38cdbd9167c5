// script-activation: decisions the fixtures do not pin down on their own.
import test from 'ava'
import { migrate, type InputFile } from '../../../src/runner/migrate.js'
import { removeVenvActivation, type RemovedStatement } from '../../../src/python/index.js'
import { dropOrphanBlankLines, removalMessage } from './index.js'

const ACTIVATE = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
from paste.deploy import loadapp
application = loadapp('config:/srv/kallithea/my.ini')
`
const CLEAN = `from paste.deploy import loadapp
application = loadapp('config:/srv/kallithea/my.ini')
`

const run = (files: InputFile[], extra: { modWsgi?: string } = {}) =>
  migrate({ files, root: '/srv/fixture', to: 'latest', only: ['script-activation'], ...extra })

const after = (r: Awaited<ReturnType<typeof run>>, path: string): string =>
  r.files.find((f) => f.path === path)!.after.toString('utf8')

const vhost = (body: string): string => `<VirtualHost *:80>\n    ServerName kallithea.example.com\n${body}</VirtualHost>\n`

test('removalMessage: one message id per kind, with the code and the venv', (t) => {
  const r = (what: RemovedStatement['what'], text: string) => removalMessage({ startLine: 1, endLine: 1, text, what }, '/srv/kallithea/venv')
  t.is(r('activate-exec', 'execfile(activate_this, dict(__file__=activate_this))\n').messageId, 'removedExecfile')
  t.is(r('activate-exec', 'exec(open(activate_this).read())\n').messageId, 'removedExec')
  t.is(r('activate-assignment', "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\n").messageId, 'removedActivatePath')
  t.is(r('addsitedir', 'site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")\n').messageId, 'removedSiteDir')
  t.is(r('sys-path', "sys.path.insert(0, '/srv/kallithea/venv/lib/python2.7/site-packages')\n").messageId, 'removedSiteDir')
  t.deepEqual(r('import-site', 'import site\n'), { messageId: 'removedImportSite', data: { code: 'import site', venv: '/srv/kallithea/venv' } })
})

test('two dispatch.wsgi files in the run and no exact path: neither is taken', async (t) => {
  const conf = vhost('    WSGIDaemonProcess kallithea python-home=/srv/kallithea/venv\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n')
  const r = await run([
    { path: 'site.conf', content: conf },
    { path: 'a/dispatch.wsgi', content: ACTIVATE },
    { path: 'b/dispatch.wsgi', content: ACTIVATE },
  ])
  t.deepEqual(r.changes, [])
  t.is(after(r, 'a/dispatch.wsgi'), ACTIVATE)
})

test('the script run by groups with different python-home: advisory, no edit', async (t) => {
  const conf = `<VirtualHost *:80>
    ServerName a.example.com
    WSGIDaemonProcess kallithea-a python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea-a
    WSGIScriptAlias / /srv/fixture/dispatch.wsgi
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example.com
    WSGIDaemonProcess kallithea-b
    WSGIProcessGroup kallithea-b
    WSGIScriptAlias / /srv/fixture/dispatch.wsgi
</VirtualHost>
`
  const r = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: ACTIVATE }])
  t.deepEqual(r.changes, [])
  t.true(r.advisories.some((a) => a.message.includes('different python-home settings')))
})

test('python-home added to every group that runs the script, activation removed once', async (t) => {
  const conf = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea threads=4
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/fixture/dispatch.wsgi
</VirtualHost>
<VirtualHost *:443>
    ServerName kallithea.example.com
    SSLEngine on
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/fixture/dispatch.wsgi
</VirtualHost>
`
  const r = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: ACTIVATE }])
  t.deepEqual(r.errors, [])
  t.is(after(r, 'site.conf'), conf.replace('threads=4', 'threads=4 python-home=/srv/kallithea/venv'))
  t.is(after(r, 'dispatch.wsgi'), CLEAN)
  t.deepEqual(r.changes.map((c) => [c.file, c.kind, c.lines.start, c.lines.end]), [
    ['site.conf', 'modify', 3, 3],
    ['dispatch.wsgi', 'remove', 1, 1],
    ['dispatch.wsgi', 'remove', 2, 2],
  ])
  t.deepEqual(r.advisories, [], 'an exact path: no base-name advisory')
})

test('python-path into another venv than the script activates: advisory, no edit', async (t) => {
  const conf = vhost(
    '    WSGIDaemonProcess kallithea python-path=/srv/kallithea/pyenv/lib/python2.7/site-packages\n' +
      '    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/fixture/dispatch.wsgi\n',
  )
  const r = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: ACTIVATE }])
  t.deepEqual(r.changes, [])
  t.true(r.advisories.some((a) => a.message.includes('python-path into /srv/kallithea/pyenv')))
})

test('a script Python would reject is not edited', async (t) => {
  const broken = ACTIVATE + "x = 'unterminated\n"
  const conf = vhost('    WSGIDaemonProcess kallithea python-home=/srv/kallithea/venv\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/fixture/dispatch.wsgi\n')
  const r = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: broken }])
  t.deepEqual(r.changes, [])
  t.is(after(r, 'dispatch.wsgi'), broken)
  t.true(r.advisories.some((a) => a.message.includes('Python would reject this script')))
})

test('a script nested 5,000 ifs deep (Python: "too many levels of indentation") is not edited: an advisory by id', async (t) => {
  const depth = 5_000
  const deep = `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}if True:\n`).join('')}${ACTIVATE.split('\n').map((l) => (l ? ' '.repeat(depth) + l : l)).join('\n')}`
  const conf = vhost('    WSGIDaemonProcess kallithea python-home=/srv/kallithea/venv\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/fixture/dispatch.wsgi\n')
  const r = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: deep }])
  t.deepEqual(r.changes, [])
  t.is(after(r, 'dispatch.wsgi'), deep)
  t.deepEqual(r.advisories.map((a) => [a.messageId, a.line, a.data?.why]), [['pythonRejects', 101, 'too many levels of indentation']])
})

test('an activation the module will not remove (shared line) is advised, the rest goes', async (t) => {
  const script = `import site; site.addsitedir('/srv/kallithea/venv/lib/python2.7/site-packages')
activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))
from paste.deploy import loadapp
application = loadapp('config:/srv/kallithea/my.ini')
`
  const conf = vhost('    WSGIDaemonProcess kallithea python-home=/srv/kallithea/venv\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/fixture/dispatch.wsgi\n')
  const r = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: script }])
  t.is(after(r, 'dispatch.wsgi'), script.split('\n').filter((l) => !/activate_this/.test(l)).join('\n'))
  t.true(r.advisories.some((a) => a.message.includes('left in place') && a.message.includes('remove it by hand')))
  const again = await run([{ path: 'site.conf', content: conf }, { path: 'dispatch.wsgi', content: after(r, 'dispatch.wsgi') }])
  t.deepEqual(again.changes, [])
})

// ---------------------------------------------------------------------------------------------
// The blank line left behind

const VENV = '/srv/kallithea/venv'
const tidy = (text: string) => dropOrphanBlankLines(text, removeVenvActivation(text, VENV))
const SITE = 'import site\nsite.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")\n'

test('a paragraph of activation at the top goes with the blank line after it', (t) => {
  const r = tidy(`activate_this = '${VENV}/bin/activate_this.py'\nexecfile(activate_this, dict(__file__=activate_this))\n\nimport os\n`)
  t.is(r.text, 'import os\n')
  t.deepEqual(r.removed.map((x) => [x.startLine, x.endLine]), [[1, 1], [2, 3]])
})

test('between two blank lines, one blank line stays', (t) => {
  const r = tidy(`import os\n\n${SITE}\nfrom paste.deploy import loadapp\n`)
  t.is(r.text, 'import os\n\nfrom paste.deploy import loadapp\n')
  t.deepEqual(r.removed.map((x) => [x.startLine, x.endLine]), [[3, 3], [4, 5]])
})

test('right after code, the blank line after the block is a separator and stays', (t) => {
  const r = tidy(`import os\n${SITE}\nfrom paste.deploy import loadapp\n`)
  t.is(r.text, 'import os\n\nfrom paste.deploy import loadapp\n')
})

test('CRLF and a BOM are kept', (t) => {
  const r = tidy(`\uFEFF${SITE}\nimport os\n`.replace(/\n/g, '\r\n'))
  t.is(r.text, '\uFEFFimport os\r\n')
})

test('no tidying near a coding declaration', (t) => {
  // Dropping the blank line would move the declaration from line 3 to line 2, where it counts.
  const text = `${SITE}\n# Kallithea\n# -*- coding: latin-1 -*-\nimport os\n`
  const plain = removeVenvActivation(text, VENV)
  t.is(plain.text, '\n# Kallithea\n# -*- coding: latin-1 -*-\nimport os\n')
  t.is(dropOrphanBlankLines(text, plain).text, plain.text)
})
