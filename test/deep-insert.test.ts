// A fix may insert a subtree of any depth: the fixer checks and records it without recursion.
import test from 'ava'
import { defineTransform } from '../src/runner/define.js'
import { runMigration } from '../src/runner/migrate.js'
import type { Section } from '../src/syntax/types.js'
import { parse } from '../src/syntax/parse.js'

const SITE = `<VirtualHost *:80>
    ServerName a.example.com
</VirtualHost>
`

test('a fix appends a section nested 20,000 deep: applied, printed and patched, no stack overflow', (t) => {
  const depth = 20_000
  const deep = `${'<IfModule mod_deep.c>\n'.repeat(depth)}Define DEEP_ENOUGH\n${'</IfModule>\n'.repeat(depth)}`
  let reported = false
  const appendDeep = defineTransform({
    meta: { id: 'append-deep', version: '9.0.0', title: 'append-deep', description: '', rationale: '', messages: { added: 'Added a deep section.' } },
    create(ctx) {
      if (reported) return
      reported = true
      const file = ctx.files[0]!
      if (file.kind !== 'apache') return
      const vhost = file.tree.children[0] as Section
      const section = parse(deep).children[0]!
      ctx.report({ node: vhost, messageId: 'added', fix: (f) => f.append(vhost, section) })
    },
  })
  const r = runMigration({ files: [{ path: 'site.conf', content: SITE }] }, [appendDeep])
  t.deepEqual(r.errors, [])
  t.deepEqual(r.changes.map((c) => c.messageId), ['added'])
  const text = r.files[0]!.text
  t.is(text, `<VirtualHost *:80>\n    ServerName a.example.com\n${deep}</VirtualHost>\n`)
  t.is(r.patch.toString().split('\n').filter((l) => l === '+<IfModule mod_deep.c>').length, depth)
})
