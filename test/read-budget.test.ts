// Reading in place is bounded: Apache reads a file again wherever it is included, and Includes
// that include files many times each multiply (eight files each including the next ten times are
// ten million reads, which ran a run out of memory).
import test from 'ava'
import { runMigration } from '../src/runner/migrate.js'
import { MAX_READS_IN_PLACE } from '../src/load/read-budget.js'
import { builtinTransforms } from '../transforms/index.js'

const SITE = `<VirtualHost *:80>
ServerName kallithea.example.com
WSGIDaemonProcess kallithea processes=1 threads=4
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`

/** `n` files, each including the next `times` times; the last holds the site. */
function fanOut(n: number, times: number, last = SITE): Array<{ path: string; content: string }> {
  return Array.from({ length: n }, (_, i) => ({
    path: `conf/${i}.conf`,
    content: i === n - 1 ? last : `# ${i}\n${`Include conf/${i + 1}.conf\n`.repeat(times)}`,
  }))
}

const run = (files: Array<{ path: string; content: string }>) => runMigration({ files, root: '/srv/fixture' }, builtinTransforms)

test('eight files each including the next ten times: one error at the Include, no patch, no Include followed', (t) => {
  const r = run([{ path: 'apache2.conf', content: 'ServerName top\nInclude conf/0.conf\n' }, ...fanOut(8, 10)])
  t.deepEqual(r.errors.map((e) => [e.code, e.file, e.line, e.column]), [['io', 'apache2.conf', 2, 1]])
  t.is(
    r.errors[0]!.message,
    `apache2.conf:2:1: Include conf/0.conf: here Apache's reading passes ${MAX_READS_IN_PLACE.toLocaleString('en-US')} files in place ` +
      '(a file is read again wherever it is included; Include conf/2.conf at conf/1.conf:2:1 alone reads more); ' +
      'no Include is followed. Include each file from fewer places',
  )
  t.is(r.patch.length, 0)
})

test('the same fan-out inside an Include cycle (no file is a top): the error names where reading starts', (t) => {
  const files = fanOut(8, 10, 'Include conf/0.conf\n')
  const r = run(files)
  t.deepEqual(r.errors.map((e) => [e.file, e.line]), [['conf/0.conf', 2]])
  t.regex(r.errors[0]!.message, /^conf\/0\.conf:2:1: Include conf\/1\.conf: here Apache's reading passes/)
})

test('within the budget nothing changes: a fan-out of 4 x 4 x 4, and a chain of 20,000 Includes', (t) => {
  const small = run([{ path: 'apache2.conf', content: 'Include conf/0.conf\n' }, ...fanOut(4, 4)])
  t.deepEqual(small.errors, [])
  // The site is read in all its 64 places.
  t.true(small.advisories.some((a) => a.message.startsWith('64 WSGI applications in <VirtualHost *:80> (conf/3.conf:1)')))
  const chain = run(fanOut(20_000, 1))
  t.deepEqual(chain.errors, [])
  t.true(chain.changes.some((c) => c.transform === 'process-group'))
})
