// Fixture tests for transforms, as jscodeshift's testUtils: the built-in transforms are tested with
// these, and a user's own `-t` transform is tested the same way (`wsgi-migrate/testing`).
//
//   import test from 'ava'   // or node:test, jest, mocha: anything with test(title, fn)
//   import { defineFixtureTests } from 'wsgi-migrate/testing'
//   defineFixtureTests(test, myTransform, new URL('./fixtures/', import.meta.url))
//
// A fixture folder holds cases: `<case>.input.<name>` and `<case>.output.<name>` are one file of
// the case (`<case>.input.conf` is the file `<case>.conf`, `<case>.input.dispatch.wsgi` the file
// `dispatch.wsgi`: a dotted rest is a file name of its own); `<case>.options.json` holds run
// options (`modWsgi`, `env`, `lang`, `allApps`, `embeddedPython`, `venvFiles`: the files of the venvs
// the case names, read instead of the disk; `hostLocales`: what `locale -a` lists; `alsoRun`: built-in steps run along) and `advises` /
// `notAdvises`: texts or message ids an advisory must / must not carry. Each case
// runs twice: the input must give the output exactly, every change explained, and the output run
// again must change nothing (OpenRewrite's two cycles).
import { AssertionError } from 'node:assert'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtinTransforms } from '../transforms/index.js'
import { memoryReader } from './load/installed-version.js'
import { transformsOf, type Preset } from './runner/define.js'
import { runMigration, type MigrateResult } from './runner/migrate.js'
import type { Transform } from './runner/transform.js'

export { apacheConfigtest, type Configtest, type ConfigtestOptions, type ConfigFile } from './testing/configtest.js'

export interface FixtureFile {
  /** The name the file has in the run. */
  name: string
  input: Buffer
  output: Buffer
  inputPath: string
  outputPath: string
}

export interface FixtureOptions {
  modWsgi?: string
  env?: Record<string, string>
  /** The locale `lang=` gives (the 0.4.1 step). */
  lang?: string
  /** Fix every WSGI application, not only Kallithea's (`--all-apps`). */
  allApps?: boolean
  /** X.Y of the Python mod_wsgi embeds (what server mode reads from the module). */
  embeddedPython?: string
  /** Files of the venvs the case names, by absolute path, read instead of the disk. */
  venvFiles?: Record<string, string>
  /** The locales the host lists (`locale -a`, as server mode asks). */
  hostLocales?: string[]
  /** Each must be a message id of an advisory or a part of its text. */
  advises?: string[]
  /** None may be a message id of an advisory or a part of its text. */
  notAdvises?: string[]
  /** Ids of built-in steps the run takes along with the subject, in their version order (their changes are in the output). */
  alsoRun?: string[]
  [key: string]: unknown
}

export interface FixtureCase {
  name: string
  /** The fixture folder. */
  dir: string
  files: FixtureFile[]
  options: FixtureOptions
}

/** What the fixture tests run: a transform, a preset, or several in order. */
export type Subject = Transform | Preset | ReadonlyArray<Transform | Preset>

/** The folder fixtures are run in: scripts' absolute paths fall under it. */
export const FIXTURE_ROOT = '/srv/fixture'

/** The cases of a fixture folder, sorted by name; a malformed file name throws. */
export function readFixtures(dir: string | URL): FixtureCase[] {
  const folder = typeof dir === 'string' ? dir : fileURLToPath(dir)
  const entries = readdirSync(folder).sort()
  const cases = new Map<string, FixtureCase>()
  const get = (name: string): FixtureCase => {
    let c = cases.get(name)
    if (!c) cases.set(name, (c = { name, dir: folder, files: [], options: {} }))
    return c
  }
  for (const entry of entries) {
    const input = /^(.+?)\.input\.(.+)$/.exec(entry)
    const options = /^(.+?)\.options\.json$/.exec(entry)
    if (input) {
      const [, name, rest] = input as unknown as [string, string, string]
      const outputName = `${name}.output.${rest}`
      if (!entries.includes(outputName)) throw new Error(`${path.join(folder, entry)}: missing ${outputName}`)
      get(name).files.push({
        name: rest.includes('.') ? rest : `${name}.${rest}`,
        input: readFileSync(path.join(folder, entry)),
        output: readFileSync(path.join(folder, outputName)),
        inputPath: path.join(folder, entry),
        outputPath: path.join(folder, outputName),
      })
    } else if (options) get(options[1] as string).options = JSON.parse(readFileSync(path.join(folder, entry), 'utf8')) as FixtureOptions
    else if (!/\.output\./.test(entry)) throw new Error(`${path.join(folder, entry)}: not a fixture file name (<case>.input.<name>, <case>.output.<name>, <case>.options.json)`)
  }
  return [...cases.values()]
}

/** Run a case's input (or output) through `subject`, in memory. */
export function runFixture(subject: Subject, fixture: FixtureCase, which: 'input' | 'output' = 'input'): MigrateResult {
  return runMigration(
    {
      files: fixture.files.map((f) => ({ path: f.name, content: f[which] })),
      root: FIXTURE_ROOT,
      ...(fixture.options.modWsgi ? { modWsgi: fixture.options.modWsgi } : {}),
      ...(fixture.options.env ? { env: fixture.options.env } : {}),
      ...(fixture.options.lang ? { lang: fixture.options.lang } : {}),
      ...(fixture.options.hostLocales ? { hostLocales: fixture.options.hostLocales } : {}),
      ...(fixture.options.allApps ? { allApps: true } : {}),
      ...(fixture.options.embeddedPython ? { embeddedPython: fixture.options.embeddedPython } : {}),
      ...(fixture.options.venvFiles ? { reader: memoryReader(fixture.options.venvFiles) } : {}),
    },
    withSteps(transformsOf(subject), fixture.options.alsoRun),
  )
}

/** The subject's transforms and the built-in steps a case runs along, in the order a run takes them. */
function withSteps(subject: Transform[], ids: readonly string[] = []): Transform[] {
  if (ids.length === 0) return subject
  const along = ids.map((id) => {
    const t = builtinTransforms.find((b) => b.meta.id === id)
    if (!t) throw new Error(`alsoRun: no built-in step has the id '${id}'`)
    return t
  })
  const order = (t: Transform): number => builtinTransforms.indexOf(t)
  return [...new Set([...subject, ...along])].sort((a, b) => order(a) - order(b))
}

/** Everything wrong with a case (empty when it passes): output, explanations, advisories, second run. */
export function fixtureProblems(subject: Subject, fixture: FixtureCase): string[] {
  const problems: string[] = []
  const first = runFixture(subject, fixture)
  for (const e of first.errors) problems.push(`error: ${e.message}`)
  for (const f of fixture.files) {
    const got = first.files.find((r) => r.path === f.name)
    if (!got) problems.push(`${f.name} is not part of the run`)
    else if (!got.after.equals(f.output)) problems.push(`${f.name} does not match ${f.outputPath}:\n${diffLines(f.output, got.after)}`)
  }
  const changed = first.files.filter((r) => r.status === 'changed').map((r) => r.path).sort()
  const explained = [...new Set(first.changes.map((c) => c.file))].sort()
  if (changed.join('\n') !== explained.join('\n')) problems.push(`changed files ${JSON.stringify(changed)} but explained ${JSON.stringify(explained)}`)
  const ids = new Set([...transformsOf(subject).map((t) => t.meta.id), ...(fixture.options.alsoRun ?? [])])
  for (const c of first.changes) {
    if (!ids.has(c.transform)) problems.push(`a change by ${c.transform}, which is not under test`)
    if (c.explanation.length <= 20) problems.push(`a change is not explained: ${JSON.stringify(c.explanation)}`)
    if (!(c.lines.start >= 1 && c.lines.end >= c.lines.start)) problems.push(`bad lines ${JSON.stringify(c.lines)} for: ${c.explanation}`)
  }
  for (const expected of fixture.options.advises ?? []) {
    if (!first.advisories.some((a) => a.messageId === expected || a.message.includes(expected))) {
      problems.push(`no advisory says "${expected}"; got ${JSON.stringify(first.advisories.map((a) => a.message))}`)
    }
  }
  for (const unwanted of fixture.options.notAdvises ?? []) {
    const hit = first.advisories.find((a) => a.messageId === unwanted || a.message.includes(unwanted))
    if (hit) problems.push(`an advisory says "${unwanted}": ${JSON.stringify(hit.message)}`)
  }
  const again = runFixture(subject, fixture, 'output')
  for (const e of again.errors) problems.push(`second run: error: ${e.message}`)
  const moved = again.files.filter((r) => r.status !== 'unchanged').map((r) => r.path)
  if (moved.length > 0) problems.push(`second run changes ${moved.join(', ')}: the transform is not idempotent`)
  return problems
}

/** Throw an AssertionError listing what is wrong with a case. */
export function checkFixture(subject: Subject, fixture: FixtureCase): void {
  const problems = fixtureProblems(subject, fixture)
  if (problems.length > 0) throw new AssertionError({ message: `fixture ${fixture.name}:\n- ${problems.join('\n- ')}` })
}

export interface DefineOptions {
  /** A prefix for the test titles (default: the transform's id, or the preset's version). */
  title?: string
  /**
   * Also check each case's Apache output with a real server (`apache2 -t`): called with the
   * output files that are not WSGI scripts; throw to fail.
   */
  configtest?: (files: FixtureFile[], fixture: FixtureCase) => void | Promise<void>
}

/** Register one test per case of `dir` with any runner's `test(title, fn)`. */
export function defineFixtureTests(
  register: (title: string, fn: (...args: unknown[]) => void | Promise<void>) => unknown,
  subject: Subject,
  dir: string | URL,
  options: DefineOptions = {},
): void {
  const prefix = options.title ?? titleOf(subject)
  for (const fixture of readFixtures(dir)) {
    register(`${prefix}: ${fixture.name}`, counted(() => checkFixture(subject, fixture)))
    const confs = fixture.files.filter((f) => !/\.(?:wsgi|py)$/.test(f.name))
    const configtest = options.configtest
    if (configtest && confs.length > 0) register(`${prefix}: ${fixture.name}: apache2 -t accepts the output`, counted(() => configtest(confs, fixture)))
  }
}

/**
 * A test body for any runner: it throws on failure; under ava, whose tests must assert, it also
 * says it passed (`t.pass()`). Declared without parameters, so Jest does not wait for `done`.
 */
function counted(check: () => void | Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    await check()
    const t = args[0] as { pass?: unknown } | undefined
    if (typeof t?.pass === 'function') (t.pass as () => void)()
  }
}

function titleOf(subject: Subject): string {
  if (Array.isArray(subject)) return subject.map((s: Transform | Preset) => titleOf(s)).join('+')
  const one = subject as Transform | Preset
  return 'create' in one ? one.meta.id : one.version
}

/** The first lines where two outputs differ, for a readable failure. */
function diffLines(want: Buffer, got: Buffer): string {
  const a = want.toString('latin1').split('\n')
  const b = got.toString('latin1').split('\n')
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `  line ${i + 1}:\n  - ${JSON.stringify(a[i])}\n  + ${JSON.stringify(b[i])}`
  }
  return '  (same lines, different bytes)'
}
