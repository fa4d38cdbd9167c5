// The migration proven on a real Apache + mod_wsgi: the 0.3.1 docs deployment before and after
// wsgi-migrate (every fixture output is checked with `apache2 -t` in test/transforms.test.ts).
import test, { type ExecutionContext } from 'ava'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { migrate } from '../src/runner/migrate.js'
import { isProcessRunning, makeVenv, PROBE_WSGI, startApache, venvSitePackages, type ApacheSiteConfig, type RunningApache } from './helpers/apache.js'

const SITE = 'sites-enabled/kallithea.conf'
const SCRIPT = 'srv/kallithea/dispatch.wsgi'

async function serve(t: ExecutionContext, conf: ApacheSiteConfig): Promise<RunningApache> {
  const apache = await startApache(conf)
  t.teardown(async () => {
    await apache.stop()
    if (isProcessRunning(apache.pid)) throw new Error(`apache2 pid ${apache.pid} still running after stop()`)
  })
  return apache
}

/** The 0.3.1 docs deployment: config excerpt in a vhost, and the activate_this dispatch script. */
function docs031(venv: string, { passAuthorization = true } = {}): { conf: string; script: string } {
  const pyDir = path.basename(path.dirname(venvSitePackages(venv)))
  const conf =
    '<VirtualHost *:80>\n' +
    '    ServerName kallithea.example.com\n' +
    '    WSGIDaemonProcess kallithea \\\n' +
    '        processes=1 threads=4 \\\n' +
    `        python-path=/srv/kallithea/venv/lib/${pyDir}/site-packages\n` +
    '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n' +
    (passAuthorization ? '    WSGIPassAuthorization On\n' : '') +
    '</VirtualHost>\n'
  // The docs' "proper virtualenv activation", then an app that reports where it runs.
  const script =
    "activate_this = '/srv/kallithea/venv/bin/activate_this.py'\n" +
    'execfile(activate_this, dict(__file__=activate_this))\n' +
    '\n' +
    readFileSync(PROBE_WSGI, 'utf8')
  return { conf, script }
}

async function migrated(conf: string, script: string) {
  const result = await migrate({
    root: '/srv/kallithea',
    files: [
      { path: 'kallithea.conf', content: conf },
      { path: 'dispatch.wsgi', content: script },
    ],
  })
  const text = (name: string) => result.files.find((f) => f.path === name)!.after.toString('utf8')
  return { result, conf: text('kallithea.conf'), script: text('dispatch.wsgi') }
}

const site = (conf: string, script: string, venv: string): ApacheSiteConfig => ({
  files: { [SITE]: conf, [SCRIPT]: script },
  include: [SITE],
  replace: { '/srv/kallithea/venv': venv, '/srv/kallithea': 'srv/kallithea' },
})

test('the 0.3.1 docs form runs embedded and breaks on Python 3; migrated, it runs in group kallithea with the venv', async (t) => {
  const venv = await makeVenv()
  const before = docs031(venv)

  const old = await serve(t, site(before.conf, before.script, venv))
  // execfile does not exist on Python 3: the docs' activation fails the app.
  t.is((await old.get('/')).status, 500)
  await old.stop()
  // Without the activation the old config still runs the app embedded, in Apache's children.
  const embedded = await serve(t, site(before.conf, readFileSync(PROBE_WSGI, 'utf8'), venv))
  const e = await embedded.get('/')
  t.is(e.status, 200)
  t.is(e.json?.process_group, '')
  t.is(e.json?.sys_prefix, '/usr')
  await embedded.stop()

  const after = await migrated(before.conf, before.script)
  t.deepEqual(after.result.errors, [])
  t.deepEqual(
    [...new Set(after.result.changes.map((c) => c.transform))].sort(),
    ['drop-processes-1', 'process-group', 'python-home', 'restrict-embedded', 'script-activation'],
  )
  t.false(after.script.includes('activate_this'))
  const fixed = await serve(t, site(after.conf, after.script, venv))
  const r = await fixed.get('/', { Authorization: 'Basic dXNlcjpwYXNz' })
  t.is(r.status, 200, fixed.errorLog())
  t.is(r.json?.process_group, 'kallithea')
  t.is(r.json?.sys_prefix, venv)
  t.false(r.json?.multiprocess)
  t.true(r.json?.http_authorization)

  const again = await migrate({ root: '/srv/kallithea', files: [{ path: 'kallithea.conf', content: after.conf }, { path: 'dispatch.wsgi', content: after.script }] })
  t.is(again.patch.length, 0, 'a second run changes nothing')
})

test('without WSGIPassAuthorization the app never sees Authorization; migrated, it does', async (t) => {
  const venv = await makeVenv()
  const before = docs031(venv, { passAuthorization: false })
  const probe = readFileSync(PROBE_WSGI, 'utf8')
  const old = await serve(t, site(before.conf, probe, venv))
  t.false((await old.get('/', { Authorization: 'Basic dXNlcjpwYXNz' })).json?.http_authorization)
  await old.stop()

  const after = await migrated(before.conf, probe)
  t.true(after.result.changes.some((c) => c.transform === 'pass-authorization'))
  const fixed = await serve(t, site(after.conf, after.script, venv))
  const r = await fixed.get('/', { Authorization: 'Basic dXNlcjpwYXNz' })
  t.is(r.json?.process_group, 'kallithea')
  t.true(r.json?.http_authorization)
})
