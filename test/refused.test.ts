// What Apache would refuse is said with file:line and stops the run (exit 2, no patch): a daemon
// group defined twice, an unknown WSGIDaemonProcess option, a plain Include of a missing file, an
// Include cycle, an Include fan-out. A problem a transform fixes (the misspelled
// WSGIRestrictedEmbedded) does not stop the run: what counts is the config as the run leaves it.
import test from 'ava'
import path from 'node:path'
import { migrate, runMigration } from '../src/runner/migrate.js'
import { configtest } from './helpers/apache.js'
import { ensureBuilt, runCli, treeMaker } from './helpers/tree.js'

test.before(() => ensureBuilt())
const tree = treeMaker(test.after)

const SITE = `<VirtualHost *:80>
    ServerName hg.example.com
    WSGIDaemonProcess kallithea threads=4 python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`

const inMemory = (files: Record<string, string>) =>
  runMigration({ files: Object.entries(files).map(([p, content]) => ({ path: p, content })), root: '/srv/fixture' })

test('a daemon group defined twice in one server: an error at the second, naming the first', (t) => {
  const r = inMemory({ 'kallithea.conf': SITE + SITE.replace('hg.example.com', 'hg2.example.com') })
  t.deepEqual(r.errors.map((e) => e.code), ['config'])
  t.regex(r.errors[0].message, /^kallithea\.conf:10:5: Name duplicates previous WSGI daemon definition\.: WSGIDaemonProcess kallithea is already defined at kallithea\.conf:3/)
  t.is(r.patch.length, 0)
})

test('an unknown WSGIDaemonProcess option: an error with its place; nothing else is changed', (t) => {
  const r = inMemory({ 'kallithea.conf': SITE.replace('threads=4', 'threads=4 thread=4').replace('    WSGIProcessGroup kallithea\n', '') })
  t.deepEqual(r.errors.map((e) => e.message), [
    'kallithea.conf:3:5: Invalid option to WSGI daemon process definition.: "thread=4" in WSGIDaemonProcess kallithea; options are lower-case key=value pairs (threads=4, python-home=/path); fix or remove it.',
  ])
  // The file with the error is left as it is, and no patch is given.
  t.is(r.files[0].status, 'error')
  t.deepEqual(r.changes, [])
  t.is(r.patch.length, 0)
})

test('the misspelled WSGIRestrictedEmbedded is fixed by the run: no error, a patch', (t) => {
  const r = inMemory({ 'kallithea.conf': 'WSGIRestrictedEmbedded On\n' + SITE })
  t.deepEqual(r.errors, [])
  t.true(r.changes.some((c) => c.transform === 'restrict-embedded'))
  t.true(r.patch.toString().includes('+WSGIRestrictEmbedded On'))
})

test('an Include cycle: an error at the Include that closes it, with the chain', (t) => {
  const r = inMemory({ 'a.conf': 'Include b.conf\n' + SITE, 'b.conf': '# loops\nInclude a.conf\n' })
  t.deepEqual(r.errors.map((e) => e.message), [
    'b.conf:2:1: Include a.conf includes a.conf, which is already being read (a.conf -> b.conf -> a.conf): Apache stops with a recursion error; remove the Include that closes the loop.',
  ])
})

test('a plain Include of a missing file, where the ServerRoot is known: an error; IncludeOptional and guessed paths are not', async (t) => {
  const root = tree({
    'apache2/apache2.conf': 'ServerRoot ' + '@ROOT@/apache2\nInclude sites-enabled/*.conf\nIncludeOptional conf.d/*.conf\n<IfModule mod_ssl.c>\n    Include ssl-extra.conf\n</IfModule>\n',
    'apache2/sites-enabled/kallithea.conf': SITE + 'Include kallithea-extra.conf\n',
    // Without its main config a site's relative Include is resolved against a guess: not an error.
    'repo/site.conf': SITE + 'Include kallithea-extra.conf\n',
  })
  const withMain = await migrate({ paths: [path.join(root, 'apache2/apache2.conf')], root })
  t.deepEqual(withMain.errors.map((e) => e.message), [
    'apache2/sites-enabled/kallithea.conf:8:1: Include kallithea-extra.conf: no such file (Apache: "Could not open configuration file kallithea-extra.conf: No such file or directory"); Apache refuses to start. Fix the path, create the file, or use IncludeOptional if it may be absent.',
  ])
  t.is(withMain.patch.length, 0)
  const alone = await migrate({ paths: [path.join(root, 'repo/site.conf')], root })
  t.deepEqual(alone.errors, [])
})

test('the CLI: exit 2, the error on one line with file:line:column, no patch on stdout', async (t) => {
  const root = tree({ 'sites/kallithea.conf': SITE + 'Include /etc/kallithea/none.conf\n', 'sites/twice.conf': SITE + SITE.replace('hg.', 'hg2.') })
  const r = await runCli(['--dry-run', '--root', '/', path.join(root, 'sites')])
  t.is(r.status, 2, r.stderr)
  t.is(r.stdout, '')
  t.regex(r.stderr, /sites\/kallithea\.conf:8:1: Include \/etc\/kallithea\/none\.conf: no such file/)
  t.regex(r.stderr, /sites\/twice\.conf:10:5: Name duplicates previous WSGI daemon definition/)
})

test('Apache refuses each of these configs with the words the error quotes', async (t) => {
  const cases: Array<{ files: Record<string, string>; apache: RegExp; tool: RegExp }> = [
    { files: { 'site.conf': SITE + SITE.replace('hg.', 'hg2.') }, apache: /Name duplicates previous WSGI daemon definition/, tool: /Name duplicates previous WSGI daemon definition/ },
    { files: { 'site.conf': SITE.replace('threads=4', 'threads=4 thread=4') }, apache: /Invalid option to WSGI daemon process definition/, tool: /Invalid option to WSGI daemon process definition/ },
    { files: { 'site.conf': SITE + 'Include /nonexistent/kallithea-extra.conf\n' }, apache: /Could not open configuration file \/nonexistent\/kallithea-extra\.conf: No such file or directory/, tool: /Could not open configuration file \/nonexistent\/kallithea-extra\.conf/ },
    { files: { 'site.conf': 'Include loop.conf\n' + SITE, 'loop.conf': 'Include site.conf\n' }, // Apache's message ends in "There appears to be a recursion", after 128 levels of this.
      apache: /site\.conf: Syntax error on line 1 of \S+\/loop\.conf: Syntax error on line 1 of \S+\/site\.conf/, tool: /includes \S+\.conf, which is already being read \(.*\): Apache stops with a recursion error/ },
  ]
  const results = await Promise.all(cases.map((c) => configtest({ files: c.files, include: ['site.conf'] })))
  for (const [i, c] of cases.entries()) {
    t.false(results[i].ok)
    t.regex(results[i].output, c.apache)
    // On disk, with the root the live server has: a path outside any folder given is known too.
    const root = tree(c.files)
    const run = await migrate({ paths: [path.join(root, 'site.conf')], root: '/' })
    t.is(run.errors.length, 1, JSON.stringify(run.errors))
    t.regex(run.errors[0].message, c.tool)
    t.is(run.patch.length, 0)
  }
})

/** `top` includes c1.conf, which includes c2.conf, ... c`n`.conf. */
function includeChain(n: number, top = 'site.conf'): Record<string, string> {
  const files: Record<string, string> = { [top]: 'Include c1.conf\n' + SITE }
  for (let i = 1; i <= n; i++) files[`c${i}.conf`] = i < n ? `Include c${i + 1}.conf\n` : '# the end\n'
  return files
}

const tooDeep = (at: number): string =>
  `c${at}.conf:1:1: Include c${at + 1}.conf: c${at + 1}.conf would be read 129 Includes deep, past Apache's limit of 128 ` +
  '(Apache: "Exceeded maximum include depth of 128"); Apache refuses to start. Include these files from fewer levels.'

test('Includes nested 128 deep are read, 129 deep is an error at the Include; a site counts the main config\'s Include of it', (t) => {
  t.deepEqual(inMemory(includeChain(128, 'apache2.conf')).errors, [])
  t.deepEqual(inMemory(includeChain(129, 'apache2.conf')).errors.map((e) => e.message), [tooDeep(128)])
  t.deepEqual(inMemory(includeChain(127)).errors, [])
  const r = inMemory(includeChain(128))
  t.deepEqual(r.errors.map((e) => e.message), [tooDeep(127)])
  t.is(r.patch.length, 0)
})

test('apache2 -t and the run agree on the Include depth: a site with 127 nested Includes passes, 128 do not', async (t) => {
  // The harness's main config includes site.conf: one Include more, as on a server.
  const [passes, refused] = await Promise.all([configtest({ files: includeChain(127), include: ['site.conf'] }), configtest({ files: includeChain(128), include: ['site.conf'] })])
  t.true(passes.ok, passes.output)
  t.false(refused.ok)
  // Apache's message nests "Syntax error on line 1 of <file>" per level and is cut before the end.
  t.regex(refused.output, /Syntax error on line 1 of \S+\/c100\.conf/)
  const deep = await migrate({ paths: [path.join(tree(includeChain(128)), 'site.conf')], root: '/' })
  t.deepEqual(deep.errors.map((e) => e.message.replace(/^\S*\/(?=c\d+\.conf:)/, '').replace(/ \S*\/(c\d+\.conf would)/, ' $1')), [tooDeep(127)])
  const fine = await migrate({ paths: [path.join(tree(includeChain(127)), 'site.conf')], root: '/' })
  t.deepEqual(fine.errors, [])
})

test('an Include fan-out on disk: exit 2, one line naming the Include', async (t) => {
  const files: Record<string, string> = { '7.conf': 'WSGIDaemonProcess leaf threads=1\n' }
  for (let i = 0; i < 7; i++) files[`${i}.conf`] = `Include ${i + 1}.conf\n`.repeat(10)
  const root = tree(files)
  const r = await runCli(['--root', root, path.join(root, '0.conf')])
  t.is(r.status, 2, r.stderr)
  t.is(r.stdout, '')
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '))
  t.is(errors.length, 1)
  t.regex(errors[0], /^error: 6\.conf:\d+:1: Include 7\.conf: the Includes fan out \(7\.conf read \d+ times already\): more than 50000 files in all/)
})
