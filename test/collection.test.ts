// Unit tests of the jscodeshift-style collection API (src/syntax/collection.ts): finding nodes, walking
// up, iterating, editing and printing. Expected outputs are written out in full.
import test from 'ava'
import { Collection, config, type NodePath } from '../src/syntax/collection.js'
import { append, childIndent, cloneNode, createDirective, eolOf, getOption, indentOf, setOption } from '../src/syntax/edit.js'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import type { Comment, Content, Directive, Root, Section } from '../src/syntax/types.js'

// ---------------------------------------------------------------------------------------------
// Helpers and fixtures

/** A short label for a node: `Name args…` for directives and sections, `#text` for comments. */
const label = (n: Content | Root): string => {
  switch (n.type) {
    case 'root':
      return 'root'
    case 'directive':
    case 'section':
      return [n.name, ...n.args].join(' ')
    case 'comment':
      return `#${n.value}`
    default:
      return '(blank)'
  }
}
const labels = (c: Collection<Content>): string[] => c.map((p) => label(p.node))
const chain = (p: NodePath): string[] => p.ancestors.map(label)

/** Names, args and nesting as Apache reads them, for read-back checks. */
type Shape = string | string[] | { section: string; children: Shape[] }
function shape(nodes: Content[]): Shape[] {
  return nodes.map((n): Shape => {
    if (n.type === 'section') return { section: label(n), children: shape(n.children) }
    if (n.type === 'directive') return [n.name, ...n.args]
    if (n.type === 'comment') return `#${n.value}`
    return ''
  })
}
const reread = (text: string | Buffer): Shape[] => {
  const tree = parse(text)
  if (tree.data.diagnostics.length > 0) throw new Error(tree.data.diagnostics.map(String).join('; '))
  return shape(tree.children)
}

const SITE = [
  '# Kallithea', // 1
  'WSGIDaemonProcess kallithea threads=4', // 2
  '<IfModule mod_wsgi.c>', // 3
  '    <VirtualHost *:80>', // 4
  '        ServerName a.example.org', // 5
  '        wsgiscriptalias / /srv/a/dispatch.wsgi', // 6
  '        <Location />', // 7
  '            # group', // 8
  '            WSGIProcessGroup kallithea', // 9
  '        </Location>', // 10
  '    </VirtualHost>', // 11
  '</IfModule>', // 12
  '', // 13
  '<virtualhost *:443>', // 14
  '    ServerName b.example.org', // 15
  '    WSGIScriptAlias / /srv/b/dispatch.wsgi', // 16
  '    WSGIDaemonProcess other \\', // 17
  '        threads=2 \\', // 18
  '        processes=2', // 19
  '</virtualhost>', // 20
  '',
].join('\n')

// ---------------------------------------------------------------------------------------------
// config()

test('config(text): searches start at the root; toSource gives the text back as a string', (t) => {
  const c = config(SITE)
  t.true(c instanceof Collection)
  t.is(c.size(), 0)
  t.is(c.length, 0)
  t.is(c.root.data.input, 'string')
  t.is(c.toSource(), SITE)
  t.is(c.findDirectives().size(), 7)
})

test('config(Buffer): toSource gives the very same bytes back as a Buffer', (t) => {
  const bytes = Buffer.from(SITE, 'utf8')
  const out = config(bytes).toSource()
  t.true(Buffer.isBuffer(out))
  t.deepEqual(out, bytes)
})

test('config(Uint8Array) reads bytes too', (t) => {
  const bytes = new Uint8Array(Buffer.from('Listen 80\n', 'utf8'))
  const c = config(bytes)
  t.is(c.root.data.input, 'buffer')
  t.deepEqual(labels(c.findDirectives()), ['Listen 80'])
  t.deepEqual(c.toSource(), Buffer.from('Listen 80\n'))
})

test('config(Root): works on the very tree given; edits show in it', (t) => {
  const tree = parse('Listen 80\nListen 443\n')
  const c = config(tree)
  t.is(c.root, tree)
  c.findDirectives('Listen', (n) => n.args[0] === '443').remove()
  t.is(print(tree), 'Listen 80\n')
  t.is(c.toSource(), 'Listen 80\n')
})

test('config(text, { path }) passes the path on to the tree', (t) => {
  const c = config('<VirtualHost *:80>\n', { path: '/etc/apache2/sites-available/k.conf' })
  t.is(c.root.data.path, '/etc/apache2/sites-available/k.conf')
  t.is(c.root.data.diagnostics.length, 1)
  t.is(c.root.data.diagnostics[0].file, '/etc/apache2/sites-available/k.conf')
})

// ---------------------------------------------------------------------------------------------
// find / findDirectives / findSections

test('findDirectives(): every directive in document order, at any depth', (t) => {
  t.deepEqual(labels(config(SITE).findDirectives()), [
    'WSGIDaemonProcess kallithea threads=4',
    'ServerName a.example.org',
    'wsgiscriptalias / /srv/a/dispatch.wsgi',
    'WSGIProcessGroup kallithea',
    'ServerName b.example.org',
    'WSGIScriptAlias / /srv/b/dispatch.wsgi',
    'WSGIDaemonProcess other threads=2 processes=2',
  ])
})

test('findDirectives(name) matches names case-insensitively', (t) => {
  const expected = ['wsgiscriptalias / /srv/a/dispatch.wsgi', 'WSGIScriptAlias / /srv/b/dispatch.wsgi']
  t.deepEqual(labels(config(SITE).findDirectives('WSGIScriptAlias')), expected)
  t.deepEqual(labels(config(SITE).findDirectives('wsgiscriptalias')), expected)
  t.deepEqual(labels(config(SITE).findDirectives('WSGISCRIPTALIAS')), expected)
  t.is(config(SITE).findDirectives('WSGIScript').size(), 0) // whole names only
})

test('findDirectives(name, predicate): the predicate gets the node and its path', (t) => {
  const seen: string[] = []
  const c = config(SITE).findDirectives('WSGIDaemonProcess', (node, path) => {
    seen.push(`${label(node)} in ${label(path.parent)}`)
    return getOption(node, 'processes') !== undefined
  })
  t.deepEqual(labels(c), ['WSGIDaemonProcess other threads=2 processes=2'])
  t.deepEqual(seen, ['WSGIDaemonProcess kallithea threads=4 in root', 'WSGIDaemonProcess other threads=2 processes=2 in virtualhost *:443'])
})

test('findDirectives(matcher function) selects by any rule', (t) => {
  const c = config(SITE).findDirectives((node) => node.name.toLowerCase().startsWith('wsgi'))
  t.deepEqual(labels(c), [
    'WSGIDaemonProcess kallithea threads=4',
    'wsgiscriptalias / /srv/a/dispatch.wsgi',
    'WSGIProcessGroup kallithea',
    'WSGIScriptAlias / /srv/b/dispatch.wsgi',
    'WSGIDaemonProcess other threads=2 processes=2',
  ])
})

test('findSections(name) matches case-insensitively, inside IfModule too', (t) => {
  t.deepEqual(labels(config(SITE).findSections('VirtualHost')), ['VirtualHost *:80', 'virtualhost *:443'])
  t.deepEqual(labels(config(SITE).findSections('VIRTUALHOST')), ['VirtualHost *:80', 'virtualhost *:443'])
  t.deepEqual(labels(config(SITE).findSections()), ['IfModule mod_wsgi.c', 'VirtualHost *:80', 'Location /', 'virtualhost *:443'])
  t.deepEqual(labels(config(SITE).findSections('VirtualHost', (s) => s.args[0] === '*:443')), ['virtualhost *:443'])
})

test("find('comment') and find('blank')", (t) => {
  const comments = config(SITE).find('comment')
  t.deepEqual(labels(comments), ['# Kallithea', '# group'])
  t.deepEqual(
    comments.map((p) => p.node.value),
    [' Kallithea', ' group'],
  )
  t.is(config(SITE).find('blank').size(), 1)
  t.is(config(SITE).find('blank').nodes()[0].raw, '\n')
})

test('find from a section collection visits only its descendants', (t) => {
  const vhosts = config(SITE).findSections('VirtualHost')
  t.deepEqual(labels(vhosts.findDirectives('WSGIDaemonProcess')), ['WSGIDaemonProcess other threads=2 processes=2'])
  t.deepEqual(labels(vhosts.findDirectives('ServerName')), ['ServerName a.example.org', 'ServerName b.example.org'])
  const location = config(SITE).findSections('Location')
  t.deepEqual(labels(location.findDirectives()), ['WSGIProcessGroup kallithea'])
  t.deepEqual(labels(location.find('comment')), ['# group'])
  t.is(location.findSections().size(), 0) // not the section itself
  t.deepEqual(labels(config(SITE).findSections('IfModule').findSections()), ['VirtualHost *:80', 'Location /'])
})

test('find from nested sections in one collection gives each node once, in order', (t) => {
  const all = config(SITE).findSections()
  t.deepEqual(labels(all.findDirectives()), [
    'ServerName a.example.org',
    'wsgiscriptalias / /srv/a/dispatch.wsgi',
    'WSGIProcessGroup kallithea',
    'ServerName b.example.org',
    'WSGIScriptAlias / /srv/b/dispatch.wsgi',
    'WSGIDaemonProcess other threads=2 processes=2',
  ])
})

test('find from a directive collection finds nothing (directives have no children)', (t) => {
  t.is(config(SITE).findDirectives().findDirectives().size(), 0)
  t.is(config(SITE).findDirectives().find('comment').size(), 0)
})

test('find on an empty collection finds nothing, not the whole tree', (t) => {
  const c = config(SITE)
  t.is(c.findDirectives('Nope').findDirectives().size(), 0)
  t.is(c.findSections('Nope').find('comment').size(), 0)
  t.is(c.filter(() => true).findDirectives().size(), 0)
  t.is(c.findSections().filter(() => false).findDirectives().size(), 0)
  t.is(c.findSections().at(99).findDirectives().size(), 0)
  t.is(c.findSections('VirtualHost', (s) => s.args[0] === '*:443').closest().findDirectives().size(), 0) // nothing above
})

// ---------------------------------------------------------------------------------------------
// Paths: ancestors and parent

test('paths: ancestors go from the root down to the direct parent', (t) => {
  const group = config(SITE).findDirectives('WSGIProcessGroup').paths()[0]
  t.deepEqual(chain(group), ['root', 'IfModule mod_wsgi.c', 'VirtualHost *:80', 'Location /'])
  t.is(label(group.parent), 'Location /')
  t.is(group.parent, group.ancestors[group.ancestors.length - 1])
  t.is(group.ancestors[0].type, 'root')

  const top = config(SITE).findDirectives('WSGIDaemonProcess').paths()
  t.deepEqual(top.map(chain), [['root'], ['root', 'virtualhost *:443']])
  t.is(top[0].parent.type, 'root')
})

test('paths: the same from a nested search as from the root', (t) => {
  const c = config(SITE)
  const fromRoot = c.findDirectives('WSGIProcessGroup').paths()[0]
  const nested = c.findSections('IfModule').findSections('VirtualHost').findDirectives('WSGIProcessGroup').paths()[0]
  t.is(nested.node, fromRoot.node)
  t.deepEqual(nested.ancestors, fromRoot.ancestors)
  t.is(nested.parent, fromRoot.parent)
  t.is(nested.ancestors[0], c.root)
})

test('paths: the parent is the real parent node (edits through it show in the tree)', (t) => {
  const c = config('<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\n')
  const p = c.findDirectives('ServerName').paths()[0]
  t.is(p.parent, c.root.children[0] as Section)
  t.true((p.parent as Section).children.includes(p.node))
})

// ---------------------------------------------------------------------------------------------
// closest

test('closest(): the nearest enclosing section of each node', (t) => {
  const c = config(SITE)
  t.deepEqual(labels(c.findDirectives('WSGIProcessGroup').closest()), ['Location /'])
  t.deepEqual(labels(c.findDirectives('ServerName').closest()), ['VirtualHost *:80', 'virtualhost *:443'])
  t.is(c.findDirectives('WSGIDaemonProcess', (n) => n.args[0] === 'kallithea').closest().size(), 0) // top level
})

test("closest('VirtualHost'): skips other sections, matches case-insensitively, deduplicates", (t) => {
  const c = config(SITE)
  // Three directives in the first vhost (one inside <Location>), two in the second.
  const vhosts = c.findDirectives((n) => n.name !== 'WSGIDaemonProcess' || n.args[0] !== 'kallithea').closest('virtualhost')
  t.deepEqual(labels(vhosts), ['VirtualHost *:80', 'virtualhost *:443'])
  t.deepEqual(vhosts.paths().map(chain), [['root', 'IfModule mod_wsgi.c'], ['root']])
  t.is(label(vhosts.paths()[0].parent), 'IfModule mod_wsgi.c')
  t.is(vhosts.paths()[1].parent, c.root)
})

test("closest('IfModule') walks past nearer sections; no match → empty", (t) => {
  const c = config(SITE)
  const group = c.findDirectives('WSGIProcessGroup')
  t.deepEqual(labels(group.closest('IfModule')), ['IfModule mod_wsgi.c'])
  t.deepEqual(group.closest('IfModule').paths().map(chain), [['root']])
  t.is(group.closest('Directory').size(), 0)
  t.is(c.findDirectives('ServerName').closest('IfModule').size(), 1)
})

test('closest(matcher function)', (t) => {
  const c = config(SITE)
  const https = c.findDirectives('ServerName').closest((s) => s.name.toLowerCase() === 'virtualhost' && s.args[0].endsWith(':443'))
  t.deepEqual(labels(https), ['virtualhost *:443'])
})

test('closest() from sections: the enclosing section, not the section itself', (t) => {
  const c = config(SITE)
  t.deepEqual(labels(c.findSections('Location').closest()), ['VirtualHost *:80'])
  t.deepEqual(labels(c.findSections('Location').closest('VirtualHost').findDirectives('ServerName')), ['ServerName a.example.org'])
})

test('chained like jscodeshift: vhosts → their WSGIScriptAlias → back to the vhosts that have one', (t) => {
  const text = [
    '<VirtualHost *:80>',
    '    WSGIScriptAlias / /srv/a.wsgi',
    '    WSGIScriptAlias /api /srv/api.wsgi',
    '</VirtualHost>',
    '<VirtualHost *:8080>',
    '    ServerName static',
    '</VirtualHost>',
    '<IfModule mod_wsgi.c>',
    '  <VirtualHost *:443>',
    '    <Location />',
    '      WSGIScriptAlias / /srv/b.wsgi',
    '    </Location>',
    '  </VirtualHost>',
    '</IfModule>',
    '',
  ].join('\n')
  const vhosts = config(text).findSections('VirtualHost').findDirectives('WSGIScriptAlias').closest('VirtualHost')
  t.deepEqual(labels(vhosts), ['VirtualHost *:80', 'VirtualHost *:443'])
  // And onwards: give each of them a WSGIProcessGroup as their last line.
  vhosts.forEach((p) => {
    append(p.node, createDirective('WSGIProcessGroup', ['k'], { indent: childIndent(p.node, vhosts.root), eol: vhosts.root.data.eol }), vhosts.root)
  })
  t.is(
    vhosts.toSource(),
    [
      '<VirtualHost *:80>',
      '    WSGIScriptAlias / /srv/a.wsgi',
      '    WSGIScriptAlias /api /srv/api.wsgi',
      '    WSGIProcessGroup k',
      '</VirtualHost>',
      '<VirtualHost *:8080>',
      '    ServerName static',
      '</VirtualHost>',
      '<IfModule mod_wsgi.c>',
      '  <VirtualHost *:443>',
      '    <Location />',
      '      WSGIScriptAlias / /srv/b.wsgi',
      '    </Location>',
      '    WSGIProcessGroup k',
      '  </VirtualHost>',
      '</IfModule>',
      '',
    ].join('\n'),
  )
})

// ---------------------------------------------------------------------------------------------
// Iteration: filter, forEach, map, some, at, size, length, nodes, paths

test('filter / map / some / size / length / nodes / paths', (t) => {
  const c = config(SITE).findDirectives()
  t.is(c.size(), 7)
  t.is(c.length, 7)
  const wsgi = c.filter((p, i) => p.node.name.toLowerCase().startsWith('wsgi') && i > 0)
  t.deepEqual(labels(wsgi), [
    'wsgiscriptalias / /srv/a/dispatch.wsgi',
    'WSGIProcessGroup kallithea',
    'WSGIScriptAlias / /srv/b/dispatch.wsgi',
    'WSGIDaemonProcess other threads=2 processes=2',
  ])
  t.is(wsgi.root, c.root)
  t.deepEqual(
    c.map((p, i) => `${i}:${p.node.name}`),
    ['0:WSGIDaemonProcess', '1:ServerName', '2:wsgiscriptalias', '3:WSGIProcessGroup', '4:ServerName', '5:WSGIScriptAlias', '6:WSGIDaemonProcess'],
  )
  t.true(c.some((p) => p.node.name === 'WSGIProcessGroup'))
  t.false(c.some((p) => p.node.name === 'WSGIPythonHome'))
  t.deepEqual(
    c.nodes().map((n) => n.name),
    ['WSGIDaemonProcess', 'ServerName', 'wsgiscriptalias', 'WSGIProcessGroup', 'ServerName', 'WSGIScriptAlias', 'WSGIDaemonProcess'],
  )
  t.deepEqual(
    c.paths().map((p) => p.node),
    c.nodes(),
  )
})

test('paths() and nodes() are copies: changing them does not change the collection', (t) => {
  const c = config(SITE).findDirectives('ServerName')
  c.paths().pop()
  c.nodes().pop()
  t.is(c.size(), 2)
})

test('at(i): one path, negative from the end, out of range → empty', (t) => {
  const c = config(SITE).findDirectives('ServerName')
  t.deepEqual(labels(c.at(0)), ['ServerName a.example.org'])
  t.deepEqual(labels(c.at(-1)), ['ServerName b.example.org'])
  t.is(c.at(2).size(), 0)
  t.is(c.at(2).length, 0)
  t.deepEqual(labels(c.at(1).closest()), ['virtualhost *:443'])
})

test('forEach: every path with its index, returns the collection for chaining', (t) => {
  const c = config(SITE).findDirectives('WSGIDaemonProcess')
  const seen: string[] = []
  const back = c.forEach((p, i) => seen.push(`${i}:${p.node.args[0]}`))
  t.is(back, c)
  t.deepEqual(seen, ['0:kallithea', '1:other'])
})

test('forEach with edits: setOption on every daemon', (t) => {
  const c = config(SITE)
  c.findDirectives('WSGIDaemonProcess').forEach((p) => setOption(p.node, 'threads', '8'))
  t.is(
    c.toSource(),
    SITE.replace('WSGIDaemonProcess kallithea threads=4', 'WSGIDaemonProcess kallithea threads=8').replace('        threads=2 \\', '        threads=8 \\'),
  )
  t.deepEqual(
    config(c.toSource()).findDirectives('WSGIDaemonProcess').map((p) => p.node.args),
    [
      ['kallithea', 'threads=8'],
      ['other', 'threads=8', 'processes=2'],
    ],
  )
})

// ---------------------------------------------------------------------------------------------
// Edits: insertBefore, insertAfter, remove, replaceWith

test('insertBefore with a function of the path: a fresh node per place, indented like it', (t) => {
  const c = config(SITE)
  c.findDirectives('WSGIScriptAlias').insertBefore((p) =>
    createDirective('WSGIPassAuthorization', ['On'], { indent: indentOf(p.node), eol: eolOf(p.node) }),
  )
  t.is(
    c.toSource(),
    [
      '# Kallithea',
      'WSGIDaemonProcess kallithea threads=4',
      '<IfModule mod_wsgi.c>',
      '    <VirtualHost *:80>',
      '        ServerName a.example.org',
      '        WSGIPassAuthorization On',
      '        wsgiscriptalias / /srv/a/dispatch.wsgi',
      '        <Location />',
      '            # group',
      '            WSGIProcessGroup kallithea',
      '        </Location>',
      '    </VirtualHost>',
      '</IfModule>',
      '',
      '<virtualhost *:443>',
      '    ServerName b.example.org',
      '    WSGIPassAuthorization On',
      '    WSGIScriptAlias / /srv/b/dispatch.wsgi',
      '    WSGIDaemonProcess other \\',
      '        threads=2 \\',
      '        processes=2',
      '</virtualhost>',
      '',
    ].join('\n'),
  )
})

test('insertAfter with a function: after a continued directive, after all of its lines', (t) => {
  const c = config(SITE)
  c.findDirectives('WSGIDaemonProcess').insertAfter((p) =>
    createDirective('WSGIProcessGroup', [p.node.args[0]], { indent: indentOf(p.node), eol: eolOf(p.node) }),
  )
  t.is(
    c.toSource(),
    [
      '# Kallithea',
      'WSGIDaemonProcess kallithea threads=4',
      'WSGIProcessGroup kallithea',
      '<IfModule mod_wsgi.c>',
      '    <VirtualHost *:80>',
      '        ServerName a.example.org',
      '        wsgiscriptalias / /srv/a/dispatch.wsgi',
      '        <Location />',
      '            # group',
      '            WSGIProcessGroup kallithea',
      '        </Location>',
      '    </VirtualHost>',
      '</IfModule>',
      '',
      '<virtualhost *:443>',
      '    ServerName b.example.org',
      '    WSGIScriptAlias / /srv/b/dispatch.wsgi',
      '    WSGIDaemonProcess other \\',
      '        threads=2 \\',
      '        processes=2',
      '    WSGIProcessGroup other',
      '</virtualhost>',
      '',
    ].join('\n'),
  )
})

test('insertAfter / insertBefore with a node: one place', (t) => {
  const c = config('<Location />\n\tRequire all granted\n</Location>\n')
  c.findDirectives('Require').insertAfter(createDirective('Options', ['-Indexes'], { indent: '\t' }))
  const comment: Comment = { type: 'comment', value: ' access', raw: '# access\n' }
  c.findSections('Location').insertBefore(comment)
  t.is(c.toSource(), '# access\n<Location />\n\tRequire all granted\n\tOptions -Indexes\n</Location>\n')
  t.deepEqual(reread(c.toSource()), ['# access', { section: 'Location /', children: [['Require', 'all', 'granted'], ['Options', '-Indexes']] }])
})

test('insertAfter the last line of a file without a final newline (CRLF): still none at the end', (t) => {
  const c = config('ServerName a\r\nListen 80')
  c.findDirectives('Listen').insertAfter((p) => createDirective('Listen', ['443'], { indent: indentOf(p.node), eol: eolOf(p.node) }))
  t.is(c.toSource(), 'ServerName a\r\nListen 80\r\nListen 443')
})

test('insertBefore the last line of a file without a final newline: the new line ends with the file’s EOL', (t) => {
  const c = config('ServerName a\r\nListen 80')
  // eolOf(Listen) is '': the collection gives the new line the file's line ending.
  c.findDirectives('Listen').insertBefore((p) => createDirective('Listen', ['443'], { indent: indentOf(p.node), eol: eolOf(p.node) }))
  t.is(c.toSource(), 'ServerName a\r\nListen 443\r\nListen 80')
})

test('remove: the nodes go with their lines; a continued directive with all of its lines', (t) => {
  const c = config(SITE)
  c.findDirectives('WSGIDaemonProcess').remove()
  c.find('comment').remove()
  t.is(
    c.toSource(),
    [
      '<IfModule mod_wsgi.c>',
      '    <VirtualHost *:80>',
      '        ServerName a.example.org',
      '        wsgiscriptalias / /srv/a/dispatch.wsgi',
      '        <Location />',
      '            WSGIProcessGroup kallithea',
      '        </Location>',
      '    </VirtualHost>',
      '</IfModule>',
      '',
      '<virtualhost *:443>',
      '    ServerName b.example.org',
      '    WSGIScriptAlias / /srv/b/dispatch.wsgi',
      '</virtualhost>',
      '',
    ].join('\n'),
  )
})

test('remove: whole sections (IfModule-wrapped vhost and its contents)', (t) => {
  const c = config(SITE)
  c.findSections('VirtualHost', (s) => s.args[0] === '*:80').remove()
  t.is(
    c.toSource(),
    [
      '# Kallithea',
      'WSGIDaemonProcess kallithea threads=4',
      '<IfModule mod_wsgi.c>',
      '</IfModule>',
      '',
      '<virtualhost *:443>',
      '    ServerName b.example.org',
      '    WSGIScriptAlias / /srv/b/dispatch.wsgi',
      '    WSGIDaemonProcess other \\',
      '        threads=2 \\',
      '        processes=2',
      '</virtualhost>',
      '',
    ].join('\n'),
  )
})

test('remove: the last lines of a file without a final newline, in either order', (t) => {
  const c = config('A 1\nB 2\nC 3')
  c.findDirectives((n) => n.name !== 'A').remove()
  t.is(c.toSource(), 'A 1')
  const d = config('A 1\nB 2\nC 3')
  new Collection(d.root, d.findDirectives((n) => n.name !== 'A').paths().reverse()).remove()
  t.is(d.toSource(), 'A 1')
})

test('remove: a continued directive in a CRLF file', (t) => {
  const c = config('WSGIDaemonProcess k \\\r\n\tthreads=4 \\\r\n\tprocesses=2\r\nWSGIProcessGroup k\r\n')
  c.findDirectives('WSGIDaemonProcess').remove()
  t.is(c.toSource(), 'WSGIProcessGroup k\r\n')
})

test('replaceWith: each node replaced; the replacement keeps the line ending of the place', (t) => {
  const c = config('<VirtualHost *:80>\r\n  WSGIScriptAlias / /srv/a.wsgi\r\n  WSGIScriptAlias /b /srv/b.wsgi\r\n</VirtualHost>\r\n')
  c.findDirectives('WSGIScriptAlias').replaceWith((p) =>
    createDirective('WSGIScriptAlias', [p.node.args[0], p.node.args[1].replace('/srv/', '/srv/kallithea/')], { indent: indentOf(p.node) }),
  )
  t.is(c.toSource(), '<VirtualHost *:80>\r\n  WSGIScriptAlias / /srv/kallithea/a.wsgi\r\n  WSGIScriptAlias /b /srv/kallithea/b.wsgi\r\n</VirtualHost>\r\n')
})

test('replaceWith: a section replaced by a directive node, at the end of a file without a newline', (t) => {
  const c = config('Listen 80\n<IfModule !mod_wsgi.c>\n  LoadModule wsgi_module mod_wsgi.so\n</IfModule>')
  c.findSections('IfModule').replaceWith(createDirective('LoadModule', ['wsgi_module', 'mod_wsgi.so']))
  t.is(c.toSource(), 'Listen 80\nLoadModule wsgi_module mod_wsgi.so')
})

test('edit methods return the collection, for chaining', (t) => {
  const c = config('A 1\nB 2\n').findDirectives('A')
  t.is(c.insertBefore(() => createDirective('Z', [])), c)
  t.is(c.insertAfter(() => createDirective('Y', [])), c)
  t.is(c.replaceWith(() => createDirective('X', [])), c)
  t.is(config(c.root).findDirectives('B').remove().toSource(), 'Z\nX\nY\n')
})

test('edits on an empty collection change nothing', (t) => {
  const c = config(SITE)
  const none = c.findDirectives('Nope')
  none.insertBefore(createDirective('X', [])).insertAfter(createDirective('Y', [])).replaceWith(createDirective('Z', [])).remove()
  t.is(c.toSource(), SITE)
})

// ---------------------------------------------------------------------------------------------
// toSource and encodings

test('toSource: untouched nodes print exactly as they were, next to edited ones', (t) => {
  const text = '  # odd   spacing \t\n\tWSGIDaemonProcess  k  "threads=4"\t\\\r\n    processes=2   \r\n<VirtualHost   *:80 >\r\n</virtualHOST>'
  const c = config(text)
  t.is(c.toSource(), text)
  c.findDirectives('WSGIDaemonProcess').forEach((p) => setOption(p.node, 'threads', '8'))
  t.is(c.toSource(), '  # odd   spacing \t\n\tWSGIDaemonProcess  k  "threads=8"\t\\\r\n    processes=2   \r\n<VirtualHost   *:80 >\r\n</virtualHOST>')
})

test('toSource: a Buffer for Buffer input, with Latin-1 bytes kept through edits', (t) => {
  const input = Buffer.from('# R\xe9glages\n<VirtualHost *:80>\n    ServerAdmin h\xe9l\xe8ne@example.org\n    WSGIDaemonProcess k display-name=caf\xe9\n</VirtualHost>\n', 'latin1')
  const c = config(input)
  t.is(c.root.data.encoding, 'latin1')
  t.deepEqual(labels(c.find('comment')), ['# R\xe9glages'])
  c.findDirectives('WSGIDaemonProcess').forEach((p) => setOption(p.node, 'threads', '4'))
  c.findDirectives('WSGIDaemonProcess').insertAfter((p) => createDirective('WSGIProcessGroup', ['k'], { indent: indentOf(p.node), eol: eolOf(p.node) }))
  const out = c.toSource()
  t.true(Buffer.isBuffer(out))
  t.deepEqual(
    out,
    Buffer.from(
      '# R\xe9glages\n<VirtualHost *:80>\n    ServerAdmin h\xe9l\xe8ne@example.org\n    WSGIDaemonProcess k display-name=caf\xe9 threads=4\n    WSGIProcessGroup k\n</VirtualHost>\n',
      'latin1',
    ),
  )
  t.false((out as Buffer).includes(Buffer.from([0xc3, 0xa9]))) // no UTF-8 é crept in
})

test('toSource: a string for string input, even with non-ASCII text', (t) => {
  const c = config('# Réglages\nServerAdmin hélène@example.org\n')
  c.findDirectives('ServerAdmin').replaceWith(createDirective('ServerAdmin', ['renée@example.org']))
  const out = c.toSource()
  t.is(typeof out, 'string')
  t.is(out, '# Réglages\nServerAdmin renée@example.org\n')
})

// ---------------------------------------------------------------------------------------------
// A transform written with the API

test('a transform: every vhost with a WSGIScriptAlias and no WSGIProcessGroup gets one', (t) => {
  const text = [
    '<IfModule mod_wsgi.c>',
    '\tWSGIDaemonProcess kallithea threads=4',
    '\t<VirtualHost *:80>',
    '\t\tWSGIScriptAlias / /srv/k.wsgi',
    '\t</VirtualHost>',
    '\t<VirtualHost *:81>',
    '\t\tWSGIScriptAlias / /srv/k.wsgi',
    '\t\tWSGIProcessGroup kallithea',
    '\t</VirtualHost>',
    '</IfModule>',
  ].join('\r\n')
  const c = config(text)
  const grouped = new Set(c.findDirectives('WSGIProcessGroup').closest('VirtualHost').nodes())
  c.findDirectives('WSGIScriptAlias')
    .closest('VirtualHost')
    .filter((p) => !grouped.has(p.node))
    .findDirectives('WSGIScriptAlias')
    .insertAfter((p) => createDirective('WSGIProcessGroup', ['kallithea'], { indent: indentOf(p.node), eol: eolOf(p.node) }))
  t.is(
    c.toSource(),
    [
      '<IfModule mod_wsgi.c>',
      '\tWSGIDaemonProcess kallithea threads=4',
      '\t<VirtualHost *:80>',
      '\t\tWSGIScriptAlias / /srv/k.wsgi',
      '\t\tWSGIProcessGroup kallithea',
      '\t</VirtualHost>',
      '\t<VirtualHost *:81>',
      '\t\tWSGIScriptAlias / /srv/k.wsgi',
      '\t\tWSGIProcessGroup kallithea',
      '\t</VirtualHost>',
      '</IfModule>',
    ].join('\r\n'),
  )
  t.deepEqual(
    config(c.toSource()).findDirectives('WSGIProcessGroup').closest().map((p) => p.node.args[0]),
    ['*:80', '*:81'],
  )
})

// Type-level: the collection's node types follow the search.
test('types: findDirectives gives Directive paths, findSections Section paths', (t) => {
  const d: Collection<Directive> = config(SITE).findDirectives()
  const s: Collection<Section> = config(SITE).findSections()
  const comments = config(SITE).find('comment')
  t.is(d.nodes()[0].type, 'directive')
  t.is(s.nodes()[0].children.length, 1)
  t.is(comments.nodes()[0].type, 'comment')
})

test('20,000-deep nesting: find, closest and edits through the collection, without running out of stack', (t) => {
  const depth = 20_000
  const text = '<IfModule a>\n'.repeat(depth) + 'WSGIProcessGroup k\n' + '</IfModule>\n'.repeat(depth)
  const c = config(text)
  const group = c.findDirectives('WSGIProcessGroup')
  t.is(group.length, 1)
  const path = group.paths()[0]
  t.is(path.ancestors.length, depth + 1)
  t.is(path.ancestors[0], c.root)
  t.is(path.ancestors[depth], path.parent)
  const sections = c.findSections('IfModule')
  t.is(sections.length, depth)
  t.is<Content | Root, Content | Root>(sections.paths()[depth - 1].node, path.parent)
  // From every section at once: each directive once (inner sections are not walked again).
  t.is(sections.findDirectives().length, 1)
  t.is(sections.at(-1).findDirectives('WSGIProcessGroup').nodes()[0], path.node)
  t.is<Content | Root, Content | Root>(group.closest('IfModule').nodes()[0], path.parent)
  t.is(sections.at(-1).closest().paths()[0].ancestors.length, depth - 1)
  t.is(group.closest('VirtualHost').length, 0)
  group.insertAfter(createDirective('WSGIApplicationGroup', ['%{GLOBAL}']))
  t.is(c.toSource(), text.replace('WSGIProcessGroup k\n', 'WSGIProcessGroup k\nWSGIApplicationGroup %{GLOBAL}\n'))
  // A copy of the whole nest, put after it: the node is cloned for the second place.
  const top = c.findSections('IfModule').at(0)
  c.findDirectives().filter((_, i) => i === 0).insertAfter(createDirective('Listen', ['80']))
  top.insertAfter((p) => cloneNode(p.node))
  const printed = c.toSource() as string
  t.is(printed.length, 2 * (text.length + 'WSGIApplicationGroup %{GLOBAL}\nListen 80\n'.length))
})
