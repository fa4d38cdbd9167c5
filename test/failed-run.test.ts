// A failed run prints no patch: exit 2 means nothing on stdout, an empty --patch file, `patch: ''`
// in the JSON report, and nothing written. Seen before: an error in the :443 vhost's file still
// gave a patch adding the global WSGIRestrictEmbedded On while the :443 app kept running
// embedded; applied, HTTPS answered 500.
import test from 'ava'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ensureBuilt, runCli, snapshot, treeMaker } from './helpers/tree.js'

test.before(() => ensureBuilt())
const tree = treeMaker(test.after)

const HTTP = `<VirtualHost *:80>
    ServerName hg.example.com
    WSGIDaemonProcess kallithea processes=1 threads=4
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`
// The :443 half, with a section never closed: its app runs embedded and cannot be fixed.
const HTTPS = `<VirtualHost *:443>
    ServerName hg.example.com
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    <Location /admin>
        Require ip 10.0.0.0/8
</VirtualHost>
`

for (const args of [['--dry-run'], ['--check'], []] as const) {
  test(`an error in one file: exit 2, no patch anywhere, nothing written (${args.join(' ') || 'write'})`, async (t) => {
    const root = tree({ 'sites/kallithea.conf': HTTP, 'sites/kallithea-ssl.conf': HTTPS })
    const before = snapshot(root)
    const out = path.join(tree({}), 'fix.patch')
    const r = await runCli([...args, '--patch', out, path.join(root, 'sites')])
    t.is(r.status, 2, r.stderr)
    t.is(r.stdout, '')
    t.regex(r.stderr, /kallithea-ssl\.conf:4:5: <Location> is never closed/)
    t.is(readFileSync(out, 'utf8'), '')
    t.deepEqual([...snapshot(root)].map(([p, s]) => [p, s.bytes?.toString()]), [...before].map(([p, s]) => [p, s.bytes?.toString()]))
    const json = await runCli([...args, '--json', path.join(root, 'sites')])
    t.is(json.status, 2)
    const report = JSON.parse(json.stdout) as { patch: string; exitCode: number; errors: unknown[] }
    t.is(report.patch, '')
    t.is(report.exitCode, 2)
  })
}
