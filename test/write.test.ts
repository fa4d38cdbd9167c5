import test from 'ava'
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WriteError, writeFilesAtomically, type FileWrite } from '../src/runner/write.js'

const isRoot = process.getuid?.() === 0
const bin = (s: string) => Buffer.from(s, 'latin1')

function sandbox(t: { teardown: (fn: () => void) => void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wsgi-migrate-write-')))
  t.teardown(() => {
    chmodRecursive(dir)
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

function chmodRecursive(dir: string): void {
  try {
    chmodSync(dir, 0o755)
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) chmodRecursive(join(dir, entry.name))
    }
  } catch {
    // best effort
  }
}

function put(path: string, content: string, mode = 0o644): FileWrite & { original: Buffer } {
  writeFileSync(path, bin(content))
  chmodSync(path, mode)
  return { path, content: Buffer.alloc(0), expected: bin(content), original: bin(content) }
}

/** Every entry below `dir` (relative), sorted. */
function tree(dir: string, prefix = ''): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(prefix + entry.name)
    if (entry.isDirectory()) out.push(...tree(join(dir, entry.name), prefix + entry.name + '/'))
  }
  return out
}

const mode = (path: string) => statSync(path).mode & 0o7777

test('replaces files with exact bytes, keeps their modes, leaves no temporary files', async (t) => {
  const dir = sandbox(t)
  mkdirSync(join(dir, 'conf.d'))
  const a = put(join(dir, 'a.conf'), 'WSGIDaemonProcess k\r\n', 0o640)
  const b = put(join(dir, 'conf.d/b.conf'), 'caf\xe9\nno final newline', 0o600)
  const c = put(join(dir, 'conf.d/c.wsgi'), 'same\n', 0o755)
  const inodeA = statSync(a.path).ino
  const result = await writeFilesAtomically([
    { path: a.path, expected: a.expected, content: bin('WSGIDaemonProcess k threads=1\r\n\xff') },
    { path: b.path, expected: b.expected, content: bin('caf\xe9 cr\xe8me\r\nstill none') },
    { path: c.path, expected: c.expected, content: c.expected },
  ])
  t.deepEqual(result, { written: [a.path, b.path], unchanged: [c.path], backups: [], leftovers: [] })
  t.deepEqual(readFileSync(a.path), bin('WSGIDaemonProcess k threads=1\r\n\xff'))
  t.deepEqual(readFileSync(b.path), bin('caf\xe9 cr\xe8me\r\nstill none'))
  t.deepEqual(readFileSync(c.path), bin('same\n'))
  t.is(mode(a.path), 0o640)
  t.is(mode(b.path), 0o600)
  t.is(mode(c.path), 0o755)
  t.not(statSync(a.path).ino, inodeA, 'replaced by rename, not rewritten in place')
  t.deepEqual(tree(dir), ['a.conf', 'conf.d', 'conf.d/b.conf', 'conf.d/c.wsgi'])
})

test('an empty list and unchanged contents write nothing', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'x\n')
  const before = statSync(a.path)
  t.deepEqual(await writeFilesAtomically([]), { written: [], unchanged: [], backups: [], leftovers: [] })
  t.deepEqual(await writeFilesAtomically([{ path: a.path, expected: a.expected, content: bin('x\n') }], { backup: true }), {
    written: [],
    unchanged: [a.path],
    backups: [],
    leftovers: [],
  })
  t.is(statSync(a.path).ino, before.ino)
  t.deepEqual(tree(dir), ['a.conf'])
})

test('backups: <file>.orig by default, a chosen suffix, same mode', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'old a\r\n', 0o640)
  const b = put(join(dir, 'b.conf'), 'old b\xe9', 0o600)
  const result = await writeFilesAtomically(
    [
      { path: a.path, expected: a.expected, content: bin('new a\r\n') },
      { path: b.path, expected: b.expected, content: bin('new b') },
    ],
    { backup: true },
  )
  t.deepEqual(result, { written: [a.path, b.path], unchanged: [], backups: [a.path + '.orig', b.path + '.orig'], leftovers: [] })
  t.deepEqual(readFileSync(a.path + '.orig'), bin('old a\r\n'))
  t.deepEqual(readFileSync(b.path + '.orig'), bin('old b\xe9'))
  t.is(mode(a.path + '.orig'), 0o640)
  t.is(mode(b.path + '.orig'), 0o600)
  t.deepEqual(readFileSync(a.path), bin('new a\r\n'))

  const c = put(join(dir, 'c.conf'), 'old c\n')
  await writeFilesAtomically([{ path: c.path, expected: c.expected, content: bin('new c\n') }], { backupSuffix: '.bak' })
  t.deepEqual(readFileSync(c.path + '.bak'), bin('old c\n'))
  t.deepEqual(tree(dir), ['.wsgi-migrate-backups', 'a.conf', 'a.conf.orig', 'b.conf', 'b.conf.orig', 'c.conf', 'c.conf.bak'])
})

test('backups: an identical existing backup is kept, a different one is not overwritten', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'old\n')
  writeFileSync(a.path + '.orig', 'old\n')
  t.deepEqual(await writeFilesAtomically([{ path: a.path, expected: a.expected, content: bin('new\n') }], { backup: true }), {
    written: [a.path],
    unchanged: [],
    backups: [],
    leftovers: [],
  })
  const b = put(join(dir, 'b.conf'), 'old b\n')
  writeFileSync(b.path + '.orig', 'the user keeps this\n')
  const c = put(join(dir, 'c.conf'), 'old c\n')
  const error = await t.throwsAsync(
    writeFilesAtomically(
      [
        { path: c.path, expected: c.expected, content: bin('new c\n') },
        { path: b.path, expected: b.expected, content: bin('new b\n') },
      ],
      { backup: true },
    ),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'EBACKUP')
  t.is(error?.path, b.path)
  t.is(
    error?.message,
    `${b.path}: backup ${b.path}.orig already exists with other content; move it away or choose another suffix`,
  )
  t.deepEqual(readFileSync(b.path + '.orig'), bin('the user keeps this\n'))
  t.deepEqual(readFileSync(b.path), bin('old b\n'))
  t.deepEqual(readFileSync(c.path), bin('old c\n'))
  t.deepEqual(tree(dir), ['.wsgi-migrate-backups', 'a.conf', 'a.conf.orig', 'b.conf', 'b.conf.orig', 'c.conf'])
})

test('refuses when a file changed on disk since it was read: nothing is written at all', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  const b = put(join(dir, 'b.conf'), 'b\n')
  writeFileSync(b.path, 'b edited by someone\n')
  const inodeA = statSync(a.path).ino
  const error = await t.throwsAsync(
    writeFilesAtomically(
      [
        { path: a.path, expected: a.expected, content: bin('A\n') },
        { path: b.path, expected: b.expected, content: bin('B\n') },
      ],
      { backup: true },
    ),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'ECHANGED')
  t.is(error?.path, b.path)
  t.is(error?.message, `${b.path}: changed on disk since it was read; re-run`)
  t.deepEqual(error?.written, [])
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.is(statSync(a.path).ino, inodeA)
  t.deepEqual(readFileSync(b.path), bin('b edited by someone\n'))
  t.deepEqual(tree(dir), ['a.conf', 'b.conf'])
})

test('refuses when a file changes between the checks and the renames', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  const b = put(join(dir, 'b.conf'), 'b\n')
  const error = await t.throwsAsync(
    writeFilesAtomically(
      [
        { path: a.path, expected: a.expected, content: bin('A\n') },
        { path: b.path, expected: b.expected, content: bin('B\n') },
      ],
      { backup: true, beforeCommit: () => writeFileSync(b.path, 'b edited meanwhile\n') },
    ),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'ECHANGED')
  t.is(error?.path, b.path)
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(b.path), bin('b edited meanwhile\n'))
  t.deepEqual(tree(dir), ['a.conf', 'b.conf'], 'temporary files and new backups removed')
})

test('refuses a read-only file (no write bit), even as root; nothing is written', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  const b = put(join(dir, 'b.conf'), 'b\n', 0o444)
  const error = await t.throwsAsync(
    writeFilesAtomically([
      { path: a.path, expected: a.expected, content: bin('A\n') },
      { path: b.path, expected: b.expected, content: bin('B\n') },
    ]),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'EREADONLY')
  t.is(error?.path, b.path)
  t.is(error?.message, `${b.path}: file is read-only (mode 0444); not replacing it`)
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(b.path), bin('b\n'))
  t.is(mode(b.path), 0o444)
  t.deepEqual(tree(dir), ['a.conf', 'b.conf'])
})

test('refuses a file in a read-only directory; nothing is written', async (t) => {
  const dir = sandbox(t)
  mkdirSync(join(dir, 'locked'))
  const a = put(join(dir, 'a.conf'), 'a\n')
  const b = put(join(dir, 'locked/b.conf'), 'b\n')
  chmodSync(join(dir, 'locked'), 0o555)
  const error = await t.throwsAsync(
    writeFilesAtomically([
      { path: a.path, expected: a.expected, content: bin('A\n') },
      { path: b.path, expected: b.expected, content: bin('B\n') },
    ]),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'EREADONLY')
  t.is(error?.path, b.path)
  t.is(
    error?.message,
    `${b.path}: directory ${join(dir, 'locked')} is read-only (mode 0555); cannot create the new file next to it`,
  )
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(b.path), bin('b\n'))
  chmodSync(join(dir, 'locked'), 0o755)
  t.deepEqual(tree(dir), ['a.conf', 'locked', 'locked/b.conf'])
})

test('a failure midway puts back the files already replaced', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n', 0o640)
  const b = put(join(dir, 'b.conf'), 'b\n')
  const c = put(join(dir, 'c.conf'), 'c\n')
  const error = await t.throwsAsync(
    writeFilesAtomically(
      [
        { path: a.path, expected: a.expected, content: bin('A\n') },
        { path: b.path, expected: b.expected, content: bin('B\n') },
        { path: c.path, expected: c.expected, content: bin('C\n') },
      ],
      {
        backup: true,
        hooks: {
          beforeRename: (path) => {
            if (path === c.path) throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' })
          },
        },
      },
    ),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'EWRITE')
  t.is(error?.path, c.path)
  t.is(error?.message, `${c.path}: failed: EIO: simulated; nothing was changed (2 file(s) put back)`)
  t.deepEqual(error?.written, [])
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(b.path), bin('b\n'))
  t.deepEqual(readFileSync(c.path), bin('c\n'))
  t.is(mode(a.path), 0o640)
  t.deepEqual(tree(dir), ['a.conf', 'b.conf', 'c.conf'])
})

test('writes through symlinks; the backup goes next to the real file', async (t) => {
  const dir = sandbox(t)
  mkdirSync(join(dir, 'sites-available'))
  mkdirSync(join(dir, 'sites-enabled'))
  const real = put(join(dir, 'sites-available/k.conf'), 'old\n', 0o640)
  const linkPath = join(dir, 'sites-enabled/k.conf')
  symlinkSync('../sites-available/k.conf', linkPath)
  const result = await writeFilesAtomically([{ path: linkPath, expected: real.expected, content: bin('new\n') }], {
    backup: true,
  })
  t.deepEqual(result, { written: [linkPath], unchanged: [], backups: [real.path + '.orig'], leftovers: [] })
  t.true(lstatSync(linkPath).isSymbolicLink())
  t.deepEqual(readFileSync(real.path), bin('new\n'))
  t.deepEqual(readFileSync(real.path + '.orig'), bin('old\n'))
  t.is(mode(real.path), 0o640)
  t.deepEqual(tree(dir), [
    'sites-available',
    'sites-available/.wsgi-migrate-backups',
    'sites-available/k.conf',
    'sites-available/k.conf.orig',
    'sites-enabled',
    'sites-enabled/k.conf',
  ])
})

test('refuses duplicates, missing files, non-files and hard-linked files', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  symlinkSync('a.conf', join(dir, 'alias.conf'))
  const dup = await t.throwsAsync(
    writeFilesAtomically([
      { path: a.path, expected: a.expected, content: bin('A\n') },
      { path: join(dir, 'alias.conf'), expected: a.expected, content: bin('AA\n') },
    ]),
    { instanceOf: WriteError },
  )
  t.is(dup?.code, 'EDUPLICATE')
  t.is(dup?.message, `${join(dir, 'alias.conf')}: same file as ${a.path}`)

  const missing = await t.throwsAsync(
    writeFilesAtomically([{ path: join(dir, 'gone.conf'), expected: bin('x'), content: bin('y') }]),
    { instanceOf: WriteError },
  )
  t.is(missing?.code, 'ENOENT')

  mkdirSync(join(dir, 'adir'))
  const notFile = await t.throwsAsync(
    writeFilesAtomically([{ path: join(dir, 'adir'), expected: bin('x'), content: bin('y') }]),
    { instanceOf: WriteError },
  )
  t.is(notFile?.code, 'ENOTFILE')

  const h = put(join(dir, 'h.conf'), 'h\n')
  linkSync(h.path, join(dir, 'h2.conf'))
  const hard = await t.throwsAsync(
    writeFilesAtomically([{ path: h.path, expected: h.expected, content: bin('H\n') }]),
    { instanceOf: WriteError },
  )
  t.is(hard?.code, 'EHARDLINK')
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(h.path), bin('h\n'))
  t.deepEqual(tree(dir), ['a.conf', 'adir', 'alias.conf', 'h.conf', 'h2.conf'])
})

test('rejects an invalid backup suffix', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  for (const backupSuffix of ['', '/x', 'a\0']) {
    const error = await t.throwsAsync(
      writeFilesAtomically([{ path: a.path, expected: a.expected, content: bin('A\n') }], { backupSuffix }),
      { instanceOf: WriteError },
    )
    t.is(error?.code, 'EINVAL')
  }
  t.deepEqual(readFileSync(a.path), bin('a\n'))
})

test('keeps owner and group (as root)', async (t) => {
  if (!isRoot) {
    t.log('not running as root: chown to other users cannot be tested')
    t.pass()
    return
  }
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n', 0o640)
  chownSync(a.path, 1234, 2345)
  chmodSync(a.path, 0o2640) // setgid bit, which chown would clear: chmod must come after
  await writeFilesAtomically([{ path: a.path, expected: a.expected, content: bin('A\n') }], { backup: true })
  const stats = statSync(a.path)
  t.is(stats.uid, 1234)
  t.is(stats.gid, 2345)
  t.is(stats.mode & 0o7777, 0o2640)
  const backup = statSync(a.path + '.orig')
  t.is(backup.uid, 1234)
  t.is(backup.gid, 2345)
  t.is(backup.mode & 0o7777, 0o2640)
})
