// The README's shell snippets, run as printed: a `wsgi-migrate` on PATH that is this checkout's
// built CLI, and /bin/sh.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { cliPath, ensureBuilt, projectDir } from './tree.js'

/** The first ```sh block after the README heading `heading` (a whole line, e.g. `## On a server`). */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(path.join(projectDir, 'README.md'), 'utf8')
  const at = readme.split('\n').indexOf(heading)
  if (at === -1) throw new Error(`README.md has no heading ${JSON.stringify(heading)}`)
  const rest = readme.split('\n').slice(at + 1).join('\n')
  const m = /^```sh\n([\s\S]*?)^```$/m.exec(rest)
  if (!m) throw new Error(`README.md: no sh block after ${heading}`)
  return m[1] as string
}

let binDir: string | undefined

/** A folder holding `wsgi-migrate`, which runs this checkout's dist/cli.js. */
function shimDir(): string {
  if (binDir !== undefined) return binDir
  ensureBuilt()
  binDir = mkdtempSync(path.join(tmpdir(), 'wsgi-migrate-bin-'))
  const shim = path.join(binDir, 'wsgi-migrate')
  writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"\n`)
  chmodSync(shim, 0o755)
  return binDir
}

export interface ShellRun {
  status: number | null
  stdout: string
  stderr: string
}

/** Run `script` with /bin/sh in `cwd`, `wsgi-migrate` first on PATH. */
export function shell(script: string, options: { cwd: string; env?: Record<string, string> }): Promise<ShellRun> {
  const env = { ...process.env, NO_COLOR: '', ...options.env, PATH: `${shimDir()}${path.delimiter}${process.env.PATH ?? ''}` }
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}
