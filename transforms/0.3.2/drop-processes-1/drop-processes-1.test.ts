// drop-processes-1: what is left alone, and when the maximum-requests advisory is (not) given.
import test from 'ava'
import { migrate } from '../../../src/runner/migrate.js'

async function run(files: Record<string, string>, allApps = false) {
  const result = await migrate({
    files: Object.entries(files).map(([path, content]) => ({ path, content })),
    root: '/srv/fixture',
    to: 'latest',
    only: ['drop-processes-1'],
    allApps,
  })
  const text = (path: string): string => result.files.find((f) => f.path === path)!.after.toString('utf8')
  return { result, text, advice: result.advisories.map((a) => a.message) }
}

const vhost = (body: string): string => `<VirtualHost *:80>\n    ServerName kallithea.example.com\n${body}</VirtualHost>\n`

test('processes=2 and more stay; only processes=1 goes', async (t) => {
  const conf = vhost(
    '    WSGIDaemonProcess kallithea processes=2 threads=4\n' +
      '    WSGIDaemonProcess hooks processes=01 threads=1\n' +
      '    WSGIProcessGroup kallithea\n' +
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n',
  )
  // The hooks group serves no Kallithea app: changed with --all-apps only.
  t.is((await run({ 'site.conf': conf })).text('site.conf'), conf)
  const { result, text } = await run({ 'site.conf': conf }, true)
  t.deepEqual(result.errors, [])
  t.is(text('site.conf'), conf.replace(' processes=01', ''))
  t.is(result.changes.length, 1)
  t.regex(result.changes[0].explanation, /wsgi\.multiprocess becomes False/)
  t.regex(result.changes[0].explanation, /True whenever processes= is given/)
})

test('processes=1 from a Define is left alone with an advisory', async (t) => {
  const conf = 'Define PROCS 1\n' + vhost('    WSGIDaemonProcess kallithea processes=${PROCS} threads=4\n')
  const { result, text, advice } = await run({ 'site.conf': conf })
  t.is(text('site.conf'), conf)
  t.deepEqual(result.changes, [])
  t.true(advice.some((m) => m.includes('processes=${PROCS}') && m.includes('resolves to 1')))
})

test('a file with parse errors is not edited', async (t) => {
  const conf = vhost('    WSGIDaemonProcess kallithea processes=1 threads=4\n') + '</Directory>\n<Directory /srv>\n'
  const { result } = await run({ 'site.conf': conf })
  t.deepEqual(result.changes, [])
  t.true(result.files[0].after.equals(result.files[0].before))
  // The runner reverts edits of such files and says so; the transform must not have tried.
  t.false(result.errors.some((e) => e.message.includes('not changed')), JSON.stringify(result.errors))
})

test('maximum-requests: advised for a multi-threaded Kallithea daemon, with its own timeouts', async (t) => {
  const conf = vhost(
    '    WSGIDaemonProcess kallithea threads=4 maximum-requests=200 graceful-timeout=60 shutdown-timeout=10\n' +
      '    WSGIProcessGroup kallithea\n' +
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n',
  )
  const { advice } = await run({ 'site.conf': conf })
  t.is(advice.length, 1)
  t.regex(advice[0], /maximum-requests=200 and threads=4/)
  t.regex(advice[0], /graceful-timeout=60 and shutdown-timeout=10 seconds/)
})

test('maximum-requests: default threads count as many', async (t) => {
  const conf = vhost('    WSGIDaemonProcess kallithea maximum-requests=500\n')
  const { advice } = await run({ 'site.conf': conf })
  t.is(advice.length, 1)
  t.regex(advice[0], /threads=15 \(the default\)/)
  t.regex(advice[0], /shutdown-timeout \(5 s\)/)
})

test('maximum-requests: not advised with threads=1 or for an app that is not Kallithea', async (t) => {
  const conf = vhost(
    '    WSGIDaemonProcess kallithea threads=1 maximum-requests=500\n' +
      '    WSGIDaemonProcess wiki threads=4 maximum-requests=500\n' +
      '    WSGIScriptAlias /wiki /var/www/wiki/moin.wsgi process-group=wiki\n',
  )
  const { advice } = await run({ 'site.conf': conf })
  t.deepEqual(advice, [])
})

test('maximum-requests: a group named otherwise serves Kallithea when its dispatch script says so', async (t) => {
  const conf = vhost(
    '    WSGIDaemonProcess scm threads=4 maximum-requests=500\n' +
      '    WSGIProcessGroup scm\n' +
      '    WSGIScriptAlias / /var/www/scm/app.wsgi\n',
  )
  const script = "from paste.deploy import loadapp\napplication = loadapp('config:/var/www/scm/kallithea.ini')\n"
  const { advice } = await run({ 'site.conf': conf, 'var/www/scm/app.wsgi': script })
  t.is(advice.length, 1)
  t.regex(advice[0], /WSGIDaemonProcess scm serves Kallithea/)
  const { advice: none } = await run({ 'site.conf': conf, 'var/www/scm/app.wsgi': 'def application(e, s):\n    pass\n' })
  t.deepEqual(none, [])
})

test('maximum-requests: not advised when the run also takes the 0.3.3 step, which makes the daemon single-threaded', async (t) => {
  const conf = vhost(
    '    WSGIDaemonProcess kallithea processes=1 threads=4 maximum-requests=500\n' +
      '    WSGIProcessGroup kallithea\n' +
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n',
  )
  const both = await migrate({ files: [{ path: 'site.conf', content: conf }], root: '/srv/fixture', to: 'latest', only: ['drop-processes-1', 'single-threaded'] })
  t.false(both.advisories.some((a) => a.messageId === 'maximumRequests'), JSON.stringify(both.advisories))
  t.regex(both.files[0]!.text, /processes=5 threads=1 maximum-requests=500/)
  // Without the 0.3.3 step (the default target 0.3.2, or --only) the advice stands.
  const alone = await migrate({ files: [{ path: 'site.conf', content: conf }], root: '/srv/fixture' })
  t.true(alone.advisories.some((a) => a.messageId === 'maximumRequests'))
})
