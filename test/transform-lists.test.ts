// What `migrate({ transforms })` takes: a user's transforms and presets, added to the built-in
// selection; a built-in (or a copy with its id and version) is that built-in, run once.
import test from 'ava'
import { migrate, type MigrateOptions } from '../src/runner/migrate.js'
import type { Transform } from '../src/runner/transform.js'
import { processGroup } from '../transforms/0.3.2/process-group/index.js'
import kallithea032 from '../transforms/0.3.2/index.js'
import { STEPS_0_3_2 } from './helpers/tree.js'

const SITE = `<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`
const files = (): MigrateOptions['files'] => [{ path: 'site.conf', content: SITE }]
const ids = (r: { transforms: Array<{ id: string }> }): string[] => r.transforms.map((x) => x.id)

test('a built-in in `transforms` adds nothing: the default selection runs, the built-in once', async (t) => {
  const plain = await migrate({ files: files() })
  for (const extra of [processGroup, { ...processGroup, meta: { ...processGroup.meta } }] as Transform[]) {
    const r = await migrate({ files: files(), transforms: [extra] })
    t.deepEqual(r.errors, [])
    t.deepEqual(ids(r), ids(plain))
    t.deepEqual(ids(r).sort(), STEPS_0_3_2)
    t.is(r.changes.filter((c) => c.transform === 'process-group').length, 1)
    t.is(r.patch.toString(), plain.patch.toString())
  }
})

test('a preset in `transforms` gives its steps (here: the built-ins themselves), not a TypeError', async (t) => {
  const r = await migrate({ files: files(), transforms: [kallithea032] })
  t.deepEqual(r.errors, [])
  t.deepEqual(ids(r).sort(), STEPS_0_3_2)
  const own: Transform = { meta: { id: 'mine', version: '0.3.2', title: 'mine', description: '', rationale: '', messages: {} }, create: () => {} }
  const mixed = await migrate({ files: files(), transforms: [{ version: '0.3.2', title: 'mine', needs: '', extends: kallithea032, transforms: [own] }] })
  t.deepEqual(mixed.errors, [])
  t.is(ids(mixed).at(-1), 'mine')
})

test('something that is neither a transform nor a preset is a usage error naming what it is', async (t) => {
  for (const [bad, named] of [[{ id: 'x' }, "an object with 'id'"], [42, '42'], [{ meta: null, create() {} }, "an object with 'meta', 'create'"]] as const) {
    const r = await migrate({ files: files(), transforms: [bad as unknown as Transform] })
    t.is(r.errors.length, 1)
    t.is(r.errors[0]!.code, 'usage')
    t.is(r.errors[0]!.message, `transforms: ${named} is neither a transform ({ meta: { id, version, title, messages }, create(context) }) nor a preset ({ version, transforms: [...] })`)
    t.is(r.patch.length, 0)
  }
})
