// python3: the 0.3.2 decision reused (its message ids), the Python of mod_wsgi's module, and the
// advisories about venvs.
import test from 'ava'
import { memoryReader } from '../../../src/load/installed-version.js'
import { migrate } from '../../../src/runner/migrate.js'
import { pythonOfModule } from '../../../src/runner/embedded-python.js'

const ACTIVATE = "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\nexecfile(activate_this, dict(__file__=activate_this))\nimport os\n"
const conf = (daemon: string): string => `${daemon}\nWSGIProcessGroup kallithea\nWSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n`
const run = (c: string, script: string, extra: { modWsgi?: string; embeddedPython?: string; venv?: Record<string, string> } = {}) =>
  migrate({
    files: [{ path: 'k.conf', content: c }, { path: 'dispatch.wsgi', content: script }],
    root: '/srv/kallithea', to: 'latest', only: ['python3'],
    ...(extra.modWsgi ? { modWsgi: extra.modWsgi } : {}),
    ...(extra.embeddedPython ? { embeddedPython: extra.embeddedPython } : {}),
    ...(extra.venv ? { reader: memoryReader(extra.venv) } : {}),
  })

test('with mod_wsgi 3.4+ the activation goes and python-home comes, under the 0.3.2 message ids', async (t) => {
  const r = await run(conf('WSGIDaemonProcess kallithea threads=1'), ACTIVATE)
  t.deepEqual(r.changes.map((c) => [c.transform, c.messageId]), [['python3', 'addedHome'], ['python3', 'removedActivatePath'], ['python3', 'removedExecfile']])
  t.is(r.files.find((f) => f.path === 'dispatch.wsgi')!.text, 'import os\n')
})

test('where the activation stays, execfile becomes exec(open(f).read(), ...), explained by id', async (t) => {
  const r = await run(conf('WSGIDaemonProcess kallithea threads=1'), ACTIVATE, { modWsgi: '3.3' })
  t.deepEqual(r.changes.map((c) => [c.messageId, c.lines.start]), [['execfile', 2]])
  t.like(r.changes[0]!.data, { arg: 'activate_this' })
  t.regex(r.files.find((f) => f.path === 'dispatch.wsgi')!.text, /^exec\(open\(activate_this\)\.read\(\), dict\(__file__=activate_this\)\)$/m)
})

test('the Python mod_wsgi was built for, from the LoadModule path', (t) => {
  t.is(pythonOfModule('/usr/lib/apache2/modules/mod_wsgi.so-3.11'), '3.11')
  t.is(pythonOfModule('/usr/local/lib/python3.8/site-packages/mod_wsgi/server/mod_wsgi-py38.cpython-38-x86_64-linux-gnu.so'), '3.8')
  t.is(pythonOfModule('modules/mod_wsgi_python3.9.so'), '3.9')
  t.is(pythonOfModule('modules/mod_wsgi-py27.so'), '2.7')
  t.is(pythonOfModule('/usr/lib/apache2/modules/mod_wsgi.so'), undefined)
})

test('a venv of another Python than mod_wsgi embeds, as the embeddedPython option says', async (t) => {
  const venv = { '/srv/kallithea/venv/lib/python3.9/site-packages/kallithea/__init__.py': 'VERSION = (0, 6, 3)\n' }
  const r = await run(conf('WSGIDaemonProcess kallithea threads=1 python-home=/srv/kallithea/venv'), 'import os\n', { embeddedPython: '3.11', venv })
  t.like(r.advisories.find((a) => a.messageId === 'otherPython'), { data: { venvPython: '3.9', embedded: '3.11', how: 'as the embeddedPython option says' } })
  const same = await run(conf('WSGIDaemonProcess kallithea threads=1 python-home=/srv/kallithea/venv'), 'import os\n', { embeddedPython: '3.9', venv })
  t.deepEqual(same.advisories, [])
})
