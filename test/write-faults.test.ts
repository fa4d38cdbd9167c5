// The writer under attack and under faults: symlink and folder swaps between the read and the
// write, edits made during the commit, real signals on thousands of files, kill -9 leftovers.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { artifactFilter } from '../src/runner/artifacts.js'
import { WriteError, writeFilesAtomically, type FileWrite } from '../src/runner/write.js'
import { projectDir } from './helpers/tree.js'

const bin = (s: string) => Buffer.from(s, 'latin1')

/** A fresh folder (on tmpfs when there is one: thousands of fsyncs are cheap there). */
function sandbox(t: { teardown: (fn: () => void) => void }, base = tmpdir()): string {
  const dir = realpathSync(mkdtempSync(join(base, 'wsgi-migrate-faults-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function put(path: string, content: string): FileWrite {
  writeFileSync(path, content)
  return { path, expected: bin(content), content: bin(content.toUpperCase()) }
}

/** Every name in `dir`, hidden ones included, sorted. */
const names = (dir: string) => readdirSync(dir).sort()

test('a file swapped for a symlink to a file outside the root after the read is not written', async (t) => {
  const base = sandbox(t)
  const root = join(base, 'root')
  const outside = join(base, 'outside')
  mkdirSync(root)
  mkdirSync(outside)
  const a = put(join(root, 'a.conf'), 'a\n')
  const b = put(join(root, 'b.conf'), 'b\n')
  // Between the loader's read and the write: same bytes outside, and the config now points there.
  writeFileSync(join(outside, 'secret'), 'b\n')
  const inode = statSync(join(outside, 'secret')).ino
  unlinkSync(b.path)
  symlinkSync(join(outside, 'secret'), b.path)
  const error = await t.throwsAsync(writeFilesAtomically([a, b], { root }), { instanceOf: WriteError })
  t.is(error?.code, 'EOUTSIDE')
  t.is(error?.path, b.path)
  t.is(error?.message, `${b.path}: leads outside the root ${root} (-> ${join(outside, 'secret')}); not written`)
  t.is(statSync(join(outside, 'secret')).ino, inode, 'the file outside is not replaced')
  t.deepEqual(names(outside), ['secret'])
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(names(root), ['a.conf', 'b.conf'])
})

test('a folder swapped for a symlink leaving the root during the commit: refused, all put back', async (t) => {
  const base = sandbox(t)
  const root = join(base, 'root')
  const outside = join(base, 'outside')
  mkdirSync(join(root, 'conf.d'), { recursive: true })
  mkdirSync(outside)
  const a = put(join(root, 'a.conf'), 'a\n')
  const b = put(join(root, 'conf.d/b.conf'), 'b\n')
  writeFileSync(join(outside, 'b.conf'), 'b\n')
  const inode = statSync(join(outside, 'b.conf')).ino
  const error = await t.throwsAsync(
    writeFilesAtomically([a, b], {
      root,
      hooks: {
        beforeRename: (path) => {
          if (path !== b.path) return
          renameSync(join(root, 'conf.d'), join(root, 'conf.d.moved'))
          symlinkSync(outside, join(root, 'conf.d'))
        },
      },
    }),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'EOUTSIDE')
  t.regex(error?.message ?? '', /now leads outside the root .*; not written; nothing was changed \(1 file\(s\) put back\)$/)
  t.is(statSync(join(outside, 'b.conf')).ino, inode)
  t.deepEqual(names(outside), ['b.conf'], 'no temporary file or link made outside')
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(join(root, 'conf.d.moved/b.conf')), bin('b\n'))
  // The new content's temporary file is in the moved folder now, where the clean-up cannot find
  // it: it is known as ours (never read) and removed by a later run once this process is gone.
  const isOurs = artifactFilter()
  t.deepEqual(names(join(root, 'conf.d.moved')).filter((name) => isOurs(join(root, 'conf.d.moved', name)) === null), ['b.conf'])
})

test('a file outside the root is refused before anything is written', async (t) => {
  const base = sandbox(t)
  mkdirSync(join(base, 'root'))
  const a = put(join(base, 'root/a.conf'), 'a\n')
  const b = put(join(base, 'b.conf'), 'b\n')
  const error = await t.throwsAsync(writeFilesAtomically([a, b], { root: join(base, 'root') }), { instanceOf: WriteError })
  t.is(error?.code, 'EOUTSIDE')
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(readFileSync(b.path), bin('b\n'))
})

test('each file is checked right before its own rename: an edit made to a later file during the commit is kept', async (t) => {
  const dir = sandbox(t)
  const files = ['a', 'b', 'c'].map((n) => put(join(dir, `${n}.conf`), `${n}\n`))
  const error = await t.throwsAsync(
    writeFilesAtomically(files, {
      hooks: { beforeRename: (path) => (path === files[0]!.path ? writeFileSync(files[2]!.path, 'c edited during the commit\n') : undefined) },
    }),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'ECHANGED')
  t.is(error?.path, files[2]!.path)
  t.is(error?.detail, 'changed on disk since it was read; re-run; nothing was changed (2 file(s) put back)')
  t.deepEqual(readFileSync(files[0]!.path), bin('a\n'))
  t.deepEqual(readFileSync(files[1]!.path), bin('b\n'))
  t.deepEqual(readFileSync(files[2]!.path), bin('c edited during the commit\n'))
  t.deepEqual(names(dir), ['a.conf', 'b.conf', 'c.conf'])
})

test('an AbortSignal aborted during the commit stops it as a signal does: all put back, the reason given', async (t) => {
  const dir = sandbox(t)
  const files = ['a', 'b', 'c'].map((n) => put(join(dir, `${n}.conf`), `${n}\n`))
  const controller = new AbortController()
  const error = await t.throwsAsync(
    writeFilesAtomically(files, {
      backup: true,
      abort: controller.signal,
      hooks: { beforeRename: (path) => (path === files[2]!.path ? controller.abort('a timer threw') : undefined) },
    }),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'EABORT')
  t.is(error?.detail, 'stopped: a timer threw; nothing was changed (2 file(s) put back)')
  for (const f of files) t.deepEqual(readFileSync(f.path), f.expected)
  t.deepEqual(names(dir), ['a.conf', 'b.conf', 'c.conf'], 'no temporary file, backup or record left')
})

test('a file replaced by a symlink inside the root during the commit is not written through', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  const b = put(join(dir, 'b.conf'), 'b\n')
  writeFileSync(join(dir, 'other'), 'b\n')
  const error = await t.throwsAsync(
    writeFilesAtomically([a, b], {
      root: dir,
      hooks: {
        beforeRename: (path) => {
          if (path !== b.path) return
          unlinkSync(b.path)
          symlinkSync('other', b.path)
        },
      },
    }),
    { instanceOf: WriteError },
  )
  t.is(error?.code, 'ECHANGED')
  t.true(lstatSync(b.path).isSymbolicLink())
  t.deepEqual(readFileSync(join(dir, 'other')), bin('b\n'))
  t.deepEqual(readFileSync(a.path), bin('a\n'))
})

test('backups and temporary files of ours are never overwritten, whatever the suffix', async (t) => {
  const dir = sandbox(t)
  for (const suffix of ['-orig', '_bak', '.conf']) {
    const site = put(join(dir, `site${suffix}.x.conf`), 'old\n')
    const result = await writeFilesAtomically([site], { backupSuffix: suffix })
    t.deepEqual(result.backups, [site.path + suffix])
    const isOurs = artifactFilter()
    t.is(isOurs(site.path + suffix)?.kind, 'backup', suffix)
    t.is(isOurs(site.path), null)
    // The next run read the backup as a config and wants to migrate it: refused.
    const again = { path: site.path + suffix, expected: bin('old\n'), content: bin('OLD\n') }
    const error = await t.throwsAsync(writeFilesAtomically([again]), { instanceOf: WriteError })
    t.is(error?.code, 'EARTIFACT', suffix)
    t.is(error?.message, `${site.path + suffix}: is a backup made by wsgi-migrate; never overwritten`)
    t.deepEqual(readFileSync(site.path + suffix), bin('old\n'))
  }
  const temp = put(join(dir, '.a.conf.wsgi-migrate-1-0123456789ab.tmp'), 'x\n')
  t.is((await t.throwsAsync(writeFilesAtomically([temp]), { instanceOf: WriteError }))?.code, 'EARTIFACT')
})

test('a backup that would be a file of the same run is refused', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a'), 'same\n')
  const b = put(join(dir, 'a.conf'), 'same\n')
  const error = await t.throwsAsync(writeFilesAtomically([a, b], { backupSuffix: '.conf' }), { instanceOf: WriteError })
  t.is(error?.code, 'EBACKUP')
  t.deepEqual(names(dir), ['a', 'a.conf'])
})

test('an output that fails in beforeCommit stops the write: nothing changed, backups and records removed', async (t) => {
  const dir = sandbox(t)
  const a = put(join(dir, 'a.conf'), 'a\n')
  let planned: unknown
  await t.throwsAsync(
    writeFilesAtomically([a], {
      backup: true,
      beforeCommit: (p) => {
        planned = p
        throw new Error('ENOSPC: the report could not be written')
      },
    }),
    { message: 'ENOSPC: the report could not be written' },
  )
  t.deepEqual(planned, { written: [a.path], backups: [a.path + '.orig'] })
  t.deepEqual(readFileSync(a.path), bin('a\n'))
  t.deepEqual(names(dir), ['a.conf'])
})

// ---------------------------------------------------------------------------------------------
// Real signals, a few thousand files

const FILES = 3000
const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()

function manyFiles(t: { teardown: (fn: () => void) => void }): string {
  const dir = sandbox(t, shm)
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `site${String(i).padStart(4, '0')}.conf`), `WSGIDaemonProcess s${i}\n`)
  return dir
}

function runChild(dir: string, signal: string, at: string): { status: number | null; signal: string | null; out: Record<string, unknown> | null } {
  const child = spawnSync(process.execPath, ['--import=tsx', join(projectDir, 'test/helpers/write-child.ts'), dir, signal, at], {
    cwd: projectDir,
    encoding: 'utf8',
  })
  return { status: child.status, signal: child.signal, out: child.stdout ? (JSON.parse(child.stdout) as Record<string, unknown>) : null }
}

const allOriginal = (dir: string) =>
  names(dir).every((name) => !name.endsWith('.conf') || readFileSync(join(dir, name), 'utf8') === `WSGIDaemonProcess s${Number(name.slice(4, 8))}\n`)

for (const [signal, at] of [['SIGINT', '1200'], ['SIGTERM', '2999'], ['SIGHUP', 'prepare']] as const) {
  test(`${signal} ${at === 'prepare' ? 'before the first rename' : `after ${at} of ${FILES} renames`}: all put back, no temporary file, no backup left`, async (t) => {
    const dir = manyFiles(t)
    const before = names(dir)
    const run = runChild(dir, signal, at)
    t.is(run.status, 0, 'the process handled the signal and ended normally')
    t.like(run.out, { code: 'EINTR', signal, written: 0 })
    const putBack = at === 'prepare' ? '' : ` (${Number(at)} file(s) put back)`
    t.is(run.out?.detail, `interrupted by ${signal}; nothing was changed${putBack}`)
    t.true(allOriginal(dir), 'every file has its original bytes')
    t.deepEqual(names(dir), before, 'no temporary files, backups or backup records left')
  })
}

test('kill -9 during the commit: the leftovers are known as ours, never read, and the next write removes them', async (t) => {
  const dir = manyFiles(t)
  const run = runChild(dir, 'SIGKILL', '1500')
  t.is(run.signal, 'SIGKILL')
  const isOurs = artifactFilter()
  const extra = names(dir).filter((name) => !/^site\d{4}\.conf(\.orig)?$/.test(name))
  t.true(extra.length > 1500, `${extra.length} leftovers: new contents not yet renamed, originals kept for a roll-back`)
  for (const name of extra) {
    const kind = isOurs(join(dir, name))
    t.true(kind !== null && (kind.kind === 'record' || (kind.kind === 'temporary' && kind.stale)), name)
  }
  // Every config is whole: either its old or its new bytes.
  for (const name of names(dir).filter((n) => /^site\d{4}\.conf$/.test(n))) {
    t.regex(readFileSync(join(dir, name), 'utf8'), /^WSGIDaemonProcess s\d+\n(WSGIRestrictEmbedded On\n)?$/)
  }
  const first = join(dir, 'site0000.conf')
  const expected = readFileSync(first)
  const result = await writeFilesAtomically([{ path: first, expected, content: Buffer.concat([expected, bin('# again\n')]) }])
  t.is(result.leftovers.length, extra.length - 1, 'every stale temporary file removed (the record stays)')
  t.deepEqual(names(dir).filter((name) => name.includes('wsgi-migrate-') && name.endsWith('.tmp')), [])
})

test('kill -9 between keeping the original as a second link and the rename: the next write removes that link and goes on', async (t) => {
  const dir = manyFiles(t)
  const run = runChild(dir, 'SIGKILL', 'link:1500')
  t.is(run.signal, 'SIGKILL')
  const caught = join(dir, 'site1500.conf')
  t.is(statSync(caught).nlink, 2, 'the file being replaced has its kept link beside it')
  t.is(readFileSync(caught, 'utf8'), 'WSGIDaemonProcess s1500\n', 'not replaced yet')
  const expected = readFileSync(caught)
  const content = Buffer.concat([expected, bin('WSGIRestrictEmbedded On\n')])
  const result = await writeFilesAtomically([{ path: caught, expected, content }], { root: dir })
  t.deepEqual(result.written, [caught])
  t.true(result.leftovers.some((p) => p.startsWith(join(dir, '.site1500.conf.wsgi-migrate-'))), 'its kept link is among the leftovers removed')
  t.deepEqual(readFileSync(caught), content)
  t.is(statSync(caught).nlink, 1)
  t.deepEqual(names(dir).filter((name) => name.includes('wsgi-migrate-') && name.endsWith('.tmp')), [])
})
