// The CLI under faults and hostile input: outputs that name a file of the run or cannot be
// written (a full disk, a closed pipe), usage errors with --json, control characters in names,
// real signals while writing, one-line internal errors.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, linkSync, mkdtempSync, openSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { escapePatchControls } from '../src/cli/terminal.js'
import { validateReport } from './helpers/report.js'
import { SITE_0_3_1, addToTree, cliPath, debianTree, ensureBuilt, hasCommand, removeTree, runCli, snapshot, treeMaker, type Entry, type FileState } from './helpers/tree.js'

test.before(() => ensureBuilt())

const tree = treeMaker(test.after)
const on = (root: string, ...args: string[]): string[] => [...args, '--root', root, path.join(root, 'etc/apache2')]
const SITE = 'etc/apache2/sites-available/kallithea.conf'

function same(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, before: Map<string, FileState>, after: Map<string, FileState>): void {
  const show = (m: Map<string, FileState>) => [...m].map(([p, s]) => ({ p, bytes: s.bytes?.toString('base64'), target: s.target, mode: s.mode, mtimeMs: s.kind === 'dir' ? 0 : s.mtimeMs }))
  t.deepEqual(show(after), show(before), 'the tree is untouched')
}

/** stderr is exactly one line, with no stack trace. */
function oneLine(t: { is: (a: unknown, b: unknown, m?: string) => void; notRegex: (s: string, r: RegExp) => void }, stderr: string): void {
  t.is(stderr.split('\n').length, 2, stderr)
  t.notRegex(stderr, /\n\s+at /)
}

/** The CLI with stdout on a file descriptor of ours (/dev/full...). */
function runWithStdout(args: string[], stdout: number | 'closed'): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, NO_COLOR: '' },
      stdio: ['ignore', stdout === 'closed' ? 'pipe' : stdout, 'pipe'],
    })
    if (stdout === 'closed') child.stdout!.destroy() // the reader is gone before anything is written
    let stderr = ''
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stderr }))
  })
}

// ---------------------------------------------------------------------------------------------
// Outputs that name a file of the run

test('--patch or --summary naming a file of the run is refused before anything is written (even in dry-run)', async (t) => {
  const root = tree(debianTree())
  const hardLink = path.join(tree({}), 'alias.md')
  linkSync(path.join(root, 'etc/apache2/ports.conf'), hardLink)
  const before = snapshot(root)
  const cases: Array<[string[], RegExp]> = [
    [['--dry-run', '--patch', path.join(root, SITE)], /^wsgi-migrate: --patch .*kallithea\.conf: that is etc\/apache2\/sites-available\/kallithea\.conf, a file of this run; write it elsewhere \(nothing was written\)\n$/],
    [['--summary', path.join(root, 'etc/apache2/sites-enabled/kallithea.conf')], /--summary .*: that is etc\/apache2\/sites-available\/kallithea\.conf, a file of this run/],
    [['--check', '--summary', path.join(root, 'etc/apache2/ports.conf')], /that is etc\/apache2\/ports\.conf, a file of this run/],
    [['--check', '--patch', hardLink], /--patch .*alias\.md: that is etc\/apache2\/ports\.conf, a file of this run/],
    [['--backup', '--patch', path.join(root, `${SITE}.orig`)], /that is etc\/apache2\/sites-available\/kallithea\.conf\.orig, the backup of etc\/apache2\/sites-available\/kallithea\.conf, a file of this run/],
  ]
  for (const [args, message] of cases) {
    const r = await runCli(on(root, ...args))
    t.is(r.status, 2, args.join(' '))
    t.regex(r.stderr, message)
    t.is(r.stdout, '')
    same(t, before, snapshot(root))
  }
  const json = await runCli(on(root, '--json', '--patch', path.join(root, SITE)))
  const report = JSON.parse(json.stdout) as { exitCode: number; errors: Array<{ code: string; message: string }> }
  t.deepEqual(validateReport(report), [])
  t.like(report, { exitCode: 2, errors: [{ code: 'usage' }] })
  same(t, before, snapshot(root))
})

test('stdout redirected into a file of the run is refused; nothing is written', async (t) => {
  const root = tree(debianTree())
  const site = path.join(root, SITE)
  const before = readFileSync(site)
  const fd = openSync(site, 'a')
  const r = await runWithStdout(on(root, '--json'), fd)
  closeSync(fd)
  t.is(r.status, 2)
  t.regex(r.stderr, /^wsgi-migrate: stdout is etc\/apache2\/sites-available\/kallithea\.conf, a file of this run; redirect it elsewhere/)
  oneLine(t, r.stderr)
  t.deepEqual(readFileSync(site), before)
})

test('stdout redirected onto a backup, the backup record or a temporary file of ours is refused, emptied by the shell or not; nothing is written', async (t) => {
  const root = tree(debianTree())
  const site = path.join(root, SITE)
  const original = readFileSync(site)
  const made = await runCli(on(root, '--backup=-orig'))
  t.is(made.status, 0, made.stderr)
  const dir = path.dirname(site)
  const temporary = path.join(dir, `.kallithea.conf.wsgi-migrate-${process.pid}-0123456789ab.tmp`)
  const kept = new Map([`${site}-orig`, path.join(dir, '.wsgi-migrate-backups')].map((f) => [f, readFileSync(f)]))
  const cases: Array<[string, 'w' | 'a', RegExp]> = [
    // `> kallithea.conf-orig`: the shell has emptied the backup before the run starts.
    [`${site}-orig`, 'w', /^wsgi-migrate: stdout is etc\/apache2\/sites-available\/kallithea\.conf-orig, a backup wsgi-migrate made \(listed in \.wsgi-migrate-backups\); it is empty now \(the shell empties the file of a `>` redirection before wsgi-migrate starts\); redirect it elsewhere \(nothing was written\)\n$/],
    // `>> kallithea.conf-orig`: still whole.
    [`${site}-orig`, 'a', /^wsgi-migrate: stdout is etc\/apache2\/sites-available\/kallithea\.conf-orig, a backup wsgi-migrate made \(listed in \.wsgi-migrate-backups\); redirect it elsewhere/],
    [path.join(dir, '.wsgi-migrate-backups'), 'a', /^wsgi-migrate: stdout is etc\/apache2\/sites-available\/\.wsgi-migrate-backups, the list of backups wsgi-migrate made in that folder; redirect/],
    [path.join(dir, '.wsgi-migrate-backups'), 'w', /the list of backups wsgi-migrate made in that folder; it is empty now \(the shell empties the file of a `>` redirection before wsgi-migrate starts\); redirect/],
    // `> kallithea.conf`: the config itself, emptied; refused all the same.
    [site, 'w', /^wsgi-migrate: stdout is etc\/apache2\/sites-available\/kallithea\.conf, a file of this run; it is empty now \(the shell/],
    [temporary, 'a', /^wsgi-migrate: stdout is etc\/apache2\/sites-available\/\.kallithea\.conf\.wsgi-migrate-\d+-0123456789ab\.tmp, a temporary file of wsgi-migrate; redirect/],
  ]
  for (const [target, flags, message] of cases) {
    writeFileSync(site, original) // something to change again
    for (const [file, bytes] of kept) writeFileSync(file, bytes) // what the shell emptied last time
    if (target === temporary) writeFileSync(temporary, 'x')
    const fd = openSync(target, flags)
    const before = snapshot(root)
    const r = await runWithStdout(on(root), fd)
    closeSync(fd)
    t.is(r.status, 2, `${target} ${flags}`)
    t.regex(r.stderr, message)
    oneLine(t, r.stderr)
    same(t, before, snapshot(root))
    if (target !== site) t.deepEqual(readFileSync(site), original, 'the config is not written')
    if (target === temporary) rmSync(temporary)
  }
})

test('--patch and --summary naming the same file is a usage error', async (t) => {
  const root = tree(debianTree())
  const out = path.join(tree({}), 'x')
  const r = await runCli(on(root, '--dry-run', '--patch', out, '--summary', out))
  t.is(r.status, 2)
  t.regex(r.stderr, /--patch and --summary name the same file/)
  t.false(existsSync(out))
})

// ---------------------------------------------------------------------------------------------
// Outputs that cannot be written: nothing is written, exit 2, one line

test('--summary or --patch on a full disk (/dev/full): exit 2, one line, no config written', async (t) => {
  if (!existsSync('/dev/full')) return t.log('no /dev/full here')
  const root = tree(debianTree())
  const before = snapshot(root)
  for (const flag of ['--summary', '--patch']) {
    const r = await runCli(on(root, flag, '/dev/full'))
    t.is(r.status, 2, flag)
    t.is(r.stderr, `wsgi-migrate: ${flag} /dev/full: cannot write: no space left on device (ENOSPC); no config file was changed\n`)
    same(t, before, snapshot(root))
  }
})

test('stdout on a full disk: exit 2 with one line and no stack trace; with --json nothing is written', async (t) => {
  if (!existsSync('/dev/full')) return t.log('no /dev/full here')
  const root = tree(debianTree())
  const before = snapshot(root)
  const full = openSync('/dev/full', 'w')
  try {
    for (const args of [['--json'], ['--dry-run'], ['--list']]) {
      const r = await runWithStdout(args[0] === '--list' ? args : on(root, ...args), full)
      t.is(r.status, 2, args.join(' '))
      t.is(r.stderr, 'wsgi-migrate: stdout: cannot write: no space left on device (ENOSPC); no config file was changed\n')
      oneLine(t, r.stderr)
      same(t, before, snapshot(root))
    }
  } finally {
    closeSync(full)
  }
})

test('stdout a closed pipe: with --json nothing is written, exit 2, one line', async (t) => {
  const root = tree(debianTree())
  const before = snapshot(root)
  const r = await runWithStdout(on(root, '--json'), 'closed')
  t.is(r.status, 2)
  t.is(r.stderr, 'wsgi-migrate: stdout: cannot write: the reading end of the pipe is closed (EPIPE); no config file was changed\n')
  same(t, before, snapshot(root))
})

// ---------------------------------------------------------------------------------------------
// Usage errors

test('--only X --skip X, --only , and empty ids are usage errors; nothing runs', async (t) => {
  const root = tree(debianTree())
  const cases: Array<[string[], RegExp]> = [
    [['--only', 'process-group', '--skip', 'process-group'], /--only and --skip both name process-group/],
    [['--only', ','], /--only ',': names no transform/],
    [['--skip', ''], /--skip '': names no transform/],
    [['--only', 'process-group,,python-home'], /--only 'process-group,,python-home': an empty transform id/],
    [['--max-size', 'lots'], /--max-size lots: not a size/],
  ]
  for (const [args, message] of cases) {
    const r = await runCli(on(root, '--dry-run', ...args))
    t.is(r.status, 2, args.join(' '))
    t.regex(r.stderr, message)
    t.is(r.stdout, '')
  }
})

test('with --json, usage errors and a bad -t still print the JSON report, with the error and exit code 2', async (t) => {
  const root = tree(debianTree())
  const dir = tree({ 'broken.mjs': 'export default {\n', 'none.mjs': 'export const x = 1\n' })
  const runs: Array<[string[], string, RegExp]> = [
    [['--check', '--only', ','], 'check', /names no transform/],
    [['--dry-run', '--frobnicate'], 'dry-run', /Unknown option '--frobnicate'/],
    [['--backup', '--dry-run'], 'dry-run', /--backup makes no sense/],
    [['-t', path.join(dir, 'broken.mjs')], 'write', /broken\.mjs: cannot load transform module/],
    [['-t', path.join(dir, 'none.mjs')], 'write', /none\.mjs: exports no transform/],
    [['--to', 'banana'], 'write', /--to banana: not a version/],
  ]
  for (const [args, mode, message] of runs) {
    const r = await runCli(on(root, '--json', ...args))
    t.is(r.status, 2, args.join(' '))
    const report = JSON.parse(r.stdout) as { mode: string; exitCode: number; errors: Array<{ code: string; message: string }> }
    t.deepEqual(validateReport(report), [], args.join(' '))
    t.is(report.mode, mode)
    t.is(report.exitCode, 2)
    t.is(report.errors[0]?.code, 'usage')
    t.regex(report.errors[0]?.message ?? '', message)
  }
})

// ---------------------------------------------------------------------------------------------
// Control characters in names

const EVIL = 'evil\x1b[2J\x1b]0;pwned\x07.conf'
const FORGED = 'two\nerror: forged line.conf'

test('file names and Include arguments are escaped on the terminal: no escape sequence, no forged line', async (t) => {
  const root = tree({
    [`etc/apache2/sites-available/${EVIL}`]: '<VirtualHost *:80>\n',
    [`etc/apache2/sites-available/${FORGED}`]: '<VirtualHost *:80>\n',
    'etc/apache2/apache2.conf': 'Include /*\x1b[2J/x.conf\nIncludeOptional sites-available/*.conf\n',
  })
  const r = await runCli(on(root, '--dry-run'))
  t.is(r.status, 2)
  t.false(r.stderr.includes('\x1b'), 'no raw ESC on stderr')
  t.false(r.stderr.includes('\x07'))
  t.notRegex(r.stderr, /^error: forged line/m)
  t.true(r.stderr.includes('evil\\x1b[2J\\x1b]0;pwned\\x07.conf'))
  t.true(r.stderr.includes('two\\nerror: forged line.conf'))
  t.true(r.stderr.includes('not read: 1 path outside the root: /*\\x1b[2J/x.conf (etc/apache2/apache2.conf:1:1)'))
  const json = await runCli(on(root, '--dry-run', '--json'))
  t.false(json.stdout.includes('\x1b'))
  t.true(JSON.parse(json.stdout).files.some((f: { path: string }) => f.path.endsWith(EVIL)), 'JSON escapes them, the names stay exact')
})

test('the patch quotes such names as git does, and git apply takes it', async (t) => {
  const site = SITE_0_3_1.replaceAll('@ROOT@', '/srv')
  // Two sites of one server: each its own daemon group (one name twice, Apache refuses to start).
  const entries: Record<string, Entry> = { [`sites-available/${EVIL}`]: site, [`sites-available/${FORGED}`]: site.replace('WSGIDaemonProcess kallithea', 'WSGIDaemonProcess kallithea-two') }
  const root = tree(entries)
  const r = await runCli(['--dry-run', '--only', 'pass-authorization', '--root', root, root])
  t.is(r.status, 0, r.stderr)
  t.true(r.stdout.includes('diff --git "a/sites-available/evil\\033[2J\\033]0;pwned\\a.conf" "b/sites-available/evil\\033[2J\\033]0;pwned\\a.conf"\n'))
  t.true(r.stdout.includes('--- "a/sites-available/two\\nerror: forged line.conf"\t\n') || r.stdout.includes('--- "a/sites-available/two\\nerror: forged line.conf"\n'))
  if (!hasCommand('git')) return t.log('git not installed')
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, encoding: 'utf8' })
  git('init', '-q')
  git('add', '-A')
  git('commit', '-qm', 'before')
  const patchFile = path.join(tree({}), 'fix.patch')
  writeFileSync(patchFile, r.stdoutBytes)
  const applied = git('apply', patchFile)
  t.is(applied.status, 0, applied.stderr)
  const headers = (text: string) => text.split('\n').filter((line) => /^(diff --git|--- |\+\+\+ )/.test(line)).sort()
  t.deepEqual(headers(r.stdout), headers(git('diff').stdout), 'the same quoted names as git diff')
})

test('the patch on a terminal has its control characters escaped; piped and in --patch it is byte for byte', async (t) => {
  if (!hasCommand('script')) return t.log('script (util-linux) not installed')
  const entries = debianTree()
  entries[SITE] = SITE_0_3_1.replace('    WSGIDaemonProcess', '    Include "/x/\x1b[2Jcleared\x07"\n    WSGIDaemonProcess')
  const root = tree(entries)
  const args = on(root, '--dry-run')
  // script(1) gives the CLI a terminal for stdout (and stderr); NO_COLOR: escaping is not colour.
  const quoted = [process.execPath, cliPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const tty = spawnSync('script', ['-qec', quoted, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' }, encoding: 'latin1' })
  t.is(tty.status, 0, tty.stderr)
  t.true(tty.stdout.includes(' Include "/x/\\x1b[2Jcleared\\x07"'), tty.stdout)
  t.false(tty.stdout.includes('\x1b'), 'no raw ESC reaches the terminal')
  t.false(tty.stdout.includes('\x07'))
  const patchFile = path.join(tree({}), 'fix.patch')
  const piped = await runCli([...args, '--patch', patchFile])
  t.is(piped.status, 0, piped.stderr)
  t.true(piped.stdout.includes(' Include "/x/\x1b[2Jcleared\x07"\n'), 'piped: the bytes as they are')
  t.deepEqual(readFileSync(patchFile), piped.stdoutBytes, 'the patch file: the same bytes')
})

test('escaping the patch for a terminal keeps UTF-8, Latin-1, tabs and CRLF; escapes C0, DEL and C1 controls', (t) => {
  const shown = (bytes: Buffer): string => escapePatchControls(bytes).toString('latin1')
  t.is(shown(Buffer.from(' a\tb\r\n+caf\u00e9 \u20ac\n', 'utf8')), Buffer.from(' a\tb\r\n+caf\u00e9 \u20ac\n', 'utf8').toString('latin1'))
  t.is(shown(Buffer.from(' x\x1b[2Jy\rz\x7f\u009b\n', 'utf8')), ' x\\x1b[2Jy\\x0dz\\x7f\\xc2\\x9b\n')
  // Latin-1: a stray 0x9b is a CSI to an 8-bit terminal; 0xe9 is a letter.
  t.is(shown(Buffer.from(' caf\xe9 \x9b\r\n', 'latin1')), ' caf\xe9 \\x9b\r\n')
})

// ---------------------------------------------------------------------------------------------
// Real signals while writing a tree of a few thousand files

const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()

function bigTree(t: { teardown: (fn: () => void) => void }): string {
  const root = realpathSync(mkdtempSync(path.join(shm, 'wsgi-migrate-cli-')))
  t.teardown(() => removeTree(root))
  addToTree(root, debianTree({ sites: 1000 }))
  return root
}

/** Runs the CLI on `root` and sends `signal` once `ready()` (polled) holds. */
function interrupt(root: string, signal: NodeJS.Signals, ready: () => boolean): Promise<{ status: number | null; signal: string | null; stderr: string; sent: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...on(root)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    let sent = false
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    const poll = setInterval(() => {
      if (sent || !ready()) return
      sent = true
      child.kill(signal)
    }, 1)
    child.on('close', (status, got) => {
      clearInterval(poll)
      resolve({ status, signal: got, stderr, sent })
    })
  })
}

const leftovers = (root: string): string[] =>
  [root, path.join(root, 'etc/apache2'), path.join(root, 'etc/apache2/sites-available'), path.join(root, 'srv/kallithea')]
    .flatMap((dir) => readdirSync(dir).filter((name) => name.includes('wsgi-migrate')))

test.serial('SIGINT during the commit (2,000 files): every file put back, no temporary file, ends by SIGINT', async (t) => {
  const root = bigTree(t)
  const before = snapshot(root)
  const firstSite = path.join(root, 'etc/apache2/sites-available/kallithea.conf')
  const original = readFileSync(firstSite)
  // The first site is the first file renamed (by path): once it changed, the commit is under way.
  const run = await interrupt(root, 'SIGINT', () => !readFileSync(firstSite).equals(original))
  t.true(run.sent)
  t.is(run.signal, 'SIGINT', run.stderr)
  t.regex(run.stderr, /^error: interrupted by SIGINT; nothing was changed \(\d+ file\(s\) put back\)$/m)
  same(t, before, snapshot(root))
  t.deepEqual(leftovers(root), [])
})

test.serial('SIGTERM while the new contents are prepared: nothing changed, no temporary file, ends by SIGTERM', async (t) => {
  const root = bigTree(t)
  const before = snapshot(root)
  const sites = path.join(root, 'etc/apache2/sites-available')
  const run = await interrupt(root, 'SIGTERM', () => readdirSync(sites).some((name) => name.includes('.wsgi-migrate-')))
  t.true(run.sent)
  t.is(run.signal, 'SIGTERM', run.stderr)
  // Sent once the first temporary file is seen: it lands while the others are made (or, on a
  // slow machine, early in the commit); either way all is put back.
  t.regex(run.stderr, /^error: interrupted by SIGTERM; nothing was (written|changed \(\d+ file\(s\) put back\))$/m)
  same(t, before, snapshot(root))
  t.deepEqual(leftovers(root), [])
})

/** A -t module whose timer throws once the commit is under way (the watched file changed). */
const TICKER = `import { readFileSync } from 'node:fs'
let started = false
export default {
  meta: { id: 'ticker', version: '9.0.0', title: 'ticker', messages: {} },
  create() {
    if (started) return
    started = true
    const watched = process.env.WATCHED
    const original = readFileSync(watched)
    setInterval(() => {
      if (!readFileSync(watched).equals(original)) throw new Error('tick\\nfailed')
    }, 1)
  },
}
`

test.serial('a -t module whose timer throws during the commit (2,000 files): every file put back, one line, exit 2', async (t) => {
  const root = bigTree(t)
  const modules = tree({ 'ticker.mjs': TICKER })
  const before = snapshot(root)
  const firstSite = path.join(root, 'etc/apache2/sites-available/kallithea.conf')
  const r = await runCli([...on(root), '-t', path.join(modules, 'ticker.mjs')], { env: { WATCHED: firstSite } })
  t.is(r.status, 2, r.stderr)
  const errors = r.stderr.split('\n').filter((line) => line.startsWith('error:'))
  t.is(errors.length, 1, r.stderr)
  t.regex(errors[0]!, /^error: stopped: an error was thrown from a timer or callback \(of a -t module\?\): tick\\nfailed; nothing was changed \(\d+ file\(s\) put back\)$/)
  t.notRegex(r.stderr, /\n\s+at /, 'no stack trace')
  same(t, before, snapshot(root))
  t.deepEqual(leftovers(root), [])
})

// ---------------------------------------------------------------------------------------------
// Backups and internal errors

test('a backup made with any suffix is never overwritten by a later run', async (t) => {
  for (const suffix of ['-orig', '_bak', '.conf']) {
    const root = tree(debianTree())
    const original = readFileSync(path.join(root, SITE))
    const first = await runCli(on(root, `--backup=${suffix}`))
    t.is(first.status, 0, first.stderr)
    t.deepEqual(readFileSync(path.join(root, SITE + suffix)), original)
    t.regex(readFileSync(path.join(root, 'etc/apache2/sites-available/.wsgi-migrate-backups'), 'utf8'), new RegExp(`"kallithea\\.conf${suffix.replace('.', '\\.')}"`))
    const second = await runCli(on(root))
    t.is(second.status, 0, second.stderr)
    t.regex(second.stderr, new RegExp(`not read: \\d+ files? wsgi-migrate made \\(backups listed in \\.wsgi-migrate-backups, temporary files\\): [^\\n]*etc/apache2/sites-available/kallithea\\.conf${suffix.replace('.', '\\.')}[,;]`))
    t.deepEqual(readFileSync(path.join(root, SITE + suffix)), original, `the ${suffix} backup keeps the original`)
  }
})

test('--patch or --summary naming an earlier backup, the backup record or a temporary file is refused; nothing is written', async (t) => {
  for (const suffix of ['-orig', '.conf']) {
    const root = tree(debianTree())
    const first = await runCli(on(root, `--backup=${suffix}`))
    t.is(first.status, 0, first.stderr)
    // The run's files are all migrated: only the backup holds the original.
    const before = snapshot(root)
    const dir = path.join(root, 'etc/apache2/sites-available')
    const cases: Array<[string[], RegExp]> = [
      [['--dry-run', '--patch', path.join(dir, `kallithea.conf${suffix}`)], new RegExp(`that is etc/apache2/sites-available/kallithea\\.conf${suffix.replace('.', '\\.')}, a backup wsgi-migrate made \\(listed in \\.wsgi-migrate-backups\\); write it elsewhere`)],
      [['--summary', path.join(dir, '.wsgi-migrate-backups')], /that is etc\/apache2\/sites-available\/\.wsgi-migrate-backups, the list of backups wsgi-migrate made in that folder/],
      [['--check', '--patch', path.join(dir, '.kallithea.conf.wsgi-migrate-999999999-0123456789ab.tmp')], /that is .*\.tmp, a temporary file of wsgi-migrate/],
    ]
    for (const [args, message] of cases) {
      const r = await runCli(on(root, ...args))
      t.is(r.status, 2, args.join(' '))
      t.regex(r.stderr, message)
      same(t, before, snapshot(root))
    }
    // The record still names the backup: a later write leaves it alone.
    const second = await runCli(on(root, `--backup=${suffix}`))
    t.is(second.status, 0, second.stderr)
    same(t, before, snapshot(root))
  }
})

test('-orig and _bak backups are known by the record, not by their name: without its line, the file is an ordinary file', async (t) => {
  for (const suffix of ['-orig', '_bak']) {
    const root = tree(debianTree())
    const first = await runCli(on(root, `--backup=${suffix}`))
    t.is(first.status, 0, first.stderr)
    const backup = `${SITE}${suffix}`
    const json = JSON.parse((await runCli(on(root, '--dry-run', '--json'))).stdout) as { files: Array<{ path: string }>; skipped: Array<{ path: string; code: string }> }
    t.deepEqual(json.skipped.filter((s) => s.path === backup).map((s) => s.code), ['artifact'])
    t.false(json.files.some((f) => f.path === backup))
    // Delete its line: the same file is read (and would be migrated) like any other.
    writeFileSync(path.join(root, 'etc/apache2/sites-available/.wsgi-migrate-backups'), '')
    const after = JSON.parse((await runCli(on(root, '--dry-run', '--json'))).stdout) as typeof json
    t.deepEqual(after.skipped.filter((s) => s.path === backup), [])
    t.true(after.files.some((f) => f.path === backup), `${backup} is read once the record no longer names it`)
  }
})

/** The site as a plain file in sites-enabled/ (no symlink): its backups land where `*.conf` reads. */
function siteInSitesEnabled(): Record<string, Entry> {
  const entries = debianTree()
  delete entries['etc/apache2/sites-available/kallithea.conf']
  entries['etc/apache2/sites-enabled/kallithea.conf'] = SITE_0_3_1
  return entries
}

test('a backup suffix that an Include of the run would read (--backup=.conf in sites-enabled/) is refused before anything is written', async (t) => {
  const root = tree(siteInSitesEnabled())
  const before = snapshot(root)
  const r = await runCli(on(root, '--backup=.conf'))
  t.is(r.status, 2, r.stderr)
  t.is(r.stderr, 'wsgi-migrate: --backup=.conf: the backup etc/apache2/sites-enabled/kallithea.conf.conf would be read by Apache as config (IncludeOptional sites-enabled/*.conf at etc/apache2/apache2.conf:42), next to the file it backs up; choose a suffix that Include does not match, such as .orig (nothing was written)\n')
  same(t, before, snapshot(root))
  const json = JSON.parse((await runCli(on(root, '--backup=.conf', '--json'))).stdout) as { exitCode: number; errors: Array<{ code: string }> }
  t.like(json, { exitCode: 2, errors: [{ code: 'usage' }] })
  same(t, before, snapshot(root))
  // A suffix *.conf does not match is fine.
  const orig = await runCli(on(root, '--backup=.conf-orig'))
  t.is(orig.status, 0, orig.stderr)
  t.deepEqual(readFileSync(path.join(root, 'etc/apache2/sites-enabled/kallithea.conf.conf-orig')), before.get('etc/apache2/sites-enabled/kallithea.conf')?.bytes)
})

test('a backup or temporary file of ours that an Include reads: the note says Apache reads it, and through which Include', async (t) => {
  const root = tree(debianTree())
  const first = await runCli(on(root, '--backup=.conf'))
  t.is(first.status, 0, first.stderr)
  // Later, sites-available/ is included instead of sites-enabled/, and a killed run left a temporary file in conf.d/.
  rmSync(path.join(root, 'etc/apache2/sites-enabled'), { recursive: true })
  const conf = path.join(root, 'etc/apache2/apache2.conf')
  writeFileSync(conf, `${readFileSync(conf, 'utf8')}IncludeOptional sites-available/*.conf\nInclude conf.d/\n`)
  addToTree(root, { 'etc/apache2/conf.d/.site.conf.wsgi-migrate-999999999-0123456789ab.tmp': 'WSGIDaemonProcess kallithea\n' })
  const r = await runCli(on(root, '--dry-run'))
  t.is(r.status, 0, r.stderr)
  t.true(
    r.stderr.includes(
      'not read: 2 files wsgi-migrate made that Apache reads as config: etc/apache2/sites-available/kallithea.conf.conf (etc/apache2/apache2.conf:43:1), ' +
        'etc/apache2/conf.d/.site.conf.wsgi-migrate-999999999-0123456789ab.tmp (etc/apache2/apache2.conf:44:1); through the Include named after each',
    ),
    r.stderr,
  )
  const json = JSON.parse((await runCli(on(root, '--dry-run', '--json'))).stdout) as { skipped: Array<{ path: string; reason: string }> }
  const note = json.skipped.find((s) => s.path === 'etc/apache2/sites-available/kallithea.conf.conf' && s.reason.includes('Apache reads it'))
  t.regex(note?.reason ?? '', /; but Apache reads it as config through IncludeOptional sites-available\/\*\.conf: move it out of there, or delete it$/)
})

test('an internal error is one line; WSGI_MIGRATE_DEBUG=1 shows the stack', async (t) => {
  // Its modWsgi getter throws where nothing expects it to: in the middle of --list.
  const dir = tree({ 'getter.mjs': "export default { meta: { id: 'x', version: '0.3.2', title: 'x', messages: {}, get modWsgi() { throw new Error('boom\\nsecond line') } }, create() {} }\n" })
  const r = await runCli(['--list', '-t', path.join(dir, 'getter.mjs')])
  t.is(r.status, 2)
  t.is(r.stderr, 'wsgi-migrate: internal error: boom\\nsecond line (please report it with the command line used; WSGI_MIGRATE_DEBUG=1 shows where)\n')
  const debug = await runCli(['--list', '-t', path.join(dir, 'getter.mjs')], { env: { WSGI_MIGRATE_DEBUG: '1' } })
  t.is(debug.status, 2)
  t.regex(debug.stderr, /^wsgi-migrate: internal error: Error: boom\nsecond line\n\s+at /)
})
