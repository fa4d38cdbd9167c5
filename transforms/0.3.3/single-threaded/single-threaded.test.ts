// single-threaded: the message ids and data, the capacity note, and the step after drop-processes-1.
import test from 'ava'
import { migrate } from '../../../src/runner/migrate.js'

const vhost = (daemon: string, extra = ''): string =>
  `<VirtualHost *:80>\n    ServerName scm.example.com\n    ${daemon}\n    WSGIProcessGroup scm\n    WSGIScriptAlias / /var/www/scm/app.wsgi\n${extra}</VirtualHost>\n`
const KALLITHEA_SCRIPT = "from paste.deploy import loadapp\napplication = loadapp('config:/var/www/scm/kallithea.ini')\n"

const run = (conf: string, only = ['single-threaded'], script = KALLITHEA_SCRIPT) =>
  migrate({ files: [{ path: 'site.conf', content: conf }, { path: 'var/www/scm/app.wsgi', content: script }], root: '/', to: 'latest', only })

test('a group named otherwise serves Kallithea when its script says so: changed, explained by id', async (t) => {
  const r = await run(vhost('WSGIDaemonProcess scm threads=4 python-home=/srv/scm/venv'))
  t.is(r.files[0]!.text, vhost('WSGIDaemonProcess scm processes=5 threads=1 maximum-requests=100 python-home=/srv/scm/venv'))
  t.like(r.changes[0], { transform: 'single-threaded', messageId: 'changed', data: { name: 'scm', processes: 5, max: '100', before: '1 process of 4 threads' } })
  t.regex(r.changes[0]!.explanation, /wsgi\.multiprocess True, which is now the truth/)
  t.deepEqual(r.advisories, [], 'capacity 4 → 5: no note')
  const wiki = await run(vhost('WSGIDaemonProcess scm threads=4'), ['single-threaded'], 'def application(environ, start_response):\n    pass\n')
  t.deepEqual(wiki.changes, [], 'not Kallithea: untouched')
})

test('capacity that falls is noted with the change; processes from a variable is advised', async (t) => {
  const r = await run(vhost('WSGIDaemonProcess scm processes=3 threads=10'))
  t.is(r.files[0]!.text, vhost('WSGIDaemonProcess scm processes=5 threads=1 maximum-requests=100'))
  t.like(r.advisories[0], { transform: 'single-threaded', messageId: 'capacity', data: { name: 'scm', before: 30, after: 5 } })
  const v = 'Define PROCS 2\n' + vhost('WSGIDaemonProcess scm processes=${PROCS} threads=4')
  const variable = await run(v)
  t.deepEqual(variable.changes, [])
  t.like(variable.advisories[0], { messageId: 'fromVariable', data: { option: 'processes=', raw: '${PROCS}' } })
})

test('after drop-processes-1 in one run: processes=1 goes, then the 0.3.3 trio comes', async (t) => {
  const conf = vhost('WSGIDaemonProcess scm \\\n        processes=1 threads=4 \\\n        python-home=/srv/scm/venv')
  const r = await run(conf, ['drop-processes-1', 'single-threaded'])
  t.is(r.files[0]!.text, vhost('WSGIDaemonProcess scm processes=5 threads=1 maximum-requests=100 \\\n        python-home=/srv/scm/venv'))
  t.deepEqual(r.changes.map((c) => c.transform), ['drop-processes-1', 'single-threaded'])
  const again = await run(r.files[0]!.text, ['drop-processes-1', 'single-threaded'])
  t.deepEqual(again.changes, [], 'drop-processes-1 leaves processes=5 alone')
})

test('a daemon that already has threads=1: left as is, with what the 0.3.3 form adds', async (t) => {
  const r = await run(vhost('WSGIDaemonProcess scm threads=1'))
  t.deepEqual(r.changes, [])
  t.like(r.advisories[0], { transform: 'single-threaded', messageId: 'alreadySingle', data: { name: 'scm', processes: '1 process (the default)' } })
  t.regex(r.advisories[0]!.message, /raise processes= to 5 .*add maximum-requests=100/)
  const three = await run(vhost('WSGIDaemonProcess scm processes=8 threads=1'))
  t.like(three.advisories[0], { messageId: 'alreadySingle', data: { processes: '8 processes' } })
  t.notRegex(three.advisories[0]!.message, /raise processes/)
  const docs = await run(vhost('WSGIDaemonProcess scm processes=5 threads=1 maximum-requests=100'))
  t.deepEqual(docs.advisories, [], 'the docs form: nothing to say')
})
