// CLI benchmark: wall time of `wsgi-migrate --dry-run` against bare Node start-up, on a typical
// Debian tree with one Kallithea site, and on a tree with 1,000 sites. Run after a build:
//
//   npm run build && node --import=tsx bench/cli.js [--runs 15] [--big-runs 3] [--sites 1000] [--timeout 120]
//                                      [--cli dist/cli.js] [--strict] [--keep]
//
// The big tree is also run at 100 and 200 sites first, to show how the time grows (the exponent
// k in time ~ sites^k: 1 is linear); a run that takes longer than --timeout seconds is stopped
// and reported as such. `--cli` benchmarks another entry point (e.g. a bundled build).
//
// Each round runs `node -e ''`, then the CLI on the small tree, one after the other, so both see
// the same machine load; the medians are compared. Wall time is what a user waits for; the CPU
// time of the children (user + sys, from /proc/self/stat on Linux) is printed too, as it is less
// disturbed by other load on the machine.
//
// The rounds also time a bundle of the runner's version helpers alone (semver's function modules,
// bundled as the CLI bundles them), to show what using semver costs at start-up.
//
// Targets: small tree <= 2x bare Node start-up (median wall time); 1,000 sites <= 2 s.
// `--strict` exits with 1 when one is missed.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { debianTree, makeTree as makeEntries } from '../test/helpers/tree.ts'

const TARGET_RATIO = 2
const TARGET_BIG_MS = 2000

const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(argv[i + 1])
}
const runs = option('runs', 15)
const bigRuns = option('big-runs', 3)
const timeoutMs = option('timeout', 120) * 1000
const sites = option('sites', 1000)
const strict = argv.includes('--strict')
const keep = argv.includes('--keep')

const project = fileURLToPath(new URL('..', import.meta.url))
const cliIndex = argv.indexOf('--cli')
const cli = cliIndex === -1 ? join(project, 'dist/cli.js') : realpathSync(argv[cliIndex + 1])
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first')
  process.exit(2)
}

// ---------------------------------------------------------------------------------------------
// Trees: the Debian layout the CLI tests use, with `count` Kallithea sites

const makeTree = (count) => makeEntries(debianTree({ sites: count }), 'wsgi-migrate-clibench-')

// ---------------------------------------------------------------------------------------------
// Timing

/** CPU time (ms) used so far by waited-for children of this process; null off Linux. */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields after the command: state(3) ... cutime(16) cstime(17), 1-based in proc(5).
    const cutime = Number(fields[16 - 3])
    const cstime = Number(fields[17 - 3])
    const ticks = 100 // USER_HZ on Linux
    return ((cutime + cstime) * 1000) / ticks
  } catch {
    return null
  }
}

function time(args, expectStatus, timeout) {
  const cpu0 = childrenCpuMs()
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, ...(timeout ? { timeout, killSignal: 'SIGKILL' } : {}) })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const cpu1 = childrenCpuMs()
  if (timeout && r.signal === 'SIGKILL') return { ms, cpu: null, out: Buffer.alloc(0), timedOut: true }
  if (expectStatus !== undefined && r.status !== expectStatus) {
    throw new Error(`${args.join(' ')}: exit ${r.status}, expected ${expectStatus}\n${r.stderr}`)
  }
  return { ms, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0, out: r.stdout }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0)
const fmt = (ms) => `${ms.toFixed(0)} ms`

const small = makeTree(1)
const big = makeTree(sites)
const trees = [small, big]
const cleanUp = () => {
  if (keep) console.log(`trees kept: ${trees.join(' ')}`)
  else for (const t of trees) rmSync(t, { recursive: true, force: true })
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp()
    process.exit(130)
  })
}
const cliArgs = (root) => [cli, '--dry-run', '-q', '--root', root, join(root, 'etc/apache2')]

/** The version helpers (semver's function modules) bundled on their own, as the CLI bundles them. */
async function semverBundle() {
  const { buildSync } = await import('esbuild')
  const out = join(small, 'semver-only.mjs')
  buildSync({ entryPoints: [join(project, 'dist/src/runner/versions.js')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' })
  writeFileSync(out, readFileSync(out, 'utf8') + "\nif (versionOf('4.9.4') === null) process.exit(3)\n")
  return out
}
const semverOnly = await semverBundle()
let failed = false
try {
  // Warm the file cache and check the runs work (--dry-run: exit 0, the diff on stdout).
  time(['-e', ''])
  const first = time(cliArgs(small), 0)
  if (!first.out.toString().includes('diff --git a/etc/apache2/sites-available/kallithea.conf')) throw new Error('the small run printed no patch')

  const bare = []
  const tool = []
  const versions = []
  for (let i = 0; i < runs; i++) {
    bare.push(time(['-e', '']))
    tool.push(time(cliArgs(small), 0))
    versions.push(time([semverOnly], 0))
  }
  const bareMs = median(bare.map((r) => r.ms))
  const toolMs = median(tool.map((r) => r.ms))
  const semverMs = median(versions.map((r) => r.ms))
  const ratio = toolMs / bareMs
  const cpuKnown = bare.every((r) => r.cpu !== null)
  console.log(`small tree (1 site, ${runs} runs, medians):`)
  console.log(`  node -e ''                  ${fmt(bareMs)}`)
  console.log(`  wsgi-migrate --dry-run      ${fmt(toolMs)}   ratio ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? 'ok' : 'MISSED'}`)
  console.log(`  semver function modules     ${fmt(semverMs)}   +${fmt(Math.max(0, semverMs - bareMs))} over bare Node (bundled alone)`)
  if (cpuKnown) {
    const bareCpu = sum(bare.map((r) => r.cpu)) / runs
    const toolCpu = sum(tool.map((r) => r.cpu)) / runs
    console.log(`  CPU (user+sys, mean)        node ${fmt(bareCpu)}, wsgi-migrate ${fmt(toolCpu)}, ratio ${(toolCpu / bareCpu).toFixed(2)}x`)
  }
  if (ratio > TARGET_RATIO) failed = true

  console.log(`big trees (${bigRuns} runs each, median; stopped after ${timeoutMs / 1000} s):`)
  const sizes = [...new Set([100, 200, sites])].filter((n) => n <= sites)
  const results = []
  for (const n of sizes) {
    const root = n === sites ? big : makeTree(n)
    if (root !== big) trees.push(root)
    const times = []
    for (let i = 0; i < bigRuns; i++) {
      const r = time(cliArgs(root), 0, timeoutMs)
      times.push(r)
      if (r.timedOut) break
    }
    const timedOut = times.some((r) => r.timedOut)
    const ms = timedOut ? Infinity : median(times.map((r) => r.ms))
    const diffs = timedOut ? 0 : (times[0].out.toString().match(/^diff --git /gm) ?? []).length
    results.push({ n, ms })
    const growth = results.length > 1 && Number.isFinite(ms) ? ` growth k=${(Math.log(ms / results[results.length - 2].ms) / Math.log(n / results[results.length - 2].n)).toFixed(2)}` : ''
    const target = n === sites ? `  (target <= ${TARGET_BIG_MS} ms) ${ms <= TARGET_BIG_MS ? 'ok' : 'MISSED'}` : ''
    console.log(`  ${String(n).padStart(5)} sites, ${2 * n + 9} files: ${timedOut ? `timed out (> ${timeoutMs / 1000} s)` : `${fmt(ms)}, ${diffs} files changed`}${growth}${target}`)
    if (n === sites && ms > TARGET_BIG_MS) failed = true
  }
} finally {
  cleanUp()
}
if (failed && strict) process.exit(1)
