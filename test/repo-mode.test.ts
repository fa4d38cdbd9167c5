// Paths given (a repository, a copy of a server): nothing outside the root is read, what leads
// there is a one-line "not read" note; patch paths are relative to where the command runs; the
// files Apache reads together are one server; --map, --exclude, templates by content; the README's
// bot snippet, run as printed in a git repository.
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { readmeBlock, shell } from './helpers/readme.js'
import { validateReport } from './helpers/report.js'
import { DISPATCH_0_3_1, ensureBuilt, runCli, SITE_0_3_1, snapshot, treeMaker } from './helpers/tree.js'

test.before(() => ensureBuilt())
const tree = treeMaker(test.after)

interface Report {
  exitCode: number
  files: Array<{ path: string; status: string }>
  changes: Array<{ transform: string; file: string }>
  advisories: Array<{ transform: string; file: string | null; message: string }>
  errors: Array<{ code: string; message: string }>
  skipped: Array<{ path: string; code: string; file: string | null }>
  servers: Array<{ kind: string; name: string; files: string[] }>
  kallithea: { installed: string | null; targetFrom: string }
  patch: string
}
const json = async (args: string[], cwd: string): Promise<Report> => {
  const r = await runCli([...args, '--json'], { cwd })
  const report = JSON.parse(r.stdout) as Report
  return report
}
const changedIn = (r: Report, transform: string): string[] => [...new Set(r.changes.filter((c) => c.transform === transform).map((c) => c.file))].sort()

/** A Kallithea vhost whose WSGIProcessGroup is missing, with a global daemon of its own name. */
const host = (daemon: string, name: string): string => `# ${name}
ServerName ${name}
WSGIDaemonProcess ${daemon} threads=4 python-home=/srv/${daemon}/venv
IncludeOptional sites-enabled/*.conf
`
const vhost = (name: string, script: string): string => `<VirtualHost *:80>
    ServerName ${name}
    WSGIScriptAlias / ${script}
    WSGIPassAuthorization On
</VirtualHost>
`

test("the README's bot snippet, as printed, in a git repository: the patch applies at the root, the PR body names repo paths", async (t) => {
  const repo = tree({
    'README.md': '# infra\n',
    'infra/apache/sites-available/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', ''),
    'infra/apache/sites-available/default.conf': '<VirtualHost *:80>\n    DocumentRoot /var/www/html\n</VirtualHost>\n',
  })
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } })
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'infra')
  const r = await shell(readmeBlock('### For bots'), { cwd: repo, env: GIT_ENV })
  t.is(r.status, 0, `${r.stdout}${r.stderr}`)
  t.regex(git('log', '-1', '--format=%s'), /^Fix mod_wsgi setup \(wsgi-migrate\)$/m, 'the fix was committed')
  t.regex(git('show', '--stat', 'HEAD'), /infra\/apache\/sites-available\/kallithea\.conf/)
  t.regex(readFileSync(path.join(repo, 'infra/apache/sites-available/kallithea.conf'), 'utf8'), /^ {4}WSGIProcessGroup kallithea$/m)
  const body = readFileSync(path.join(repo, 'pr-body.md'), 'utf8')
  t.regex(body, /\| `infra\/apache\/sites-available\/kallithea\.conf` \| /, 'the PR body names the file by its repo path')
  t.regex(body, /^### Not read\n\n- 1 path outside the root: \/srv\/kallithea\/dispatch\.wsgi \(infra\/apache\/sites-available\/kallithea\.conf:10:5\); read them from the repository with --map SERVERPATH=REPOPATH, or give a --root that holds them$/m)
  const report = JSON.parse(readFileSync(path.join(repo, 'report.json'), 'utf8')) as Report
  t.deepEqual(validateReport(report), [])
  t.is(report.exitCode, 1)
  t.regex(report.patch, /^diff --git a\/infra\/apache\/sites-available\/kallithea\.conf b\/infra\/apache\/sites-available\/kallithea\.conf$/m)
})

const GIT_ENV = { GIT_AUTHOR_NAME: 'bot', GIT_AUTHOR_EMAIL: 'bot@example.com', GIT_COMMITTER_NAME: 'bot', GIT_COMMITTER_EMAIL: 'bot@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' }

test('patch paths are relative to the working directory when the paths are below it, else to the root', async (t) => {
  const repo = tree({ 'infra/apache/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', '') })
  const here = await runCli(['--dry-run', 'infra/apache'], { cwd: repo })
  t.regex(here.stdout, /^diff --git a\/infra\/apache\/kallithea\.conf b\/infra\/apache\/kallithea\.conf$/m)
  const elsewhere = await runCli(['--dry-run', path.join(repo, 'infra/apache')], { cwd: tree({}) })
  t.regex(elsewhere.stdout, /^diff --git a\/kallithea\.conf b\/kallithea\.conf$/m, 'from a folder that does not hold them: relative to the root')
})

test('servers, not folders: two hosts of one repository are decided each on its own', async (t) => {
  // Each host defines one global daemon group; as one server the vhosts would see two candidates.
  const repo = tree({
    'roles/scm/files/apache2.conf': host('kallithea', 'scm.example.com'),
    'roles/scm/files/sites-enabled/scm.conf': vhost('scm.example.com', '/srv/kallithea/dispatch.wsgi'),
    'roles/wiki/files/apache2.conf': host('kallithea-old', 'old.example.com'),
    'roles/wiki/files/sites-enabled/old.conf': vhost('old.example.com', '/srv/kallithea-old/dispatch.wsgi'),
  })
  const r = await json(['--dry-run', 'roles'], repo)
  t.deepEqual(r.errors, [])
  t.deepEqual(
    r.servers.map((s) => [s.kind, s.name, s.files]),
    [
      ['main-config', 'roles/scm/files/apache2.conf', ['roles/scm/files/apache2.conf', 'roles/scm/files/sites-enabled/scm.conf']],
      ['main-config', 'roles/wiki/files/apache2.conf', ['roles/wiki/files/apache2.conf', 'roles/wiki/files/sites-enabled/old.conf']],
    ],
  )
  t.deepEqual(changedIn(r, 'process-group'), ['roles/scm/files/sites-enabled/scm.conf', 'roles/wiki/files/sites-enabled/old.conf'])
  t.deepEqual(changedIn(r, 'restrict-embedded'), ['roles/scm/files/sites-enabled/scm.conf', 'roles/wiki/files/sites-enabled/old.conf'], 'once per server, in its site file (not the main config)')
  t.false(r.advisories.some((a) => /several|duplicate/i.test(a.message)), JSON.stringify(r.advisories))
})

test('an old and a new copy of one vhost are two servers: no duplicate daemon, each fixed', async (t) => {
  const repo = tree({
    'apache/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', ''),
    'apache/old/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', '').replace('threads=4', 'threads=2'),
  })
  const r = await json(['--dry-run', 'apache'], repo)
  t.deepEqual(r.errors, [])
  t.deepEqual(r.servers.map((s) => [s.kind, s.name]), [['file', 'apache/kallithea.conf'], ['file', 'apache/old/kallithea.conf']])
  t.deepEqual(changedIn(r, 'process-group'), ['apache/kallithea.conf', 'apache/old/kallithea.conf'])
})

test('include folders without their main config are one server; loose files are servers of their own', async (t) => {
  // The Debian SSL pair: the daemon in the :80 vhost serves the :443 one of the same name.
  const ssl = '<IfModule mod_ssl.c>\n<VirtualHost *:443>\n    ServerName hg.example.com\n    SSLEngine on\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n</IfModule>\n'
  const site = SITE_0_3_1.replaceAll('@ROOT@', '')
  const together = tree({ 'apache/sites-available/kallithea.conf': site, 'apache/sites-available/kallithea-ssl.conf': ssl })
  const a = await json(['--dry-run', 'apache'], together)
  t.deepEqual(a.servers.map((s) => [s.kind, s.name, s.files.length]), [['include-folder', 'apache', 2]])
  t.deepEqual(changedIn(a, 'process-group'), ['apache/sites-available/kallithea-ssl.conf', 'apache/sites-available/kallithea.conf'])

  const apart = tree({ 'docs/kallithea.conf': site, 'docs/kallithea-ssl.conf': ssl })
  const b = await json(['--dry-run', 'docs'], apart)
  t.deepEqual(b.servers.map((s) => s.kind), ['file', 'file'])
  t.deepEqual(changedIn(b, 'process-group'), ['docs/kallithea.conf'], 'the :443 snippet alone has no daemon to run in')
})

test('--map reads the scripts and Includes a config names from the repository', async (t) => {
  const repo = tree({
    'infra/apache/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@/srv/kallithea', '/opt/kallithea').replace('</VirtualHost>', '    Include /opt/kallithea/apache-extra.conf\n</VirtualHost>'),
    'web/docker/dispatch.wsgi': DISPATCH_0_3_1.replaceAll('@ROOT@/srv/kallithea', '/opt/kallithea'),
    'web/docker/apache-extra.conf': 'WSGIPassAuthorization Off\n',
    // The venv the daemon uses, under the same server path: the installed Kallithea is read there.
    'web/docker/venv/lib/python2.7/site-packages/kallithea/__init__.py': 'VERSION = (0, 3, 3)\n',
  })
  const without = await runCli(['--dry-run', 'infra/apache'], { cwd: repo })
  t.is(without.status, 0, without.stderr)
  t.regex(without.stderr, /^not read: 2 paths outside the root: \/opt\/kallithea\/dispatch\.wsgi \(infra\/apache\/kallithea\.conf:10:5\), \/opt\/kallithea\/apache-extra\.conf \(infra\/apache\/kallithea\.conf:14:5\); read them from the repository with --map SERVERPATH=REPOPATH, or give a --root that holds them$/m)

  t.regex(without.stderr, /venv outside the root, not read \(map it into the repository with --map SERVERPATH=REPOPATH/)
  const r = await json(['--dry-run', '--map', '/opt/kallithea=web/docker', 'infra/apache'], repo)
  t.deepEqual(r.errors, [])
  t.like(r.kallithea, { installed: '0.3.3', targetFrom: 'installed' }, 'the mapped venv is read: its Kallithea is the target')
  t.deepEqual(r.skipped, [])
  t.deepEqual(r.files.filter((f) => f.status === 'changed').map((f) => f.path), ['infra/apache/kallithea.conf', 'web/docker/apache-extra.conf', 'web/docker/dispatch.wsgi'])
  t.regex(r.patch, /^-activate_this = '\/opt\/kallithea\/venv\/bin\/activate_this\.py'$/m, 'the mapped script is fixed, its text unchanged otherwise')
  t.regex(r.patch, /^\+WSGIPassAuthorization On$/m, 'the mapped include is read in its vhost')
  t.false(r.advisories.some((a) => /was taken for it/.test(a.message)), 'the script is the one the alias names, not a guess by name')

  const bad = await runCli(['--dry-run', '--map', 'opt=web', 'infra/apache'], { cwd: repo })
  t.is(bad.status, 2)
  t.regex(bad.stderr, /--map opt=web: give SERVERPATH=REPOPATH, the server path absolute/)
  const outside = await runCli(['--dry-run', '--root', path.join(repo, 'infra'), '--map', '/opt/kallithea=web/docker', 'infra/apache'], { cwd: repo })
  t.is(outside.status, 2)
  t.regex(outside.stderr, /--map \/opt\/kallithea=\S+web\/docker: \S+ is outside the root/)
})

test("a main config's ServerRoot (/etc/apache2, /etc/httpd) is mapped to its own folder", async (t) => {
  const repo = tree({
    // Debian's apache2.conf names no ServerRoot: Apache's is /etc/apache2.
    'servers/scm/apache2.conf': 'Include /etc/apache2/conf.d/kallithea.conf\n',
    'servers/scm/conf.d/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', ''),
    // Red Hat: conf/httpd.conf with ServerRoot "/etc/httpd".
    'servers/wiki/conf/httpd.conf': 'ServerRoot "/etc/httpd"\nIncludeOptional /etc/httpd/conf.d/*.conf\n',
    'servers/wiki/conf.d/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', ''),
  })
  const r = await json(['--dry-run', 'servers'], repo)
  t.deepEqual(r.errors, [])
  t.deepEqual(r.skipped.map((s) => s.path), ['/srv/kallithea/dispatch.wsgi', '/srv/kallithea/dispatch.wsgi'], 'only the scripts are outside')
  t.deepEqual(r.servers.map((s) => [s.name, s.files]), [
    ['servers/scm/apache2.conf', ['servers/scm/apache2.conf', 'servers/scm/conf.d/kallithea.conf']],
    ['servers/wiki/conf/httpd.conf', ['servers/wiki/conf.d/kallithea.conf', 'servers/wiki/conf/httpd.conf']],
  ])
  t.deepEqual(changedIn(r, 'restrict-embedded'), ['servers/scm/conf.d/kallithea.conf', 'servers/wiki/conf.d/kallithea.conf'])
})

test('"not read" notes: one line per kind, with a count and one hint', async (t) => {
  const sites = Object.fromEntries(
    Array.from({ length: 5 }, (_, i) => [`sites-available/site${i}.conf`, SITE_0_3_1.replaceAll('@ROOT@', '').replaceAll('kallithea', `kallithea${i}`).replace('hg.example.com', `hg${i}.example.com`)]),
  )
  const repo = tree({ ...sites, 'sites-available/site0.conf.pre-kallithea': 'ServerName old\n', 'templates/settings.j2': 'DEBUG = {{ debug }}\n', 'templates/vhost.conf.j2': '<VirtualHost *:80>\n    ServerName {{ host }}\n</VirtualHost>\n' })
  const r = await runCli(['--dry-run', '.'], { cwd: repo })
  t.is(r.status, 0, r.stderr)
  const notes = r.stderr.split('\n').filter((l) => l.startsWith('not read:'))
  t.deepEqual(notes, [
    'not read: 5 paths outside the root: /srv/kallithea0/dispatch.wsgi (sites-available/site0.conf:10:5), /srv/kallithea1/dispatch.wsgi (sites-available/site1.conf:10:5), /srv/kallithea2/dispatch.wsgi (sites-available/site2.conf:10:5), and 2 more (--json lists them); read them from the repository with --map SERVERPATH=REPOPATH, or give a --root that holds them',
    'not read: 1 backup copy: sites-available/site0.conf.pre-kallithea; name one to read it',
    'not read: 1 file with no Apache configuration in it: templates/settings.j2; name one to read it anyway',
  ])
  t.regex(r.stderr, /^\d+ scanned, .* 7 not read \(/m)
  const files = (await json(['--dry-run', '.'], repo)).files.map((f) => f.path)
  t.true(files.includes('templates/vhost.conf.j2'), 'the Apache template is read')
  t.false(files.includes('templates/settings.j2'))
})

test('--exclude leaves files and folders out; a file named on the command line is read whatever its name', async (t) => {
  const repo = tree({
    'apache/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', ''),
    'apache/old/kallithea.conf': SITE_0_3_1.replaceAll('@ROOT@', ''),
    'apache/site.vhost.txt': SITE_0_3_1.replaceAll('@ROOT@', ''),
  })
  const r = await json(['--dry-run', '--exclude', 'old', 'apache'], repo)
  t.deepEqual(r.files.map((f) => f.path), ['apache/kallithea.conf'])
  t.like(r.skipped[0], { path: 'apache/old', code: 'excluded' })
  const byPath = await json(['--dry-run', '--exclude', 'apache/old/', 'apache'], repo)
  t.deepEqual(byPath.files.map((f) => f.path), ['apache/kallithea.conf'])
  const named = await json(['--dry-run', 'apache/site.vhost.txt'], repo)
  t.deepEqual(named.files.map((f) => f.path), ['apache/site.vhost.txt'])
})

test('a run that finds no configuration at all is an error (exit 2), and writes nothing', async (t) => {
  const repo = tree({ 'README.md': '# nothing here\n', 'app/settings.py': 'DEBUG = False\n' })
  const before = snapshot(repo)
  for (const args of [['--dry-run', '.'], ['.'], ['--check', 'app']]) {
    const r = await runCli(args, { cwd: repo })
    t.is(r.status, 2, args.join(' '))
    t.regex(r.stderr, /^error: no Apache configuration found in \S+ \(looked for \*\.conf, .*\); name the files to read$/m)
  }
  t.deepEqual([...snapshot(repo).keys()], [...before.keys()])
})

test('--dry-run exits 0 with the diff; --check exits 1; --check --dry-run gives both; errors exit 2', async (t) => {
  const repo = tree({ 'k.conf': SITE_0_3_1.replaceAll('@ROOT@', ''), 'broken.conf': '<VirtualHost *:80>\n' })
  const dry = await runCli(['--dry-run', 'k.conf'], { cwd: repo })
  t.is(dry.status, 0)
  t.regex(dry.stdout, /^diff --git a\/k\.conf /m)
  const check = await runCli(['--check', 'k.conf'], { cwd: repo })
  t.is(check.status, 1)
  t.is(check.stdout, '')
  const both = await runCli(['--check', '--dry-run', 'k.conf'], { cwd: repo })
  t.is(both.status, 1)
  t.is(both.stdout, dry.stdout)
  const jsonCheck = await json(['--check', 'k.conf'], repo)
  t.is(jsonCheck.exitCode, 1)
  t.is((await json(['--dry-run', 'k.conf'], repo)).exitCode, 0)
  for (const mode of [['--dry-run'], ['--check'], []]) t.is((await runCli([...mode, '.'], { cwd: repo })).status, 2, `${mode.join(' ')} with a parse error`)
})
