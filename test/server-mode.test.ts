// The live-server mode (no paths) against private Apache servers in Debian's layout, run through
// the real apache2ctl with APACHE_CONFDIR (test/helpers/debian-server.ts): the README's server
// commands as printed, Apache's configtest before writing (fails: nothing written) and after
// (fails: every file put back byte for byte), backups where Apache never reads them, reload.
import test from 'ava'
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { makeVenv, venvSitePackages } from './helpers/apache.js'
import { debianServer, type DebianServer } from './helpers/debian-server.js'
import { commandsOf, readmeBlock, shell } from './helpers/readme.js'
import { validateReport } from './helpers/report.js'
import { DISPATCH_0_3_1, ensureBuilt, runCli, snapshot, type FileState } from './helpers/tree.js'

test.before(() => ensureBuilt())

/** The 0.3.1 docs form, in the private server's vhost. */
const site031 = (sitePackages: string): string => `# Kallithea, set up from the 0.3.1 "Apache with mod_wsgi" docs.
<VirtualHost 127.0.0.1:@PORT@>
    ServerName hg.example.com
    WSGIDaemonProcess kallithea \\
        processes=1 threads=4 \\
        python-path=${sitePackages} \\
        user=www-data group=www-data
    WSGIScriptAlias / @ROOT@/srv/kallithea/dispatch.wsgi
</VirtualHost>
`

const servers: DebianServer[] = []
test.after.always(() => {
  for (const s of servers) s.remove()
})
async function server(options: Parameters<typeof debianServer>[0]): Promise<DebianServer> {
  const s = await debianServer(options)
  servers.push(s)
  return s
}

/** The server's config and scripts (not its runtime files below var/: pid, logs, sockets, backups). */
function configState(s: DebianServer): Map<string, FileState> {
  return new Map(['etc', 'srv'].flatMap((d) => [...snapshot(path.join(s.root, d))].map(([p, f]) => [`${d}/${p}`, f] as const)))
}
const bytesOf = (m: Map<string, FileState>) => [...m].map(([p, f]) => [p, f.kind, f.bytes?.toString('base64') ?? f.target])

/** The folders below <root>/var/backups/wsgi-migrate (one per run that kept backups). */
function backupRuns(s: DebianServer): string[] {
  const dir = path.join(s.root, 'var/backups/wsgi-migrate')
  return existsSync(dir) ? readdirSync(dir).map((d) => path.join(dir, d)) : []
}

async function untilGroup(s: DebianServer, group: string): Promise<string | undefined> {
  let seen: string | undefined
  for (let i = 0; i < 100; i++) {
    const r = await s.get().catch(() => undefined)
    seen = r?.json?.process_group
    if (seen === group) return seen
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return seen
}

test("the README's server commands, as printed: the diff, then configtest, backups, write, configtest, reload", async (t) => {
  const venv = await makeVenv()
  const s = await server({ site: site031(venvSitePackages(venv)), venv })
  s.start()
  t.is((await s.get()).json?.process_group, '', 'before: the app runs embedded')
  const [dryRun, apply] = commandsOf(readmeBlock('## On a server')) as [string, string]
  t.regex(dryRun, /^wsgi-migrate --dry-run\b/)
  t.regex(apply, /^wsgi-migrate --reload\b/)

  const before = configState(s)
  const dry = await shell(dryRun, { cwd: s.root, env: s.env })
  t.is(dry.status, 0, dry.stderr)
  const rel = s.root.slice(1)
  t.regex(dry.stdout, new RegExp(`^diff --git a/${rel}/etc/apache2/sites-available/kallithea\\.conf b/${rel}/etc/apache2/sites-available/kallithea\\.conf$`, 'm'), 'patch paths are relative to /')
  t.notRegex(dry.stdout, new RegExp(`^diff --git a/${rel}/etc/apache2/apache2\\.conf `, 'm'), "Debian's own apache2.conf is left alone")
  t.regex(dry.stderr, new RegExp(`^server: ${s.confdir}/apache2\\.conf \\(APACHE_CONFDIR\\); mod_wsgi \\d+\\.\\d+(\\.\\d+)?, Python \\d+\\.\\d+ \\(/usr/lib/apache2/modules/mod_wsgi\\.so\\)$`, 'm'))
  t.deepEqual(bytesOf(configState(s)), bytesOf(before), '--dry-run writes nothing')
  t.deepEqual(backupRuns(s), [])

  const run = await shell(apply, { cwd: s.root, env: s.env })
  t.is(run.status, 0, run.stderr)
  t.regex(run.stderr, /^configtest passed; Apache reloaded$/m)
  const site = readFileSync(path.join(s.confdir, 'sites-available/kallithea.conf'), 'utf8')
  t.regex(site, /^ {4}WSGIProcessGroup kallithea$/m)
  t.regex(site, new RegExp(`python-home=${venv}\\b`))
  t.regex(site, /^WSGIRestrictEmbedded On\n/, 'at the top of the site file')
  // The originals are kept by their path, below var/backups (never where Apache reads).
  const [backups] = backupRuns(s)
  t.truthy(backups)
  t.regex(run.stderr, new RegExp(`^backups: ${backups}/ `, 'm'))
  for (const f of ['etc/apache2/sites-available/kallithea.conf']) {
    t.deepEqual(readFileSync(path.join(backups as string, f)), before.get(f)?.bytes, `${f} kept as it was`)
  }
  // Reloaded: the application now runs in its daemon group, from the venv.
  t.is(await untilGroup(s, 'kallithea'), 'kallithea', s.errorLog())
  t.is((await s.get()).json?.sys_prefix, venv)

  const again = await shell(dryRun, { cwd: s.root, env: s.env })
  t.is(again.status, 0)
  t.is(again.stdout, '', 'a second run finds nothing to change')
})

test('the configtest fails before writing: nothing written, exit 2, Apache\'s message shown', async (t) => {
  const s = await server({
    site: site031('@ROOT@/srv/kallithea/venv/lib/python3/site-packages'),
    // The misspelling the old advice gave: Apache refuses to start with it.
    files: { 'etc/apache2/conf-enabled/wsgi-tuning.conf': 'WSGIRestrictedEmbedded On\n' },
  })
  const before = configState(s)
  const r = await runCli(['--json'], { cwd: s.root, env: s.env })
  t.is(r.status, 2)
  t.regex(r.stderr, /^error: Apache's configtest fails before any change \(\/usr\/sbin\/apache2ctl -t\): .*Invalid command 'WSGIRestrictedEmbedded'.* Nothing written/m)
  t.deepEqual(bytesOf(configState(s)), bytesOf(before))
  t.deepEqual(backupRuns(s), [], 'no backups either')
  const report = JSON.parse(r.stdout) as { server: { configtest: { before: string; after: string | null; output: string } }; written: string[] }
  t.deepEqual(validateReport(report), [])
  t.like(report.server.configtest, { before: 'failed', after: null })
  t.regex(report.server.configtest.output, /Invalid command 'WSGIRestrictedEmbedded'/)
  t.deepEqual(report.written, [])
})

/** A `-t` transform that puts a directive Apache does not know at the top of the Kallithea site. */
const UNKNOWN_DIRECTIVE = `export default {
  meta: { id: 'unknown-directive', version: '0.3.2', title: 'A directive Apache refuses', messages: { added: 'Added a directive Apache does not know.' } },
  create(ctx) {
    for (const file of ctx.files) {
      const first = file.kind === 'apache' && file.path.endsWith('sites-available/kallithea.conf') ? file.tree.children[0] : undefined
      if (first === undefined || (first.type === 'directive' && first.name === 'NoSuchDirective')) continue
      const node = { type: 'directive', name: 'NoSuchDirective', args: Object.freeze(['On']), raw: 'NoSuchDirective On\\r\\n' }
      ctx.report({ node: first, messageId: 'added', fix: (fixer) => fixer.insertBefore(first, node) })
    }
  },
}
`

test('the configtest fails after writing: every written file is put back byte for byte, exit 2', async (t) => {
  // mod_wsgi is not loaded; the site guards its WSGI lines with <IfModule mod_wsgi.c>, so Apache
  // accepts the config (and WSGIRestrictEmbedded On is not added: it could not share that guard).
  // A transform of the user's adds a line Apache refuses. The vhost Includes a file outside the
  // config folder (as certbot's /etc/letsencrypt): it is read where it is, fixed, and put back too.
  const s = await server({
    wsgi: false,
    site: `<VirtualHost 127.0.0.1:@PORT@>\r
\tServerName hg.example.com\r
\t<IfModule mod_wsgi.c>\r
\t\tWSGIDaemonProcess kallithea processes=1 threads=4\r
\t\tWSGIScriptAlias / @ROOT@/srv/kallithea/dispatch.wsgi\r
\t\tInclude @ROOT@/etc/letsencrypt/options-wsgi.conf\r
\t</IfModule>\r
</VirtualHost>`,
    files: { 'opt/unknown-directive.mjs': UNKNOWN_DIRECTIVE, 'etc/letsencrypt/options-wsgi.conf': '# kept as it was\r\nWSGIPassAuthorization Off' },
  })
  const before = configState(s)
  const r = await runCli(['--json', '-t', path.join(s.root, 'opt/unknown-directive.mjs')], { cwd: s.root, env: s.env })
  t.is(r.status, 2)
  t.regex(r.stderr, /^error: Apache's configtest fails after writing \(\/usr\/sbin\/apache2ctl -t\): .*Invalid command 'NoSuchDirective'.* Every written file was put back as it was \(2\); nothing changed$/m)
  t.deepEqual(bytesOf(configState(s)), bytesOf(before), 'byte for byte (CRLF, tabs, no final newline)')
  // On the live server the JSON report comes after the write: it says how it went.
  const report = JSON.parse(r.stdout) as {
    exitCode: number; written: string[]; errors: Array<{ code: string }>; advisories: Array<{ message: string }>
    server: { restored: string[]; configtest: { before: string; after: string | null } }
  }
  t.deepEqual(validateReport(report), [])
  t.is(report.exitCode, 2)
  t.deepEqual(report.errors.map((e) => e.code), ['configtest'])
  t.deepEqual(report.written, [])
  t.deepEqual(report.server.restored.sort(), [`${s.root.slice(1)}/etc/apache2/sites-available/kallithea.conf`, `${s.root.slice(1)}/etc/letsencrypt/options-wsgi.conf`])
  t.true(report.advisories.some((a) => a.message.includes('WSGIRestrictEmbedded On not added: WSGIDaemonProcess kallithea')), 'not added outside the guard')
  t.like(report.server.configtest, { before: 'passed', after: 'failed' })
  t.is(backupRuns(s).length, 1, 'the backups were made before writing, and stay')
})

test('configtest passes: written, and how to reload is said; --no-backup keeps none', async (t) => {
  // The dispatch script lies in /srv, outside the config: read and fixed where it is.
  const s = await server({
    site: site031('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages').replace('/srv/kallithea/dispatch.wsgi', '/srv/kallithea/app/dispatch.wsgi'),
    files: { 'srv/kallithea/app/dispatch.wsgi': "import site\nsite.addsitedir('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages')\n\ndef application(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n" },
  })
  const r = await runCli(['--no-backup'], { cwd: s.root, env: s.env })
  t.is(r.status, 0, r.stderr)
  t.notRegex(readFileSync(path.join(s.root, 'srv/kallithea/app/dispatch.wsgi'), 'utf8'), /addsitedir/, 'the script in /srv is fixed')
  // An instance named by APACHE_CONFDIR is reloaded with it: apache2ctl alone would reload the main one.
  t.true(r.stderr.includes(`configtest passed; reload Apache to use the new config: APACHE_CONFDIR=${s.confdir} apache2ctl graceful (or run with --reload)\n`), r.stderr)
  t.regex(r.stderr, /^\d+ scanned, 2 changed, /m)
  t.deepEqual(backupRuns(s), [])
  t.regex(readFileSync(path.join(s.confdir, 'sites-available/kallithea.conf'), 'utf8'), /WSGIPassAuthorization On/)
})

test('--config and --apachectl name the server: the httpd binary gets Debian\'s envvars; --backup-dir', async (t) => {
  const s = await server({ site: site031('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages'), serverRoot: true })
  const backupDir = path.join(s.root, 'elsewhere')
  const args = ['--config', path.join(s.confdir, 'apache2.conf'), '--apachectl', '/usr/sbin/apache2', '--backup-dir', backupDir, '--json']
  const r = await runCli(args, { cwd: s.root, env: { PATH: '/usr/bin:/bin' } })
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { server: { found: string; apachectl: string; backupDir: string; configtest: unknown; reload: string }; written: string[] }
  t.deepEqual(validateReport(report), [])
  t.like(report.server, { found: '--config', apachectl: '/usr/sbin/apache2', configtest: { before: 'passed', after: 'passed', output: null } })
  t.regex(r.stderr, /^configtest passed; reload Apache/m)
  t.true(report.server.backupDir.startsWith(`${backupDir}/`))
  t.true(existsSync(path.join(report.server.backupDir, 'etc/apache2/sites-available/kallithea.conf')))
  t.regex(report.server.reload, /apache2 -f \S+apache2\.conf -k graceful/)
  t.is(report.written.length, 1)
})

test('a backup folder where Apache reads config is refused before anything is written', async (t) => {
  const s = await server({ site: site031('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages') })
  const before = configState(s)
  const r = await runCli(['--backup-dir', path.join(s.confdir, 'conf-enabled')], { cwd: s.root, env: s.env })
  t.is(r.status, 2)
  t.regex(r.stderr, /--backup-dir .*conf-enabled: inside .*etc\/apache2, where Apache reads config files/)
  t.deepEqual(bytesOf(configState(s)), bytesOf(before))
})

test('a backup folder an Include pattern reaches (outside the config folders) is refused before anything is written', async (t) => {
  const s = await server({ site: site031('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages') })
  // Apache reads every file below a folder an Include names: backups there would be config.
  const extra = path.join(s.root, 'srv/apache-extra')
  mkdirSync(extra)
  appendFileSync(path.join(s.confdir, 'apache2.conf'), `IncludeOptional ${extra}\n`)
  const before = configState(s)
  const r = await runCli(['--backup-dir', path.join(extra, 'backups')], { cwd: s.root, env: s.env })
  t.is(r.status, 2, r.stderr)
  t.regex(r.stderr, /--backup-dir \S+\/srv\/apache-extra\/backups: Apache would read the backups there as config \(IncludeOptional \S+\/srv\/apache-extra at \S+apache2\.conf:\d+\)/)
  t.deepEqual(bytesOf(configState(s)), bytesOf(before))
  t.false(existsSync(path.join(extra, 'backups')))
  // A pattern whose last component cannot match the backups' folders does not stand in the way.
  writeFileSync(path.join(s.confdir, 'apache2.conf'), readFileSync(path.join(s.confdir, 'apache2.conf'), 'utf8').replace(`IncludeOptional ${extra}\n`, `IncludeOptional ${extra}/*.conf\n`))
  const ok = await runCli(['--backup-dir', extra], { cwd: s.root, env: s.env })
  t.is(ok.status, 0, ok.stderr)
})

test('the backup folder check follows the Include patterns as the run read them: a Define, a relative path from ServerRoot', async (t) => {
  const s = await server({ site: site031('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages'), serverRoot: true })
  const extra = path.join(s.root, 'srv/extra')
  mkdirSync(extra)
  const main = path.join(s.confdir, 'apache2.conf')
  const conf = readFileSync(main, 'utf8')
  for (const [include, backups] of [
    // A Define made before the Include names the folder.
    [`Define EXTRA ${extra}\nIncludeOptional \${EXTRA}/\n`, path.join(extra, 'backups')],
    // A relative pattern is below ServerRoot (etc/apache2), whatever the working directory.
    ['IncludeOptional ../../srv/extra/\n', path.join(extra, 'old')],
  ] as const) {
    writeFileSync(main, conf + include)
    const before = configState(s)
    const r = await runCli(['--backup-dir', backups], { cwd: s.root, env: s.env })
    t.is(r.status, 2, r.stderr)
    const escape = (text: string): string => text.replace(/[$.{}/]/g, '\\$&')
    const written = include.split('IncludeOptional ')[1]!.trim()
    t.regex(r.stderr, new RegExp(`--backup-dir \\S+: Apache would read the backups there as config \\(IncludeOptional ${escape(written)} at \\S+apache2\\.conf:\\d+, that is ${escape(extra)}\\)`))
    t.deepEqual(bytesOf(configState(s)), bytesOf(before))
    t.false(existsSync(backups))
  }
})

test('the mod_wsgi version comes from the module the config loads, and gates transforms as --mod-wsgi does', async (t) => {
  const s = await server({
    site: site031('@ROOT@/srv/kallithea/venv/lib/python2.7/site-packages'),
    files: {
      // An old module: mod_wsgi 3.x spells its version out; it links Python 2.7.
      'opt/mod_wsgi-3.3/mod_wsgi.so': Buffer.from('\x7fELF\0\0mod_wsgi/3.3\0libpython2.7.so.1.0\0', 'latin1'),
      'etc/apache2/mods-enabled/wsgi.load': 'LoadModule wsgi_module @ROOT@/opt/mod_wsgi-3.3/mod_wsgi.so\n',
    },
  })
  const r = await runCli(['--dry-run', '--json'], { cwd: s.root, env: s.env })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stderr, /; mod_wsgi 3\.3, Python 2\.7 \(\S+\/opt\/mod_wsgi-3\.3\/mod_wsgi\.so\)$/m)
  const report = JSON.parse(r.stdout) as { server: { modWsgi: unknown }; advisories: Array<{ transform: string; message: string }>; changes: Array<{ transform: string }> }
  t.like(report.server.modWsgi, { version: '3.3', python: '2.7' })
  t.true(report.advisories.some((a) => a.transform === 'python-home' && /needs mod_wsgi >=3\.4 and you run 3\.3/.test(a.message)))
  t.false(report.changes.some((c) => c.transform === 'python-home'))
  // --mod-wsgi still decides when given.
  const given = JSON.parse((await runCli(['--dry-run', '--json', '--mod-wsgi', '4.9.0'], { cwd: s.root, env: s.env })).stdout) as typeof report
  t.true(given.changes.some((c) => c.transform === 'python-home'))
})

test('the Python mod_wsgi embeds, read from the module the config loads, is named so in the script-activation and python3 advisories', async (t) => {
  // Debian's mod_wsgi.so (a symlink to mod_wsgi.so-3.11): its name says no Python, its bytes do.
  const s = await server({
    site: site031('@ROOT@/srv/kallithea/venv/lib/python3.9/site-packages').replace(/python-path=\S+/, ''),
    files: {
      'srv/kallithea/venv/bin/activate_this.py': '',
      'srv/kallithea/venv/lib/python3.9/site-packages/Kallithea-0.3.2.dist-info/METADATA': 'Metadata-Version: 2.1\nName: Kallithea\nVersion: 0.3.2\n',
    },
  })
  writeFileSync(path.join(s.root, 'srv/kallithea/dispatch.wsgi'), DISPATCH_0_3_1.replace('execfile(activate_this, dict(__file__=activate_this))', "exec(open(activate_this).read(), dict(__file__=activate_this))").replaceAll('@ROOT@', s.root))
  const module = path.join(s.root, 'etc/apache2/mods-enabled/wsgi.load')
  const loaded = /^LoadModule wsgi_module (\S+)$/m.exec(readFileSync(module, 'utf8'))![1]!
  t.notRegex(loaded, /3\.11/, 'the LoadModule path does not say the Python')
  const from = `mod_wsgi embeds Python 3.11 (read from the module ${loaded})`
  const r = await runCli(['--dry-run', '--json'], { cwd: s.root, env: s.env })
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { advisories: Array<{ transform: string; message: string }> }
  const said = report.advisories.filter((a) => a.message.includes(from))
  t.deepEqual(said.map((a) => a.transform), ['script-activation'], JSON.stringify(report.advisories))
  t.regex(said[0]!.message, /activates \S+\/srv\/kallithea\/venv, a Python 3\.9 virtualenv/)
  // At 0.6.0, python-home= of the daemon is checked by python3 the same way.
  const site = path.join(s.root, 'etc/apache2/sites-available/kallithea.conf')
  writeFileSync(site, readFileSync(site, 'utf8').replace('threads=4', `threads=4 python-home=${s.root}/srv/kallithea/venv`))
  const six = JSON.parse((await runCli(['--dry-run', '--json', '--to', '0.6.0'], { cwd: s.root, env: s.env })).stdout) as typeof report
  t.true(six.advisories.some((a) => a.transform === 'python3' && a.message.includes(from)), JSON.stringify(six.advisories))
})

test('no live config found, with --json: the JSON report holds the error, exit 2', async (t) => {
  const r = await runCli(['--dry-run', '--json', '--config', '/nonexistent/apache2.conf'])
  t.is(r.status, 2)
  const report = JSON.parse(r.stdout) as { exitCode: number; errors: Array<{ code: string; message: string }> }
  t.deepEqual(validateReport(report), [])
  t.is(report.exitCode, 2)
  t.regex(report.errors[0]!.message, /--config \/nonexistent\/apache2\.conf: does not exist/)
})

/** A private server whose host `locale -a` prints `listing` (a printf format): a fake `locale` first on PATH. */
async function hostListing(listing: string) {
  const s = await server({ site: site031('@ROOT@/srv/kallithea/venv/lib/python3.11/site-packages') })
  const bin = path.join(s.root, 'fake-bin')
  mkdirSync(bin)
  writeFileSync(path.join(bin, 'locale'), `#!/bin/sh\nprintf "${listing}"\n`, { mode: 0o755 })
  return { s, env: { ...s.env, PATH: `${bin}:${s.env.PATH ?? process.env.PATH}` } }
}

test('on the live server lang= takes a UTF-8 locale the host lists (locale -a); --lang wins', async (t) => {
  // A host whose only UTF-8 locale is en_US.utf8 (no C.UTF-8): the `locale` it runs says so.
  const { s, env } = await hostListing('C\\nPOSIX\\nen_US.utf8\\n')
  const r = await runCli(['--dry-run', '--to', '0.4.1', '--only', 'daemon-lang'], { cwd: s.root, env })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /^\+.*lang=en_US\.utf8/m)
  const chosen = await runCli(['--dry-run', '--to', '0.4.1', '--only', 'daemon-lang', '--lang', 'de_DE.UTF-8'], { cwd: s.root, env })
  t.regex(chosen.stdout, /^\+.*lang=de_DE\.UTF-8/m)
})

test('on the live server a host that lists no UTF-8 locale gets advice, not a lang= it lacks; --lang still sets one', async (t) => {
  const { s, env } = await hostListing('C\\nPOSIX\\n')
  const r = await runCli(['--dry-run', '--json', '--to', '0.4.1', '--only', 'daemon-lang'], { cwd: s.root, env })
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { patch: string; advisories: Array<{ transform: string; message: string }> }
  t.notRegex(report.patch, /lang=/)
  t.true(report.advisories.some((a) => a.transform === 'daemon-lang' && /lists no UTF-8 locale \(locale -a\): lang= not added/.test(a.message)), JSON.stringify(report.advisories))
  const chosen = await runCli(['--dry-run', '--to', '0.4.1', '--only', 'daemon-lang', '--lang', 'C.UTF-8'], { cwd: s.root, env })
  t.regex(chosen.stdout, /^\+.*lang=C\.UTF-8/m)
})
