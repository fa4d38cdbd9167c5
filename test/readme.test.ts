// Every code block of README.md is checked, and a block that no check covers fails: the shell
// commands run as printed (here, or in the test named for them), the library examples run as ES
// modules against the built package and are type-checked, each example diff is found in its
// transform's fixtures, the JSON report's shape is the key-by-key validator's, the usage line and
// the option table are --help's. The tables of versions and steps are --list's.
import test, { type ExecutionContext } from 'ava'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { migrate } from '../src/index.js'
import { createPatch } from '../src/runner/patch.js'
import { fixtureCases } from './helpers/fixtures.js'
import { commandsOf, linkPackage, readmeBlock, readmeBlocks, shell, type ReadmeBlock } from './helpers/readme.js'
import { REPORT_SPEC, shapeOfSpec, shapeOfType, validateReport } from './helpers/report.js'
import { ensureBuilt, projectDir, runCli, snapshot, treeMaker, type Entry } from './helpers/tree.js'

test.before(() => ensureBuilt())
const tree = treeMaker(test.after)
const readme = readFileSync(path.join(projectDir, 'README.md'), 'utf8')
const blocks = readmeBlocks(readme)
const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string>; ava: { files: string[] } }
const EXAMPLE = path.join(projectDir, 'examples/kallithea-0.3.1')
type T = ExecutionContext

/** A check, and which blocks it covers. */
interface Check {
  what: string
  covers: (b: ReadmeBlock) => boolean
  run: (t: T, b: ReadmeBlock) => void | Promise<void>
}

/** Where the example diffs of the 0.3.2 steps stand. */
const STEP_DIFFS = ['## What the 0.3.2 steps change', '### Examples']

const under = (heading: string, lang: string, text?: RegExp) => (b: ReadmeBlock) => b.heading === heading && b.lang === lang && (!text || text.test(b.text))

/** A block another test runs as printed through readmeBlock(heading, n): it must call that, and get this block. */
function runBy(file: string, heading: string, n = 0): Check['run'] {
  return (t, b) => {
    const call = `readmeBlock('${heading}'${n ? `, ${n}` : ''})`
    t.true(readFileSync(path.join(projectDir, file), 'utf8').includes(call), `${file} runs ${call}`)
    t.is(readmeBlock(heading, n), b.text, `${call} is this block`)
  }
}

// ---------------------------------------------------------------------------------------------
// Running the examples

/** A temporary ES module project with wsgi-migrate installed (linked) and `files` in it. */
const project = (files: Record<string, Entry>): string => linkPackage(tree(files))

/** The bundled example as a repository's infra/apache. */
function withExample(dir: string, to = 'infra/apache'): string {
  cpSync(EXAMPLE, path.join(dir, to), { recursive: true })
  return dir
}

const TSX = import.meta.resolve('tsx')

/** Run a module (a .ts one through tsx) with Node in `cwd`; its output and status. */
function runModule(file: string, cwd: string, ...nodeArgs: string[]) {
  const loader = file.endsWith('.ts') ? `--import ${JSON.stringify(TSX)} ` : ''
  return shell(`${JSON.stringify(process.execPath)} ${loader}${nodeArgs.join(' ')} ${JSON.stringify(file)}`, { cwd })
}

/** Run `block` in `dir` as a module, then `observe` (code appended after it); what it printed as JSON. */
async function observeExample(t: T, b: ReadmeBlock, dir: string, observe: string): Promise<Record<string, unknown>> {
  const file = `example.${b.lang === 'ts' ? 'ts' : 'js'}`
  writeFileSync(path.join(dir, file), `${b.text}\nconsole.log('\\n' + JSON.stringify(${observe}))\n`)
  const r = await runModule(file, dir)
  t.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as Record<string, unknown>
}

/** The file name a README example is saved under: the transform is the module `-t` loads. */
const transformFile = (): string => (/Run it with `wsgi-migrate -t \.\/([\w.-]+\.js) /.exec(readme) as RegExpExecArray)[1] as string
const isTransform = (b: ReadmeBlock): boolean => /\bdefineTransform\(/.test(b.text)
const importsPackage = (b: ReadmeBlock): boolean => /^(js|ts)$/.test(b.lang) && /from 'wsgi-migrate(\/[\w./-]+)?'/.test(b.text)

let typecheck: Promise<Map<number, string[]>> | undefined
/** tsc (strict; checkJs for the .js ones) over every example that imports the package: errors by block line. */
function typeErrors(): Promise<Map<number, string[]>> {
  typecheck ??= (async () => {
    const dir = project({})
    const names = new Map<string, ReadmeBlock>()
    for (const b of blocks.filter(importsPackage)) {
      const name = isTransform(b) ? transformFile() : `readme-${b.line}.${b.lang}`
      names.set(name, b)
      writeFileSync(path.join(dir, name), b.text)
    }
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, allowJs: true, checkJs: true,
        skipLibCheck: true, types: ['node'], typeRoots: [path.join(projectDir, 'node_modules/@types')],
      },
      files: [...names.keys()],
    }))
    const r = await shell(`${JSON.stringify(path.join(projectDir, 'node_modules/.bin/tsc'))} -p tsconfig.json`, { cwd: dir })
    const errors = new Map<string, string[]>()
    for (const line of r.stdout.split('\n')) {
      const m = /^([\w.-]+)\(\d+,\d+\): error /.exec(line)
      if (m) errors.set(m[1] as string, [...(errors.get(m[1] as string) ?? []), line])
    }
    if (r.status !== 0 && errors.size === 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`)
    return new Map([...names].map(([name, b]) => [b.line, errors.get(name) ?? []]))
  })()
  return typecheck
}

async function typeChecks(t: T, b: ReadmeBlock): Promise<void> {
  t.deepEqual((await typeErrors()).get(b.line), [], 'the example type-checks (strict)')
}

// ---------------------------------------------------------------------------------------------
// Diffs

/** A file's whole diff (input → output), as the tool prints it, with every line as context. */
function fullDiff(before: Buffer, after: Buffer): string[] {
  const lines = createPatch([{ path: 'f', before, after }], { context: 1_000_000 }).toString('latin1').split('\n')
  return lines.slice(lines.findIndex((l) => l.startsWith('@@')) + 1).filter((l) => /^[ +-]/.test(l))
}

/** The hunks of a README diff block (split at `@@` lines); an empty line is an empty context line. */
const hunksOf = (text: string): string[][] =>
  text.slice(0, -1).split('\n').map((l) => (l === '' ? ' ' : l)).join('\n').split(/^@@.*(?:\n|$)/m).map((h) => h.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1))

const indexOfRun = (lines: string[], run: string[], from: number): number => {
  for (let i = from; i + run.length <= lines.length; i++) if (run.every((l, j) => lines[i + j] === l)) return i
  return -1
}

/** The transform a diff block of the 0.3.2 section shows: "`id` — ..." before it, or before the block it follows. */
function diffTransform(b: ReadmeBlock): string | undefined {
  let id: string | undefined
  for (const d of blocks.filter((x) => x.heading === b.heading && x.lang === 'diff' && x.line <= b.line)) {
    const named = [...d.prose.matchAll(/^`([a-z0-9-]+)` — /gm)].pop()
    id = named ? named[1] : d.prose.trim() === '' ? id : undefined
  }
  return id
}

async function diffCheck(t: T, b: ReadmeBlock): Promise<void> {
  t.true(b.text.split('\n').slice(0, -1).every((l) => /^([ +-]|@@|$)/.test(l)), 'every line is context, -, + or @@')
  const id = diffTransform(b)
  if (id === undefined) return wholeRun(t, b)
  const hunks = hunksOf(b.text)
  const found = fixtureCases(id).flatMap((c) =>
    c.files.filter((f) => {
      const lines = fullDiff(f.input, f.output)
      let at = 0
      return hunks.every((h) => (at = indexOfRun(lines, h, at)) !== -1 && (at += h.length) > 0)
    }).map((f) => `${c.name}: ${f.name}`),
  )
  t.not(found.length, 0, `no fixture of ${id} has these lines, in this order and context`)
}

/** "Before and after `wsgi-migrate`": the before side, run, gives the after side. */
async function wholeRun(t: T, b: ReadmeBlock): Promise<void> {
  const lines = b.text.slice(0, -1).split('\n')
  t.false(lines.some((l) => l.startsWith('@@')), 'a whole file')
  const side = (sign: string) => lines.filter((l) => l === '' || l[0] === ' ' || l[0] === sign).map((l) => l.slice(1)).join('\n') + '\n'
  const result = await migrate({ files: [{ path: 'kallithea.conf', content: side('-') }] })
  t.deepEqual(result.errors, [])
  t.is(result.files[0]?.after.toString('utf8'), side('+'))
}

// ---------------------------------------------------------------------------------------------
// Tables

/** The lines of the README from `heading` to the next heading. */
function sectionOf(heading: string): string[] {
  const lines = readme.split('\n')
  const start = lines.indexOf(heading)
  const end = lines.findIndex((l, i) => i > start && /^#{1,6} /.test(l))
  return lines.slice(start + 1, end === -1 ? undefined : end)
}

/** The rows of the tables in a section, as cells (header and rule rows left out). */
const rowsOf = (heading: string): string[][] =>
  sectionOf(heading).filter((l) => l.startsWith('|') && !/^\|[-: |]+\|$/.test(l)).slice(1).map((l) => l.slice(1, -1).split('|').map((c) => c.trim()))

const codes = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string)

/** Option name → whether it takes a value, from option specs (`--to VERSION`, `--backup[=SUFFIX]`, `-n`). */
const optionsOf = (specs: string[]): Record<string, boolean> =>
  Object.fromEntries(specs.map((s) => /^(--?[\w-]+)(.*)$/.exec(s.trim()) as RegExpExecArray).map((m) => [m[1], (m[2] as string).trim() !== '']))

async function help(): Promise<string> {
  const r = await runCli(['--help'])
  return r.stdout
}

async function listed(): Promise<Array<{ id: string; version: string }>> {
  return JSON.parse((await runCli(['--list', '--json'])).stdout) as Array<{ id: string; version: string }>
}

// ---------------------------------------------------------------------------------------------
// The checks, block by block

const checks: Check[] = [
  {
    what: "npx and the registry install: the package test runs npx as printed; the install is the checkout's, by name",
    covers: under('## Install', 'sh', /^npx /),
    run: (t, b) => {
      runBy('test/package.test.ts', '## Install')(t, b)
      const registry = commandsOf(b.text)[1]
      const tarball = commandsOf(readmeBlock('## Install', 1)).find((c) => c.startsWith('npm install --global '))
      t.is(registry, tarball?.replace('./wsgi-migrate-*.tgz', pkg.name) ?? 'no npm install --global in the second block')
    },
  },
  { what: 'run as printed by test/package.test.ts', covers: under('## Install', 'sh', /^git clone /), run: runBy('test/package.test.ts', '## Install', 1) },
  { what: 'run as printed after the build, writing nothing; its diff applied leaves nothing to do', covers: under('## Quick start', 'sh'), run: quickStart },
  { what: 'run as printed by test/server-mode.test.ts', covers: under('## On a server', 'sh'), run: runBy('test/server-mode.test.ts', '## On a server') },
  { what: 'run as printed on a repository, with and without --map', covers: under('## In a repository', 'sh'), run: inRepository },
  { what: "found in its transform's fixtures (or the run's output)", covers: (b) => STEP_DIFFS.includes(b.heading) && b.lang === 'diff', run: diffCheck },
  {
    what: "--help's usage line",
    covers: under('## CLI', ''),
    run: async (t, b) => t.is(`Usage: ${b.text}`, `${(await help()).split('\n')[0]}\n`),
  },
  { what: 'the validator of test/helpers/report.ts, which a real report passes', covers: under('### JSON report (`--json`)', 'ts'), run: jsonShape },
  { what: 'run as printed by test/repo-mode.test.ts', covers: under('### For bots', 'sh'), run: runBy('test/repo-mode.test.ts', '### For bots') },
  { what: 'runs on a repository, writes, re-runs; type-checks', covers: under('## Library', 'ts', /\bparse\(/), run: library },
  { what: "runs and says 'done'; type-checks", covers: under('## Library', 'js', /\bwrite: true\b/), run: fixScript },
  { what: 'runs in memory; type-checks', covers: under('## Library', 'js', /\bapplyTransforms\(/), run: inMemory },
  { what: 'run with -t as the README says; type-checks', covers: under('### Writing a transform', 'js', /\bdefineTransform\(/), run: ownTransform },
  { what: 'passes with node --test on good fixtures, fails on a wrong one; type-checks', covers: under('### Writing a transform', 'js', /\bdefineFixtureTests\(/), run: fixtureTest },
]

test('every code block of the README has exactly one check (a block added later needs one)', (t) => {
  const unchecked = blocks
    .map((b) => ({ b, n: checks.filter((c) => c.covers(b)).length }))
    .filter(({ n }) => n !== 1)
    .map(({ b, n }) => `README.md:${b.line} (${b.heading}, \`\`\`${b.lang}): ${n} checks`)
  t.deepEqual(unchecked, [])
  t.true(blocks.length > 0)
})

for (const b of blocks) {
  const check = checks.find((c) => c.covers(b))
  if (check) test(`README.md:${b.line} ${b.heading} (\`\`\`${b.lang}): ${check.what}`, (t) => check.run(t, b))
}

// ---------------------------------------------------------------------------------------------
// Shell blocks run here

async function quickStart(t: T, b: ReadmeBlock): Promise<void> {
  const [first, tests] = commandsOf(b.text)
  const steps = (first ?? '').split(' && ')
  t.deepEqual(steps.slice(0, 2), ['npm ci', 'npm run build'], 'install and build (done once by the test run)')
  const dryRun = steps.slice(2).join(' && ')
  const before = snapshot(EXAMPLE)
  const r = await shell(dryRun, { cwd: projectDir })
  t.is(r.status, 0, r.stderr)
  t.deepEqual(snapshot(EXAMPLE), before, 'writes nothing')
  for (const f of ['dispatch.wsgi', 'sites-available/kallithea.conf']) t.regex(r.stdout, new RegExp(`^diff --git a/examples/kallithea-0\\.3\\.1/${f} `, 'm'))
  t.regex(r.stdout, /^\+ {4}WSGIProcessGroup kallithea$/m)
  // The diff applies where the command ran, and what it gives needs nothing more.
  const copy = withExample(tree({}), 'examples/kallithea-0.3.1')
  execFileSync('git', ['apply'], { cwd: copy, input: r.stdout })
  const again = await runCli(dryRun.split(' ').slice(2), { cwd: copy })
  t.is(again.status, 0)
  t.is(again.stdout, '')
  // `npm test` runs this suite.
  t.is(tests, 'npm test')
  t.regex(pkg.scripts.test ?? '', /\bava\b/)
  t.true(pkg.ava.files.includes('test/**/*.test.ts'))
}

async function inRepository(t: T, b: ReadmeBlock): Promise<void> {
  // A repository whose Apache config names the app where the image puts it (/opt/kallithea),
  // kept in web/docker.
  const site = readFileSync(path.join(EXAMPLE, 'sites-available/kallithea.conf'), 'utf8').replaceAll('/srv/kallithea', '/opt/kallithea')
  const dispatch = readFileSync(path.join(EXAMPLE, 'dispatch.wsgi'), 'utf8').replaceAll('/srv/kallithea', '/opt/kallithea')
  const repo = tree({ 'infra/apache/sites-available/kallithea.conf': site, 'web/docker/dispatch.wsgi': dispatch })
  const [plain, mapped] = commandsOf(b.text)
  t.regex(plain ?? '', /^wsgi-migrate --dry-run infra\/apache\//)
  const r = await shell(plain as string, { cwd: repo })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /^diff --git a\/infra\/apache\/sites-available\/kallithea\.conf b\/infra\/apache\/sites-available\/kallithea\.conf$/m, 'patch paths as git shows them')
  t.regex(r.stderr, /^not read: 1 path outside the root: \/opt\/kallithea\/dispatch\.wsgi /m)
  t.notRegex(r.stdout, /web\/docker/)
  t.regex(mapped ?? '', /--map \/opt\/kallithea=web\/docker /)
  const m = await shell(mapped as string, { cwd: repo })
  t.is(m.status, 0, m.stderr)
  t.regex(m.stdout, /^diff --git a\/web\/docker\/dispatch\.wsgi b\/web\/docker\/dispatch\.wsgi$/m, 'the script is read from the repository')
  t.regex(m.stdout, /^-execfile\(activate_this/m)
  t.notRegex(m.stderr, /^not read:/m)
}

// ---------------------------------------------------------------------------------------------
// The JSON report

async function jsonShape(t: T, b: ReadmeBlock): Promise<void> {
  t.deepEqual(shapeOfType(b.text), shapeOfSpec(REPORT_SPEC), 'the README shows the validated shape: every key, every type')
  const r = await runCli(['--json', '--dry-run', 'examples/kallithea-0.3.1'])
  const report = JSON.parse(r.stdout) as { kallithea: { venvs: unknown[] }; changes: unknown[]; advisories: unknown[]; skipped: unknown[] }
  t.deepEqual(validateReport(report), [])
  for (const k of ['venvs', 'changes', 'advisories', 'skipped'] as const) t.not((k === 'venvs' ? report.kallithea.venvs : report[k]).length, 0, `a report with ${k}`)
}

// ---------------------------------------------------------------------------------------------
// The library examples

async function library(t: T, b: ReadmeBlock): Promise<void> {
  const dir = withExample(project({}))
  const site = path.join(dir, 'infra/apache/sites-available/kallithea.conf')
  const before = readFileSync(site)
  const seen = await observeExample(t, b, dir, `{
    same: Buffer.isBuffer(print(tree)) && print(tree).equals(bytes), diagnostics: tree.data.diagnostics.length,
    vhosts: j.findSections('VirtualHost').length, edited,
    errors: result.errors, changes: result.changes.length, patch: result.patch.toString('utf8').split('\\n')[0],
    servers: result.servers, skipped: result.skipped.map((s) => s.code),
    again: (await migrate({ paths: ['infra/apache'], base: process.cwd(), maps: [{ server: '/srv/kallithea', repo: 'infra/apache' }] })).patch.length,
    installed: inMemory.kallithea.installed, target: inMemory.kallithea.target,
  }`)
  const expectedEdit = before.toString('utf8').replace('processes=1 ', '').replace(/^( +)(WSGIScriptAlias .*\n)/m, '$1$2$1WSGIPassAuthorization On\n')
  t.like(seen, {
    same: true, diagnostics: 0, vhosts: 1, edited: expectedEdit, errors: [],
    patch: 'diff --git a/infra/apache/dispatch.wsgi b/infra/apache/dispatch.wsgi',
    servers: [{ kind: 'include-folder', name: 'infra/apache', files: ['infra/apache/dispatch.wsgi', 'infra/apache/sites-available/kallithea.conf'] }],
    skipped: ['outside-root'], again: 0, installed: '0.5.1', target: '0.5.1',
  })
  t.true((seen.changes as number) > 0)
  // Written: the vhost, and the script the map named, read from the repository.
  t.regex(readFileSync(site, 'utf8'), /^ {4}WSGIProcessGroup kallithea$/m)
  t.notRegex(readFileSync(path.join(dir, 'infra/apache/dispatch.wsgi'), 'utf8'), /activate_this/)
  await typeChecks(t, b)
}

async function fixScript(t: T, b: ReadmeBlock): Promise<void> {
  const dir = withExample(project({}))
  writeFileSync(path.join(dir, 'fix.js'), b.text)
  const r = await runModule('fix.js', dir)
  t.is(r.status, 0, r.stderr)
  t.is(r.stdout, 'done\n')
  t.regex(readFileSync(path.join(dir, 'infra/apache/sites-available/kallithea.conf'), 'utf8'), /^ {4}WSGIProcessGroup kallithea$/m, 'written')
  await typeChecks(t, b)
}

async function inMemory(t: T, b: ReadmeBlock): Promise<void> {
  const seen = await observeExample(t, b, project({}), `{
    output: one.output, ids: one.changes.map((c) => c.messageId), explained: one.changes.every((c) => c.explanation.length > 0),
    all: all.output, allErrors: all.errors, advisories: Array.isArray(all.advisories), dispatch: all.files.find((f) => f.path === 'dispatch.wsgi')?.status,
  }`)
  t.is(seen.output, `<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  t.like(seen, { ids: ['added'], explained: true, allErrors: [], advisories: true })
  t.regex(seen.all as string, /^WSGIRestrictEmbedded On\n/)
  t.regex(seen.all as string, /^ {4}WSGIPassAuthorization On$/m)
  await typeChecks(t, b)
}

/** A Kallithea vhost whose daemon has inactivity-timeout=, for the README's own transform. */
const TIMEOUT_SITE = `<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4 inactivity-timeout=300 python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`
const TIMEOUT_FIXED = TIMEOUT_SITE.replace(' inactivity-timeout=300', '')

async function ownTransform(t: T, b: ReadmeBlock): Promise<void> {
  const file = transformFile()
  const dir = project({ [file]: b.text, 'kallithea.conf': TIMEOUT_SITE })
  const command = (/Run it with `(wsgi-migrate -t [^`]+)`/.exec(readme) as RegExpExecArray)[1] as string
  const r = await shell(command, { cwd: dir })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /^- {4}WSGIDaemonProcess kallithea threads=4 inactivity-timeout=300 python-home=\/srv\/kallithea\/venv\n\+ {4}WSGIDaemonProcess kallithea threads=4 python-home=\/srv\/kallithea\/venv$/m)
  const json = await runCli(['-t', `./${file}`, '--only', 'no-inactivity-timeout', '--json', '.'], { cwd: dir })
  const report = JSON.parse(json.stdout) as { changes: Array<{ explanation: string }> }
  t.deepEqual(report.changes.map((c) => c.explanation), ['Dropped inactivity-timeout=300 from WSGIDaemonProcess kallithea: long clones are no longer cut.'])
  await typeChecks(t, b)
}

async function fixtureTest(t: T, b: ReadmeBlock): Promise<void> {
  const own = blocks.find((x) => x.heading === b.heading && isTransform(x)) as ReadmeBlock
  const fixtures = {
    'fixtures/drop.input.conf': TIMEOUT_SITE,
    'fixtures/drop.output.conf': TIMEOUT_FIXED,
    'fixtures/none.input.conf': TIMEOUT_FIXED,
    'fixtures/none.output.conf': TIMEOUT_FIXED,
  }
  const dir = project({ [transformFile()]: own.text, 'transform.test.js': b.text, ...fixtures })
  t.regex(b.text, /from 'node:test'/, 'node:test, so `node --test` runs it')
  const r = await runModule('transform.test.js', dir, '--test')
  t.is(r.status, 0, r.stdout)
  t.regex(r.stdout, /^# pass 4$/m, 'each case, and apache2 -t on its output')
  t.regex(r.stdout, /^# fail 0$/m)
  writeFileSync(path.join(dir, 'fixtures/drop.output.conf'), TIMEOUT_SITE)
  const wrong = await runModule('transform.test.js', dir, '--test')
  t.is(wrong.status, 1, 'a fixture whose output is wrong fails')
  t.regex(wrong.stdout, /^# fail 1$/m)
  // The transform leaves it alone; Apache refuses it: the configtest fails with Apache's words.
  writeFileSync(path.join(dir, 'fixtures/drop.output.conf'), TIMEOUT_FIXED)
  const refused = `${TIMEOUT_FIXED}ServerSignature Maybe\n`
  writeFileSync(path.join(dir, 'fixtures/refused.input.conf'), refused)
  writeFileSync(path.join(dir, 'fixtures/refused.output.conf'), refused)
  const apache = await runModule('transform.test.js', dir, '--test')
  t.is(apache.status, 1, 'an output Apache refuses fails')
  t.regex(apache.stdout, /^# pass 5$/m)
  t.regex(apache.stdout, /^# fail 1$/m)
  t.regex(apache.stdout, /apache2 -t refused it:[^]*ServerSignature/)
  await typeChecks(t, b)
}

// ---------------------------------------------------------------------------------------------
// Tables

test("the CLI's option table and --help name the same options, each taking a value or not alike", async (t) => {
  const table = rowsOf('## CLI').flatMap((cells) => codes(cells[0] ?? '')).filter((c) => c.startsWith('-'))
  const helpSpecs = (await help()).split('\n')
    .map((l) => /^ {2,6}((?:-\w, )?-{1,2}\w.*?)(?: {2,}|$)/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined)
    .flatMap((s) => s.split(', '))
  t.deepEqual(optionsOf(table), optionsOf(helpSpecs))
  t.true(table.length > 20)
})

test('the table of versions is --list: each version with its steps, in order', async (t) => {
  const table = rowsOf('## Versions and steps').map(([version, steps]) => [version, codes(steps ?? '')])
  const list = await listed()
  const versions = [...new Set(list.map((s) => s.version))]
  t.deepEqual(table, versions.map((v) => [v, list.filter((s) => s.version === v).map((s) => s.id)]))
})

test('the table of the 0.3.2 steps is --list, and each step has its example diff', async (t) => {
  const table = rowsOf('## What the 0.3.2 steps change').map(([id, version]) => [codes(id ?? '')[0], version])
  t.deepEqual(table, (await listed()).filter((s) => s.version === '0.3.2').map((s) => [s.id, s.version]))
  const shown = new Set(blocks.filter((b) => STEP_DIFFS.includes(b.heading) && b.lang === 'diff').map(diffTransform))
  t.deepEqual(table.map(([id]) => id).filter((id) => !shown.has(id)), [])
})

test('the architecture table names the folders there are', (t) => {
  const folders = rowsOf('## Architecture').map(([layer]) => codes(layer ?? '')[0] as string)
  t.deepEqual(folders.filter((f) => !existsSync(path.join(projectDir, f))), [])
  t.deepEqual(readdirSync(path.join(projectDir, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory() && !folders.includes(`src/${d.name}/`)).map((d) => d.name), [])
})
