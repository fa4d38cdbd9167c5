// What the tool leaves beside configs: backups recorded per folder whatever their suffix,
// temporary files known by name and told stale once their process is gone.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BACKUP_RECORD, artifactFilter, isStaleTemporary, recordBackups, removeStaleTemporaries, temporaryName, temporaryOwner } from '../src/runner/artifacts.js'
import { parse } from '../src/syntax/parse.js'

function sandbox(t: { teardown: (fn: () => void) => void }): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wsgi-migrate-artifacts-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The id of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

test('backups are recorded by name and bytes; any suffix; a file the user put there later is not ours', (t) => {
  const dir = sandbox(t)
  const names = ['a.conf-orig', 'b.conf_bak', 'c.conf.conf', 'odd "name"\nwith a newline\\']
  for (const name of names) writeFileSync(join(dir, name), `original of ${name}\n`)
  const undo = recordBackups(dir, names.map((name) => ({ path: join(dir, name), bytes: Buffer.from(`original of ${name}\n`) })))
  const isOurs = artifactFilter()
  for (const name of names) t.is(isOurs(join(dir, name))?.kind, 'backup', name)
  t.is(isOurs(join(dir, BACKUP_RECORD))?.kind, 'record')
  t.is(isOurs(join(dir, 'a.conf')), null)

  // Apache reading the record through a directory Include sees comments only.
  const record = readFileSync(join(dir, BACKUP_RECORD))
  const tree = parse(record, { path: BACKUP_RECORD })
  t.deepEqual(tree.data.diagnostics, [])
  t.true(tree.children.every((node) => node.type === 'comment' || node.type === 'blank'))

  writeFileSync(join(dir, 'b.conf_bak'), 'the user wrote this file later\n')
  t.is(artifactFilter()(join(dir, 'b.conf_bak')), null)
  // A later record drops entries whose file holds other bytes; its undo puts the record back.
  const undoLater = recordBackups(dir, [])
  t.notRegex(readFileSync(join(dir, BACKUP_RECORD), 'utf8'), /b\.conf_bak/)
  t.regex(readFileSync(join(dir, BACKUP_RECORD), 'utf8'), /a\.conf-orig/)
  undoLater()
  t.deepEqual(readFileSync(join(dir, BACKUP_RECORD)), record)
  undo()
  t.false(existsSync(join(dir, BACKUP_RECORD)), 'the first record made the file: its undo removes it')
})

test('temporary files: named with the pid, hidden, stale only once their process is gone', (t) => {
  const dir = sandbox(t)
  const mine = temporaryName(join(dir, 'site.conf'))
  t.regex(mine, /\/\.site\.conf\.wsgi-migrate-\d+-[0-9a-f]{12}\.tmp$/)
  t.is(temporaryOwner(mine), process.pid)
  t.false(isStaleTemporary(mine))
  const dead = join(dir, `.site.conf.wsgi-migrate-${deadPid()}-0123456789ab.tmp`)
  t.true(isStaleTemporary(dead))
  t.is(temporaryOwner(join(dir, 'site.conf.tmp')), null)
  writeFileSync(mine, 'in progress\n')
  writeFileSync(dead, 'left by kill -9\n')
  writeFileSync(join(dir, 'site.conf'), 'ServerName k\n')
  const isOurs = artifactFilter()
  t.like(isOurs(mine), { kind: 'temporary', stale: false })
  t.like(isOurs(dead), { kind: 'temporary', stale: true })
  t.deepEqual(removeStaleTemporaries(dir), [dead])
  t.deepEqual(readdirSync(dir).sort(), [mine.slice(dir.length + 1), 'site.conf'].sort())
})
