// The root's children are built on first read (src/syntax/lazy-children.ts): these tests pin down what a
// caller sees before, during and after that read, and that an unread tree prints its own text.
import test from 'ava'
import { childrenPending, pendingChildrenText } from '../src/syntax/lazy-children.js'
import { createDirective, insertAfter } from '../src/syntax/edit.js'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import type { Directive, Section } from '../src/syntax/types.js'

const CONF = [
  '# Kallithea\r\n',
  '<VirtualHost *:80>\r\n',
  '    ServerName hg.example.org\r\n',
  '    WSGIDaemonProcess kallithea \\\r\n',
  '        processes=1 threads=4\r\n',
  '</VirtualHost>\r\n',
  'Listen 80',
].join('')

test('a parsed tree reads its children only when asked, then holds a plain array', (t) => {
  const tree = parse(CONF)
  t.true(childrenPending(tree))
  const descriptor = Object.getOwnPropertyDescriptor(tree, 'children')
  t.is(typeof descriptor?.get, 'function', 'children is an accessor until read')
  t.true(descriptor?.enumerable)
  const children = tree.children
  t.false(childrenPending(tree))
  t.deepEqual(Object.getOwnPropertyDescriptor(tree, 'children'), { value: children, writable: true, enumerable: true, configurable: true })
  t.is(tree.children, children, 'the same array on every read')
  t.deepEqual(
    children.map((n) => n.type),
    ['comment', 'section', 'directive'],
  )
  t.deepEqual(Object.keys(tree), ['type', 'children', 'position', 'data'])
})

test('diagnostics and root data are complete before any node is built', (t) => {
  const tree = parse('<VirtualHost *:80>\n  ServerName a\n</Directory>\n', { path: 'sites/a.conf' })
  t.true(childrenPending(tree))
  t.deepEqual(
    tree.data.diagnostics.map((m) => `${m.file}:${m.line}:${m.column}: ${m.ruleId}`),
    ['sites/a.conf:3:1: stray-close', 'sites/a.conf:1:1: unclosed-section'],
  )
  t.is(tree.data.eol, '\n')
  t.deepEqual(tree.position, { start: { line: 1, column: 1, offset: 0 }, end: { line: 4, column: 1, offset: 47 } })
  t.true(childrenPending(tree), 'reading diagnostics and position builds no node')
})

test('an unread tree prints its text: string, Buffer, Latin-1 bytes, CRLF and no final newline', (t) => {
  t.is(print(parse(CONF)), CONF)
  const latin1 = Buffer.from('# caf\xe9\r\n<Directory /x>\n\tRequire all granted\n</Directory>', 'latin1')
  const tree = parse(latin1)
  t.true(childrenPending(tree))
  t.is(tree.data.encoding, 'latin1')
  const out = print(tree)
  t.true(Buffer.isBuffer(out))
  t.true((out as Buffer).equals(latin1))
  t.is(pendingChildrenText(tree), latin1.toString('latin1'))
})

test('pendingChildrenText: the source of the unread children, undefined once read', (t) => {
  const tree = parse(CONF)
  t.is(pendingChildrenText(tree), CONF)
  void tree.children
  t.is(pendingChildrenText(tree), undefined)
  t.false(childrenPending(parse('')), 'an empty file has nothing to defer')
  t.deepEqual(parse('').children, [])
})

test('assigning children before reading them replaces them: no build, prints the new nodes', (t) => {
  const tree = parse(CONF)
  const node = createDirective('WSGIRestrictEmbedded', ['On'])
  tree.children = [node]
  t.false(childrenPending(tree))
  t.deepEqual(tree.children, [node])
  t.is(print(tree), 'WSGIRestrictEmbedded On\n')
})

test('a lazily built tree equals the eagerly built one, node for node', (t) => {
  const lazy = parse(CONF, { path: 'a.conf' })
  const eager = parse(CONF, { path: 'a.conf', lazy: false })
  t.false(childrenPending(eager))
  t.deepEqual(Object.getOwnPropertyDescriptor(eager, 'children')?.writable, true)
  t.deepEqual(lazy, eager)
  t.is(JSON.stringify(lazy), JSON.stringify(eager))
  t.deepEqual(structuredClone(parse(CONF, { path: 'a.conf' })), structuredClone(eager))
  t.deepEqual({ ...parse(CONF, { path: 'a.conf' }) }, { ...eager })
})

test('edits after the first read print next to the untouched text', (t) => {
  const tree = parse(CONF)
  const vhost = tree.children[1] as Section
  const daemon = vhost.children[1] as Directive
  insertAfter(vhost, daemon, createDirective('WSGIProcessGroup', ['kallithea'], { indent: '    ', eol: tree.data.eol }), tree)
  t.is(
    print(tree),
    CONF.replace('processes=1 threads=4\r\n', 'processes=1 threads=4\r\n    WSGIProcessGroup kallithea\r\n'),
  )
})

test('a root frozen before its children are read still reads them, the same array each time', (t) => {
  const tree = Object.freeze(parse(CONF))
  t.true(childrenPending(tree))
  const children = tree.children
  t.is(tree.children, children)
  t.false(childrenPending(tree))
  t.deepEqual(tree, parse(CONF, { lazy: false }))
  t.is(print(tree), CONF)
  // Its children are its own: an edit of them prints.
  ;(children[2] as Directive).args = ['8080']
  t.is(print(tree), CONF.replace('Listen 80', 'Listen 8080'))
})

test('a sealed root takes an assignment of its children; a frozen one refuses it and stays readable', (t) => {
  const sealed = Object.seal(parse(CONF))
  sealed.children = [createDirective('Listen', ['8080'])]
  t.false(childrenPending(sealed))
  t.deepEqual(sealed.children.map((n) => (n as Directive).args), [['8080']])
  t.is(print(sealed), 'Listen 8080\n')

  const frozen = Object.freeze(parse(CONF))
  t.throws(() => {
    ;(frozen as { children: unknown }).children = []
  }, { instanceOf: TypeError })
  t.true(childrenPending(frozen), 'a refused assignment builds nothing')
  t.is(frozen.children.length, 3)
  t.is(print(frozen), CONF)
})

test('a Proxy of the root, an object made from it, and a copy of its descriptors read and print it', (t) => {
  const eager = parse(CONF, { lazy: false })
  const proxied = new Proxy(parse(CONF), {})
  t.deepEqual(proxied.children, eager.children)
  t.is(print(proxied), CONF)

  const root = parse(CONF)
  const derived = Object.create(root) as typeof root
  t.deepEqual(derived.children, eager.children)
  t.true(childrenPending(root), 'the prototype is left as it was')
  t.is(print(root), CONF)

  const copy = Object.create(Object.getPrototypeOf(root), Object.getOwnPropertyDescriptors(root)) as typeof root
  t.deepEqual(copy.children, eager.children)
  t.is(print(copy), CONF)
})

test('children set around the accessor print as set: through a Proxy, defineProperty, delete', (t) => {
  const viaProxy = parse(CONF)
  new Proxy(viaProxy, {}).children = []
  t.false(childrenPending(viaProxy))
  t.is(print(viaProxy), '')

  const defined = parse(CONF)
  Object.defineProperty(defined, 'children', { value: [], writable: true, enumerable: true, configurable: true })
  t.false(childrenPending(defined))
  t.is(print(defined), '')

  const deleted = parse(CONF)
  delete (deleted as { children?: unknown }).children
  t.false(childrenPending(deleted))
  t.throws(() => print(deleted), { instanceOf: TypeError }, 'a root without children is not a tree')
})

test('nesting thousands deep: parse, build and print without running out of stack', (t) => {
  const depth = 20000
  const text = '<IfModule a>\n'.repeat(depth) + 'Listen 80\n' + '</IfModule>\n'.repeat(depth)
  for (const tree of [parse(text), parse(text, { lazy: false })]) {
    t.deepEqual(tree.data.diagnostics, [])
    let node = tree.children[0]
    let levels = 0
    while (node.type === 'section') {
      levels++
      t.is(node.children.length, 1)
      node = node.children[0]
    }
    t.is(levels, depth)
    t.is(node.type === 'directive' && node.name, 'Listen')
    t.is(print(tree), text)
  }
})
