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
