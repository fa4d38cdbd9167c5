// The library: migrate() in memory and on disk, writeResult(), selectTransforms(), reports.
import test from 'ava'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { migrate, selectTransforms, writeResult, type InputFile } from '../src/runner/migrate.js'
import type { SelectionError } from '../src/runner/select.js'
import { toJsonReport, toMarkdownSummary } from '../src/runner/report.js'
import type { Transform } from '../src/runner/transform.js'
import { STEPS_0_3_2, DISPATCH_0_3_1, SITE_0_3_1, debianTree, snapshot, treeMaker } from './helpers/tree.js'

const tree = treeMaker(test.after)

const fill = (s: string): string => s.replaceAll('@ROOT@', '')
const inMemory = (): InputFile[] => [
  { path: 'sites-available/kallithea.conf', content: fill(SITE_0_3_1) },
  { path: 'srv/kallithea/dispatch.wsgi', content: fill(DISPATCH_0_3_1) },
]

test('migrate({ files }) works in memory: new text, changes, patch; nothing on disk', async (t) => {
  // Apache's environment says who it runs as (redundant-user-group needs to know).
  const result = await migrate({ files: inMemory(), root: '/', env: { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' } })
  t.deepEqual(result.errors, [])
  t.deepEqual(result.written, [])
  t.deepEqual(result.files.map((f) => [f.path, f.kind, f.status]), [
    ['sites-available/kallithea.conf', 'apache', 'changed'],
    ['srv/kallithea/dispatch.wsgi', 'wsgi', 'changed'],
  ])
  const site = result.files[0]!
  t.is(site.text, site.after.toString('utf8'))
  t.regex(site.text, /WSGIProcessGroup kallithea/)
  t.is(site.before.toString('utf8'), fill(SITE_0_3_1))
  t.true(site.changes.length > 0)
  t.true(site.changes.every((c) => c.file === site.path))
  t.deepEqual([...new Set(result.changes.map((c) => c.transform))].sort(), STEPS_0_3_2)
  t.regex(result.patch.toString(), /^diff --git a\/sites-available\/kallithea\.conf b\/sites-available\/kallithea\.conf\n/)
  t.deepEqual(result.transforms.map((x) => x.id).sort(), STEPS_0_3_2)
})

test('the same input gives identical patch bytes, JSON and Markdown', async (t) => {
  const a = await migrate({ files: inMemory(), root: '/srv/x' })
  const b = await migrate({ files: inMemory().reverse(), root: '/srv/x' })
  t.true(a.patch.length > 0)
  t.deepEqual(a.patch, b.patch)
  const json = (r: typeof a) => JSON.stringify(toJsonReport(r, { mode: 'dry-run', version: '1.0.0' }))
  t.is(json(a), json(b))
  t.is(toMarkdownSummary(a, { mode: 'dry-run' }), toMarkdownSummary(b, { mode: 'dry-run' }))
})

test('a second run over the output changes nothing', async (t) => {
  const first = await migrate({ files: inMemory(), root: '/' })
  const again = await migrate({ files: first.files.map((f) => ({ path: f.path, content: f.after })), root: '/' })
  t.deepEqual(again.errors, [])
  t.true(again.files.every((f) => f.status === 'unchanged'))
  t.is(again.patch.length, 0)
  t.deepEqual(again.changes, [])
})

test('bytes that are not UTF-8 survive (Latin-1 comment)', async (t) => {
  const site = Buffer.concat([Buffer.from('# caf\xe9 \xa9\n', 'latin1'), Buffer.from(fill(SITE_0_3_1))])
  const result = await migrate({ files: [{ path: 'k.conf', content: site }], root: '/', only: ['process-group'] })
  t.deepEqual(result.errors, [])
  t.is(result.files[0]!.encoding, 'latin1')
  t.deepEqual(result.files[0]!.after.subarray(0, 8), site.subarray(0, 8))
  t.true(result.patch.includes(Buffer.from('+    WSGIProcessGroup kallithea\n')))
  t.is(toJsonReport(result, { mode: 'dry-run', version: '1' }).patchEncoding, 'utf8', 'the change is far from the Latin-1 line')
})

test('in-memory paths must be normalized and unique', async (t) => {
  for (const bad of ['/etc/x.conf', '../x.conf', 'a//b.conf', './a.conf', '']) {
    const r = await migrate({ files: [{ path: bad, content: 'ServerName x\n' }] })
    t.is(r.errors[0]?.code, 'usage', bad)
    t.deepEqual(r.files, [])
  }
  const dup = await migrate({ files: [{ path: 'a.conf', content: '' }, { path: 'a.conf', content: '' }] })
  t.regex(dup.errors[0]!.message, /a\.conf is given twice/)
})

test('a parse error: the error names file:line:column, the file is left as it is, the run fails', async (t) => {
  const files = [...inMemory(), { path: 'broken.conf', content: '# x\n\n  <VirtualHost *:80>\n  ServerName b\n' }]
  const r = await migrate({ files })
  const parse = r.errors.filter((e) => e.code === 'parse')
  t.is(parse.length, 1)
  t.like(parse[0], { file: 'broken.conf', line: 3, column: 3 })
  t.regex(parse[0]!.message, /^broken\.conf:3:3: <VirtualHost> is never closed: add <\/VirtualHost>/)
  t.is(r.files.find((f) => f.path === 'broken.conf')!.status, 'error')
  t.is(toJsonReport(r, { mode: 'write', version: '1' }).exitCode, 2)
})

test('a NUL byte in a config (Apache ends the line there): one error at its line and column, the file left as it is', async (t) => {
  // apache2 -t reads `ServerAdmin x` and then `y z` as a directive of its own.
  const site = fill(SITE_0_3_1).replace('    ServerAdmin admin@example.com\n', '    ServerAdmin x\0 \\\n      y z\n')
  const r = await migrate({ files: [{ path: 'sites-available/kallithea.conf', content: site }, inMemory()[1]!] })
  t.deepEqual(r.errors.map((e) => [e.code, e.file, e.line, e.column]), [['parse', 'sites-available/kallithea.conf', 4, 18]])
  t.is(r.errors[0]!.message, 'sites-available/kallithea.conf:4:18: a NUL character: Apache stops reading line 4 there and ignores the rest of it: remove the NUL (and see what follows it)')
  t.is(r.files[0]!.status, 'error')
  t.deepEqual(r.files[0]!.after, r.files[0]!.before)
  t.is(r.patch.length, 0)
})

test('selectTransforms: version order, from < version <= to, only, skip, and clear errors', (t) => {
  const user = (id: string, version: string): Transform => ({ meta: { id, version, title: id, description: '', rationale: '', messages: {} }, create: () => {} })
  const ids = (o: Parameters<typeof selectTransforms>[0]) => selectTransforms(o).map((x) => x.meta.id)
  const early = user('early', '0.3.0')
  const late = user('late', '0.4.0')
  t.deepEqual(ids({ transforms: [late, early] }).slice(0, 1), ['early'], 'sorted by version, before the 0.3.2 ones')
  t.is(ids({ transforms: [late, early] }).at(-1), 'late', 'no --to: user transforms are not limited by the default')
  t.false(ids({ transforms: [late], to: '0.3.2' }).includes('late'))
  // 'late' (0.4.0) runs after the 0.4.0 step: built-in steps of a version come first.
  t.deepEqual(ids({ transforms: [late, early], from: '0.3.2', to: 'latest' }), ['single-threaded', 'logging-config', 'late', 'daemon-lang', 'fileconfig-here', 'python3'])
  t.deepEqual(ids({ transforms: [late, early], from: '0.3.2', to: '0.3.3' }), ['single-threaded'])
  t.deepEqual(ids({ transforms: [late, early], from: '0.3.1', to: '0.3.2' }).sort(), STEPS_0_3_2)
  t.deepEqual(ids({ only: ['pass-authorization'] }), ['pass-authorization'])
  t.is(ids({ skip: ['pass-authorization'] }).length, STEPS_0_3_2.length - 1)
  t.deepEqual(ids({ to: '0.3.1' }), [])

  const errs = (o: Parameters<typeof selectTransforms>[0]) => {
    const e: SelectionError[] = []
    t.deepEqual(selectTransforms(o, e), [])
    return e.map((x) => x.message).join('\n')
  }
  t.regex(errs({ to: 'soon' }), /--to soon: not a version/)
  t.regex(errs({ from: '0.4', to: '0.3' }), /--from 0\.4 is not below --to 0\.3/)
  t.regex(errs({ only: ['nope'] }), /unknown transform 'nope'/)
  t.regex(errs({ transforms: [user('process-group', '1.0.0')] }), /two transforms have the id 'process-group'/)
  t.regex(errs({ transforms: [user('x', 'one')] }), /version 'one' is not a version/)
})

test('usage errors stop the run before anything is read', async (t) => {
  const r = await migrate({ paths: ['/nonexistent/for/sure'], to: 'never' })
  t.is(r.errors.length, 1)
  t.is(r.errors[0]!.code, 'usage')
  t.deepEqual(r.files, [])
})

test('a transform that throws: an error naming it, nothing written', async (t) => {
  const root = tree({ 'k.conf': fill(SITE_0_3_1) })
  const before = snapshot(root)
  const boom: Transform = { meta: { id: 'boom', version: '0.3.2', title: 'boom', description: '', rationale: '', messages: {} }, create: () => { throw new Error('kaput') } }
  const r = await migrate({ paths: [root], transforms: [boom], write: true })
  t.regex(r.errors.map((e) => e.message).join('\n'), /transform boom failed: kaput/)
  t.deepEqual(r.written, [])
  t.deepEqual([...snapshot(root)].map(([p, s]) => [p, s.bytes?.toString(), s.mtimeMs]), [...before].map(([p, s]) => [p, s.bytes?.toString(), s.mtimeMs]))
})

test('a report from a transform\'s timer, given while migrate() writes, stops the write: nothing changed', async (t) => {
  const root = tree({ 'k.conf': fill(SITE_0_3_1) })
  const before = snapshot(root)
  const late: Transform = {
    meta: { id: 'late', version: '0.3.2', title: 'late', description: '', rationale: '', messages: { m: 'M.' } },
    create: (ctx) => void setTimeout(() => ctx.report({ file: ctx.files[0]!, messageId: 'm' }), 0),
  }
  const told: string[] = []
  const r = await migrate({ paths: [root], transforms: [late], write: true, onLateError: (e) => told.push(e.message) })
  t.deepEqual(told, ['transform late failed: it reported after create() returned (from a callback or a timer), after the run was over; report within create (skip it with --skip late)'])
  t.regex(r.errors.map((e) => e.message).join('\n'), /^stopped: transform late failed: it reported after create\(\) returned .*; nothing was (written|changed)/m)
  t.deepEqual(r.written, [])
  t.deepEqual([...snapshot(root)].map(([p, s]) => [p, s.bytes?.toString(), s.mtimeMs]), [...before].map(([p, s]) => [p, s.bytes?.toString(), s.mtimeMs]))
})

test('--mod-wsgi below a transform\'s range: it advises instead of changing', async (t) => {
  const r = await migrate({ files: inMemory(), modWsgi: '3.3' })
  t.false(r.changes.some((c) => c.transform === 'python-home'))
  t.true(r.advisories.some((a) => a.transform === 'python-home' && /mod_wsgi/.test(a.message)))
})

test('on disk: root, Includes, symlinks and the WSGI script of a Debian tree', async (t) => {
  const root = tree(debianTree())
  const r = await migrate({ paths: [path.join(root, 'etc/apache2')], root })
  t.deepEqual(r.errors, [])
  t.is(r.root, root)
  t.deepEqual(r.files.filter((f) => f.status === 'changed').map((f) => f.path), [
    'etc/apache2/sites-available/kallithea.conf',
    'srv/kallithea/dispatch.wsgi',
  ])
  t.false(r.files.some((f) => f.path.includes('sites-enabled')), 'symlinks are read as their real file, once')
  t.is(r.files.find((f) => f.path === 'etc/apache2/envvars')?.status, 'unchanged')
  // The default root is the folder given.
  const r2 = await migrate({ paths: [path.join(root, 'etc/apache2')] })
  t.is(r2.root, path.join(root, 'etc/apache2'))
  t.true(r2.files.every((f) => !f.path.startsWith('etc/')))
  t.true(r2.skipped.some((s) => s.path === path.join(root, 'srv/kallithea/dispatch.wsgi')))
})

test('writeResult refuses a file that changed on disk since it was read, and writes nothing', async (t) => {
  const root = tree(debianTree())
  const r = await migrate({ paths: [path.join(root, 'etc/apache2')], root })
  const site = path.join(root, 'etc/apache2/sites-available/kallithea.conf')
  writeFileSync(site, readFileSync(site, 'utf8') + '# edited meanwhile\n')
  const before = snapshot(root)
  await writeResult(r)
  t.deepEqual(r.written, [])
  t.like(r.errors[0], { code: 'write', file: 'etc/apache2/sites-available/kallithea.conf' })
  t.regex(r.errors[0]!.message, /changed on disk since it was read; re-run/)
  t.deepEqual([...snapshot(root)].map(([p, s]) => [p, s.bytes?.toString(), s.mtimeMs]), [...before].map(([p, s]) => [p, s.bytes?.toString(), s.mtimeMs]))
})

test('write: true writes every changed file, keeps modes, returns relative paths and backups', async (t) => {
  const root = tree(debianTree())
  chmodSync(path.join(root, 'srv/kallithea/dispatch.wsgi'), 0o750)
  const r = await migrate({ paths: [path.join(root, 'etc/apache2')], root, write: true, backup: '.pre' })
  t.deepEqual(r.errors, [])
  t.deepEqual(r.written, ['etc/apache2/sites-available/kallithea.conf', 'srv/kallithea/dispatch.wsgi'])
  t.deepEqual(r.backups, ['etc/apache2/sites-available/kallithea.conf.pre', 'srv/kallithea/dispatch.wsgi.pre'])
  for (const f of r.files) t.deepEqual(readFileSync(path.join(root, f.path)), f.after, f.path)
  t.is(snapshot(root).get('srv/kallithea/dispatch.wsgi')!.mode & 0o777, 0o750)
})

test('several paths: the default root is the deepest folder holding them all', async (t) => {
  const root = tree(debianTree())
  const r = await migrate({ paths: [path.join(root, 'etc/apache2/sites-available/kallithea.conf'), path.join(root, 'srv/kallithea/dispatch.wsgi')] })
  t.is(r.root, root)
  t.deepEqual(r.files.map((f) => f.path), ['etc/apache2/sites-available/kallithea.conf', 'srv/kallithea/dispatch.wsgi'])
  t.true(r.files.every((f) => f.status === 'changed'))
})

test('in-memory results are never written, even when asked', async (t) => {
  const r = await migrate({ files: inMemory(), write: true })
  t.deepEqual(r.written, [])
  t.true(r.files.every((f) => f.absolutePath === undefined))
  await writeResult(r)
  t.deepEqual(r.written, [])
  t.regex(r.errors.map((e) => e.message).join('\n'), /in-memory files cannot be written/)
})

test('bounds past every form: --to 0.7.0 and --from 0.6.0 are usage errors naming the versions; --from at the target says so', async (t) => {
  const errs = (o: Parameters<typeof selectTransforms>[0]) => {
    const e: SelectionError[] = []
    selectTransforms(o, e)
    return e.map((x) => x.message).join('\n')
  }
  t.regex(errs({ to: '0.7.0' }), /^--to 0\.7\.0: no Kallithea form past 0\.6\.0 is known; the versions are 0\.3\.2, 0\.3\.3, 0\.4\.0, 0\.4\.1, 0\.5\.1, 0\.6\.0 \(or latest\)$/)
  t.regex(errs({ from: '0.6.0' }), /^--from 0\.6\.0: no step is newer, nothing to apply/)
  t.is(errs({ to: '0.5.2' }), '', 'a version between two forms is fine (the forms up to it)')
  // A user's transform for 0.7.0 makes 0.7.0 a known version.
  const mine: Transform = { meta: { id: 'mine', version: '0.7.0', title: 'mine', description: '', rationale: '', messages: {} }, create: () => {} }
  t.is(errs({ to: '0.7.0', transforms: [mine] }), '')
  // No --to: the target is the default (or the installed version), and --from at it leaves nothing.
  const r = await migrate({ files: [{ path: 'k.conf', content: SITE_0_3_1 }], from: '0.3.2' })
  t.deepEqual(r.errors.map((e) => [e.code, e.message]), [['usage', '--from 0.3.2 is not below the target 0.3.2 (the default): nothing to apply; give --to to go further']])
  t.is(r.patch.length, 0)
  t.deepEqual((await migrate({ files: [{ path: 'k.conf', content: SITE_0_3_1 }], from: '0.3.2', to: '0.3.3' })).errors, [])
})
