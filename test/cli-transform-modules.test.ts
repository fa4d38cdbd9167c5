// `-t` loads a user's transform module in each form Node runs: ESM (.mjs, .js under
// "type": "module", .js with import/export syntax and no package.json), CommonJS (.cjs, .js
// without "type") and TypeScript's CommonJS output of `export default`.
import test from 'ava'
import path from 'node:path'
import { ensureBuilt, projectDir, runCli, treeMaker } from './helpers/tree.js'

test.before(() => ensureBuilt())

const tree = treeMaker(test.after)

/** A transform object literal: ServerSignature On -> Off, under its own id. */
const transform = (id: string): string => `{
  meta: { id: '${id}', version: '9.0.0', title: 'ServerSignature Off (${id})', messages: { off: 'ServerSignature Off.' } },
  create(context) {
    for (const file of context.files) {
      if (file.kind !== 'apache') continue
      for (const node of file.tree.children) {
        if (node.type === 'directive' && node.name === 'ServerSignature' && node.args[0] === 'On') {
          context.report({ node, messageId: 'off', fix: (fixer) => fixer.modify(node, (n) => { n.args = ['Off'] }) })
        }
      }
    }
  },
}`

const MODULES: Record<string, string> = {
  'esm-type/signature.js': `export default ${transform('esm-type-module')}\n`,
  'esm-type/package.json': '{ "type": "module" }\n',
  'esm-syntax/signature.js': `export default ${transform('esm-syntax')}\n`,
  'named.mjs': `export const transform = ${transform('mjs-named')}\n`,
  'commonjs/signature.js': `module.exports = ${transform('cjs-js')}\n`,
  'signature.cjs': `module.exports = ${transform('cjs')}\n`,
  'list.cjs': `exports.transforms = [${transform('cjs-list')}]\n`,
  'compiled.cjs': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = ${transform('cjs-compiled')};\n`,
}

const CASES: Array<[file: string, id: string]> = [
  ['esm-type/signature.js', 'esm-type-module'],
  ['esm-syntax/signature.js', 'esm-syntax'],
  ['named.mjs', 'mjs-named'],
  ['commonjs/signature.js', 'cjs-js'],
  ['signature.cjs', 'cjs'],
  ['list.cjs', 'cjs-list'],
  ['compiled.cjs', 'cjs-compiled'],
]

for (const [file, id] of CASES) {
  test(`-t ${file} loads and runs its transform`, async (t) => {
    const modules = tree(MODULES)
    const site = tree({ 'site.conf': 'ServerTokens OS\nServerSignature On\n' })
    const r = await runCli(['--dry-run', '--only', id, '-t', path.join(modules, file), site])
    t.not(r.status, 2, r.stderr)
    t.regex(r.stdout, /^-ServerSignature On\n\+ServerSignature Off\n/m)
    t.notRegex(r.stderr, /Warning|Error/)
  })
}

test('-t with a module that exports no transform names the CommonJS form too', async (t) => {
  const modules = tree({ 'empty.cjs': 'module.exports = { version: 1 }\n' })
  const r = await runCli(['--list', '-t', path.join(modules, 'empty.cjs')])
  t.is(r.status, 2)
  t.regex(r.stderr, /empty\.cjs: exports no transform; export default \{ .* \} \(module\.exports = \{ \.\.\. \} in CommonJS\)\n$/)
})

/** A `-t` module whose create misbehaves, under its own id. */
const misbehaving = (id: string, body: string): string =>
  `export default { meta: { id: '${id}', version: '9.0.0', title: '${id}', messages: { m: 'M.' } }, ${body} }\n`

const BAD: Array<[id: string, body: string, why: RegExp]> = [
  ['never-settles', 'create() { return new Promise(() => {}) }', /create\(\) returned a Promise; transforms run synchronously/],
  ['rejects', "async create() { throw new Error('kaput') }", /create\(\) returned a Promise; transforms run synchronously/],
  ['bad-message', "create(ctx) { ctx.report({ file: ctx.files[0], messageId: 'nope' }) }", /messageId 'nope', which meta\.messages does not define/],
  ['bad-file', "create(ctx) { ctx.report({ file: { path: '/etc/shadow' }, line: -3, messageId: 'm' }) }", /a report's file must be one of context\.files/],
  ['bad-line', "create(ctx) { ctx.report({ file: ctx.files[0], line: 'abc', messageId: 'm' }) }", /a report's line must be a positive whole number \(got "abc"\)/],
  ['bad-node', "create(ctx) { ctx.report({ node: { type: 'directive', name: 'X', args: [], raw: 'X\\n' }, messageId: 'm', fix: (f) => f.remove({ type: 'blank', raw: '\\n' }) }) }", /remove: the node is not part of the run's files/],
]

for (const [id, body, why] of BAD) {
  test(`-t ${id}: one clear line, exit 2 even with --check, no stack trace, nothing written`, async (t) => {
    const modules = tree({ [`${id}.mjs`]: misbehaving(id, body) })
    const site = tree({ 'site.conf': 'ServerSignature On\n' })
    for (const mode of ['--check', '--dry-run', '--json']) {
      const r = await runCli([mode, '-t', path.join(modules, `${id}.mjs`), site])
      t.is(r.status, 2, `${mode}: ${r.stderr}`)
      t.regex(r.stderr + r.stdout, why, mode)
      t.regex(r.stderr + r.stdout, new RegExp(`transform ${id} failed: .*skip it with --skip ${id}`), mode)
      t.notRegex(r.stderr, /\n\s+at /, `${mode}: no stack trace`)
    }
  })
}

/** A `-t` module that does something after its create() returned, or while it loads. */
const AFTER: Array<[id: string, source: string, why: RegExp]> = [
  ['late-timer', misbehaving('late-timer', "create(ctx) { setTimeout(() => ctx.report({ file: ctx.files[0], messageId: 'm' }), 0) }"), /transform late-timer failed: it reported after create\(\) returned \(from a callback or a timer\), after the run was over; report within create \(skip it with --skip late-timer\); nothing will be written/],
  ['late-microtask', misbehaving('late-microtask', "create(ctx) { queueMicrotask(() => ctx.report({ file: ctx.files[0], messageId: 'm' })) }"), /transform late-microtask failed: it reported after create\(\) returned/],
  ['rejected', misbehaving('rejected', "create() { Promise.reject(new Error('kaput')) }"), /a promise was rejected and nothing handled it \(in a -t module\?\): kaput; nothing will be written/],
  ['thrown', misbehaving('thrown', "create() { setTimeout(() => { throw new Error('boom') }, 0) }"), /an error was thrown from a timer or callback \(of a -t module\?\): boom; nothing will be written/],
  ['unshowable', misbehaving('unshowable', "create() { setTimeout(() => { throw Object.create(null) }, 0) }"), /an error was thrown from a timer or callback \(of a -t module\?\): a thrown value that cannot be shown/],
  ['bad-message', misbehaving('bad-message', "create() { throw { get message() { throw new Error('inner') } } }"), /transform bad-message failed: a thrown value that cannot be shown/],
  ['tla', `await new Promise(() => {})\n${misbehaving('tla', 'create() {}')}`, /tla\.mjs: never finishes loading: its top-level await waits for something that never happens/],
]

for (const [id, source, why] of AFTER) {
  test(`-t ${id}: what a module does after create() returned (or while it loads) fails the run: exit 2, one line, no patch`, async (t) => {
    // With a transform that changes something: a patch there would be.
    const modules = tree({ 'named.mjs': MODULES['named.mjs']!, [`${id}.mjs`]: source })
    const site = tree({ 'site.conf': 'ServerSignature On\n' })
    for (const mode of ['--check', '--dry-run', '--json']) {
      const r = await runCli([mode, '-t', path.join(modules, 'named.mjs'), '-t', path.join(modules, `${id}.mjs`), site])
      t.is(r.status, 2, `${mode}: ${r.stderr}`)
      t.regex(r.stderr + r.stdout, why, mode)
      t.notRegex(r.stderr, /\n\s+at /, `${mode}: no stack trace`)
      // (A write run adds that it wrote nothing, as for any error.)
      const lines = r.stderr.split('\n').filter((line) => /^(error|wsgi-migrate):/.test(line) && !/^error: nothing written: the run had errors/.test(line))
      t.is(lines.length, 1, `${mode}: one error line: ${r.stderr}`)
      if (mode === '--json') t.is((JSON.parse(r.stdout) as { exitCode: number }).exitCode, 2)
      else t.is(r.stdout, '', `${mode}: no patch`)
    }
  })
}

test('-t: a module that takes longer to load than WSGI_MIGRATE_LOAD_TIMEOUT is a usage error, with --json too', async (t) => {
  const modules = tree({ 'slow.mjs': `await new Promise((resolve) => setTimeout(resolve, 3_600_000))\n${misbehaving('slow', 'create() {}')}` })
  const site = tree({ 'site.conf': 'ServerSignature On\n' })
  const r = await runCli(['--check', '--json', '-t', path.join(modules, 'slow.mjs'), site], { env: { WSGI_MIGRATE_LOAD_TIMEOUT: '0.2' } })
  t.is(r.status, 2, r.stderr)
  t.regex(r.stderr, /slow\.mjs: did not finish loading within 0\.2 s \(its top-level await\?\); fix it, or set WSGI_MIGRATE_LOAD_TIMEOUT \(seconds\)\n$/)
  t.like(JSON.parse(r.stdout), { exitCode: 2, errors: [{ code: 'usage' }] })
})
// The bundled CLI holds its own copies of the built-ins: a module that re-exports one hands in
// another object with the same id and version, which is that built-in (no conflict, runs once).
const BUILT = path.join(projectDir, 'dist/transforms')
const REEXPORTS: Record<string, string> = {
  'one.mjs': `export { processGroup as default } from ${JSON.stringify(path.join(BUILT, '0.3.2/process-group/index.js'))}\n`,
  'preset.mjs': `export { default } from ${JSON.stringify(path.join(BUILT, '0.3.2/index.js'))}\n`,
}
const ALIAS_SITE = { 'site.conf': '<VirtualHost *:80>\n    WSGIDaemonProcess kallithea threads=4\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n' }

for (const file of Object.keys(REEXPORTS)) {
  test(`-t ${file} re-exporting built-ins: each is the built-in, listed and run once`, async (t) => {
    const modules = tree(REEXPORTS)
    const list = await runCli(['--list', '--json', '-t', path.join(modules, file)])
    t.is(list.status, 0, list.stderr)
    const rows = JSON.parse(list.stdout) as Array<{ id: string; builtin: boolean }>
    t.deepEqual(rows.filter((r) => r.id === 'process-group'), [{ ...rows.find((r) => r.id === 'process-group')!, builtin: true }])
    t.true(rows.every((r) => r.builtin))
    const run = await runCli(['--dry-run', '--json', '-t', path.join(modules, file), tree(ALIAS_SITE)])
    t.is(run.status, 0, run.stderr)
    const report = JSON.parse(run.stdout) as { transforms: Array<{ id: string }>; changes: Array<{ transform: string }> }
    t.is(report.transforms.filter((x) => x.id === 'process-group').length, 1)
    t.is(report.changes.filter((c) => c.transform === 'process-group').length, 1)
  })
}

test('-t: a module that calls process.exit(0) mid-run does not pass --check: exit 2, one line', async (t) => {
  const modules = tree({ 'exits.mjs': misbehaving('exits', 'create() { process.exit(0) }') })
  const site = tree({ 'site.conf': 'ServerSignature On\n' })
  for (const mode of ['--check', '--dry-run']) {
    const r = await runCli([mode, '-t', path.join(modules, 'exits.mjs'), site])
    t.is(r.status, 2, `${mode}: ${r.stderr}`)
    t.is(r.stderr, 'wsgi-migrate: error: process.exit() was called before the run finished (by a -t module?); the run did not complete\n')
    t.is(r.stdout, '')
  }
})
