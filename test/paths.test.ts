// compareBytes: the byte order of UTF-8 encodings (Apache sorts directory listings with strcmp),
// compared without encoding in the common case; it must agree with Buffer.compare everywhere.
import test from 'ava'
import fc from 'fast-check'
import { compareBytes, isInside, isMainConfigName, relativeTo } from '../src/load/paths.js'
import { isUnder } from '../src/util/is-under.js'

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0)
const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

test('compareBytes agrees with Buffer.compare of the UTF-8 encodings', (t) => {
  const unit = fc.oneof(
    fc.constantFrom('a', 'b', '.', '-', '_', '0', '~', 'é', '\u00ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\ud83d', '\ude00', '\ud83d\ude00', '\udbff\udfff'),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  )
  const name = fc.string({ unit, maxLength: 6 })
  fc.assert(
    fc.property(name, name, name, (prefix, a, b) => {
      t.is(sign(compareBytes(prefix + a, prefix + b)), sign(bytes(prefix + a, prefix + b)))
      t.is(sign(compareBytes(a, a + b)), sign(bytes(a, a + b)))
    }),
    { numRuns: 5000 },
  )
  for (const [a, b] of [['', ''], ['a', ''], ['\ud83d', '\ud83d\ude00'], ['\ud83d', '\ud83dx'], ['\uffff', '\ud83d\ude00'], ['z', '\ud800']]) {
    t.is(sign(compareBytes(a, b)), sign(bytes(a, b)), JSON.stringify([a, b]))
    t.is(sign(compareBytes(b, a)), sign(bytes(b, a)), JSON.stringify([b, a]))
  }
})

test('isInside: the root itself and what lies below it, not a sibling sharing its prefix', (t) => {
  t.true(isInside('/etc/apache2', '/etc/apache2'))
  t.true(isInside('/etc/apache2', '/etc/apache2/sites-enabled/a.conf'))
  t.false(isInside('/etc/apache2', '/etc/apache2-old/a.conf'))
  t.false(isInside('/etc/apache2', '/etc'))
  t.true(isInside('/', '/etc'))
})

test('relativeTo names a file with / separators; isMainConfigName knows apache2.conf and httpd.conf', (t) => {
  t.is(relativeTo('/srv/root', '/srv/root/etc/apache2/apache2.conf'), 'etc/apache2/apache2.conf')
  t.true(isMainConfigName('etc/apache2/apache2.conf'))
  t.true(isMainConfigName('httpd.conf'))
  t.false(isMainConfigName('etc/apache2/myapache2.conf'))
  t.false(isMainConfigName('httpd.conf.orig'))
})

test('isUnder: containment by whole segments, posix unless told', (t) => {
  t.true(isUnder('/srv', '/srv'))
  t.true(isUnder('/srv', '/srv/a/b'))
  t.true(isUnder('/srv/', '/srv/a'))
  t.true(isUnder('/', '/etc'))
  t.false(isUnder('/srv', '/srvx'))
  t.false(isUnder('/srv/a', '/srv'))
  t.true(isUnder('C:\\srv', 'C:\\srv\\a', '\\'))
  t.false(isUnder('C:\\srv', 'C:\\srv/a', '\\'))
})
