// The template fixtures (fixtures/templates: Ansible/Jinja, Django, Puppet ERB and EPP, Hestia
// %var%, httpd @@Var@@): each is read with no diagnostic and no template expression split, and a
// run over it keeps every expression whole, writes no piece of one, and is done after one pass.
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { migrate } from '../src/runner/migrate.js'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import { unbalancedStatement } from '../src/syntax/template-lines.js'
import { openTemplatePiece } from '../src/syntax/templates.js'
import type { Content, Root } from '../src/syntax/types.js'

const dir = fileURLToPath(new URL('../fixtures/templates/', import.meta.url))
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.endsWith('.md') && f.includes('/')).sort()

/** Every template expression of a text, each as often as it occurs. */
function expressions(text: string): string[] {
  return text.match(/\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}|<%(?!%)[^\n]*?%>|%[A-Za-z][A-Za-z0-9_]*%|@@[A-Za-z_]\w*@@/g) ?? []
}

/** The words of every node that are pieces of a template expression or block. */
function pieces(nodes: Content[], out: string[] = []): string[] {
  for (const n of nodes) {
    if (n.type === 'section') pieces(n.children, out)
    if ((n.type !== 'directive' && n.type !== 'section') || (n.type === 'directive' && n.data?.template)) continue
    for (const w of [n.name, ...n.args]) if (openTemplatePiece(w) !== undefined || unbalancedStatement(w) !== undefined) out.push(w)
  }
  return out
}

test('the fixtures are there', (t) => {
  t.true(files.length >= 8, files.join(', '))
  for (const engine of ['ansible', 'django', 'puppet', 'hestia', 'httpd']) t.true(files.some((f) => f.startsWith(engine + '/')), engine)
})

for (const file of files) {
  test(`${file}: read whole, no diagnostic`, (t) => {
    const bytes = readFileSync(path.join(dir, file))
    const tree: Root = parse(bytes, { path: file, lazy: false })
    t.true(Buffer.from(print(tree)).equals(bytes))
    t.deepEqual(tree.data.diagnostics.map(String), [])
    t.deepEqual(pieces(tree.children), [])
  })

  test(`${file}: a run keeps every template expression whole and is done after one pass`, async (t) => {
    const content = readFileSync(path.join(dir, file))
    const first = await migrate({ files: [{ path: file, content }], root: '/srv/fixture' })
    t.deepEqual(first.errors, [])
    const after = first.files.find((f) => f.path === file)?.after ?? content
    const [was, is] = [content.toString('latin1'), after.toString('latin1')]
    // No expression lost or cut: each occurs at least as often as before, and no piece is new.
    const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())
    const before = count(expressions(was))
    const now = count(expressions(is))
    for (const [x, n] of before) t.true((now.get(x) ?? 0) >= n, `${x} is lost`)
    for (const line of is.split('\n')) if (!was.includes(line)) t.is(openTemplatePiece(line), undefined, line)
    t.false(/WSGIProcessGroup \{\{\s*$/m.test(is))
    const tree = parse(after, { path: file })
    t.deepEqual(tree.data.diagnostics.map(String), [])
    const again = await migrate({ files: [{ path: file, content: after }], root: '/srv/fixture' })
    t.deepEqual(again.changes, [])
    t.is(again.patch.length, 0)
  })
}
