// The docs themselves as fixtures. The Apache excerpts of the 0.3 and 0.3.1 docs migrated with
// --to V give the excerpts of the V docs, byte for byte, for every V; the dispatch scripts of each
// release migrated one step give the next release's scripts; each release's own forms are left
// alone by its own step (its Apache excerpts by a run to its version too; its scripts lose their
// venv activation there, as the 0.3.2 step does); and the 0.6.0 docs' execfile script, which fails on Python 3, becomes
// the working python-home form.
import test from 'ava'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '../src/runner/migrate.js'
import { DOCS, release, releases, VERSIONS } from './helpers/kallithea-docs.js'

/** The lang= of a docs excerpt (0.4.1 on: C.UTF-8 in the first, en_US.utf8 in the second). */
const langOf = (excerpt: string): string | undefined => /\blang=(\S+)/.exec(excerpt)?.[1]

async function run(files: Record<string, string>, selection: { to?: string; from?: string; lang?: string }) {
  const result = await migrate({ root: '/srv/kallithea', files: Object.entries(files).map(([p, content]) => ({ path: p, content })), ...selection })
  const text = (p: string): string => result.files.find((f) => f.path === p)!.after.toString('utf8')
  return { result, text }
}

test('the docs of every release are there', (t) => {
  t.true(existsSync(DOCS), `${DOCS} is missing`)
  const all = releases()
  t.deepEqual(all.map((r) => r.version).sort(), ['0.3', '0.3.1', ...VERSIONS])
  for (const r of all) {
    t.is(r.apache.length, 2, `${r.version} has its two Apache excerpts`)
    t.is(r.python.length, 2, `${r.version} has its two dispatch scripts`)
  }
})

for (const old of ['0.3', '0.3.1']) {
  test(`the ${old} docs' Apache excerpts migrated --to V give the V docs' excerpts, for every V`, async (t) => {
    const before = release(old)
    for (const to of VERSIONS) {
      const fixed = release(to)
      t.is(fixed.global, 'WSGIRestrictEmbedded On\n')
      for (const [i, block] of before.apache.entries()) {
        const lang = langOf(fixed.apache[i])
        const { result, text } = await run({ 'kallithea.conf': block }, { to, ...(lang ? { lang } : {}) })
        t.deepEqual(result.errors, [])
        // The 0.3 docs named the venv /srv/kallithea/pyenv: it keeps its name.
        const venv = /python-path=(\S+)\/lib\/python[\d.]+\/site-packages/.exec(block)?.[1] ?? '/srv/kallithea/venv'
        const expected = fixed.apache[i].replaceAll('python-home=/srv/kallithea/venv', `python-home=${venv}`)
        // The excerpt is global scope here, so the global line lands right above the daemon.
        t.is(text('kallithea.conf'), fixed.global + expected, `--to ${to}, excerpt ${i + 1}`)
      }
    }
  })
}

test("each release's Apache excerpts migrated to its own version are left as they are (from 0.4.1 on, to latest too)", async (t) => {
  for (const version of VERSIONS) {
    const r = release(version)
    for (const [i, block] of r.apache.entries()) {
      // The Apache form last changed in 0.4.1 (lang=); later releases changed the script only.
      for (const to of VERSIONS.indexOf(version) >= VERSIONS.indexOf('0.4.1') ? [version, 'latest'] : [version]) {
        const { result } = await run({ 'kallithea.conf': r.global + block }, { to })
        t.deepEqual(result.errors, [])
        t.deepEqual(result.changes, [], `${version} excerpt ${i + 1} --to ${to}`)
      }
    }
  }
})

// The dispatch scripts, one step at a time: the previous release's excerpt and script, migrated
// with --from <previous> --to <next>, give the next release's. 0.4.0's docs also fixed a typo in
// a comment ("curent"), which no migration does.
const STEPS: Array<[string, string]> = [['0.3.3', '0.4.0'], ['0.4.0', '0.4.1'], ['0.4.1', '0.5.1']]
const typoFixed = (script: string): string => script.replace('the curent dir', 'the current dir')

for (const [from, to] of STEPS) {
  test(`the ${from} docs' dispatch scripts migrated --from ${from} --to ${to} give the ${to} docs' scripts`, async (t) => {
    const before = release(from)
    const after = release(to)
    for (const i of [0, 1]) {
      const lang = langOf(after.apache[i])
      const { result, text } = await run({ 'kallithea.conf': before.global + before.apache[i], 'dispatch.wsgi': before.python[i] }, { from, to, ...(lang ? { lang } : {}) })
      t.deepEqual(result.errors, [])
      t.is(typoFixed(text('dispatch.wsgi')), after.python[i], `script ${i + 1}`)
      t.is(text('kallithea.conf'), after.global + after.apache[i], `excerpt ${i + 1}`)
    }
  })
}

/** A script without its venv activation: the statements and the blank line after them. */
const withoutActivation = (script: string): string =>
  script
    .replace(/^import site\nsite\.addsitedir\("[^"]*"\)\n\n/m, '')
    .replace(/^activate_this = .*\nexecfile\(activate_this, dict\(__file__=activate_this\)\)\n\n/m, '')

test("each release's dispatch scripts are left alone by its own step", async (t) => {
  for (const [from, to] of [['0.3.2', '0.3.3'], ...STEPS]) {
    const r = release(to)
    for (const i of [0, 1]) {
      const { result } = await run({ 'kallithea.conf': r.global + r.apache[i], 'dispatch.wsgi': r.python[i] }, { from, to, ...(langOf(r.apache[i]) ? { lang: langOf(r.apache[i]) } : {}) })
      t.deepEqual(result.errors, [])
      t.deepEqual(result.changes, [], `${to} script ${i + 1}`)
    }
  }
})

// A run to a release's own version is not a no-op for its dispatch scripts: it takes the 0.3.2
// steps too, and script-activation moves every docs script's venv activation to python-home.
// The docs keep the activation beside python-home (script 1: `site.addsitedir`, which python-home
// makes redundant) or instead of it (script 2: `execfile(activate_this)`, which needs the
// `activate_this.py` that `python3 -m venv` does not make, and `execfile`, which Python 3 lacks:
// the 0.6.0 docs' own script fails, see below). So only the Apache excerpts are a no-op there.
test("each release's docs pair migrated to its own version: only script-activation changes it, as 0.3.2 does", async (t) => {
  for (const version of VERSIONS) {
    const r = release(version)
    for (const i of [0, 1]) {
      const lang = langOf(r.apache[i])
      const { result, text } = await run({ 'kallithea.conf': r.global + r.apache[i], 'dispatch.wsgi': r.python[i] }, { to: version, ...(lang ? { lang } : {}) })
      t.deepEqual(result.errors, [])
      t.deepEqual([...new Set(result.changes.map((c) => c.transform))], ['script-activation'], `${version} pair ${i + 1}`)
      t.is(text('dispatch.wsgi'), withoutActivation(r.python[i]), `${version} script ${i + 1}: the activation goes`)
      const conf = i === 0 ? r.apache[i] : r.apache[i].replace(/(WSGIDaemonProcess kallithea[^\n]*?)(\n|$)/, '$1 python-home=/srv/kallithea/venv$2')
      t.is(text('kallithea.conf'), r.global + conf, `${version} excerpt ${i + 1}: ${i === 0 ? 'has python-home already' : 'gets python-home'}`)
    }
  }
})

test('0.5.1 to 0.6.0: the working Python 3 form, python-home and no activation, where the 0.6.0 docs still show activation', async (t) => {
  const before = release('0.5.1')
  const docs = release('0.6.0')
  for (const [from, source] of [['0.5.1', before], ['0.5.1', docs]] as const) {
    // Script 1 runs in a group with python-home: its site.addsitedir goes; the excerpt is right.
    const one = await run({ 'kallithea.conf': source.global + source.apache[0], 'dispatch.wsgi': source.python[0] }, { from, to: '0.6.0' })
    t.deepEqual(one.result.errors, [])
    t.is(one.text('dispatch.wsgi'), withoutActivation(docs.python[0]))
    t.is(one.text('kallithea.conf'), docs.global + docs.apache[0])
    // Script 2 activates the venv itself: the group gets python-home instead, and the execfile goes.
    const two = await run({ 'kallithea.conf': source.global + source.apache[1], 'dispatch.wsgi': source.python[1] }, { from, to: '0.6.0' })
    t.deepEqual(two.result.errors, [])
    t.is(two.text('dispatch.wsgi'), withoutActivation(docs.python[1]))
    t.is(two.text('kallithea.conf'), docs.global + docs.apache[1].replace('lang=en_US.utf8', 'lang=en_US.utf8 python-home=/srv/kallithea/venv'))
    t.true(two.result.changes.every((c) => c.transform === 'python3'))
  }
  t.not(withoutActivation(docs.python[0]), docs.python[0], 'the 0.6.0 docs script 1 activates the venv')
  t.not(withoutActivation(docs.python[1]), docs.python[1], 'the 0.6.0 docs script 2 activates the venv')
})

test("the 0.6.0 docs' own execfile script fails on Python 3 (NameError); its migrated form compiles", (t) => {
  const python = '/usr/bin/python3'
  t.true(existsSync(python), `${python} is needed (apt-get install python3)`)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wsgi-migrate-docs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const script = path.join(dir, 'dispatch.wsgi')
  writeFileSync(script, release('0.6.0').python[1])
  const r = spawnSync(python, ['-c', 'import sys; exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"))', script], { encoding: 'utf8' })
  t.not(r.status, 0)
  t.regex(r.stderr, /NameError: name 'execfile' is not defined/)
  // What the migration leaves compiles on Python 3 (the app is run for real in apache-versions.test.ts).
  writeFileSync(script, withoutActivation(release('0.6.0').python[1]))
  t.notThrows(() => execFileSync(python, ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', script]))
})
