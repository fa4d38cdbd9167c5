// Differential check of two builds: `npm run compare -- <other checkout> [<build>]` runs this
// checkout's CLI (dist/cli.js; or that of <build>) and the other's over every fixture case of this checkout, the corpus, the
// Kallithea docs excerpts, the templates and the examples, and compares what they print: the
// patch, the JSON report, the Markdown summary, the text on stderr and the exit code. A refactor
// must end with "N same, 0 different" (exit 0); anything else is listed, first differing line
// first (exit 1). Both builds read the same temporary copies and write nothing (--dry-run).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FIXTURE_ROOT, readFixtures } from '../../src/testing.js'
import { fixtureFolders } from './fixtures.js'
import { projectDir } from './tree.js'

interface Input {
  name: string
  /** Folder the CLI is run in; the paths are relative to it. */
  cwd: string
  args: string[]
}

interface Output {
  code: string
  stdout: string
  stderr: string
  patch: string
  summary: string
}

/** Every fixture case as a folder of its input files; its options as CLI flags. */
function fixtureInputs(scratch: string): Input[] {
  const out: Input[] = []
  for (const { transform, dir } of fixtureFolders()) {
    for (const c of readFixtures(dir)) {
      const cwd = path.join(scratch, transform.meta.id, c.name)
      for (const f of c.files) {
        mkdirSync(path.dirname(path.join(cwd, f.name)), { recursive: true })
        writeFileSync(path.join(cwd, f.name), f.input)
      }
      const o = c.options
      const flags = [
        ...(o.modWsgi ? ['--mod-wsgi', o.modWsgi] : []),
        ...(o.lang ? ['--lang', o.lang] : []),
        ...(o.allApps ? ['--all-apps'] : []),
      ]
      out.push({ name: `${transform.meta.id}/${c.name}`, cwd, args: [...flags, '--map', `${FIXTURE_ROOT}=.`, '.'] })
    }
  }
  return out
}

/** The shared real inputs: each corpus folder, the docs excerpts, the templates, the examples. */
function treeInputs(): Input[] {
  const folders = [
    ...['fixtures/corpus', 'examples'].flatMap((d) => readdirSync(path.join(projectDir, d), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${d}/${e.name}`)),
    'fixtures/kallithea-docs',
    'fixtures/templates',
  ].filter((d) => existsSync(path.join(projectDir, d)))
  return folders.map((d) => ({ name: d, cwd: projectDir, args: [d] }))
}

/** The runs of one input: the diff with patch and summary files, the JSON report, and --check at the default target. */
const RUNS: Array<{ label: string; args: string[]; files: boolean }> = [
  { label: 'dry-run latest', args: ['--dry-run', '--to', 'latest'], files: true },
  { label: 'json latest', args: ['--dry-run', '--json', '--to', 'latest'], files: false },
  { label: 'check default', args: ['--check', '--no-color'], files: false },
]

function runCli(build: string, input: Input, args: string[], files: string | undefined): Promise<Output> {
  const extra = files ? ['--patch', `${files}.patch`, '--summary', `${files}.md`] : []
  const child = spawn(process.execPath, [path.join(build, 'dist/cli.js'), ...args, ...extra, ...input.args], { cwd: input.cwd, env: { ...process.env, NO_COLOR: '1' } })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => err.push(b))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      const read = (f: string): string => (files && existsSync(f) ? readFileSync(f, 'latin1') : '')
      resolve({
        code: String(code ?? signal),
        stdout: Buffer.concat(out).toString('latin1'),
        // Timings differ from run to run.
        stderr: Buffer.concat(err).toString('latin1').replace(/\d+(?:\.\d+)? ?m?s\b/g, 'T'),
        patch: read(`${files}.patch`),
        summary: read(`${files}.md`),
      })
    })
  })
}

/** The first line where two texts differ, for the listing. */
function firstDifference(a: string, b: string): string {
  const al = a.split('\n')
  const bl = b.split('\n')
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) return `  line ${i + 1}:\n  - ${al[i]}\n  + ${bl[i]}`
  }
  return ''
}

async function main(): Promise<number> {
  const [other, mine = projectDir] = process.argv.slice(2)
  if (!other || ![other, mine].every((d) => existsSync(path.join(d, 'dist/cli.js')))) {
    process.stderr.write('usage: npm run compare -- <checkout of another build> [<checkout of this build>] (each with dist/cli.js built)\n')
    return 2
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'wsgi-migrate-compare-'))
  let same = 0
  let different = 0
  try {
    const inputs = [...fixtureInputs(scratch), ...treeInputs()]
    for (const input of inputs) {
      for (const run of RUNS) {
        const files = (who: string): string | undefined => (run.files ? path.join(scratch, `out-${who}`) : undefined)
        const [a, b] = await Promise.all([runCli(path.resolve(other), input, run.args, files('a')), runCli(path.resolve(mine), input, run.args, files('b'))])
        for (const key of Object.keys(a) as Array<keyof Output>) {
          if (a[key] === b[key]) same++
          else {
            different++
            process.stdout.write(`DIFF ${input.name} ${run.label} ${key}\n${firstDifference(a[key], b[key])}\n`)
          }
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  process.stdout.write(`${same} same, ${different} different\n`)
  return different === 0 ? 0 : 1
}

process.exitCode = await main()
