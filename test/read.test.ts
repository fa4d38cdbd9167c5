// The loader's reading primitive: inside the root, no symlink swapped in after the scan, a size
// limit, UTF-16 named as such, unreadable files and special files as one clear line.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_MAX_SIZE, ReadError, formatSize, parseSize, readConfigFile, unreadableReason, wideEncoding } from '../src/load/read.js'
import { ensureBuilt, projectDir } from './helpers/tree.js'

function sandbox(t: { teardown: (fn: () => void) => void }): { root: string; outside: string } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'wsgi-migrate-read-')))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  mkdirSync(join(base, 'root/sites-available'), { recursive: true })
  mkdirSync(join(base, 'outside'))
  writeFileSync(join(base, 'outside/secret.conf'), 'Include /etc/shadow\n')
  return { root: join(base, 'root'), outside: join(base, 'outside') }
}

function refusal(t: { throws: (fn: () => unknown, e: object) => unknown }, fn: () => unknown): ReadError {
  return t.throws(fn, { instanceOf: ReadError }) as ReadError
}

test('reads a file inside the root, through a symlink inside the root too', (t) => {
  const { root } = sandbox(t)
  const site = join(root, 'sites-available/k.conf')
  writeFileSync(site, 'ServerName k\r\ncaf\xe9\n', 'latin1')
  symlinkSync('sites-available/k.conf', join(root, 'k.conf'))
  for (const path of [site, join(root, 'k.conf')]) {
    const { real, bytes } = readConfigFile(path, { root })
    t.is(real, site)
    t.deepEqual(bytes, Buffer.from('ServerName k\r\ncaf\xe9\n', 'latin1'))
  }
  writeFileSync(join(root, 'empty.conf'), '')
  t.is(readConfigFile(join(root, 'empty.conf'), { root }).bytes.length, 0)
})

test('a symlink leaving the root is not read', (t) => {
  const { root, outside } = sandbox(t)
  symlinkSync(join(outside, 'secret.conf'), join(root, 'evil.conf'))
  const error = refusal(t, () => readConfigFile(join(root, 'evil.conf'), { root }))
  t.is(error.code, 'EOUTSIDE')
  t.is(error.message, `${join(root, 'evil.conf')}: leads outside the root ${root} (-> ${join(outside, 'secret.conf')}); not read`)
})

test('a file swapped for a symlink after the scan (between the check and the open) is not read', (t) => {
  const { root, outside } = sandbox(t)
  const site = join(root, 'site.conf')
  writeFileSync(site, 'ServerName k\n')
  const swap = () => {
    unlinkSync(site)
    symlinkSync(join(outside, 'secret.conf'), site)
  }
  const error = refusal(t, () => readConfigFile(site, { root, hooks: { beforeOpen: swap } }))
  t.is(error.code, 'ESWAPPED')
  t.is(error.detail, 'was replaced by a symlink after the scan; not read: re-run')
})

test('a folder swapped for a symlink leaving the root after the scan is not read', (t) => {
  const { root, outside } = sandbox(t)
  const site = join(root, 'sites-available/secret.conf')
  writeFileSync(site, 'ServerName k\n')
  const swap = () => {
    renameSync(join(root, 'sites-available'), join(root, 'moved'))
    symlinkSync(outside, join(root, 'sites-available'))
  }
  const error = refusal(t, () => readConfigFile(site, { root, hooks: { beforeOpen: swap } }))
  t.is(error.code, 'EOUTSIDE')
  t.regex(error.detail, /^leads outside the root .* \(-> .*\/outside\/secret\.conf\); not read$/)
})

test('a file over the size limit is "too large", before it is read', (t) => {
  const { root } = sandbox(t)
  const big = join(root, 'big.conf')
  writeFileSync(big, '')
  truncateSync(big, DEFAULT_MAX_SIZE + 1) // sparse: nothing is written, nothing read
  const error = refusal(t, () => readConfigFile(big, { root }))
  t.is(error.code, 'ETOOLARGE')
  t.is(error.detail, 'too large (64.0 MiB, over the 64 MiB limit; Apache configs are small): leave it out, or raise the limit with --max-size')
  truncateSync(big, 3 * 1024 * 1024 * 1024)
  t.regex(refusal(t, () => readConfigFile(big, { root })).detail, /^too large \(3 GiB, over the 64 MiB limit;/)
  writeFileSync(big, '0123456789')
  t.is(readConfigFile(big, { root, maxSize: 10 }).bytes.toString(), '0123456789')
  t.is(refusal(t, () => readConfigFile(big, { root, maxSize: 9 })).detail, 'too large (10 bytes, over the 9 bytes limit; Apache configs are small): leave it out, or raise the limit with --max-size')
})

test('UTF-16 (with or without a byte order mark) is named: Apache cannot read it', (t) => {
  const { root } = sandbox(t)
  const text = 'ServerName k\nWSGIScriptAlias / /srv/k/dispatch.wsgi\n'
  const le = Buffer.from(text, 'utf16le')
  const be = Buffer.from(le).swap16()
  const cases: Array<[string, Buffer, string]> = [
    ['le-bom.conf', Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'UTF-16LE'],
    ['be-bom.conf', Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'UTF-16BE'],
    ['le.conf', le, 'UTF-16LE'],
    ['be.conf', be, 'UTF-16BE'],
  ]
  for (const [name, bytes, encoding] of cases) {
    writeFileSync(join(root, name), bytes)
    const error = refusal(t, () => readConfigFile(join(root, name), { root }))
    t.is(error.code, 'EUTF16', name)
    t.is(error.detail, `is ${encoding}; Apache cannot read UTF-16: save it as UTF-8`)
  }
  // A stray NUL, Latin-1, a UTF-8 BOM: ordinary 8-bit files.
  for (const bytes of [Buffer.from('ServerName k\0x\n'), Buffer.from('caf\xe9\n', 'latin1'), Buffer.from('\ufeffServerName k\n'), Buffer.from('\0\0')]) {
    t.is(wideEncoding(bytes), null, JSON.stringify(bytes.toString('latin1')))
  }
})

test('a directory, a FIFO, a missing file: one clear line each, and a FIFO does not hang', (t) => {
  const { root } = sandbox(t)
  t.is(refusal(t, () => readConfigFile(join(root, 'sites-available'), { root })).detail, 'is a directory, not a file; name it as a folder to scan, or leave it out')
  t.is(spawnSync('mkfifo', [join(root, 'fifo.conf')]).status, 0)
  const fifo = refusal(t, () => readConfigFile(join(root, 'fifo.conf'), { root }))
  t.is(fifo.code, 'ENOTFILE')
  t.is(fifo.detail, 'not a regular file (a FIFO, socket or device); not read')
  const missing = refusal(t, () => readConfigFile(join(root, 'gone.conf'), { root }))
  t.is(missing.code, 'ENOENT')
  t.is(missing.detail, 'does not exist')
})

test('an unreadable file and an unreadable directory: permission denied, one line', (t) => {
  const { root } = sandbox(t)
  chmodSync(join(root, '..'), 0o755)
  chmodSync(root, 0o755)
  writeFileSync(join(root, 'locked.conf'), 'ServerName k\n', { mode: 0o600 })
  mkdirSync(join(root, 'locked'), { mode: 0o700 })
  writeFileSync(join(root, 'locked/inner.conf'), 'ServerName k\n')
  const isRoot = process.getuid?.() === 0
  // Root reads everything: the check runs as nobody then.
  ensureBuilt()
  const script = `
    import { readConfigFile } from ${JSON.stringify(join(projectDir, 'dist/src/load/read.js'))}
    import { readdirSync } from 'node:fs'
    import { unreadableReason } from ${JSON.stringify(join(projectDir, 'dist/src/load/read.js'))}
    const out = []
    try { readConfigFile(${JSON.stringify(join(root, 'locked.conf'))}, { root: ${JSON.stringify(root)} }) } catch (e) { out.push(e.code + ' ' + e.detail) }
    try { readdirSync(${JSON.stringify(join(root, 'locked'))}) } catch (e) { out.push(unreadableReason(e, 'directory')) }
    process.stdout.write(JSON.stringify(out))`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
  })
  t.is(child.status, 0, child.stderr)
  t.deepEqual(JSON.parse(child.stdout), [
    'EACCES cannot read the file: permission denied; check its permissions, or leave it out',
    'cannot read the directory: permission denied; check its permissions, or leave it out',
  ])
})

test('--max-size values', (t) => {
  t.is(parseSize('64M'), 64 * 1024 * 1024)
  t.is(parseSize('64MiB'), 64 * 1024 * 1024)
  t.is(parseSize('512k'), 512 * 1024)
  t.is(parseSize('1G'), 1024 ** 3)
  t.is(parseSize('1.5m'), 1.5 * 1024 * 1024)
  t.is(parseSize('1000'), 1000)
  t.is(parseSize('10b'), 10)
  for (const bad of ['', '0', '-1', 'M', '1T', 'lots', '1e9', '0.1']) t.is(parseSize(bad), null, bad)
  t.is(formatSize(DEFAULT_MAX_SIZE), '64 MiB')
  t.is(formatSize(1536), '1.5 KiB')
  t.is(formatSize(1), '1 byte')
  t.is(unreadableReason(Object.assign(new Error('x'), { code: 'EIO' }), 'file'), 'cannot read the file: input/output error (a failing disk?)')
})
