// Advisories about a dispatch script Python would reject, through the CLI: said once with their
// location (the printer adds it; the message does not repeat it), and the script left as it is.
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DISPATCH_0_3_1, debianTree, ensureBuilt, runCli, treeMaker } from './helpers/tree.js'

test.before(() => ensureBuilt())

const tree = treeMaker(test.after)
const SCRIPT = 'srv/kallithea/dispatch.wsgi'
const on = (root: string, ...args: string[]): string[] => [...args, '--root', root, path.join(root, 'etc/apache2'), path.join(root, 'srv')]

/** The 0.3.1 dispatch script with its activation inside `depth` nested `header`s. */
const nested = (depth: number, header = 'if True:'): string =>
  `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}${header}\n`).join('')}${DISPATCH_0_3_1.split('\n').map((l) => (l ? ' '.repeat(depth) + l : l)).join('\n')}`

for (const [what, script, line, why] of [
  ['an unterminated string', `${DISPATCH_0_3_1}x = 'unterminated\n`, 12, /EOL while scanning string literal|unterminated string literal/],
  ['150 nested ifs', nested(150), 101, /too many levels of indentation/],
  ['21 nested loops', nested(21, 'for _ in [0]:'), 21, /too many statically nested blocks/],
] as const) {
  test(`a script Python rejects (${what}): not edited, one advisory naming its file:line once, in text and JSON`, async (t) => {
    const root = tree(debianTree())
    const file = path.join(root, SCRIPT)
    writeFileSync(file, script.replaceAll('@ROOT@', root))
    const before = readFileSync(file)
    const text = await runCli(on(root, '--dry-run'))
    t.is(text.status, 0, text.stderr)
    t.false(text.stdout.includes(`+++ b/${SCRIPT}`), 'the script is not changed')
    const said = text.stderr.split('\n').filter((l) => l.includes('Python would reject'))
    t.true(said.length >= 1, text.stderr)
    for (const l of said) {
      t.is(l.split(`${SCRIPT}:${line}`).length, 2, `the location once: ${l}`)
      t.regex(l, why)
    }
    const json = JSON.parse((await runCli(on(root, '--dry-run', '--json'))).stdout) as { advisories: Array<{ file: string; line: number; message: string }> }
    const rejects = json.advisories.filter((a) => a.message.includes('Python would reject'))
    t.true(rejects.length >= 1)
    for (const a of rejects) {
      t.like(a, { file: SCRIPT, line })
      t.false(a.message.includes(`${SCRIPT}:`), a.message)
    }
    await runCli(on(root))
    t.deepEqual(readFileSync(file), before)
  })
}
