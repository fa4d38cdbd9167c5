// python-home: which python-path entries count as a virtualenv, and the edge cases of the edit.
import test from 'ava'
import { migrate } from '../../../src/runner/migrate.js'
import { classifyEntry, normalizeDir } from './index.js'

const kind = (value: string, raw = value) => classifyEntry({ raw, value })

test('a venv site-packages, lib or lib64, Python 2 or 3', (t) => {
  t.deepEqual(kind('/srv/kallithea/venv/lib/python2.7/site-packages'), { kind: 'venv', venvRaw: '/srv/kallithea/venv', venv: '/srv/kallithea/venv', python: '2.7' })
  t.deepEqual(kind('/srv/kallithea/venv/lib64/python3.11/site-packages/'), { kind: 'venv', venvRaw: '/srv/kallithea/venv', venv: '/srv/kallithea/venv', python: '3.11' })
  t.deepEqual(kind('/srv/kallithea/venv//lib/python3/site-packages'), { kind: 'venv', venvRaw: '/srv/kallithea/venv', venv: '/srv/kallithea/venv', python: '3' })
})

test('system and per-user packages directories are not a venv', (t) => {
  for (const dir of [
    '/usr/lib/python2.7/site-packages',
    '/usr/lib64/python2.7/site-packages',
    '/usr/local/lib/python2.7/site-packages',
    '/usr/lib/python3/dist-packages',
    '/srv/kallithea/venv/lib/python2.7/dist-packages',
    '/lib/python2.7/site-packages',
    '/opt/local/lib/python2.7/site-packages',
    '/opt/rh/python27/root/usr/lib64/python2.7/site-packages',
    '/home/hg/.local/lib/python2.7/site-packages',
    '/Library/Frameworks/Python.framework/Versions/2.7/lib/python2.7/site-packages',
  ]) {
    t.is(kind(dir).kind, 'system', dir)
  }
})

test('anything else is neither', (t) => {
  t.is(kind('/srv/kallithea').kind, 'other')
  t.is(kind('/srv/kallithea/venv/lib/python2.7').kind, 'other')
  t.is(kind('').kind, 'other')
})

test('a variable keeps its written form in python-home', (t) => {
  t.deepEqual(kind('/srv/kallithea/venv/lib/python2.7/site-packages', '${VENV}/lib/python2.7/site-packages'), {
    kind: 'venv',
    venvRaw: '${VENV}',
    venv: '/srv/kallithea/venv',
    python: '2.7',
  })
  t.is(normalizeDir('/srv/kallithea/venv/'), '/srv/kallithea/venv')
  t.is(normalizeDir(''), '/')
})

async function run(conf: string, modWsgi?: string) {
  const result = await migrate({
    files: [{ path: 'site.conf', content: conf }],
    root: '/srv/fixture',
    to: 'latest',
    only: ['python-home'],
    ...(modWsgi ? { modWsgi } : {}),
  })
  return { result, text: result.files[0].after.toString('utf8'), advice: result.advisories.map((a) => a.message) }
}

const vhost = (daemon: string): string =>
  `<VirtualHost *:80>\n    ${daemon}\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n`

test('python-path from a Define becomes python-home with the variable', async (t) => {
  const conf = 'Define VENV /srv/kallithea/venv\n' + vhost('WSGIDaemonProcess kallithea threads=4 python-path=${VENV}/lib/python2.7/site-packages')
  const { text, result } = await run(conf)
  t.is(text, conf.replace('python-path=${VENV}/lib/python2.7/site-packages', 'python-home=${VENV}'))
  t.is(result.changes.length, 1)
})

test('lib and lib64 of the same venv: both entries go, one python-home', async (t) => {
  const conf = vhost(
    "WSGIDaemonProcess kallithea threads=4 python-path='/srv/kallithea:/srv/kallithea/venv/lib/python2.7/site-packages:/srv/kallithea/venv/lib64/python2.7/site-packages'",
  )
  const { text } = await run(conf)
  t.is(text, vhost("WSGIDaemonProcess kallithea threads=4 python-path='/srv/kallithea' python-home='/srv/kallithea/venv'"))
})

test('python-path quoted as a whole word: advised, not edited (mod_wsgi rejects it)', async (t) => {
  const conf = vhost('WSGIDaemonProcess kallithea threads=4 "python-path=/srv/kallithea/my venv/lib/python2.7/site-packages"')
  const { text, advice, result } = await run(conf)
  t.is(text, conf)
  t.deepEqual(result.changes, [])
  t.true(advice.some((m) => m.includes('quoted as a whole word') && m.includes('Invalid option to WSGI daemon process definition.')))
})

test('a python-path without site-packages is left alone silently', async (t) => {
  const conf = vhost('WSGIDaemonProcess kallithea threads=4 python-path=/srv/kallithea')
  const { text, advice } = await run(conf)
  t.is(text, conf)
  t.deepEqual(advice, [])
})

test('mod_wsgi 3.3: the runner skips it; 4.9.4 and 3.4 apply it', async (t) => {
  const conf = vhost('WSGIDaemonProcess kallithea python-path=/srv/kallithea/venv/lib/python2.7/site-packages')
  t.is((await run(conf, '3.3')).text, conf)
  t.not((await run(conf, '3.4')).text, conf)
  t.not((await run(conf, '4.9.4')).text, conf)
})

test('a Python 2.6 venv while the mod_wsgi version is not known: advised (such servers ran mod_wsgi 3.2/3.3)', async (t) => {
  const conf = vhost('WSGIDaemonProcess kallithea threads=4 python-path=/srv/kallithea/venv/lib/python2.6/site-packages')
  const { text, advice } = await run(conf)
  t.is(text, conf)
  t.true(advice.some((m) => m.includes('python-path names a Python 2.6 virtualenv (/srv/kallithea/venv) and the mod_wsgi in use is not known')), JSON.stringify(advice))
  t.is((await run(conf, '3.4')).text, conf.replace('python-path=/srv/kallithea/venv/lib/python2.6/site-packages', 'python-home=/srv/kallithea/venv'))
})

test("a venv of another Python than the one mod_wsgi embeds (LoadModule path, or the run's embeddedPython): advised", async (t) => {
  const load = 'LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so-3.11\n'
  const py27 = load + vhost('WSGIDaemonProcess kallithea threads=4 python-path=/srv/kallithea/venv/lib/python2.7/site-packages')
  const { text, advice } = await run(py27)
  t.is(text, py27)
  t.true(advice.some((m) => m.includes('a Python 2.7 virtualenv (/srv/kallithea/venv), but mod_wsgi embeds Python 3.11 (LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so-3.11 in site.conf)')), JSON.stringify(advice))
  const py311 = py27.replace('python2.7', 'python3.11')
  t.is((await run(py311)).text, py311.replace('python-path=/srv/kallithea/venv/lib/python3.11/site-packages', 'python-home=/srv/kallithea/venv'))
  const told = await migrate({ files: [{ path: 'site.conf', content: py311.replace(load, '') }], root: '/srv/fixture', only: ['python-home'], embeddedPython: '3.12' })
  t.deepEqual(told.changes, [])
  t.true(told.advisories.some((a) => a.messageId === 'otherPython' && a.message.includes('Python 3.12 (as the embeddedPython option says)')))
})
