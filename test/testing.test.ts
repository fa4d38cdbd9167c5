// The fixture helper users get as `wsgi-migrate/testing`, and applyTransforms: both must catch a
// wrong output, an unexplained change, a missing advisory and a transform that is not idempotent.
import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { applyTransforms } from '../src/runner/apply.js'
import { defineTransform } from '../src/runner/define.js'
import { parse } from '../src/syntax/parse.js'
import { toText } from '../src/syntax/print.js'
import { checkFixture, defineFixtureTests, fixtureProblems, readFixtures } from '../src/testing.js'
import { preset as v032 } from '../transforms/0.3.2/index.js'
import { processGroup } from '../transforms/0.3.2/process-group/index.js'
import { latest } from '../transforms/index.js'
import { DISPATCH_0_3_1, EVERY_STEP, SITE_0_3_1 } from './helpers/tree.js'

/** ServerSignature On -> Off, and (when `sloppy`) a comment added on every run: not idempotent. */
const signature = (sloppy = false) =>
  defineTransform({
    meta: { id: 'signature-off', version: '9.0.0', title: 'ServerSignature Off', description: '', rationale: '', messages: { off: 'ServerSignature Off: no version on error pages.', seen: 'saw {{n}} ServerTokens' } },
    create(ctx) {
      for (const file of ctx.files) {
        if (file.kind !== 'apache') continue
        const j = ctx.config(file)
        j.findDirectives('ServerTokens').forEach(({ node }) => ctx.report({ node, messageId: 'seen', data: { n: 1 } }))
        j.findDirectives('ServerSignature').forEach(({ node }) => {
          if (node.args[0] === 'On') ctx.report({ node, messageId: 'off', fix: (f) => f.modify(node, (n) => { n.args = ['Off'] }) })
          else if (sloppy) ctx.report({ node, messageId: 'off', fix: (f) => f.modify(node, (n) => { n.args = [...n.args, 'Off'] }) })
        })
      }
    },
  })

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fixtures-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return dir
}

test('a passing case: output exact, explained, advisory by id or text, second run idle', (t) => {
  const dir = folder({
    'a.input.conf': 'ServerTokens OS\nServerSignature On\n',
    'a.output.conf': 'ServerTokens OS\nServerSignature Off\n',
    'a.options.json': '{ "advises": ["seen", "saw 1 ServerTokens"] }',
  })
  t.teardown(() => rmSync(dir, { recursive: true }))
  const [c] = readFixtures(dir)
  t.is(c!.name, 'a')
  t.deepEqual(c!.files.map((f) => f.name), ['a.conf'])
  t.deepEqual(fixtureProblems(signature(), c!), [])
  t.notThrows(() => checkFixture(signature(), c!))
})

test('each kind of failure is named', (t) => {
  const dir = folder({
    'wrong.input.conf': 'ServerSignature On\n',
    'wrong.output.conf': 'ServerSignature On\n',
    'sloppy.input.conf': 'ServerSignature On\n',
    'sloppy.output.conf': 'ServerSignature Off Off\n',
    'quiet.input.conf': 'ServerSignature Off\n',
    'quiet.output.conf': 'ServerSignature Off\n',
    'quiet.options.json': '{ "advises": ["seen"] }',
  })
  t.teardown(() => rmSync(dir, { recursive: true }))
  const byName = new Map(readFixtures(dir).map((c) => [c.name, c]))
  t.regex(fixtureProblems(signature(), byName.get('wrong')!).join('\n'), /wrong\.conf does not match/)
  t.regex(fixtureProblems(signature(true), byName.get('sloppy')!).join('\n'), /second run changes sloppy\.conf: the transform is not idempotent/)
  t.regex(fixtureProblems(signature(), byName.get('quiet')!).join('\n'), /no advisory says "seen"/)
  t.throws(() => checkFixture(signature(), byName.get('wrong')!), { message: /fixture wrong:\n- wrong\.conf does not match/ })
})

test('a file that is not a fixture name, or an input without its output, throws', (t) => {
  const bad = folder({ 'notes.txt': 'x' })
  const half = folder({ 'a.input.conf': 'x\n' })
  t.teardown(() => [bad, half].forEach((d) => rmSync(d, { recursive: true })))
  t.throws(() => readFixtures(bad), { message: /notes\.txt: not a fixture file name/ })
  t.throws(() => readFixtures(half), { message: /missing a\.output\.conf/ })
})

test('defineFixtureTests registers one test per case (and a configtest per Apache case) with any runner', async (t) => {
  const dir = folder({ 'a.input.conf': 'ServerSignature On\n', 'a.output.conf': 'ServerSignature Off\n' })
  t.teardown(() => rmSync(dir, { recursive: true }))
  const titles: string[] = []
  const runs: Array<() => unknown> = []
  const checked: string[] = []
  defineFixtureTests((title, fn) => { titles.push(title); runs.push(fn) }, signature(), dir, { configtest: (files) => void checked.push(...files.map((f) => f.name)) })
  t.deepEqual(titles, ['signature-off: a', 'signature-off: a: apache2 -t accepts the output'])
  for (const run of runs) await run()
  t.deepEqual(checked, ['a.conf'])
})

const DOCS_031 = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea processes=1 threads=4 python-path=/srv/kallithea/venv/lib/python2.7/site-packages
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`

test('applyTransforms: one transform, a preset, on text, bytes or a tree', (t) => {
  const one = applyTransforms(processGroup, DOCS_031)
  t.deepEqual(one.errors, [])
  t.is(one.output, DOCS_031.replace('    WSGIScriptAlias', '    WSGIProcessGroup kallithea\n    WSGIScriptAlias'))
  t.deepEqual(one.changes.map((c) => [c.transform, c.messageId, c.lines.start]), [['process-group', 'added', 4]])

  const all = applyTransforms(v032, Buffer.from(DOCS_031))
  t.true(Buffer.isBuffer(all.output))
  t.deepEqual([...new Set(all.changes.map((c) => c.transform))], ['process-group', 'restrict-embedded', 'drop-processes-1', 'python-home'])
  t.regex(all.output.toString(), /^WSGIRestrictEmbedded On\n/)

  const tree = parse(DOCS_031, { path: 'kallithea.conf' })
  const onTree = applyTransforms([processGroup], tree)
  t.is(onTree.output, toText(tree), 'the tree itself was edited')
  t.is(onTree.changes[0]!.file, 'kallithea.conf')
})

test('applyTransforms: a parse error leaves the output as the input, with the error', (t) => {
  const broken = '<VirtualHost *:80>\nServerSignature On\n'
  const r = applyTransforms(signature(), broken)
  t.is(r.output, broken)
  t.regex(r.errors[0]!.message, /never closed/)
})

test('applyTransforms: every built-in transform over a site nested in 20,000 sections, as over the site alone', (t) => {
  const depth = 20_000
  const nest = (text: string): string => '<IfModule mod_wsgi.c>\n'.repeat(depth) + text + '</IfModule>\n'.repeat(depth)
  const site = SITE_0_3_1.replaceAll('@ROOT@', '')
  const files = { 'srv/kallithea/dispatch.wsgi': DISPATCH_0_3_1.replaceAll('@ROOT@', '') }
  // Apache's run user known (Debian's), so that user=/group= can go as well.
  const env = { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' }
  const flat = applyTransforms(latest, site, { files, env })
  t.deepEqual(flat.errors, [])
  const deep = applyTransforms(latest, nest(site), { files, env })
  t.deepEqual(deep.errors, [])
  t.is(deep.output, nest(flat.output))
  const at = (by: number) => (c: { transform: string; file: string; lines: { start: number } }) =>
    [c.transform, c.file, c.file === 'input.conf' ? c.lines.start - by : c.lines.start]
  t.deepEqual(deep.changes.map(at(depth)), flat.changes.map(at(0)))
  t.deepEqual(deep.files.map((f) => f.after), [Buffer.from(deep.output), ...flat.files.slice(1).map((f) => f.after)])
  // Every step has something to fix but python3, which the earlier steps leave nothing to do.
  t.deepEqual([...new Set(deep.changes.map((c) => c.transform))].sort(), EVERY_STEP.filter((id) => id !== 'python3'))
})
