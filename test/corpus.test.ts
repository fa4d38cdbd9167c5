// The parser on real configuration files: fixtures/corpus/ (sources and licences in its NOTICE.md).
//
// - every file, read as bytes, prints back byte for byte (a Buffer equal to the file);
// - every file of debian-apache2/ (Debian 12's /etc/apache2) and httpd-docs-conf/ (httpd's own
//   sample configs, with @@Var@@ placeholders) parses with no diagnostics. The manual snippets are
//   fragments (some hold `...` or prose): they must round-trip, diagnostics or not.
//
// One test per directory, each listing all its failures. The corpus must be there: a missing
// corpus fails the tests rather than skipping them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'

const corpus = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url))

/** Directories of the corpus and whether their files must parse without diagnostics. */
const DIRECTORIES: Array<{ name: string; clean: boolean; atLeast: number }> = [
  { name: 'debian-apache2', clean: true, atLeast: 150 },
  { name: 'httpd-docs-conf', clean: true, atLeast: 10 },
  { name: 'httpd-manual-snippets', clean: false, atLeast: 1000 },
]

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry)
    // statSync follows symlinks (`*-enabled/` entries may be links, as on a server).
    const stat = statSync(path, { throwIfNoEntry: false })
    if (stat === undefined) throw new Error(`dangling link in the corpus: ${path}`)
    if (stat.isDirectory()) out.push(...filesUnder(path))
    else if (stat.isFile()) out.push(path)
  }
  return out
}

test('the corpus is there', (t) => {
  t.true(existsSync(corpus), `corpus not found: ${corpus}`)
  for (const { name } of DIRECTORIES) t.true(existsSync(join(corpus, name)), `missing corpus directory ${join(corpus, name)}`)
})

/** The first differing byte, with a little context, for a failure message. */
function firstDifference(a: Buffer, b: Buffer): string {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const context = (buf: Buffer): string => JSON.stringify(buf.subarray(Math.max(0, i - 20), i + 20).toString('latin1'))
  return `first difference at byte ${i} of ${a.length}: file ${context(a)}, printed ${context(b)}`
}

test('files of the corpus outside those directories round-trip too', (t) => {
  if (!existsSync(corpus)) {
    t.fail(`corpus not found: ${corpus}`)
    return
  }
  const known = new Set(DIRECTORIES.map((d) => d.name))
  const others = readdirSync(corpus)
    .filter((entry) => !known.has(entry))
    .flatMap((entry) => {
      const path = join(corpus, entry)
      return statSync(path).isDirectory() ? filesUnder(path) : [path]
    })
  const bad = others.filter((file) => {
    const bytes = readFileSync(file)
    return !(print(parse(bytes)) as Buffer).equals(bytes) || !(print(parse(bytes, { lazy: false })) as Buffer).equals(bytes)
  })
  t.deepEqual(bad.map((f) => relative(corpus, f)), [])
  t.log(`${others.length} other files`)
})

for (const { name, clean, atLeast } of DIRECTORIES) {
  test(`${name}: every file round-trips byte for byte${clean ? ' and parses with no diagnostics' : ''}`, (t) => {
    const dir = join(corpus, name)
    if (!existsSync(dir)) {
      t.fail(`corpus directory not found: ${dir}`)
      return
    }
    const files = filesUnder(dir)
    t.true(files.length >= atLeast, `only ${files.length} files under ${dir}`)
    const roundTrip: string[] = []
    const diagnostics: string[] = []
    let withDiagnostics = 0
    for (const file of files) {
      const rel = relative(corpus, file)
      const bytes = readFileSync(file)
      let tree
      try {
        tree = parse(bytes, { path: rel })
      } catch (error) {
        roundTrip.push(`${rel}: parse threw ${String(error)}`)
        continue
      }
      // Printed before its nodes are built (their text is copied), and built through.
      for (const [stage, out] of [
        ['lazy', print(tree)],
        ['built', print(parse(bytes, { path: rel, lazy: false }))],
      ] as const) {
        if (!Buffer.isBuffer(out)) roundTrip.push(`${rel} (${stage}): print did not return a Buffer`)
        else if (!out.equals(bytes)) roundTrip.push(`${rel} (${stage}): ${firstDifference(bytes, out)}`)
      }
      if (tree.data.diagnostics.length > 0) withDiagnostics++
      if (clean) {
        for (const m of tree.data.diagnostics) diagnostics.push(`${rel}:${m.line ?? '?'}:${m.column ?? '?'}: ${m.reason} [${m.ruleId ?? ''}]`)
      }
    }
    t.deepEqual(roundTrip, [], `files that do not round-trip:\n${roundTrip.join('\n')}`)
    if (clean) t.deepEqual(diagnostics, [], `diagnostics in ${name}:\n${diagnostics.join('\n')}`)
    t.log(`${files.length} files${clean ? '' : `, ${withDiagnostics} with diagnostics (fragments)`}`)
  })
}
