// A process that rewrites every `*.conf` file of a folder (appending a line) and sends itself a
// real signal midway: `node --import=tsx write-child.ts DIR SIGNAL AT`. AT is the number of
// files renamed before the signal, `prepare` (after the temporary files are made, before the
// first rename), or `link:N` (SIGKILL only: file N's original just kept as a second link, not
// yet replaced). Prints the outcome as JSON on stdout.
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
let links = 0
/** Killed inside the commit's synchronous step: nothing after the kill may run. */
const killNow = () => {
  process.kill(process.pid, 'SIGKILL')
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000)
}
try {
  const result = await writeFilesAtomically(writes, {
    root: dir,
    backup: true,
    beforeCommit: at === 'prepare' ? stop : undefined,
    hooks: {
      beforeRename: async () => (String(renames++) === at ? stop() : undefined),
      afterLink: () => (`link:${links++}` === at ? killNow() : undefined),
    },
  })
  process.stdout.write(JSON.stringify({ written: result.written.length }))
} catch (error) {
  const e = error as WriteError
  process.stdout.write(JSON.stringify({ code: e.code, signal: e.signal, detail: e.detail, written: e.written.length }))
}
