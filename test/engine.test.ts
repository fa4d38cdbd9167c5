// The engine: passes until nothing changes, fixes held back when an earlier fix of the pass
// touched what their decision read, advisories from the last pass, and clear errors for a
// transform that misbehaves (a Promise, a late report, an unknown message, a node not in the run).
import test from 'ava'
import { defineTransform } from '../src/runner/define.js'
import { runMigration, type MigrateResult } from '../src/runner/migrate.js'
import type { Transform, TransformContext } from '../src/runner/transform.js'
import { createDirective } from '../src/syntax/edit.js'
import type { Content } from '../src/syntax/types.js'

const TWO_SITES = `<VirtualHost *:80>
    ServerName a.example.com
    WSGIScriptAlias / /srv/a.wsgi
    WSGIScriptAlias /b /srv/b.wsgi
</VirtualHost>
<VirtualHost *:80>
    ServerName c.example.com
    WSGIScriptAlias / /srv/c.wsgi
</VirtualHost>
`

const run = (text: string, ...transforms: Transform[]): MigrateResult => runMigration({ files: [{ path: 'site.conf', content: text }] }, transforms)
const text = (r: MigrateResult): string => r.files[0]!.text

const meta = (id: string, messages: Record<string, string> = {}) => ({ id, version: '9.0.0', title: id, description: '', rationale: '', messages })

/** Marks each alias with a comment-free `WSGIPassAuthorization On` after it, counting passes. */
function marker(log: number[]) {
  return defineTransform({
    meta: meta('marker', { added: 'Added after {{url}}.', seen: 'Alias {{url}} is marked.' }),
    create(ctx: TransformContext) {
      const model = ctx.model()
      log.push(model.scriptAliases.length)
      for (const a of model.scriptAliases) {
        if (a.passAuthorization.value === 'On') {
          ctx.report({ at: a, messageId: 'seen', data: { url: a.rawUrl } })
          continue
        }
        const node = createDirective('WSGIPassAuthorization', ['On'], { indent: '    ' })
        ctx.report({ at: a, messageId: 'added', data: { url: a.rawUrl }, fix: (f) => f.insertAfter(a.node, node) })
      }
    },
  })
}

test('fixes in different vhosts go in one pass; one that read a vhost an earlier fix changed waits for a fresh model', (t) => {
  const passes: number[] = []
  const r = run(TWO_SITES, marker(passes))
  t.deepEqual(r.errors, [])
  // Pass 1: / of a and / of c (separate vhosts); /b of a waits, since the line after / applies to
  // the whole vhost. Pass 2 sees /b On already: nothing left to fix.
  t.is(passes.length, 2)
  t.deepEqual(r.changes.map((c) => [c.messageId, c.data?.url, c.lines.start]), [['added', '/', 4], ['added', '/', 10]])
  t.is((text(r).match(/WSGIPassAuthorization On/g) ?? []).length, 2)
  // Advisories are those of the last pass: every alias is marked by then.
  t.deepEqual(r.advisories.map((a) => [a.messageId, a.line]), [['seen', 3], ['seen', 4], ['seen', 8]])
})

test('a fix that changes nothing records nothing and ends the passes', (t) => {
  let calls = 0
  const idle = defineTransform({
    meta: meta('idle', { same: 'Same.' }),
    create(ctx) {
      calls++
      for (const a of ctx.model().scriptAliases) ctx.report({ at: a, messageId: 'same', fix: (f) => f.modify(a.node, (n) => { n.args = [...n.args] }) })
    },
  })
  const r = run(TWO_SITES, idle)
  t.deepEqual([r.errors, r.changes, calls], [[], [], 1])
})

test('a transform that never settles is stopped with a clear error', (t) => {
  const restless = defineTransform({
    meta: meta('restless', { flip: 'Flip.' }),
    create(ctx) {
      const a = ctx.model().scriptAliases[0]!
      ctx.report({ at: a, messageId: 'flip', fix: (f) => f.modify(a.node, (n) => { n.args = [n.args[0]!, n.args[1]!.endsWith('x') ? n.args[1]!.slice(0, -1) : n.args[1]! + 'x'] }) })
    },
  })
  const r = run(TWO_SITES, restless)
  t.regex(r.errors[0]!.message, /^transform restless failed: it still changed the config after 100 passes \(it does not settle\); nothing will be written \(skip it with --skip restless\)$/)
})

test('misbehaving transforms: a Promise, a late report, an unknown message, missing data, a node not in the run', (t) => {
  const cases: Array<[string, Transform, RegExp]> = [
    ['async', defineTransform({ meta: meta('async'), create: (async () => {}) as unknown as Transform['create'] }), /create\(\) returned a Promise; transforms run synchronously/],
    ['unknown', defineTransform({ meta: meta('unknown'), create(ctx) { ctx.report({ at: ctx.model().scriptAliases[0]!, messageId: 'nope' }) } }), /messageId 'nope', which meta\.messages does not define/],
    ['data', defineTransform({ meta: meta('data', { m: 'Needs {{x}}.' }), create(ctx) { ctx.report({ at: ctx.model().scriptAliases[0]!, messageId: 'm' }) } }), /message 'm' needs data\.x/],
    ['foreign', defineTransform({ meta: meta('foreign', { m: 'M.' }), create(ctx) { ctx.report({ node: createDirective('X', []), messageId: 'm', fix: (f) => f.remove(createDirective('Y', [])) }) } }), /remove: the node is not part of the run's files/],
    ['two', defineTransform({ meta: meta('two', { m: 'M.' }), create(ctx) { const a = ctx.model().scriptAliases[0]!; ctx.report({ at: a, node: a.node, messageId: 'm' } as never) } }), /exactly one of at \(a model record\), node, or file/],
    ['foreign-file', defineTransform({ meta: meta('foreign-file', { m: 'M.' }), create(ctx) { ctx.report({ file: { path: '/etc/shadow' } as never, line: 3, messageId: 'm' }) } }), /a report's file must be one of context\.files/],
    ['copied-file', defineTransform({ meta: meta('copied-file', { m: 'M.' }), create(ctx) { ctx.report({ file: { ...ctx.files[0]!, path: '/etc/shadow' }, messageId: 'm' }) } }), /a report's file must be one of context\.files/],
    ['negative-line', defineTransform({ meta: meta('negative-line', { m: 'M.' }), create(ctx) { ctx.report({ file: ctx.files[0]!, line: -3, messageId: 'm' }) } }), /a report's line must be a positive whole number \(got -3\)/],
    ['text-line', defineTransform({ meta: meta('text-line', { m: 'M.' }), create(ctx) { ctx.report({ file: ctx.files[0]!, line: 'abc' as never, messageId: 'm' }) } }), /a report's line must be a positive whole number \(got "abc"\)/],
    ['half-column', defineTransform({ meta: meta('half-column', { m: 'M.' }), create(ctx) { ctx.report({ file: ctx.files[0]!, line: 1, column: 1.5, messageId: 'm' }) } }), /a report's column must be a positive whole number \(got 1\.5\)/],
  ]
  for (const [name, transform, expected] of cases) {
    const r = run(TWO_SITES, transform)
    t.regex(r.errors.map((e) => e.message).join('\n'), expected, name)
    if (expected.source !== '^$') t.regex(r.errors[0]!.message, new RegExp(`^transform ${name} failed: .*; nothing will be written \\(skip it with --skip ${name}\\)$`), name)
  }
})

test('a report given after create() returned is dropped, and the run fails saying so', (t) => {
  let kept: TransformContext | undefined
  const early = defineTransform({ meta: meta('early', { m: 'M.' }), create(ctx) { kept = ctx } })
  const later = defineTransform({
    meta: { ...meta('later'), version: '9.1.0' },
    create(ctx) { kept!.report({ at: ctx.model().scriptAliases[0]!, messageId: 'm', fix: (f) => f.remove(ctx.model().scriptAliases[0]!.node) }) },
  })
  const r = run(TWO_SITES, early, later)
  t.is(r.files[0]!.text, TWO_SITES)
  t.regex(r.errors[0]!.message, /^transform early failed: it reported after create\(\) returned/)
})

test('a fix may not edit a file with parse errors', (t) => {
  const broken = TWO_SITES + '</Directory>\n'
  const eager = defineTransform({
    meta: meta('eager', { m: 'M.' }),
    create(ctx) {
      const a = ctx.model().scriptAliases[0]!
      ctx.report({ at: a, messageId: 'm', fix: (f) => f.remove(a.node) })
    },
  })
  const r = run(broken, eager)
  t.regex(r.errors.map((e) => e.message).join('\n'), /transform eager failed: remove: site\.conf must not be edited/)
  t.is(text(r), broken)
})

test('a note of an applied fix is said once, before the last pass\'s advisories', (t) => {
  const noted = defineTransform({
    meta: meta('noted', { fix: 'Fixed {{url}}.', check: 'Check {{url}}.', later: 'Later {{url}}.' }),
    create(ctx) {
      for (const a of ctx.model().scriptAliases) {
        if (a.passAuthorization.value === 'On') {
          ctx.report({ at: a, messageId: 'check', data: { url: a.rawUrl } })
          ctx.report({ at: a, messageId: 'later', data: { url: a.rawUrl } })
          continue
        }
        const node = createDirective('WSGIPassAuthorization', ['On'], { indent: '    ' })
        ctx.report({ at: a, messageId: 'fix', data: { url: a.rawUrl }, fix: (f) => { f.insertAfter(a.node, node); f.note({ messageId: 'check', data: { url: a.rawUrl } }) } })
      }
    },
  })
  const r = run('WSGIScriptAlias / /srv/a.wsgi\n', noted)
  t.deepEqual(r.advisories.map((a) => a.message), ['Check /.', 'Later /.'])
})

test('a fix is applied whole or not at all: a refused edit leaves the earlier ones of the fix undone', (t) => {
  const half = defineTransform({
    meta: meta('half', { m: 'M.' }),
    create(ctx) {
      const [a, b] = ctx.model().scriptAliases
      ctx.report({
        at: a!,
        messageId: 'm',
        fix: (f) => {
          f.remove(a!.node)
          f.modify(b!.node, (n) => { n.args = [...n.args, 'bad\nInclude /etc/shadow'] })
        },
      })
    },
  })
  const r = run(TWO_SITES, half)
  t.regex(r.errors[0]!.message, /^transform half failed: .*line break/)
  t.is(r.files[0]!.text, TWO_SITES, 'the alias the fix removed first is still there')
})

test('a fix whose new text a Latin-1 file cannot hold is not applied: the user is told', (t) => {
  const latin1 = Buffer.from('# f\u00fcr\nWSGIScriptAlias / /srv/a.wsgi\n', 'latin1')
  const theta = defineTransform({
    meta: meta('theta', { m: 'Pointed the alias at {{path}}.' }),
    create(ctx) {
      const a = ctx.model().scriptAliases[0]!
      if (a.script.includes('\u03b8')) return
      ctx.report({ at: a, messageId: 'm', data: { path: '/srv/\u03b8.wsgi' }, fix: (f) => f.modify(a.node, (n) => { n.args = ['/', '/srv/\u03b8.wsgi'] }) })
    },
  })
  const r = runMigration({ files: [{ path: 'site.conf', content: latin1 }] }, [theta])
  t.deepEqual(r.errors, [])
  t.deepEqual(r.changes, [])
  t.true(r.files[0]!.after.equals(latin1))
  t.is(r.advisories.length, 1)
  t.like(r.advisories[0], { transform: 'theta', messageId: 'unwritable', line: 2 })
  t.regex(r.advisories[0]!.message, /^Not changed: site\.conf is not UTF-8 .*Latin-1 cannot hold \(\u03b8\).*The change was: Pointed the alias at \/srv\/\u03b8\.wsgi\./)
})

test('a fix cannot smuggle a line in through a raw node: blank, comment or section text is read back first', (t) => {
  const smuggle = (id: string, node: unknown) =>
    defineTransform({
      meta: meta(id, { m: 'M.' }),
      create(ctx) {
        const a = ctx.model().scriptAliases[0]!
        ctx.report({ at: a, messageId: 'm', fix: (f) => f.insertAfter(a.node, node as Content) })
      },
    })
  const cases: Array<[string, unknown, RegExp]> = [
    ['blank', { type: 'blank', raw: 'Include /etc/shadow\n' }, /insertAfter: Cannot insert blank line "Include \/etc\/shadow\\n": it reads back as a directive Include/],
    ['comment', { type: 'comment', value: '', raw: '#\nInclude /etc/shadow\n' }, /insertAfter: Cannot insert comment .*not one/],
    ['nul', { type: 'comment', value: '', raw: '# a\0b\n' }, /insertAfter: Cannot insert comment .*NUL character/],
    ['section', { type: 'section', name: 'Location', args: ['/'], open: { raw: '<Location />\nInclude /etc/shadow\n', name: 'Location' }, close: { raw: '</Location>\n', name: 'Location' }, children: [] }, /insertAfter: Cannot insert section <Location> .*: section <Location> reads back with 1 children, not 0/],
  ]
  const rawEdit = defineTransform({
    meta: meta('raw-edit', { m: 'M.' }),
    create(ctx) {
      const a = ctx.model().scriptAliases[0]!
      ctx.report({ at: a, messageId: 'm', fix: (f) => f.modify(a.node, (n) => { n.raw = `${n.raw}Include /etc/shadow\n` }) })
    },
  })
  for (const [id, node, why] of [...cases, ['raw-edit', rawEdit, /modify: Cannot write directive WSGIScriptAlias .*: it reads back as 2 lines or nodes/] as const]) {
    const r = run(TWO_SITES, id === 'raw-edit' ? (node as Transform) : smuggle(id, node))
    t.regex(r.errors.map((e) => e.message).join('\n'), new RegExp(`^transform ${id} failed: ${why.source}`), id)
    t.is(text(r), TWO_SITES, `${id}: nothing written`)
    t.false(r.patch.includes('shadow'))
  }
})
