// The docs themselves as fixtures: migrating the 0.3 and 0.3.1 docs' Apache excerpts gives the
// 0.3.2 docs' excerpts, and the excerpts of every release from 0.3.2 on are left alone.
import test from 'ava'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { migrate } from '../src/runner/migrate.js'

const DOCS = fileURLToPath(new URL('../fixtures/kallithea-docs/', import.meta.url))

interface Release {
  version: string
  /** The `WSGIRestrictEmbedded On` the docs tell to add at global scope, when they do. */
  global: string
  /** The Apache code blocks, dedented, in order. */
  blocks: string[]
}

/** Literal blocks of an .rst file: `.. code-block:: apache` and `::` paragraphs, dedented. */
function literalBlocks(rst: string): Array<{ apache: boolean; text: string }> {
  const lines = rst.split('\n')
  const out: Array<{ apache: boolean; text: string }> = []
  lines.forEach((line, i) => {
    const apache = /^\s*\.\. code-block:: apache\s*$/.test(line)
    if (!apache && !/::\s*$/.test(line)) return
    const base = /^\s*/.exec(line)![0].length
    const body: string[] = []
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]
      if (l.trim() !== '' && /^\s*/.exec(l)![0].length <= base) break
      body.push(l)
    }
    while (body.length && body[0].trim() === '') body.shift()
    while (body.length && body[body.length - 1].trim() === '') body.pop()
    const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length))
    out.push({ apache, text: body.map((l) => l.slice(indent)).join('\n') + '\n' })
  })
  return out
}

function releases(): Release[] {
  return readdirSync(DOCS)
    .filter((f) => f.endsWith('-apache-mod_wsgi.rst'))
    .map((f) => {
      const blocks = literalBlocks(readFileSync(DOCS + f, 'utf8'))
      return {
        version: f.replace('-apache-mod_wsgi.rst', ''),
        global: blocks.find((b) => !b.apache && /^WSGIRestrictEmbedded On\n$/.test(b.text))?.text ?? '',
        blocks: blocks.filter((b) => b.apache).map((b) => b.text),
      }
    })
}

async function run(conf: string) {
  return migrate({ root: '/srv/kallithea', files: [{ path: 'kallithea.conf', content: conf }], to: 'latest' })
}

test('the docs of every release are there', (t) => {
  t.true(existsSync(DOCS), `${DOCS} is missing`)
  const all = releases()
  t.deepEqual(all.map((r) => r.version).sort(), ['0.3', '0.3.1', '0.3.2', '0.3.3', '0.4.0', '0.4.1', '0.5.1', '0.6.0'])
  for (const r of all) t.is(r.blocks.length, 2, `${r.version} has its two Apache excerpts`)
})

for (const old of ['0.3', '0.3.1']) {
  test(`migrating the ${old} docs' excerpts gives the 0.3.2 docs' excerpts`, async (t) => {
    const fixed = releases().find((r) => r.version === '0.3.2')!
    const before = releases().find((r) => r.version === old)!
    t.is(fixed.global, 'WSGIRestrictEmbedded On\n')
    for (const [i, block] of before.blocks.entries()) {
      const result = await run(block)
      t.deepEqual(result.errors, [])
      // The 0.3 docs named the venv /srv/kallithea/pyenv: it keeps its name.
      const venv = /python-path=(\S+)\/lib\/python[\d.]+\/site-packages/.exec(block)?.[1] ?? '/srv/kallithea/venv'
      const expected = fixed.blocks[i].replaceAll('python-home=/srv/kallithea/venv', `python-home=${venv}`)
      // The excerpt is global scope here, so the global line lands right above the daemon.
      t.is(result.files[0].after.toString('utf8'), fixed.global + expected, `excerpt ${i + 1}`)
      t.true(result.changes.length >= 3)
    }
  })
}

test('the excerpts of 0.3.2 and every later release are left as they are', async (t) => {
  const later = releases().filter((r) => !['0.3', '0.3.1'].includes(r.version))
  t.is(later.length, 6)
  for (const r of later) {
    t.is(r.global, 'WSGIRestrictEmbedded On\n', `${r.version} tells to restrict embedded mode`)
    for (const [i, block] of r.blocks.entries()) {
      const result = await run(r.global + block)
      t.deepEqual(result.errors, [])
      t.deepEqual(result.changes, [], `${r.version} excerpt ${i + 1}`)
      t.is(result.patch.length, 0)
    }
  }
})
