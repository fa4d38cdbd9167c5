// compareBytes: the byte order of UTF-8 encodings (Apache sorts directory listings with strcmp),
// compared without encoding in the common case; it must agree with Buffer.compare everywhere.
import test from 'ava'
import fc from 'fast-check'
import { compareBytes } from '../src/load/discover.js'

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
