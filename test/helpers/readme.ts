// The README's code blocks, and its shell snippets run as printed: a `wsgi-migrate` on PATH that
// is this checkout's built CLI, and /bin/sh.
import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { cliPath, ensureBuilt, projectDir } from './tree.js'

/** A fenced code block of README.md. */
export interface ReadmeBlock {
  /** The info string: `sh`, `ts`, `diff`, '' for none. */
  lang: string
  /** The block's lines, each ending in `\n`. */
  text: string
  /** The heading line it is under (`## On a server`). */
  heading: string
  /** 1-based line of the opening fence. */
  line: number
  /** The text between the previous block (or the heading) and this one. */
  prose: string
}

/** Every fenced block of README.md, in order, with the heading it is under. */
export function readmeBlocks(readme = readFileSync(path.join(projectDir, 'README.md'), 'utf8')): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = []
  const lines = readme.split('\n')
  let heading = ''
  let prose: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const fence = /^```(\S*)\s*$/.exec(line)
    if (fence) {
      const end = lines.findIndex((l, j) => j > i && l === '```')
      if (end === -1) throw new Error(`README.md:${i + 1}: a code block that is never closed`)
      blocks.push({ lang: fence[1] as string, text: lines.slice(i + 1, end).map((l) => `${l}\n`).join(''), heading, line: i + 1, prose: prose.join('\n') })
      prose = []
      i = end
    } else if (/^#{1,6} /.test(line)) {
      heading = line
      prose = []
    } else prose.push(line)
  }
  return blocks
}

/** The `n`th ```sh block under the README heading `heading` (a whole line, e.g. `## On a server`). */
export function readmeBlock(heading: string, n = 0): string {
  const block = readmeBlocks().filter((b) => b.heading === heading && b.lang === 'sh')[n]
  if (!block) throw new Error(`README.md: no sh block #${n} under ${JSON.stringify(heading)}`)
  return block.text
}

/** A snippet's commands: its lines that are neither blank nor comments, without a trailing `# comment`. */
export const commandsOf = (snippet: string): string[] =>
  snippet.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).map((l) => l.replace(/\s+#\s.*$/, ''))

/**
 * Make `dir` a user's ES module project with this package installed: `"type": "module"`, and
 * node_modules/wsgi-migrate a link to the checkout (its package.json exports, dist/ as built).
 */
export function linkPackage(dir: string): string {
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n')
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true })
  symlinkSync(projectDir, path.join(dir, 'node_modules', 'wsgi-migrate'))
  return dir
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

/**
 * Run `script` with /bin/sh in `cwd`, `bin` first on PATH (default: a folder whose `wsgi-migrate`
 * is this checkout's CLI). The environment is a user's: no npm_* variables of `npm test`.
 */
export function shell(script: string, options: { cwd: string; env?: Record<string, string>; bin?: string }): Promise<ShellRun> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))
  const env = { ...inherited, NO_COLOR: '', ...options.env, PATH: `${options.bin ?? shimDir()}${path.delimiter}${process.env.PATH ?? ''}` }
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
