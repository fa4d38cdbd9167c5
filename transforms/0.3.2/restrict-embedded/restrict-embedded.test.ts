// restrict-embedded: placement and safety cases beyond the fixtures.
import test from 'ava'
import { migrate, type MigrateResult } from '../../../src/runner/migrate.js'
import type { ScriptAlias } from '../../../src/model/model.js'
import { notInDaemon } from './index.js'

type Files = Record<string, string>

const run = (files: Files): Promise<MigrateResult> =>
  migrate({ files: Object.entries(files).map(([path, content]) => ({ path, content })), root: '/srv/fixture', to: 'latest', only: ['restrict-embedded'] })

const after = (r: MigrateResult, path: string): string => r.files.find((f) => f.path === path)!.after.toString('utf8')

const VHOST_032 = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea threads=4 python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`

const EMBEDDED = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea processes=1 threads=4
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`

test('the misspelled directive is renamed even while an app runs embedded, with a warning about HTTP 500', async (t) => {
  const r = await run({ 'site.conf': 'WSGIRestrictedEmbedded On\n' + EMBEDDED })
  t.is(after(r, 'site.conf'), 'WSGIRestrictEmbedded On\n' + EMBEDDED)
  t.deepEqual(r.changes.map((c) => c.kind), ['modify'])
  const advice = r.advisories.map((a) => a.message)
  t.true(advice.some((m) => m.includes('disables embedded mode') && m.includes('/srv/kallithea/dispatch.wsgi at every URL of kallithea.example.com (site.conf:5, runs embedded)')), JSON.stringify(advice))
})

test('one inside a vhost is moved out with its value; an embedded app is warned about', async (t) => {
  const input = EMBEDDED.replace('    ServerName', '    WSGIRestrictEmbedded On\n    ServerName')
  const r = await run({ 'site.conf': input })
  t.is(after(r, 'site.conf'), 'WSGIRestrictEmbedded On\n' + EMBEDDED)
  t.deepEqual(r.changes.map((c) => [c.kind, c.lines.start]), [['remove', 2], ['insert', 1]])
  t.true(r.advisories.some((a) => a.message.includes('HTTP 500')))
})

test('one inside a global <Directory> is moved before that section', async (t) => {
  const input = `<Directory /srv/kallithea>
    WSGIRestrictEmbedded On
    Require all granted
</Directory>
${VHOST_032}`
  const r = await run({ 'site.conf': input })
  t.is(after(r, 'site.conf'), `WSGIRestrictEmbedded On
<Directory /srv/kallithea>
    Require all granted
</Directory>
${VHOST_032}`)
})

test('with a main config in the run: at the top of the site file that defines the daemon, never in apache2.conf', async (t) => {
  const main = `Timeout 300
IncludeOptional conf-enabled/*.conf

# vim: syntax=apache
`
  const r = await run({ 'apache2.conf': main, 'kallithea.conf': VHOST_032 })
  t.is(after(r, 'apache2.conf'), main)
  t.is(after(r, 'kallithea.conf'), 'WSGIRestrictEmbedded On\n' + VHOST_032)
})

test('a site file read inside <IfModule mod_wsgi.c>: its top is still global scope', async (t) => {
  const main = `Timeout 300
<IfModule mod_wsgi.c>
    Include kallithea.conf
</IfModule>
`
  const r = await run({ 'apache2.conf': main, 'kallithea.conf': VHOST_032 })
  t.is(after(r, 'apache2.conf'), main)
  t.is(after(r, 'kallithea.conf'), 'WSGIRestrictEmbedded On\n' + VHOST_032)
})

test('a daemon in a vhost of the main config itself: at its top (no site file holds anything)', async (t) => {
  const main = `Timeout 300\n\n${VHOST_032}`
  const r = await run({ 'apache2.conf': main })
  t.is(after(r, 'apache2.conf'), `WSGIRestrictEmbedded On\n${main}`)
})

test('a daemon defined in apache2.conf for a site file: the site file gets the line', async (t) => {
  const main = 'WSGIDaemonProcess kallithea threads=4 python-home=/srv/kallithea/venv\nIncludeOptional sites-enabled/*.conf\n'
  const site = VHOST_032.replace(/ {4}WSGIDaemonProcess.*\n/, '')
  const r = await run({ 'apache2.conf': main, 'sites-enabled/kallithea.conf': site })
  t.is(after(r, 'apache2.conf'), main)
  t.is(after(r, 'sites-enabled/kallithea.conf'), 'WSGIRestrictEmbedded On\n' + site)
})

test('a daemon file included inside a <VirtualHost>: the line goes before that vhost in the file around it, above its comment', async (t) => {
  const site = `# Managed by hand.

# Kallithea over plain HTTP
<VirtualHost *:80>
    ServerName kallithea.example.com
    Include wsgi/kallithea-daemon.conf
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`
  const daemon = 'WSGIDaemonProcess kallithea threads=4 python-home=/srv/kallithea/venv\nWSGIProcessGroup kallithea\n'
  const r = await run({ 'site.conf': site, 'wsgi/kallithea-daemon.conf': daemon })
  t.is(after(r, 'wsgi/kallithea-daemon.conf'), daemon)
  t.is(after(r, 'site.conf'), site.replace('# Kallithea over', 'WSGIRestrictEmbedded On\n# Kallithea over'))
})

test('an app whose group is chosen per request blocks the addition', async (t) => {
  const conf = `WSGIDaemonProcess kallithea threads=4
WSGIDaemonProcess kallithea-vcs threads=1
SetEnvIf User-Agent "^git/" KALLITHEA_GROUP=kallithea-vcs
WSGIProcessGroup %{ENV:KALLITHEA_GROUP}
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
`
  const r = await run({ 'site.conf': conf })
  t.deepEqual(r.changes, [])
  t.true(r.advisories.some((a) => a.message.includes('picks its group per request (%{ENV:KALLITHEA_GROUP})')))
})

test('nothing is added when there is no WSGI application at all', async (t) => {
  const conf = 'WSGIDaemonProcess kallithea threads=4\n'
  const r = await run({ 'site.conf': conf })
  t.deepEqual(r.changes, [])
  t.deepEqual(r.advisories, [])
})

test('nothing is added while another file of the run has parse errors', async (t) => {
  const r = await run({ 'site.conf': VHOST_032, 'other.conf': '<VirtualHost *:80>\n' })
  t.is(after(r, 'site.conf'), VHOST_032)
  t.true(r.advisories.some((a) => a.message.includes('has parse errors')))
})

test('notInDaemon: daemon mode passes, embedded partial routing does not', (t) => {
  const base = { mode: 'daemon', via: 'vhost', partial: [] } as unknown as ScriptAlias['group']
  t.is(notInDaemon({ group: base } as ScriptAlias), undefined)
  const partial = { ...base, partial: [{ value: '%{GLOBAL}', file: 'a.conf', node: { position: { start: { line: 3 } } } }] }
  t.is(notInDaemon({ group: partial } as unknown as ScriptAlias), 'runs embedded for the requests of a.conf:3')
  t.is(notInDaemon({ group: { ...base, mode: 'embedded' } } as ScriptAlias), 'runs embedded')
})

test('a daemon guarded by <IfModule mod_wsgi.c> inside its vhost: not added (no global place has that condition), said why', async (t) => {
  const site = VHOST_032.replace('    WSGIDaemonProcess', '    <IfModule mod_wsgi.c>\n    WSGIDaemonProcess').replace('    WSGIProcessGroup', '    </IfModule>\n    WSGIProcessGroup')
  const r = await run({ 'site.conf': site })
  t.is(after(r, 'site.conf'), site)
  t.true(r.advisories.some((a) => a.messageId === 'guarded' && a.message.includes('is read only inside <IfModule mod_wsgi.c>')), JSON.stringify(r.advisories))
  // One inside such a guard is not moved out of it; with the daemon unguarded (mod_wsgi is loaded),
  // the global line is added at the top and decides, and the refused one goes.
  const inside = VHOST_032.replace('    ServerName', '    <IfModule mod_wsgi.c>\n        WSGIRestrictEmbedded On\n    </IfModule>\n    ServerName')
  const moved = await run({ 'site.conf': inside })
  t.is(after(moved, 'site.conf'), 'WSGIRestrictEmbedded On\n' + inside.replace('        WSGIRestrictEmbedded On\n', ''))
  t.deepEqual(moved.changes.map((c) => c.messageId), ['added', 'removedGlobalDecides'])
})
