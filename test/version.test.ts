// src/runner/version.ts: the little of semver a run needs, checked against semver itself; and the run
// statistics that show how often the model is built.
import test from 'ava'
import path from 'node:path'
import semver from 'semver'
import { migrate } from '../src/runner/migrate.js'
import { coerceVersion, compareVersions, parseRange, satisfies } from '../src/runner/version.js'
import * as fromMigrate from '../src/runner/migrate.js'
import { debianTree, makeTree, removeTree } from './helpers/tree.js'

const versions = ['0.0.0', '0.3.2', '1.0.0', '2.9.9', '3.0.0', '3.3.0', '3.4.0', '3.5.1', '4.9.0', '4.9.4', '4.10.0', '5.0.0']
const ranges = ['>=3.0.0', '<3.4.0', '>=3.4', '^4.9', '~4.9.1', '4.x', '*', '3.4 - 4.9', '<3 || >=4.9.4', '>4']

test('satisfies agrees with semver.satisfies on coerced versions', (t) => {
  for (const r of ranges) {
    for (const v of versions) {
      t.is(satisfies(v, r), semver.satisfies(v, r), `${v} in ${r}`)
      t.is(satisfies(coerceVersion(v)!, r), semver.satisfies(v, r), `[${v}] in ${r}`)
    }
  }
  // Strings are coerced, as semver.satisfies(semver.coerce(v), r) does.
  for (const s of ['v4.9', 'mod_wsgi 3.3', '3', '4.9.0-1']) {
    for (const r of ranges) t.is(satisfies(s, r), semver.satisfies(semver.coerce(s)!, r), `${s} in ${r}`)
  }
  t.false(satisfies('latest', '*'))
  t.false(satisfies('4.9.0', 'banana'))
})

test('the replacements for semver.coerce + lt/gte that transforms use', (t) => {
  for (const v of [...versions, 'v2', 'mod_wsgi 3.3', 'banana']) {
    const c = semver.coerce(v)
    const ours = coerceVersion(v)
    t.is(ours !== null && compareVersions(ours, [3, 4, 0]) < 0, c !== null && semver.lt(c, '3.4.0'), `${v} < 3.4.0`)
    t.is(ours !== null && satisfies(ours, '<3.4.0'), c !== null && semver.lt(c, '3.4.0'), `${v} in <3.4.0`)
    t.is(ours === null || satisfies(ours, '>=3.0.0'), c === null || semver.gte(c, '3.0.0'), `${v} >= 3.0.0`)
  }
})

test('migrate.js still exports the version helpers', (t) => {
  t.is(fromMigrate.coerceVersion, coerceVersion)
  t.is(fromMigrate.compareVersions, compareVersions)
  t.is(fromMigrate.parseRange, parseRange)
})

test('stats.modelBuilds counts the model builds of a run', async (t) => {
  const bad = await migrate({ files: [], to: 'banana' })
  t.deepEqual(bad.stats, { modelBuilds: 0 })
  const root = makeTree(debianTree({ sites: 3 }))
  try {
    const r = await migrate({ paths: [path.join(root, 'etc/apache2')], root })
    t.deepEqual(r.errors, [])
    t.true(r.changes.length > 0)
    t.true(r.stats.modelBuilds >= 1)
    // A model is built only when asked for after a change, so never more than once per
    // transform plus once per change.
    t.true(r.stats.modelBuilds <= r.transforms.length + r.changes.length)
  } finally {
    removeTree(root)
  }
})
