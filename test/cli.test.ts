// The built CLI (`node dist/cli.js`, the bin) on temporary Debian-like trees: diffs that git and patch
// accept, exit codes, nothing written on errors or outside the root, reports, selection flags.
import test from 'ava'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  EVERY_STEP,
  STEPS_0_3_2,
  DISPATCH_0_3_1,
  SITE_0_3_1,
  addToTree,
  debianTree,
  ensureBuilt,
  hasCommand,
  treeMaker,
  projectDir,
  runCli,
  snapshot,
  type FileState,
} from './helpers/tree.js'
import { validateReport } from './helpers/report.js'

test.before(() => ensureBuilt())

const tree = treeMaker(test.after)
const debian = (): string => tree(debianTree())
/** The usual invocation on a Debian tree: the whole temp dir is the root, /etc/apache2 is scanned. */
const on = (root: string, ...args: string[]): string[] => [...args, '--root', root, path.join(root, 'etc/apache2')]

function sameTree(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, before: Map<string, FileState>, after: Map<string, FileState>): void {
  const show = (m: Map<string, FileState>) =>
    [...m].map(([p, s]) => ({ p, kind: s.kind, bytes: s.bytes?.toString('base64'), target: s.target, mode: s.mode, mtimeMs: s.kind === 'dir' ? 0 : s.mtimeMs }))
  t.deepEqual(show(after), show(before), 'the tree is untouched (bytes, modes, mtimes, no new files)')
}

const gitApply = (root: string, patchFile: string, ...args: string[]) =>
  spawnSync('git', ['apply', ...args, patchFile], { cwd: root, encoding: 'utf8' })

// ---------------------------------------------------------------------------------------------
// help, version, usage

test('--help shows usage, options, exit codes and examples', async (t) => {
  const r = await runCli(['--help'])
  t.is(r.status, 0)
  t.regex(r.stdout, /^Usage: wsgi-migrate \[options\] \[paths\.\.\.\]/)
  const flags = ['--dry-run', '--check', '--backup', '--root', '--to', '--from', '--only', '--skip', '--mod-wsgi', '--transform', '--list', '--json', '--patch', '--summary', '--no-color', '--version']
  for (const flag of [...flags, '--map', '--exclude', '--config', '--apachectl', '--backup-dir', '--no-backup', '--reload']) {
    t.true(r.stdout.includes(flag), `help mentions ${flag}`)
  }
  t.regex(r.stdout, /Examples:/)
  t.regex(r.stdout, /Exit codes: 0 .*--dry-run; 1 changes pending\s+\(--check\); 2 errors/s)
  t.is(r.stderr, '')
})

test('--version prints the package version', async (t) => {
  const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { version: string }
  const r = await runCli(['--version'])
  t.is(r.status, 0)
  t.is(r.stdout, `${pkg.version}\n`)
})

test('an unknown option is a usage error (exit 2)', async (t) => {
  const r = await runCli(['--frobnicate', '.'])
  t.is(r.status, 2)
  t.regex(r.stderr, /--frobnicate/)
  t.regex(r.stderr, /--help/)
  t.is(r.stdout, '')
})

test('a path that does not exist is an error (exit 2)', async (t) => {
  const root = tree({ 'a.conf': 'ServerName x\n' })
  const r = await runCli(['--dry-run', '--root', root, path.join(root, 'nope.conf')])
  t.is(r.status, 2)
  t.regex(r.stderr, /nope\.conf: does not exist/)
})

test('bad --to, --from, --only, --mod-wsgi values are usage errors that read nothing', async (t) => {
  const root = debian()
  for (const args of [['--to', 'banana'], ['--from', '0.3.2', '--to', '0.3.1'], ['--only', 'no-such-transform'], ['--skip', 'nope'], ['--mod-wsgi', 'x.y']]) {
    const r = await runCli(on(root, '--dry-run', ...args))
    t.is(r.status, 2, args.join(' '))
    t.is(r.stdout, '', args.join(' '))
    t.regex(r.stderr, /error: /, args.join(' '))
  }
})

// ---------------------------------------------------------------------------------------------
// The Debian tree, end to end

test('Debian tree: --dry-run prints one patch that git apply and patch -p1 accept, writes nothing, exits 0', async (t) => {
  const root = debian()
  const before = snapshot(root)
  const r = await runCli(on(root, '--dry-run'))
  t.is(r.status, 0, r.stderr)
  sameTree(t, before, snapshot(root))
  // WSGIRestrictEmbedded On goes to the top of the site file, not into Debian's apache2.conf.
  t.notRegex(r.stdout, /^diff --git a\/etc\/apache2\/apache2\.conf/m)
  t.regex(r.stdout, /^diff --git a\/etc\/apache2\/sites-available\/kallithea\.conf b\/etc\/apache2\/sites-available\/kallithea\.conf$/m)
  t.regex(r.stdout, /^@@ -1,\d+ \+1,\d+ @@\n\+WSGIRestrictEmbedded On\n # Kallithea, set up/m)
  t.regex(r.stdout, /^diff --git a\/srv\/kallithea\/dispatch\.wsgi b\/srv\/kallithea\/dispatch\.wsgi$/m)
  t.is((r.stdout.match(/^diff --git /gm) ?? []).length, 2, 'one section per changed file, no symlink duplicates')
  t.notRegex(r.stdout, /\x1b\[/, 'no colors when stdout is not a terminal')
  t.regex(r.stderr, /10 scanned, 2 to change, 8 unchanged, 0 errors/)

  const patchFile = path.join(tree({}), 'fix.patch')
  writeFileSync(patchFile, r.stdoutBytes)
  if (hasCommand('git')) {
    const g = gitApply(root, patchFile, '--check')
    t.is(g.status, 0, `git apply --check: ${g.stderr}`)
  } else t.log('git not installed: git apply not checked')
  if (hasCommand('patch')) {
    const p = spawnSync('patch', ['-p1', '--dry-run', '-i', patchFile], { cwd: root, encoding: 'utf8' })
    t.is(p.status, 0, `patch -p1 --dry-run: ${p.stdout}${p.stderr}`)
  } else t.log('patch not installed (apt-get install -y patch): patch -p1 not checked')
  sameTree(t, before, snapshot(root))
})

test('Debian tree: the report lists every transform, applying writes what the patch says, a second run finds nothing', async (t) => {
  const root = debian()
  const json = await runCli(on(root, '--dry-run', '--json'))
  t.is(json.status, 0, json.stderr)
  const report = JSON.parse(json.stdout) as { changes: Array<{ transform: string; file: string }>; files: Array<{ path: string; status: string }> }
  t.deepEqual([...new Set(report.changes.map((c) => c.transform))].sort(), STEPS_0_3_2)
  t.deepEqual(
    report.files.filter((f) => f.status === 'changed').map((f) => f.path),
    ['etc/apache2/sites-available/kallithea.conf', 'srv/kallithea/dispatch.wsgi'],
  )
  t.true(report.files.some((f) => f.path === 'etc/apache2/envvars'), 'envvars is read (for APACHE_RUN_USER)')

  // What the patch does to a copy is what a real run does to the tree.
  const dry = await runCli(on(root, '--dry-run', '-q'))
  const copy = tree({})
  cpSync(root, copy, { recursive: true, verbatimSymlinks: true })
  if (hasCommand('patch')) {
    const patchFile = path.join(tree({}), 'fix.patch')
    writeFileSync(patchFile, dry.stdoutBytes)
    const p = spawnSync('patch', ['-p1', '-s', '-i', patchFile], { cwd: copy, encoding: 'utf8' })
    t.is(p.status, 0, p.stdout + p.stderr)
  }
  const mode = statSync(path.join(root, 'etc/apache2/sites-available/kallithea.conf')).mode
  const w = await runCli(on(root))
  t.is(w.status, 0, w.stderr)
  t.is(w.stdout, '', 'nothing on stdout when writing')
  t.regex(w.stderr, /fixed \[process-group\] etc\/apache2\/sites-available\/kallithea\.conf:\d+: /)
  t.regex(w.stderr, /10 scanned, 2 changed, 8 unchanged, 0 errors/)
  t.is(statSync(path.join(root, 'etc/apache2/sites-available/kallithea.conf')).mode, mode, 'mode kept')
  t.true(statSync(path.join(root, 'etc/apache2/sites-enabled/kallithea.conf'), { throwIfNoEntry: true }) !== undefined)
  t.true(
    spawnSync('test', ['-L', path.join(root, 'etc/apache2/sites-enabled/kallithea.conf')]).status === 0,
    'the sites-enabled symlink is still a symlink',
  )
  if (hasCommand('patch')) {
    for (const f of ['etc/apache2/apache2.conf', 'etc/apache2/sites-available/kallithea.conf', 'srv/kallithea/dispatch.wsgi']) {
      t.deepEqual(readFileSync(path.join(root, f)), readFileSync(path.join(copy, f)), `${f} as the patch makes it`)
    }
  }
  const site = readFileSync(path.join(root, 'etc/apache2/sites-available/kallithea.conf'), 'utf8')
  t.regex(site, /WSGIProcessGroup kallithea/)
  t.regex(site, /python-home=/)
  t.notRegex(site, /processes=1/)
  t.notRegex(readFileSync(path.join(root, 'srv/kallithea/dispatch.wsgi'), 'utf8'), /activate_this/)

  const before = snapshot(root)
  const again = await runCli(on(root, '--dry-run'))
  t.is(again.status, 0, again.stderr)
  t.is(again.stdout, '')
  t.regex(again.stderr, /0 to change/)
  const check = await runCli(on(root, '--check'))
  t.is(check.status, 0)
  sameTree(t, before, snapshot(root))
})

test('--check: exit 1 with changes pending, writes nothing; exit 0 when there is nothing to do', async (t) => {
  const root = debian()
  const before = snapshot(root)
  const r = await runCli(on(root, '--check'))
  t.is(r.status, 1)
  t.is(r.stdout, '', 'no diff: --check is a gate (add --dry-run for the diff)')
  t.regex(r.stderr, /^would change: etc\/apache2\/sites-available\/kallithea\.conf \(\d+ changes\)$/m)
  t.regex(r.stderr, /run without --check to apply/)
  const both = await runCli(on(root, '--check', '--dry-run'))
  t.is(both.status, 1, '--check --dry-run: the diff, and exit 1')
  t.is(both.stdout, (await runCli(on(root, '--dry-run'))).stdout)
  t.regex(both.stdout, /^diff --git /m)
  t.notRegex(both.stderr, /would change/)
  sameTree(t, before, snapshot(root))
  const clean = tree({ 'site.conf': '<VirtualHost *:80>\n    ServerName plain.example.com\n    DocumentRoot /var/www\n</VirtualHost>\n' })
  const c = await runCli(['--check', clean])
  t.is(c.status, 0, c.stderr)
  t.is(c.stdout, '')
})

test('stdout is byte-deterministic for the same input', async (t) => {
  const root = debian()
  const a = await runCli(on(root, '--dry-run'))
  const b = await runCli(on(root, '--dry-run'))
  t.true(a.stdoutBytes.length > 0)
  t.deepEqual(a.stdoutBytes, b.stdoutBytes)
  const ja = await runCli(on(root, '--dry-run', '--json'))
  const jb = await runCli(on(root, '--dry-run', '--json'))
  t.deepEqual(ja.stdoutBytes, jb.stdoutBytes)
})

test('colors: only with --color (or a terminal), never with --no-color', async (t) => {
  const root = debian()
  const colored = await runCli(on(root, '--dry-run', '--color'))
  t.regex(colored.stdout, /\x1b\[31m-/)
  t.regex(colored.stdout, /\x1b\[32m\+/)
  const plain = await runCli(on(root, '--dry-run', '--no-color'))
  t.notRegex(plain.stdout + plain.stderr, /\x1b\[/)
  // Stripping the colors gives the plain patch back.
  t.is(colored.stdout.replace(/\x1b\[[0-9;]*m/g, ''), plain.stdout)
})

// ---------------------------------------------------------------------------------------------
// Errors: nothing written

test('a parse error (unclosed <VirtualHost>) gives exit 2, file:line:column, and writes no file at all', async (t) => {
  const root = tree({
    ...debianTree(),
    'etc/apache2/sites-available/broken.conf': '# broken\n<VirtualHost *:80>\n    ServerName broken.example.com\n    WSGIScriptAlias /b /srv/b.wsgi\n',
    'etc/apache2/sites-enabled/broken.conf': { symlink: '../sites-available/broken.conf' },
  })
  const before = snapshot(root)
  const r = await runCli(on(root))
  t.is(r.status, 2)
  t.regex(r.stderr, /etc\/apache2\/sites-available\/broken\.conf:2:1: <VirtualHost> is never closed/)
  t.regex(r.stderr, /nothing written/)
  sameTree(t, before, snapshot(root))

  const json = JSON.parse((await runCli(on(root, '--dry-run', '--json'))).stdout) as { exitCode: number; errors: Array<{ code: string; file: string; line: number; column: number }> }
  t.is(json.exitCode, 2)
  t.like(json.errors[0], { code: 'parse', file: 'etc/apache2/sites-available/broken.conf', line: 2, column: 1 })
})

test('a read-only file (0444) is an error and nothing is written, not even the other files', async (t) => {
  const root = debian()
  chmodSync(path.join(root, 'srv/kallithea/dispatch.wsgi'), 0o444)
  const before = snapshot(root)
  const r = await runCli(on(root))
  t.is(r.status, 2)
  t.regex(r.stderr, /srv\/kallithea\/dispatch\.wsgi: file is read-only \(mode 0444\)/)
  t.regex(r.stderr, /nothing was written/)
  sameTree(t, before, snapshot(root))
})

test('an Include leading outside the root is a "not read" note: never read, the rest still fixed', async (t) => {
  const outside = tree({
    // Would produce changes if it were read.
    'evil.conf': SITE_0_3_1.replace('hg.example.com', 'evil.example.com'),
  })
  const root = debian()
  addToTree(root, { 'etc/apache2/conf-enabled/evil.conf': `Include ${outside}/evil.conf\n` })
  const outsideBefore = snapshot(outside)
  const r = await runCli(on(root, '--dry-run', '--json'))
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as {
    files: Array<{ path: string; status: string }>
    errors: unknown[]
    skipped: Array<{ path: string; code: string; file: string; line: number }>
    advisories: Array<{ transform: string; message: string }>
    patch: string
  }
  t.deepEqual(report.errors, [])
  t.false(report.files.some((f) => f.path.includes('evil.conf') && !f.path.startsWith('etc/apache2/conf-enabled')), 'the outside file is not part of the run')
  t.false(report.patch.includes('evil.example.com'))
  t.like(report.skipped[0], { code: 'outside-root', path: `${outside}/evil.conf`, file: 'etc/apache2/conf-enabled/evil.conf', line: 1 })
  t.deepEqual(report.files.filter((f) => f.status === 'changed').map((f) => f.path), ['etc/apache2/sites-available/kallithea.conf', 'srv/kallithea/dispatch.wsgi'], 'the rest is fixed')
  // Whether every application runs in a daemon group needs the file not read: advised, not decided.
  const advice = report.advisories.find((a) => a.transform === 'restrict-embedded')
  t.regex(advice?.message ?? '', new RegExp(`^WSGIRestrictEmbedded On not added: ${outside}/evil\\.conf \\(Include .*\\) was not read`))
  t.regex(r.stderr, new RegExp(`^not read: 1 path outside the root: ${outside}/evil\\.conf \\(etc/apache2/conf-enabled/evil\\.conf:1:1\\); read them from the repository with --map SERVERPATH=REPOPATH, or give a --root that holds them$`, 'm'))
  t.is((r.stderr.match(/^not read:/gm) ?? []).length, 1, 'one line')
  // The write run fixes the rest and never touches the outside.
  const w = await runCli(on(root))
  t.is(w.status, 0, w.stderr)
  t.regex(readFileSync(path.join(root, 'etc/apache2/sites-available/kallithea.conf'), 'utf8'), /WSGIProcessGroup kallithea/)
  sameTree(t, outsideBefore, snapshot(outside))
})

test('a symlink leaving the root is a "not read" note and never read', async (t) => {
  const outside = tree({ 'evil.conf': SITE_0_3_1.replace('hg.example.com', 'evil.example.com') })
  const root = debian()
  addToTree(root, { 'etc/apache2/sites-enabled/evil.conf': { symlink: path.join(outside, 'evil.conf') } })
  const outsideBefore = snapshot(outside)

  // Included by apache2.conf (IncludeOptional sites-enabled/*.conf): noted, the rest still fixed.
  const r = await runCli(on(root, '--dry-run'))
  t.is(r.status, 0, r.stderr)
  t.regex(r.stderr, /^not read: 1 path outside the root: etc\/apache2\/sites-enabled\/evil\.conf; /m)
  t.notRegex(r.stdout, /evil/)
  t.regex(r.stdout, /^\+\s+WSGIProcessGroup kallithea$/m)

  // Found only by scanning a folder: reported as not read, the rest of the run goes on.
  const scan = await runCli(['--dry-run', '--json', path.join(root, 'etc/apache2/sites-enabled')])
  const report = JSON.parse(scan.stdout) as { skipped: Array<{ path: string; reason: string }>; files: Array<{ path: string }>; patch: string }
  t.true(report.skipped.some((s) => s.path.endsWith('evil.conf') && /symlink leaves the root/.test(s.reason)), JSON.stringify(report.skipped))
  t.false(report.files.some((f) => f.path.includes('evil')))
  t.false(report.patch.includes('evil.example.com'))
  t.regex(scan.stderr, /^not read: \d+ paths? outside the root: .*evil\.conf/m)
  sameTree(t, outsideBefore, snapshot(outside))
})

test('a WSGI script outside the root is not read, and says how to include it', async (t) => {
  const root = debian()
  // Scan only /etc/apache2 with it as the root: /srv is outside.
  const r = await runCli(['--dry-run', '--json', path.join(root, 'etc/apache2')])
  const report = JSON.parse(r.stdout) as { files: Array<{ path: string }>; skipped: Array<{ path: string; reason: string; file: string; line: number }> }
  t.false(report.files.some((f) => f.path.endsWith('.wsgi')))
  t.like(report.skipped.find((s) => s.path.endsWith('dispatch.wsgi')), { file: 'sites-available/kallithea.conf', path: path.join(root, 'srv/kallithea/dispatch.wsgi') })
})

// ---------------------------------------------------------------------------------------------
// Reports

test('--json follows the documented shape, in every mode and outcome', async (t) => {
  const root = debian()
  const broken = tree({ 'a.conf': '<VirtualHost *:80>\n', 'site.conf': SITE_0_3_1 })
  const plainPatch = (await runCli(on(root, '--dry-run', '--mod-wsgi', '3.3'))).stdout
  const runs = [
    await runCli(on(root, '--dry-run', '--json', '--mod-wsgi', '3.3')),
    await runCli(on(root, '--check', '--json')),
    await runCli(['--dry-run', '--json', path.join(root, 'etc/apache2')]),
    await runCli(['--dry-run', '--json', broken]),
    await runCli(on(root, '--json')),
    await runCli(on(root, '--json')),
  ]
  for (const r of runs) {
    const report = JSON.parse(r.stdout) as Record<string, unknown>
    t.deepEqual(validateReport(report), [], r.stdout.slice(0, 2000))
    t.is(report.exitCode, r.status, 'exitCode is the process exit code')
  }
  const first = JSON.parse(runs[0]!.stdout) as { mode: string; summary: { changes: number }; changes: unknown[]; advisories: Array<{ transform: string; message: string }>; patch: string }
  t.is(first.mode, 'dry-run')
  t.is(first.summary.changes, first.changes.length)
  t.true(first.advisories.some((a) => a.transform === 'python-home'), 'mod_wsgi 3.3 is too old for python-home: advised, not changed')
  t.is(first.patch, plainPatch, 'the patch in the report is the patch')
  const written = JSON.parse(runs[4]!.stdout) as { mode: string; written: string[]; exitCode: number }
  t.is(written.mode, 'write')
  t.is(written.exitCode, 0)
  t.deepEqual(written.written, ['etc/apache2/sites-available/kallithea.conf', 'srv/kallithea/dispatch.wsgi'])
  const again = JSON.parse(runs[5]!.stdout) as { written: string[]; summary: { changed: number } }
  t.deepEqual(again.written, [])
  t.is(again.summary.changed, 0)
})

test('--patch FILE and --summary FILE: the same patch, and Markdown for a pull request', async (t) => {
  const root = debian()
  const out = tree({})
  const r = await runCli(on(root, '--dry-run', '--patch', path.join(out, 'fix.patch'), '--summary', path.join(out, 'pr.md')))
  t.is(r.status, 0)
  t.deepEqual(readFileSync(path.join(out, 'fix.patch')), r.stdoutBytes)
  const md = readFileSync(path.join(out, 'pr.md'), 'utf8')
  t.regex(md, /^## wsgi-migrate: 2 files to change\n/)
  t.regex(md, /\| File \| Lines \| Transform \| What and why \|/)
  for (const id of STEPS_0_3_2) t.true(md.includes(`\`${id}\``), `summary names ${id}`)
  t.regex(md, /\| `etc\/apache2\/sites-available\/kallithea\.conf` \| \d+(-\d+)? \| `process-group` \| Added WSGIProcessGroup/)
  t.regex(md, /<details><summary>Patch<\/summary>\n\n```diff\ndiff --git /)
  t.notRegex(md, /\d+\.\d+s\b/, 'no timings: the summary is deterministic')

  // Nothing to do: an empty patch file and a summary saying so.
  await runCli(on(root, '-q'))
  const r2 = await runCli(on(root, '--dry-run', '--patch', path.join(out, 'none.patch'), '--summary', path.join(out, 'none.md')))
  t.is(r2.status, 0)
  t.is(readFileSync(path.join(out, 'none.patch')).length, 0)
  t.regex(readFileSync(path.join(out, 'none.md'), 'utf8'), /^## wsgi-migrate: nothing to change/)
})

test('--patch to a file that cannot be written: exit 2 and no config file written', async (t) => {
  const root = debian()
  const before = snapshot(root)
  const r = await runCli(on(root, '--patch', path.join(root, 'no/such/dir/fix.patch')))
  t.is(r.status, 2)
  t.regex(r.stderr, /--patch .*fix\.patch: cannot write/)
  sameTree(t, before, snapshot(root))
})

// ---------------------------------------------------------------------------------------------
// Selection, user transforms, backups

const changedIds = async (root: string, ...args: string[]): Promise<string[]> => {
  const r = await runCli(on(root, '--dry-run', '--json', ...args))
  const report = JSON.parse(r.stdout) as { changes: Array<{ transform: string }>; transforms: Array<{ id: string }> }
  return [...new Set(report.changes.map((c) => c.transform))].sort()
}

test('--only, --skip, --to, --from select the transforms', async (t) => {
  const root = debian()
  t.deepEqual(await changedIds(root, '--only', 'process-group'), ['process-group'])
  t.deepEqual(await changedIds(root, '--only', 'process-group,pass-authorization'), ['pass-authorization', 'process-group'])
  t.deepEqual(await changedIds(root, '--only', 'process-group', '--only', 'drop-processes-1'), ['drop-processes-1', 'process-group'])
  t.deepEqual(await changedIds(root, '--skip', 'script-activation'), STEPS_0_3_2.filter((id) => id !== 'script-activation'))
  // The 0.3.1 docs' activate_this script: every later step but python3 has something to do (no execfile is left).
  t.deepEqual(await changedIds(root, '--to', 'latest'), EVERY_STEP.filter((id) => id !== 'python3'))
  t.deepEqual(await changedIds(root, '--from', '0.3.1'), STEPS_0_3_2)
  t.deepEqual(await changedIds(root, '--from', '0.3.1', '--to', '0.3.2'), STEPS_0_3_2)
  const none = await runCli(on(root, '--dry-run', '--to', '0.3.1'))
  t.is(none.status, 0, 'no transform up to 0.3.1: nothing to do')
  t.is(none.stdout, '')
  t.deepEqual(await changedIds(root, '--from', '0.3.2', '--to', '0.3.3'), ['single-threaded'])
  const newest = await runCli(on(root, '--dry-run', '--from', '0.6.0', '--to', 'latest'))
  t.is(newest.status, 2, '--from the newest: nothing above it, said as a usage error')
  t.regex(newest.stderr, /--from 0\.6\.0: no step is newer, nothing to apply; the versions are 0\.3\.2, .*0\.6\.0 \(or latest\)/)
  const outOfRange = await runCli(on(root, '--dry-run', '--only', 'process-group', '--to', '0.3.1'))
  t.is(outOfRange.status, 2)
  t.regex(outOfRange.stderr, /--only process-group: .*0\.3\.2.*--to/)
})

test('--list shows every transform with its version; --list --json for machines', async (t) => {
  const r = await runCli(['--list'])
  t.is(r.status, 0)
  const lines = r.stdout.trimEnd().split('\n')
  const versions = lines.filter((l) => !l.startsWith(' ')).map((l) => l.split(' ')[0])
  t.deepEqual(versions, ['0.3.2', '0.3.3', '0.4.0', '0.4.1', '0.5.1', '0.6.0'], 'every version, oldest first')
  t.is(lines.length, versions.length + EVERY_STEP.length)
  t.regex(lines[0]!, /^0\.3\.2  Kallithea 0\.3\.2: /)
  t.regex(lines[1]!, /^  process-group  +Run the application/, 'its steps in the order they run')
  const under = (version: string) => lines.slice(lines.findIndex((l) => l.startsWith(version + ' ')) + 1).filter((_, i, a) => a.slice(0, i + 1).every((x) => x.startsWith(' ')))
  t.deepEqual(under('0.3.2').map((l) => l.trim().split(' ')[0]).sort(), STEPS_0_3_2)
  t.deepEqual(under('0.6.0').map((l) => l.trim().split(' ')[0]), ['python3'])
  const j = await runCli(['--list', '--json'])
  const rows = JSON.parse(j.stdout) as Array<Record<string, unknown>>
  t.deepEqual(rows.map((x) => x.id).sort(), EVERY_STEP)
  for (const row of rows) {
    t.deepEqual(Object.keys(row).sort(), ['builtin', 'description', 'id', 'modWsgi', 'rationale', 'title', 'version'])
    t.is(row.builtin, true)
  }
})

const USER_TRANSFORM = `// A user's own transform: ServerSignature On -> Off.
export default {
  meta: {
    id: 'server-signature-off',
    version: '9.0.0',
    title: 'ServerSignature Off',
    description: 'Turns ServerSignature On into Off.',
    rationale: 'Do not show the Apache version on error pages.',
    messages: { off: 'ServerSignature Off: error pages no longer show the Apache version.' },
  },
  create(context) {
    for (const file of context.files) {
      if (file.kind !== 'apache') continue
      context.config(file).findDirectives('ServerSignature').forEach(({ node }) => {
        if (node.args[0] !== 'On') return
        context.report({ node, messageId: 'off', fix: (fixer) => fixer.modify(node, (n) => { n.args = ['Off'] }) })
      })
    }
  },
}
`

test('-t loads a user transform module that runs with the built-in ones', async (t) => {
  const root = debian()
  addToTree(root, { 'etc/apache2/conf-available/security.conf': 'ServerTokens OS\nServerSignature On\n', 'etc/apache2/conf-enabled/security.conf': { symlink: '../conf-available/security.conf' } })
  const modDir = tree({ 'signature.mjs': USER_TRANSFORM, 'broken.mjs': 'export default 42\n' })
  const mod = path.join(modDir, 'signature.mjs')

  const list = await runCli(['-t', mod, '--list'])
  t.regex(list.stdout, /^9\.0\.0  your transforms\n  server-signature-off +ServerSignature Off \[user\]$/m)

  const r = await runCli(on(root, '--dry-run', '--json', '-t', mod))
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { changes: Array<{ transform: string; file: string; lines: { start: number } }>; transforms: Array<{ id: string }> }
  t.is(report.transforms.at(-1)!.id, 'server-signature-off', 'runs after the 0.3.2 ones (version order)')
  t.like(report.changes.find((c) => c.transform === 'server-signature-off'), { file: 'etc/apache2/conf-available/security.conf', lines: { start: 2 } })
  t.deepEqual([...new Set(report.changes.map((c) => c.transform))].sort(), [...STEPS_0_3_2, 'server-signature-off'].sort())

  t.deepEqual(await changedIds(root, '-t', mod, '--only', 'server-signature-off', '--to', 'latest'), ['server-signature-off'])
  t.false((await changedIds(root, '-t', mod, '--to', '0.3.2')).includes('server-signature-off'), 'an explicit --to limits user transforms too')

  const bad = await runCli(on(root, '--dry-run', '-t', path.join(modDir, 'broken.mjs')))
  t.is(bad.status, 2)
  t.regex(bad.stderr, /broken\.mjs: exports no transform/)
  const missing = await runCli(on(root, '--dry-run', '-t', path.join(modDir, 'missing.mjs')))
  t.is(missing.status, 2)
  t.regex(missing.stderr, /missing\.mjs: cannot load transform module/)
})

test('--backup keeps each original beside it; --backup=SUFFIX picks the suffix', async (t) => {
  const root = debian()
  const site = path.join(root, 'etc/apache2/sites-available/kallithea.conf')
  chmodSync(site, 0o640)
  const original = readFileSync(site)
  const r = await runCli(on(root, '--backup'))
  t.is(r.status, 0, r.stderr)
  t.deepEqual(readFileSync(site + '.orig'), original)
  t.deepEqual(readFileSync(path.join(root, 'srv/kallithea/dispatch.wsgi.orig')).toString(), DISPATCH_0_3_1.replaceAll('@ROOT@', root))
  t.is(statSync(site).mode & 0o777, 0o640, 'mode kept')
  t.regex(r.stderr, /backup: etc\/apache2\/sites-available\/kallithea\.conf\.orig/)
  // Backups are leftovers, not configuration: the next run does not pick them up.
  const again = await runCli(on(root, '--dry-run'))
  t.is(again.status, 0, again.stderr)

  const root2 = debian()
  const site2 = path.join(root2, 'etc/apache2/sites-available/kallithea.conf')
  const original2 = readFileSync(site2)
  t.is((await runCli(on(root2, '--backup=.bak'))).status, 0)
  t.deepEqual(readFileSync(site2 + '.bak'), original2)
  t.false(existsSync(site2 + '.orig'))
  t.is((await runCli(on(root2, '--dry-run', '--backup'))).status, 2, '--backup with --dry-run is a usage error')

  // Any suffix: the backups are not mistaken for configuration by the next run.
  const root3 = debian()
  t.is((await runCli(on(root3, '--backup=.pre-kallithea'))).status, 0)
  t.true(existsSync(path.join(root3, 'etc/apache2/sites-available/kallithea.conf.pre-kallithea')))
  const third = await runCli(on(root3, '--dry-run'))
  t.is(third.status, 0, third.stdout)
  t.is(third.stdout, '')
  t.regex(third.stderr, /^not read: 1 backup copy: etc\/apache2\/sites-available\/kallithea\.conf\.pre-kallithea; name one to read it$/m)
  const thirdJson = JSON.parse((await runCli(on(root3, '--dry-run', '--json'))).stdout) as { skipped: Array<{ code: string; reason: string }> }
  t.like(thirdJson.skipped[0], { code: 'backup', reason: 'looks like a backup of kallithea.conf; not read (name it to read it)' })
})

test('a file given directly, and relative paths from the working directory', async (t) => {
  const root = tree({ 'kallithea.conf': SITE_0_3_1, 'other.conf': 'ServerName other\n' })
  const r = await runCli(['--dry-run', 'kallithea.conf'], { cwd: root })
  t.is(r.status, 0, r.stderr)
  t.regex(r.stdout, /^diff --git a\/kallithea\.conf b\/kallithea\.conf$/m)
  t.regex(r.stderr, /^1 scanned/m, 'only the file given')
  const patchFile = path.join(tree({}), 'p.patch')
  writeFileSync(patchFile, r.stdoutBytes)
  if (hasCommand('git')) t.is(gitApply(root, patchFile).status, 0)
  else execFileSync('patch', ['-p1', '-s', '-i', patchFile], { cwd: root })
  t.is((await runCli(['--check', '.'], { cwd: root })).status, 0)
})

test('many files: the closing summary counts them, progress stays off stdout', async (t) => {
  const root = tree(debianTree({ sites: 60 }))
  const r = await runCli(on(root, '--dry-run', '--json'))
  t.is(r.status, 0)
  const report = JSON.parse(r.stdout) as { summary: { scanned: number; changed: number } }
  t.is(report.summary.changed, 60 * 2, 'each site and its script (not apache2.conf)')
  t.regex(r.stderr, /\d+ scanned, 120 to change/)
})

// ---------------------------------------------------------------------------------------------
// Terminal behaviour, through main() with a fake terminal

async function inProcess(args: string[], io: { stdoutIsTTY?: boolean; stderrIsTTY?: boolean; env?: Record<string, string> } = {}) {
  const { main } = await import('../src/cli/cli.js')
  const out: Buffer[] = []
  let err = ''
  let clock = 0
  const status = await main(args, {
    stdout: (s) => out.push(Buffer.isBuffer(s) ? s : Buffer.from(s)),
    stderr: (s) => {
      err += s
    },
    stdoutIsTTY: io.stdoutIsTTY ?? false,
    stderrIsTTY: io.stderrIsTTY ?? false,
    env: io.env ?? {},
    cwd: projectDir,
    now: () => (clock += 250), // every progress event is due
  })
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: err }
}

test('on a terminal the diff is colored, unless NO_COLOR or --no-color', async (t) => {
  const root = debian()
  const tty = await inProcess(on(root, '--dry-run'), { stdoutIsTTY: true, stderrIsTTY: true })
  t.is(tty.status, 0)
  t.regex(tty.stdout, /\x1b\[1mdiff --git /)
  t.regex(tty.stdout, /\x1b\[36m@@ /)
  const plain = await inProcess(on(root, '--dry-run'))
  t.is(tty.stdout.replace(/\x1b\[[0-9;]*m/g, ''), plain.stdout)
  const noColor = await inProcess(on(root, '--dry-run'), { stdoutIsTTY: true, stderrIsTTY: true, env: { NO_COLOR: '1' } })
  t.is(noColor.stdout, plain.stdout)
  t.notRegex(noColor.stderr, /\x1b\[[0-9;]*m/)
  const flag = await inProcess(on(root, '--dry-run', '--no-color'), { stdoutIsTTY: true })
  t.is(flag.stdout, plain.stdout)
  const json = await inProcess(on(root, '--dry-run', '--json'), { stdoutIsTTY: true })
  t.notRegex(json.stdout, /\x1b\[/, 'JSON is never colored')
})

test('progress goes to stderr on a terminal, is cleared, and leaves stdout as it is', async (t) => {
  const root = tree(debianTree({ sites: 30 }))
  const tty = await inProcess(on(root, '--dry-run'), { stderrIsTTY: true })
  const plain = await inProcess(on(root, '--dry-run'))
  t.is(tty.stdout, plain.stdout)
  t.regex(tty.stderr, /\r\x1b\[Kwsgi-migrate: read \d+ files/)
  t.regex(tty.stderr, /\r\x1b\[Kwsgi-migrate: process-group \(1\/7\)/)
  t.regex(tty.stderr, /\r\x1b\[K(?:(?:\x1b\[36m)?kallithea(?:\x1b\[0m)?: [^\n]*\n)*\d+ scanned, 60 to change, \d+ unchanged, 0 errors, \d+ advisor(y|ies) \(\d+\.\d\ds\)/, 'the progress line is cleared before the summary')
  t.notRegex(plain.stderr, /\r/, 'no progress when stderr is not a terminal')
  const quiet = await inProcess(on(root, '--dry-run', '-q'), { stderrIsTTY: true })
  t.is(quiet.stderr, '')
})

test('Includes are followed from the main config alone: the site and its script are found without scanning', async (t) => {
  const root = debian()
  const r = await runCli(['--dry-run', '--json', '--root', root, path.join(root, 'etc/apache2/apache2.conf')])
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as { files: Array<{ path: string; status: string }>; changes: Array<{ transform: string }> }
  t.deepEqual(report.files.map((f) => f.path), [
    'etc/apache2/apache2.conf',
    'etc/apache2/conf-available/charset.conf',
    'etc/apache2/envvars',
    'etc/apache2/mods-available/mpm_event.load',
    'etc/apache2/mods-available/wsgi.conf',
    'etc/apache2/mods-available/wsgi.load',
    'etc/apache2/ports.conf',
    'etc/apache2/sites-available/000-default.conf',
    'etc/apache2/sites-available/kallithea.conf',
    'srv/kallithea/dispatch.wsgi',
  ])
  t.deepEqual([...new Set(report.changes.map((c) => c.transform))].sort(), STEPS_0_3_2)
})
