// A process that rewrites every `*.conf` file of a folder (appending a line) and sends itself a
// real signal midway: `node --import=tsx write-child.ts DIR SIGNAL AT`. AT is the number of
// files renamed before the signal, or `prepare` (after the temporary files are made, before the
// first rename). Prints the outcome as JSON on stdout.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { WriteError, writeFilesAtomically } from '../../src/runner/write.js'

const [dir, signal, at] = process.argv.slice(2) as [string, NodeJS.Signals, string]
const files = readdirSync(dir).filter((name) => name.endsWith('.conf')).sort().map((name) => join(dir, name))
const writes = files.map((path) => {
  const expected = readFileSync(path)
  return { path, expected, content: Buffer.concat([expected, Buffer.from('WSGIRestrictEmbedded On\n')]) }
})
const pause = () => new Promise((resolve) => setTimeout(resolve, 20))
let renames = 0
const stop = async () => {
  process.kill(process.pid, signal)
  await pause() // the signal arrives while the write goes on
}
try {
  const result = await writeFilesAtomically(writes, {
    root: dir,
    backup: true,
    beforeCommit: at === 'prepare' ? stop : undefined,
    hooks: { beforeRename: async () => (String(renames++) === at ? stop() : undefined) },
  })
  process.stdout.write(JSON.stringify({ written: result.written.length }))
} catch (error) {
  const e = error as WriteError
  process.stdout.write(JSON.stringify({ code: e.code, signal: e.signal, detail: e.detail, written: e.written.length }))
}
