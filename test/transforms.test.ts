// Every fixture case: the transform alone turns input into output exactly, explains each change,
// and a second run changes nothing.
import test from 'ava'
import { migrate } from '../src/runner/migrate.js'
import { memoryReader } from '../src/load/installed-version.js'
import { fixtureCases, fixtureTransforms } from './helpers/fixtures.js'

for (const transform of fixtureTransforms()) {
  for (const fixture of fixtureCases(transform)) {
    const run = (which: 'input' | 'output') =>
      migrate({
        files: fixture.files.map((f) => ({ path: f.name, content: f[which] })),
        root: '/srv/fixture',
        to: 'latest',
        only: [transform],
        ...(fixture.options.modWsgi ? { modWsgi: fixture.options.modWsgi } : {}),
        ...(fixture.options.env ? { env: fixture.options.env } : {}),
        ...(fixture.options.lang ? { lang: fixture.options.lang } : {}),
        ...(fixture.options.venvFiles ? { reader: memoryReader(fixture.options.venvFiles) } : {}),
      })

    test(`${transform}: ${fixture.name}`, async (t) => {
      const result = await run('input')
      t.deepEqual(result.errors, [])
      for (const f of fixture.files) {
        const got = result.files.find((r) => r.path === f.name)
        t.truthy(got, `${f.name} is part of the run`)
        t.is(got!.after.toString('latin1'), f.output.toString('latin1'), `${f.name} matches ${f.outputPath}`)
      }
      const changedFiles = result.files.filter((r) => r.status === 'changed').map((r) => r.path)
      const changedInChanges = [...new Set(result.changes.map((c) => c.file))].sort()
      t.deepEqual(changedInChanges, changedFiles.sort(), 'every changed file has explained changes')
      for (const c of result.changes) {
        t.is(c.transform, transform)
        t.true(c.explanation.length > 20, 'a change says why')
        t.true(c.lines.start >= 1 && c.lines.end >= c.lines.start, `lines of ${c.explanation}`)
      }
      for (const expected of fixture.options.advises ?? []) {
        t.true(
          result.advisories.some((a) => a.message.includes(expected)),
          `an advisory says "${expected}"; got ${JSON.stringify(result.advisories.map((a) => a.message))}`,
        )
      }
      const again = await run('output')
      t.deepEqual(again.errors, [])
      t.deepEqual(
        again.files.filter((r) => r.status !== 'unchanged').map((r) => r.path),
        [],
        'a second run changes nothing',
      )
      t.is(again.patch.length, 0)
    })
  }
}
