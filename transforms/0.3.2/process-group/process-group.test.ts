// process-group: the cases fixtures do not show on their own (scope sharing across vhosts and the
// global config, Includes, parse errors, running together with restrict-embedded).
import test from 'ava'
import { migrate, type MigrateResult } from '../../../src/runner/migrate.js'

type Files = Record<string, string>

const run = (files: Files, only = ['process-group'], allApps = false): Promise<MigrateResult> =>
  migrate({ files: Object.entries(files).map(([path, content]) => ({ path, content })), root: '/srv/fixture', to: 'latest', only, allApps })

const after = (r: MigrateResult, path: string): string => r.files.find((f) => f.path === path)!.after.toString('utf8')

const DOCS_031 = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea \\
        processes=1 threads=4 \\
        python-path=/srv/kallithea/venv/lib/python2.7/site-packages
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`

test('a global WSGIProcessGroup that would also move a vhost app is never added', async (t) => {
  const conf = `WSGIDaemonProcess kallithea threads=4
WSGIScriptAlias /kallithea /srv/kallithea/dispatch.wsgi

<VirtualHost *:80>
    ServerName status.example.com
    WSGIScriptAlias /status /var/www/status/status.wsgi
</VirtualHost>
`
  const r = await run({ 'site.conf': conf })
  t.deepEqual(r.changes, [])
  t.is(after(r, 'site.conf'), conf)
  const advice = r.advisories.map((a) => a.message).join('\n')
  t.regex(advice, /2 WSGI applications in the global server config run embedded/)
  t.regex(advice, /\/var\/www\/status\/status\.wsgi \(site\.conf:6\)/)
  t.regex(advice, /process-group=kallithea/)
  // The status app is not Kallithea: what could be done for it is said with --all-apps only.
  t.notRegex(advice, /Daemon group kallithea/)
  const all = await run({ 'site.conf': conf }, ['process-group'], true)
  t.is(after(all, 'site.conf'), conf)
  t.regex(all.advisories.map((a) => a.message).join('\n'), /Daemon group kallithea \(site\.conf:1\) is defined at global scope, and several applications/)
})

test('a global daemon and the :80/:443 vhosts of one application: both get the group', async (t) => {
  const vhost = (addr: string, extra: string): string => `<VirtualHost ${addr}>
    ServerName kallithea.example.com
${extra}    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`
  const ssl = '    SSLEngine on\n'
  const conf = 'WSGIDaemonProcess kallithea threads=4\n\n' + vhost('*:80', '') + vhost('*:443', ssl)
  const r = await run({ 'site.conf': conf })
  const group = '    WSGIProcessGroup kallithea\n'
  t.is(after(r, 'site.conf'), 'WSGIDaemonProcess kallithea threads=4\n\n' + vhost('*:80', group) + vhost('*:443', ssl + group))
  t.deepEqual(r.advisories, [])
})

test('a vhost with its own WSGIProcessGroup is not counted as moved by a global one', async (t) => {
  const conf = `WSGIDaemonProcess kallithea threads=4
WSGIScriptAlias /kallithea /srv/kallithea/dispatch.wsgi

<VirtualHost *:80>
    ServerName docs.example.com
    WSGIDaemonProcess docs threads=2
    WSGIProcessGroup docs
    WSGIScriptAlias / /var/www/docs/app.wsgi
</VirtualHost>
`
  const r = await run({ 'site.conf': conf })
  t.is(after(r, 'site.conf'), conf.replace('threads=4\n', 'threads=4\nWSGIProcessGroup kallithea\n'))
  t.is(r.changes.length, 1)
  t.regex(r.changes[0].explanation, /ran embedded in every Apache child process and now runs in the daemon group kallithea/)
})

test('an alias in an included file gets the group next to it, in that file', async (t) => {
  const main = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea threads=4 python-home=/srv/kallithea/venv
    Include kallithea-app.conf
</VirtualHost>
`
  const inc = `WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
WSGIPassAuthorization On
`
  const r = await run({ 'site.conf': main, 'kallithea-app.conf': inc })
  t.is(after(r, 'site.conf'), main)
  t.is(after(r, 'kallithea-app.conf'), 'WSGIProcessGroup kallithea\n' + inc)
  t.deepEqual(r.changes.map((c) => [c.file, c.kind, c.lines.start]), [['kallithea-app.conf', 'insert', 1]])
})

test('a file with parse errors is left alone', async (t) => {
  const broken = DOCS_031.replace('</VirtualHost>\n', '')
  const r = await run({ 'site.conf': broken })
  t.deepEqual(r.changes, [])
  t.is(after(r, 'site.conf'), broken)
  t.true(r.errors.some((e) => e.code === 'parse'))
})

test('run with restrict-embedded, the 0.3.1 docs form gets both directives, and a rerun changes nothing', async (t) => {
  const both = ['process-group', 'restrict-embedded']
  const r = await run({ 'site.conf': DOCS_031 }, both)
  t.deepEqual(r.errors, [])
  const out = after(r, 'site.conf')
  t.is(
    out,
    'WSGIRestrictEmbedded On\n' +
      DOCS_031.replace('site-packages\n', 'site-packages\n    WSGIProcessGroup kallithea\n'),
  )
  t.deepEqual(r.changes.map((c) => c.transform), both)
  const again = await run({ 'site.conf': out }, both)
  t.deepEqual(again.changes, [])
})

test('WSGIScriptAliasMatch is handled like WSGIScriptAlias', async (t) => {
  const conf = `<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
    WSGIScriptAliasMatch ^/kallithea(/.*)?$ /srv/kallithea/dispatch.wsgi$1
</VirtualHost>
`
  const r = await run({ 'site.conf': conf })
  t.is(after(r, 'site.conf'), conf.replace('threads=4\n', 'threads=4\n    WSGIProcessGroup kallithea\n'))
})

test('a group routed per <Location> for part of the requests is advised, not extended', async (t) => {
  const conf = `<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    <Location /admin>
        WSGIProcessGroup kallithea
    </Location>
</VirtualHost>
`
  const r = await run({ 'site.conf': conf })
  t.deepEqual(r.changes, [])
  t.true(r.advisories.some((a) => a.message.includes('except for the requests that "WSGIProcessGroup kallithea" (site.conf:5)')))
})
