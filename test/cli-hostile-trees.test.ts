// The CLI over hostile trees: file names that are not UTF-8, folders it may not list, and configs
// nested 20,000 deep, run end to end (scan, Includes, every built-in transform, patch, write).
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { validateReport } from './helpers/report.js'
import { EVERY_STEP, cliPath, debianTree, ensureBuilt, runCli, snapshot, treeMaker, type CliRun } from './helpers/tree.js'

test.before(() => ensureBuilt())

const tree = treeMaker(test.after)
const on = (root: string, ...args: string[]): string[] => [...args, '--root', root, path.join(root, 'etc/apache2')]
const SITE = 'etc/apache2/sites-available/kallithea.conf'

/** A path whose name is given as Latin-1 text standing for its bytes ('caf\xe9' is the byte E9). */
const bytePath = (root: string, name: string): Buffer => Buffer.from(path.join(root, name), 'latin1')

test('file names that are not UTF-8: a "not read" note with the bytes escaped; the rest is fixed', async (t) => {
  const root = tree(debianTree())
  // conf-enabled/ is scanned and included (IncludeOptional conf-enabled/*.conf): a note either way.
  writeFileSync(bytePath(root, 'etc/apache2/conf-enabled/caf\xe9.conf'), 'ServerName latin1.example.com\n')
  mkdirSync(bytePath(root, 'etc/apache2/sites-available/old\xff'))
  writeFileSync(bytePath(root, 'etc/apache2/sites-available/old\xff/site.conf'), 'ServerName old.example.com\n')
  const dry = await runCli(on(root, '--dry-run'))
  t.is(dry.status, 0, dry.stderr)
  t.true(dry.stdout.includes(`+++ b/${SITE}\n`))
  t.true(
    dry.stderr.includes(
      'not read: 2 names that are not UTF-8 (odd bytes shown as \\xHH): etc/apache2/conf-enabled/caf\\xe9.conf, etc/apache2/sites-available/old\\xff; ' +
        'Apache reads them, wsgi-migrate cannot name them: rename them in UTF-8 to have them read\n',
    ),
    dry.stderr,
  )
  const json = await runCli(on(root, '--dry-run', '--json'))
  const report = JSON.parse(json.stdout)
  t.deepEqual(validateReport(report), [])
  const notUtf8 = report.skipped.filter((s: { code: string }) => s.code === 'not-utf8')
  t.deepEqual(notUtf8.map((s: { path: string; file: string | null; line: number | null }) => [s.path, s.file, s.line]), [
    ['etc/apache2/conf-enabled/caf\\xe9.conf', null, null],
    ['etc/apache2/sites-available/old\\xff', null, null],
    ['etc/apache2/conf-enabled/caf\\xe9.conf', 'etc/apache2/apache2.conf', 41],
  ])
  const before = readFileSync(bytePath(root, 'etc/apache2/conf-enabled/caf\xe9.conf'))
  const write = await runCli(on(root))
  t.is(write.status, 0, write.stderr)
  t.deepEqual(readFileSync(bytePath(root, 'etc/apache2/conf-enabled/caf\xe9.conf')), before)
  t.regex(readFileSync(path.join(root, SITE), 'utf8'), /WSGIProcessGroup kallithea/)
})

test('Include and script paths in a Latin-1 config are the bytes written: UTF-8 ones are read, others a note, a missing one still an error', async (t) => {
  const root = tree(debianTree())
  // A Latin-1 ports.conf (the comment makes it so): names as Apache reads them, byte for byte.
  const ports = path.join(root, 'etc/apache2/ports.conf')
  const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1')
  writeFileSync(ports, Buffer.concat([readFileSync(ports), latin1(`# r\xe9glages\nInclude caf\xe9.conf\nInclude caf\xc3\xa9-utf8.conf\nWSGIScriptAlias /x ${root}/srv/caf\xe9/x.wsgi\n`)]))
  writeFileSync(bytePath(root, 'etc/apache2/caf\xe9.conf'), 'ServerName latin1.example.com\n')
  writeFileSync(path.join(root, 'etc/apache2/café-utf8.conf'), 'ServerName utf8.example.com\n')
  mkdirSync(bytePath(root, 'srv/caf\xe9'))
  writeFileSync(bytePath(root, 'srv/caf\xe9/x.wsgi'), 'application = None\n')
  const r = await runCli(on(root, '--dry-run', '--json'))
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout)
  t.deepEqual(report.errors, [])
  t.true(report.files.some((f: { path: string }) => f.path === 'etc/apache2/café-utf8.conf'), 'the UTF-8 bytes name a file: read')
  const notes = report.skipped.filter((s: { file: string | null }) => s.file === 'etc/apache2/ports.conf')
  t.deepEqual(notes.map((s: { path: string; code: string; line: number }) => [s.path, s.code, s.line]), [
    ['etc/apache2/caf\\xe9.conf', 'not-utf8', 7],
    ['srv/caf\\xe9/x.wsgi', 'not-utf8', 9],
  ])
  // A plain Include of a name that is not there: Apache refuses to start, whatever its bytes.
  writeFileSync(ports, Buffer.concat([readFileSync(ports), latin1('Include caf\xe9-gone.conf\n')]))
  const gone = await runCli(on(root, '--dry-run'))
  t.is(gone.status, 2, gone.stderr)
  t.regex(gone.stderr, /^error: etc\/apache2\/ports\.conf:10:1: Include café-gone\.conf: no such file/m)
  t.is(gone.stderr.match(/^error: /gm)?.length, 1, gone.stderr)
})

test('a temporary file a killed run left: a dry run names it, a write removes it and says so once', async (t) => {
  const root = tree(debianTree())
  const left = 'etc/apache2/sites-available/.kallithea.conf.wsgi-migrate-999999999-0123456789ab.tmp' // no such process
  writeFileSync(path.join(root, left), readFileSync(path.join(root, SITE)))
  const dry = await runCli(on(root, '--dry-run'))
  t.is(dry.status, 0, dry.stderr)
  t.true(dry.stderr.includes(`not read: 1 file wsgi-migrate made (backups listed in .wsgi-migrate-backups, temporary files): ${left}; `), dry.stderr)
  t.false(dry.stdout.includes('wsgi-migrate-999999999'), 'never read as a config')
  const write = await runCli(on(root))
  t.is(write.status, 0, write.stderr)
  t.notRegex(write.stderr, /^not read: .*wsgi-migrate made/m)
  t.true(write.stderr.includes(`removed 1 temporary file left by an interrupted run (${path.join(root, left)})\n`), write.stderr)
  t.false(existsSync(path.join(root, left)))
})

/** The CLI as `nobody` when running as root (root lists any folder), else as we are. */
const runAsNobody = (args: string[]): Promise<CliRun> => runCli(args, process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {})

test('a folder that cannot be listed is an error like a file that cannot be read: one line, exit 2, no patch', async (t) => {
  const cases: Array<[string, (root: string) => string[]]> = [
    // Scanned: etc/apache2 is given, the folder is below it.
    ['etc/apache2/conf.d', (root) => on(root, '--dry-run')],
    // Only reached through apache2.conf's IncludeOptional conf-enabled/*.conf.
    ['etc/apache2/conf-enabled', (root) => ['--dry-run', '--root', root, path.join(root, 'etc/apache2/apache2.conf')]],
  ]
  for (const [folder, args] of cases) {
    const root = tree({ ...debianTree(), 'etc/apache2/conf.d/extra.conf': 'ServerName extra\n' })
    chmodSync(root, 0o755)
    chmodSync(path.join(root, folder), 0o000)
    const before = snapshot(root)
    const r = await runAsNobody(args(root))
    chmodSync(path.join(root, folder), 0o755)
    t.is(r.status, 2, r.stderr)
    t.is(r.stdout, '', 'no patch')
    t.regex(r.stderr, new RegExp(`^error: ${folder}: cannot read the directory: permission denied; check its permissions, or leave it out\n`))
    t.notRegex(r.stderr, /\n\s+at /)
    t.is(r.stderr.match(/^error: /gm)?.length, 1, r.stderr)
    chmodSync(path.join(root, folder), 0o000)
    t.deepEqual([...snapshot(root).keys()], [...before.keys()])
    chmodSync(path.join(root, folder), 0o755)
  }
})

test('a folder on the way to the WSGI script or to a plain Include that cannot be entered: an error naming it, not "no such file"', async (t) => {
  const cases: Array<{ folder: string; extra?: Record<string, string>; args: (root: string) => string[] }> = [
    // The dispatch script's folder (and the venv in it): permission denied.
    { folder: 'srv/kallithea', args: (root) => on(root, '--dry-run') },
    // apache2.conf's `Include extra/site.conf`, where extra/ may be listed but not entered.
    {
      folder: 'etc/apache2/extra',
      extra: { 'etc/apache2/extra/site.conf': 'ServerName extra.example.com\n' },
      args: (root) => ['--dry-run', '--root', root, path.join(root, 'etc/apache2/apache2.conf')],
    },
  ]
  for (const c of cases) {
    const entries = { ...debianTree(), ...c.extra }
    if (c.extra) entries['etc/apache2/apache2.conf'] += 'Include extra/site.conf\n'
    const root = tree(entries)
    chmodSync(root, 0o755)
    chmodSync(path.join(root, c.folder), c.extra ? 0o644 : 0o000)
    const r = await runAsNobody(c.args(root))
    chmodSync(path.join(root, c.folder), 0o755)
    t.is(r.status, 2, r.stderr)
    t.is(r.stdout, '', 'no patch')
    t.regex(r.stderr, new RegExp(`^error: ${c.folder}: cannot read the directory: permission denied; check its permissions, or leave it out\n`, 'm'))
    t.is(r.stderr.match(/^error: /gm)?.length, 1, r.stderr)
    t.notRegex(r.stderr, /no such file|outside the root/)
    if (!c.extra) t.regex(r.stderr, /^kallithea: venv cannot be read \(permission denied on a folder on the way\): check the permissions to detect the installed Kallithea: \S+\/srv\/kallithea\/venv/m)
  }
})

test('a path given under a folder that cannot be entered: the folder is the error, one line, not "cannot stat: EACCES"', async (t) => {
  for (const given of ['etc/apache2/locked/site.conf', 'etc/apache2/locked/inner', 'etc/apache2/locked/inner/deeper.conf']) {
    const root = tree({ ...debianTree(), 'etc/apache2/locked/site.conf': 'ServerName locked\n', 'etc/apache2/locked/inner/deeper.conf': 'ServerName deeper\n' })
    chmodSync(root, 0o755)
    chmodSync(path.join(root, 'etc/apache2/locked'), 0o000)
    const r = await runAsNobody(['--dry-run', '--root', root, path.join(root, 'srv'), path.join(root, given)])
    const json = await runAsNobody(['--dry-run', '--json', '--root', root, path.join(root, 'srv'), path.join(root, given)])
    chmodSync(path.join(root, 'etc/apache2/locked'), 0o755)
    t.is(r.status, 2, r.stderr)
    t.is(r.stdout, '', 'no patch')
    t.regex(r.stderr, /^error: etc\/apache2\/locked: cannot read the directory: permission denied; check its permissions, or leave it out\n/, given)
    t.is(r.stderr.match(/^error: /gm)?.length, 1, r.stderr)
    t.notRegex(r.stderr, /cannot stat|EACCES/)
    const report = JSON.parse(json.stdout)
    t.deepEqual(report.errors.map((e: { code: string; file: string }) => [e.code, e.file]), [['io', 'etc/apache2/locked']])
  }
})

test('venv files are read as configs are: a FIFO does not hang the run, a file over --max-size is not read', async (t) => {
  const site = 'srv/kallithea/venv/lib/python2.7/site-packages'
  const root = tree({ ...debianTree(), [`${site}/Kallithea-0.4.1.dist-info/METADATA`]: 'Metadata-Version: 2.1\nName: Kallithea\nVersion: 0.4.1\n' })
  const init = path.join(root, site, 'kallithea/__init__.py')
  mkdirSync(path.dirname(init), { recursive: true })
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...on(root, '--dry-run', ...args)], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } })
  t.is(spawnSync('mkfifo', [init]).status, 0)
  const fifo = run()
  t.is(fifo.signal, null, 'the run ends (a FIFO read would wait for a writer forever)')
  t.is(fifo.status, 0, fifo.stderr)
  t.regex(fifo.stderr, /Kallithea 0\.4\.1 \(srv\/kallithea\/venv\/lib\/python2\.7\/site-packages\/Kallithea-0\.4\.1\.dist-info\/METADATA: Version: 0\.4\.1\)/)
  rmSync(init)
  writeFileSync(init, 'VERSION = (0, 5, 1)\n' + '#'.repeat(2 * 1024 * 1024) + '\n')
  t.regex(run().stderr, /Kallithea 0\.5\.1 \(srv\/kallithea\/venv\/lib\/python2\.7\/site-packages\/kallithea\/__init__\.py: VERSION = \(0, 5, 1\)\)/)
  // Over the limit: never read whole; the next place that says the version is used.
  const limited = run('--max-size', '1M')
  t.is(limited.status, 0, limited.stderr)
  t.regex(limited.stderr, /Kallithea 0\.4\.1 \(srv\/kallithea\/venv\/lib\/python2\.7\/site-packages\/Kallithea-0\.4\.1\.dist-info\/METADATA/)
})

test('--max-size past what one string holds (about 512 MiB): a 600 MiB file is "too large", not an internal error', async (t) => {
  const root = tree(debianTree())
  const big = path.join(root, 'etc/apache2/conf-enabled/big.conf')
  writeFileSync(big, '')
  truncateSync(big, 600 * 1024 * 1024) // sparse: no disk used
  for (const size of ['1G', '600M']) {
    const r = await runCli(on(root, '--dry-run', '--max-size', size))
    t.is(r.status, 2, r.stderr)
    t.regex(r.stderr, /^error: etc\/apache2\/conf-enabled\/big\.conf: too large \(600 MiB, over the 512\.0 MiB limit, the most wsgi-migrate can read; Apache configs are small\): leave it out\n/m)
    t.notRegex(r.stderr, /internal error|Cannot create a string/)
    t.is(r.stdout, '')
  }
})

test('an Include fan-out (8 files, each including the next 10 times): one clear error, exit 2, no patch, nothing written', async (t) => {
  const entries = debianTree()
  entries[SITE] = `${entries[SITE] as string}Include fan/0.conf\n`
  for (let i = 0; i < 8; i++) entries[`etc/apache2/fan/${i}.conf`] = i === 7 ? 'ServerTokens Prod\n' : `Include fan/${i + 1}.conf\n`.repeat(10)
  const root = tree(entries)
  const before = snapshot(root)
  for (const args of [['--dry-run'], []]) {
    const r = await runCli(on(root, ...args))
    t.is(r.status, 2, r.stderr)
    t.is(r.stdout, '')
    t.notRegex(r.stderr, /\n\s+at /)
    t.regex(r.stderr, /^error: etc\/apache2\/fan\/\d\.conf:\d+:1: Include fan\/\d\.conf: the Includes fan out \(etc\/apache2\/fan\/\d\.conf read \d+ times already\): more than 50000 files in all, so this server was not read to the end and nothing of it was changed; include each file once/m)
  }
  t.deepEqual(snapshot(root), before)
})

// ---------------------------------------------------------------------------------------------
// 20,000 levels: every built-in transform (--to latest), through the whole CLI

const DEPTH = 20_000
const nest = (text: string): string => '<IfModule mod_wsgi.c>\n'.repeat(DEPTH) + text + '</IfModule>\n'.repeat(DEPTH)

test('a site nested in 20,000 sections: --dry-run and a write fix it as they fix it unnested', async (t) => {
  const flat = tree(debianTree())
  const deep = tree({ ...debianTree(), [SITE]: nest(debianTree()[SITE] as string) })
  const fixed = (file: string): string => readFileSync(path.join(flat, file), 'utf8').replaceAll(flat, deep)
  const shallow = await runCli(on(flat, '--to', 'latest', '--json'))
  t.is(shallow.status, 0, shallow.stderr)
  const want = JSON.parse(shallow.stdout)
  t.deepEqual(want.transforms.map((x: { id: string }) => x.id).sort(), EVERY_STEP)

  const dry = await runCli(on(deep, '--to', 'latest', '--dry-run', '--json'))
  t.is(dry.status, 0, dry.stderr)
  const got = JSON.parse(dry.stdout)
  t.deepEqual(got.errors, [])
  t.deepEqual(got.transforms, want.transforms)
  type Change = { transform: string; file: string; lines: { start: number } }
  const at = (by: number) => (c: Change) => [c.transform, c.file, c.file === SITE ? c.lines.start - by : c.lines.start]
  t.deepEqual(got.changes.map(at(DEPTH)), want.changes.map(at(0)))

  const write = await runCli(on(deep, '--to', 'latest'))
  t.is(write.status, 0, write.stderr)
  t.is(readFileSync(path.join(deep, SITE), 'utf8'), nest(fixed(SITE)))
  t.is(readFileSync(path.join(deep, 'srv/kallithea/dispatch.wsgi'), 'utf8'), fixed('srv/kallithea/dispatch.wsgi'))
  t.is(readFileSync(path.join(deep, 'etc/apache2/apache2.conf'), 'utf8'), fixed('etc/apache2/apache2.conf'))
  const again = await runCli(on(deep, '--to', 'latest', '--check'))
  t.is(again.status, 0, again.stderr)
})
