// Unit tests of the edit helpers (src/syntax/edit.ts), of the re-spelling they rely on (src/syntax/render.ts)
// and of line ranges after edits (src/syntax/locate.ts). Every test writes the expected output out in
// full and, where it matters, parses it back to check that Apache would read what was intended.
import test, { type ExecutionContext } from 'ava'
import {
  append,
  childIndent,
  createDirective,
  eolOf,
  getOption,
  indentOf,
  indentUnit,
  insertAfter,
  insertBefore,
  options,
  remove,
  removeOption,
  renameDirective,
  renameOption,
  replaceWith,
  setArgs,
  setOption,
} from '../src/syntax/edit.js'
import { lineRanges } from '../src/syntax/locate.js'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import type { Content, Directive, Root, Section } from '../src/syntax/types.js'

// ---------------------------------------------------------------------------------------------
// Helpers

/** Parse text that must print back unchanged and have no diagnostics (unless told). */
function read(input: string, diagnostics = 0): Root {
  const tree = parse(input)
  if (print(tree) !== input) throw new Error(`does not print back: ${JSON.stringify(input)}`)
  if (tree.data.diagnostics.length !== diagnostics) {
    throw new Error(`expected ${diagnostics} diagnostic(s), got: ${tree.data.diagnostics.map(String).join('; ')}`)
  }
  return tree
}

/** What Apache reads from a tree: names, args, comments, blanks, nesting. */
type Shape = string | [string, ...string[]] | { section: string; args: readonly string[]; children: Shape[] }

function shape(nodes: Content[]): Shape[] {
  return nodes.map((n): Shape => {
    switch (n.type) {
      case 'section':
        return { section: n.name, args: n.args, children: shape(n.children) }
      case 'directive':
        return [n.name, ...n.args]
      case 'comment':
        return `#${n.value}`
      default:
        return ''
    }
  })
}

/** Parse printed text back and return what Apache reads. */
function reread(text: string | Buffer): Shape[] {
  const tree = parse(text)
  if (tree.data.diagnostics.length > 0) throw new Error(tree.data.diagnostics.map(String).join('; '))
  return shape(tree.children)
}

const dir = (parent: Root | Section, i: number): Directive => {
  const n = parent.children[i]
  if (n.type !== 'directive') throw new Error(`child ${i} is a ${n.type}`)
  return n
}
const sec = (parent: Root | Section, i: number): Section => {
  const n = parent.children[i]
  if (n.type !== 'section') throw new Error(`child ${i} is a ${n.type}`)
  return n
}

/** A one-directive file, and its directive. */
function one(input: string): { tree: Root; node: Directive } {
  const tree = read(input)
  return { tree, node: dir(tree, 0) }
}

// ---------------------------------------------------------------------------------------------
// indentOf / eolOf

test('indentOf: spaces, tabs, none; a section takes its open tag; a continued directive its first line', (t) => {
  const tree = read(
    [
      'ServerName example.org',
      '<VirtualHost *:80>',
      '    WSGIDaemonProcess k \\',
      '\t\tthreads=4',
      '\t<Location />',
      '\t</Location>',
      '  # comment',
      '   ',
      '</VirtualHost>',
      '',
    ].join('\n'),
  )
  const vhost = sec(tree, 1)
  t.is(indentOf(dir(tree, 0)), '')
  t.is(indentOf(vhost), '')
  t.is(indentOf(dir(vhost, 0)), '    ')
  t.is(indentOf(sec(vhost, 1)), '\t')
  t.is(indentOf(vhost.children[2]), '  ')
  t.is(indentOf(vhost.children[3]), '   ')
})

test('eolOf: LF, CRLF, none at the end of the file; a section ends with its close tag', (t) => {
  const lf = read('A 1\nB 2')
  t.is(eolOf(lf.children[0]), '\n')
  t.is(eolOf(lf.children[1]), '')

  const crlf = read('A 1\r\n<B>\r\n  C \\\r\n    3\r\n</B>\r\n# x\r\n\r\n')
  t.is(eolOf(crlf.children[0]), '\r\n')
  t.is(eolOf(crlf.children[1]), '\r\n')
  t.is(eolOf(dir(sec(crlf, 1), 0)), '\r\n')
  t.is(eolOf(crlf.children[2]), '\r\n')
  t.is(eolOf(crlf.children[3]), '\r\n')

  const closeLast = read('<B>\n</B>')
  t.is(eolOf(closeLast.children[0]), '')
})

test('eolOf: an unclosed section ends with its last child, or with its open tag when empty', (t) => {
  const withChild = read('<B>\n  C 3\r\n', 1)
  t.is(eolOf(withChild.children[0]), '\r\n')
  const withChildNoEol = read('<B>\n  C 3', 1)
  t.is(eolOf(withChildNoEol.children[0]), '')
  const empty = read('<B>\r\n', 1)
  t.is(eolOf(empty.children[0]), '\r\n')
  const emptyNoEol = read('<B>', 1)
  t.is(eolOf(emptyNoEol.children[0]), '')
})

test('eolOf: a lone CR is not a line ending (Apache reads it as white space)', (t) => {
  const tree = read('A 1\nB 2\r')
  t.deepEqual(shape(tree.children), [['A', '1'], ['B', '2']])
  t.is(eolOf(tree.children[1]), '')
})

test('eolOf: a directive edited but not respelled yet ends as it will print', (t) => {
  const { node } = one('A 1\r\n')
  node.args = ['2']
  t.is(eolOf(node), '\r\n')
})

// ---------------------------------------------------------------------------------------------
// indentUnit / childIndent

test('indentUnit: tabs', (t) => {
  t.is(indentUnit(read('<VirtualHost *:80>\n\tServerName a\n</VirtualHost>\n')), '\t')
})

test('indentUnit: two spaces', (t) => {
  t.is(indentUnit(read('<VirtualHost *:80>\n  ServerName a\n</VirtualHost>\n')), '  ')
})

test('indentUnit: four spaces', (t) => {
  t.is(indentUnit(read('<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\n')), '    ')
})

test('indentUnit: four spaces by default when nothing is nested or nothing is indented', (t) => {
  t.is(indentUnit(read('')), '    ')
  t.is(indentUnit(read('ServerName a\nListen 80\n')), '    ')
  t.is(indentUnit(read('<VirtualHost *:80>\n</VirtualHost>\n')), '    ')
  t.is(indentUnit(read('<VirtualHost *:80>\nServerName a\n</VirtualHost>\n')), '    ')
})

test('indentUnit: comments and blank lines do not count; the first indented section child does', (t) => {
  t.is(indentUnit(read('<A>\n        # deep comment\n   \n</A>\n<B>\n  X 1\n</B>\n')), '  ')
})

test('indentUnit: a nested section gives the step between its own indentation and its children', (t) => {
  // The first indented child is `\t<B>` (one tab), found before its own children.
  t.is(indentUnit(read('<A>\n\t<B>\n\t\tX 1\n\t</B>\n</A>\n')), '\t')
  // An unindented section child: the step is found one level down.
  t.is(indentUnit(read('<A>\n<B>\n   X 1\n</B>\n</A>\n')), '   ')
})

test('childIndent: the indentation of the first directive or section child (comments skipped)', (t) => {
  const tree = read('<A>\n# c\n\tX 1\n  Y 2\n</A>\n<B>\n    # only a comment\n</B>\n')
  t.is(childIndent(sec(tree, 0), tree), '\t')
  // A section holding only comments: its open indentation plus the file's unit (a tab here).
  t.is(childIndent(sec(tree, 1), tree), '\t')
})

test('childIndent: an empty section takes its open indentation plus the unit', (t) => {
  const spaces = read('<A>\n  <B>\n  </B>\n</A>\n')
  t.is(childIndent(sec(sec(spaces, 0), 0), spaces), '    ')
  const tabs = read('<A>\n\t<B>\n\t</B>\n</A>\n')
  t.is(childIndent(sec(sec(tabs, 0), 0), tabs), '\t\t')
  const flat = read('<A>\n</A>\n')
  t.is(childIndent(sec(flat, 0), flat), '    ')
})

test('childIndent: the root takes no indentation, empty or not', (t) => {
  const empty = read('')
  t.is(childIndent(empty, empty), '')
  const comments = read('  # only\n')
  t.is(childIndent(comments, comments), '')
  const tree = read('ServerName a\n<A>\n\tX 1\n</A>\n')
  t.is(childIndent(tree, tree), '')
})

// ---------------------------------------------------------------------------------------------
// createDirective

test('createDirective: bare words, default LF, no indentation', (t) => {
  const node = createDirective('WSGIProcessGroup', ['kallithea'])
  t.deepEqual(node, { type: 'directive', name: 'WSGIProcessGroup', args: ['kallithea'], raw: 'WSGIProcessGroup kallithea\n' })
  t.deepEqual(reread(node.raw), [['WSGIProcessGroup', 'kallithea']])
})

test('createDirective: indentation and line ending given', (t) => {
  const node = createDirective('WSGIApplicationGroup', ['%{GLOBAL}'], { indent: '\t\t', eol: '\r\n' })
  t.is(node.raw, '\t\tWSGIApplicationGroup %{GLOBAL}\r\n')
  t.is(createDirective('Require', ['all', 'granted'], { eol: '' }).raw, 'Require all granted')
  t.is(createDirective('ServerSignature', []).raw, 'ServerSignature\n')
})

test('createDirective: the args array is copied', (t) => {
  const args = ['a']
  const node = createDirective('X', args)
  args.push('b')
  t.deepEqual(node.args, ['a'])
})

test('createDirective: values with spaces, quotes, backslashes and empty values are quoted to read back', (t) => {
  const values = [
    '/srv/my site/k.wsgi', // space → "..."
    'say "hi"', // double quotes only → '...'
    `it's "x"`, // both → "..." with \"
    `it's`, // a quote inside a bare word is fine
    '', // empty → ""
    'C:\\dir\\k.wsgi', // single backslashes stay bare
    'a\\\\b', // a bare `\\` would read as `\`
    'ends\\', // a final `\` would continue the line
    "'quoted", // starts with a quote
    '"dq', // starts with a double quote
    'tab\there',
  ]
  const node = createDirective('X', values)
  t.is(
    node.raw,
    'X "/srv/my site/k.wsgi" \'say "hi"\' "it\'s \\"x\\"" it\'s "" C:\\dir\\k.wsgi "a\\\\\\b" "ends\\\\" "\'quoted" \'"dq\' "tab\there"\n',
  )
  t.deepEqual(reread(node.raw), [['X', ...values]])
})

test('createDirective: a new node prints in a tree as created', (t) => {
  const tree = read('<VirtualHost *:80>\n</VirtualHost>\n')
  append(sec(tree, 0), createDirective('WSGIScriptAlias', ['/', '/srv/k k/dispatch.wsgi'], { indent: '    ' }), tree)
  t.is(print(tree), '<VirtualHost *:80>\n    WSGIScriptAlias / "/srv/k k/dispatch.wsgi"\n</VirtualHost>\n')
  t.deepEqual(reread(print(tree)), [{ section: 'VirtualHost', args: ['*:80'], children: [['WSGIScriptAlias', '/', '/srv/k k/dispatch.wsgi']] }])
})

// ---------------------------------------------------------------------------------------------
// insertBefore / insertAfter / append

const kallitheaLf = [
  '<VirtualHost *:80>',
  '    ServerName kallithea.example.org',
  '    WSGIDaemonProcess kallithea threads=4',
  '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi',
  '</VirtualHost>',
  '',
].join('\n')

test('insertAfter: the new line takes the indentation and line ending of its neighbour', (t) => {
  const tree = read(kallitheaLf)
  const vhost = sec(tree, 0)
  const ref = dir(vhost, 1)
  insertAfter(vhost, ref, createDirective('WSGIProcessGroup', ['kallithea'], { indent: indentOf(ref), eol: eolOf(ref) }), tree)
  t.is(
    print(tree),
    [
      '<VirtualHost *:80>',
      '    ServerName kallithea.example.org',
      '    WSGIDaemonProcess kallithea threads=4',
      '    WSGIProcessGroup kallithea',
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi',
      '</VirtualHost>',
      '',
    ].join('\n'),
  )
  t.deepEqual(reread(print(tree)), [
    {
      section: 'VirtualHost',
      args: ['*:80'],
      children: [
        ['ServerName', 'kallithea.example.org'],
        ['WSGIDaemonProcess', 'kallithea', 'threads=4'],
        ['WSGIProcessGroup', 'kallithea'],
        ['WSGIScriptAlias', '/', '/srv/kallithea/dispatch.wsgi'],
      ],
    },
  ])
})

test('insertBefore: the new line goes right before its reference', (t) => {
  const tree = read(kallitheaLf)
  const vhost = sec(tree, 0)
  const ref = dir(vhost, 0)
  insertBefore(vhost, ref, createDirective('WSGIPassAuthorization', ['On'], { indent: indentOf(ref), eol: eolOf(ref) }))
  t.is(
    print(tree),
    [
      '<VirtualHost *:80>',
      '    WSGIPassAuthorization On',
      '    ServerName kallithea.example.org',
      '    WSGIDaemonProcess kallithea threads=4',
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi',
      '</VirtualHost>',
      '',
    ].join('\n'),
  )
})

test('insertBefore / insertAfter at the root: before the first line and after a section', (t) => {
  const tree = read(kallitheaLf)
  insertBefore(tree, tree.children[0], createDirective('LoadModule', ['wsgi_module', 'modules/mod_wsgi.so']))
  insertAfter(tree, tree.children[1], createDirective('Include', ['conf.d/*.conf'], { eol: '\n' }), tree)
  t.is(
    print(tree),
    [
      'LoadModule wsgi_module modules/mod_wsgi.so',
      '<VirtualHost *:80>',
      '    ServerName kallithea.example.org',
      '    WSGIDaemonProcess kallithea threads=4',
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi',
      '</VirtualHost>',
      'Include conf.d/*.conf',
      '',
    ].join('\n'),
  )
})

test('insertAfter / insertBefore in a CRLF file: new lines end in CRLF', (t) => {
  const input = '<VirtualHost *:80>\r\n  ServerName a\r\n  WSGIScriptAlias / /srv/k.wsgi\r\n</VirtualHost>\r\n'
  const tree = read(input)
  t.is(tree.data.eol, '\r\n')
  const vhost = sec(tree, 0)
  const alias = dir(vhost, 1)
  insertAfter(vhost, alias, createDirective('WSGIProcessGroup', ['k'], { indent: indentOf(alias), eol: eolOf(alias) }), tree)
  insertBefore(vhost, alias, createDirective('WSGIDaemonProcess', ['k'], { indent: indentOf(alias), eol: eolOf(alias) }))
  append(tree, createDirective('Listen', ['8080'], { indent: childIndent(tree, tree), eol: tree.data.eol }), tree)
  t.is(
    print(tree),
    '<VirtualHost *:80>\r\n  ServerName a\r\n  WSGIDaemonProcess k\r\n  WSGIScriptAlias / /srv/k.wsgi\r\n  WSGIProcessGroup k\r\n</VirtualHost>\r\nListen 8080\r\n',
  )
  t.deepEqual(reread(print(tree)), [
    {
      section: 'VirtualHost',
      args: ['*:80'],
      children: [['ServerName', 'a'], ['WSGIDaemonProcess', 'k'], ['WSGIScriptAlias', '/', '/srv/k.wsgi'], ['WSGIProcessGroup', 'k']],
    },
    ['Listen', '8080'],
  ])
})

test('append in a tab-indented file: the new line is indented with tabs', (t) => {
  const tree = read('<IfModule mod_wsgi.c>\n\t<VirtualHost *:80>\n\t\tServerName a\n\t</VirtualHost>\n</IfModule>\n')
  const vhost = sec(sec(tree, 0), 0)
  append(vhost, createDirective('WSGIProcessGroup', ['k'], { indent: childIndent(vhost, tree), eol: tree.data.eol }), tree)
  t.is(print(tree), '<IfModule mod_wsgi.c>\n\t<VirtualHost *:80>\n\t\tServerName a\n\t\tWSGIProcessGroup k\n\t</VirtualHost>\n</IfModule>\n')
})

test('insertAfter a continued directive: the new line goes after all of its lines', (t) => {
  const tree = read('<VirtualHost *:80>\n    WSGIDaemonProcess k \\\n        threads=4 \\\n        processes=1\n</VirtualHost>\n')
  const vhost = sec(tree, 0)
  const daemon = dir(vhost, 0)
  insertAfter(vhost, daemon, createDirective('WSGIProcessGroup', ['k'], { indent: indentOf(daemon), eol: eolOf(daemon) }), tree)
  t.is(print(tree), '<VirtualHost *:80>\n    WSGIDaemonProcess k \\\n        threads=4 \\\n        processes=1\n    WSGIProcessGroup k\n</VirtualHost>\n')
  t.deepEqual(reread(print(tree)), [
    { section: 'VirtualHost', args: ['*:80'], children: [['WSGIDaemonProcess', 'k', 'threads=4', 'processes=1'], ['WSGIProcessGroup', 'k']] },
  ])
})

test('insertAfter the last line of a file without a final newline: the file still ends without one', (t) => {
  const tree = read('ServerName a\nListen 80')
  const last = tree.children[1]
  insertAfter(tree, last, createDirective('Listen', ['443'], { indent: indentOf(last), eol: eolOf(last) || tree.data.eol }), tree)
  t.is(print(tree), 'ServerName a\nListen 80\nListen 443')
  t.deepEqual(reread(print(tree)), [['ServerName', 'a'], ['Listen', '80'], ['Listen', '443']])
  // And once more after the new last line.
  insertAfter(tree, tree.children[2], createDirective('Listen', ['8443']), tree)
  t.is(print(tree), 'ServerName a\nListen 80\nListen 443\nListen 8443')
})

test('insertAfter the last line of a CRLF file without a final newline: CRLF between, none at the end', (t) => {
  const tree = read('ServerName a\r\nListen 80')
  insertAfter(tree, tree.children[1], createDirective('Listen', ['443']), tree)
  t.is(print(tree), 'ServerName a\r\nListen 80\r\nListen 443')
})

test('insertAfter a section closing a file without a final newline', (t) => {
  const tree = read('<VirtualHost *:80>\n    ServerName a\n</VirtualHost>')
  insertAfter(tree, tree.children[0], createDirective('Listen', ['80']), tree)
  t.is(print(tree), '<VirtualHost *:80>\n    ServerName a\n</VirtualHost>\nListen 80')
  t.deepEqual(reread(print(tree)), [{ section: 'VirtualHost', args: ['*:80'], children: [['ServerName', 'a']] }, ['Listen', '80']])
})

test('insertAfter a line ending in a lone CR at the end of the file: a real line ending is added', (t) => {
  const tree = read('A 1\nB 2\r')
  insertAfter(tree, tree.children[1], createDirective('C', ['3']), tree)
  t.is(print(tree), 'A 1\nB 2\r\nC 3')
  t.deepEqual(reread(print(tree)), [['A', '1'], ['B', '2'], ['C', '3']])
})

test('insertBefore / insertAfter: a new node without a line ending gets its neighbour’s', (t) => {
  // eolOf(ref) is '' for the last line of a file without a final newline: the inserted line
  // still has to end before its reference.
  const tree = read('A 1\r\nB 2')
  const last = tree.children[1]
  insertBefore(tree, last, createDirective('C', ['3'], { eol: eolOf(last) }), tree)
  t.is(print(tree), 'A 1\r\nC 3\r\nB 2')
  insertAfter(tree, tree.children[0], createDirective('D', ['4'], { eol: '' }), tree)
  t.is(print(tree), 'A 1\r\nD 4\r\nC 3\r\nB 2')
  t.deepEqual(reread(print(tree)), [['A', '1'], ['D', '4'], ['C', '3'], ['B', '2']])
})

test('insertAfter the last line without a newline, with a new node without one either: lines stay apart', (t) => {
  const tree = read('A 1\r\nB 2')
  const last = tree.children[1]
  insertAfter(tree, last, createDirective('C', ['3'], { indent: indentOf(last), eol: eolOf(last) }), tree)
  t.is(print(tree), 'A 1\r\nB 2\r\nC 3')
  t.deepEqual(reread(print(tree)), [['A', '1'], ['B', '2'], ['C', '3']])
  // Without the root to say the file's line ending: LF.
  const bare = read('A 1\r\nB 2')
  insertAfter(bare, bare.children[1], createDirective('C', ['3'], { eol: '' }))
  t.is(print(bare), 'A 1\r\nB 2\nC 3')
})

test('insertBefore without a root: the line ending comes from the reference, else LF', (t) => {
  const tree = read('A 1\r\nB 2')
  insertBefore(tree, tree.children[0], createDirective('C', ['3'], { eol: '' }))
  insertBefore(tree, tree.children[2], createDirective('D', ['4'], { eol: '' }))
  t.is(print(tree), 'C 3\r\nA 1\r\nD 4\nB 2')
})

test('insertAfter: pending edits of the reference are kept when it gets a line ending', (t) => {
  // A directive whose args were set by hand (not yet respelled) ends the file.
  const tree = read('A 1\nB 2')
  const b = dir(tree, 1)
  b.args = ['3']
  insertAfter(tree, b, createDirective('C', []), tree)
  t.is(print(tree), 'A 1\nB 3\nC')
  t.deepEqual(reread(print(tree)), [['A', '1'], ['B', '3'], ['C']])
})

test('append: after the last child, before the close tag', (t) => {
  const tree = read('<VirtualHost *:80>\n  ServerName a\n\n  # trailing comment\n</VirtualHost>\n')
  const vhost = sec(tree, 0)
  append(vhost, createDirective('WSGIProcessGroup', ['k'], { indent: childIndent(vhost, tree), eol: tree.data.eol }), tree)
  t.is(print(tree), '<VirtualHost *:80>\n  ServerName a\n\n  # trailing comment\n  WSGIProcessGroup k\n</VirtualHost>\n')
})

test('append into an empty section: indentation of the open tag plus the unit', (t) => {
  const tree = read('<IfModule mod_wsgi.c>\n  <VirtualHost *:80>\n  </VirtualHost>\n</IfModule>\n')
  const vhost = sec(sec(tree, 0), 0)
  append(vhost, createDirective('WSGIProcessGroup', ['k'], { indent: childIndent(vhost, tree), eol: tree.data.eol }), tree)
  t.is(print(tree), '<IfModule mod_wsgi.c>\n  <VirtualHost *:80>\n    WSGIProcessGroup k\n  </VirtualHost>\n</IfModule>\n')
  t.deepEqual(reread(print(tree)), [
    { section: 'IfModule', args: ['mod_wsgi.c'], children: [{ section: 'VirtualHost', args: ['*:80'], children: [['WSGIProcessGroup', 'k']] }] },
  ])
})

test('append into an empty section: a node without a line ending gets the open tag’s', (t) => {
  const tree = read('<VirtualHost *:80>\r\n</VirtualHost>\r\n')
  const vhost = sec(tree, 0)
  append(vhost, createDirective('ServerName', ['a'], { indent: '\t', eol: '' }), tree)
  t.is(print(tree), '<VirtualHost *:80>\r\n\tServerName a\r\n</VirtualHost>\r\n')
})

test('append into a section whose open tag ends the file without a newline: still no final newline', (t) => {
  const tree = read('ServerName a\r\n<VirtualHost *:80>', 1)
  const vhost = sec(tree, 1)
  append(vhost, createDirective('WSGIProcessGroup', ['k'], { indent: childIndent(vhost, tree), eol: tree.data.eol }), tree)
  t.is(print(tree), 'ServerName a\r\n<VirtualHost *:80>\r\n    WSGIProcessGroup k')
  const back = parse(print(tree))
  t.is(back.data.diagnostics.length, 1) // still unclosed
  t.deepEqual(shape(back.children), [['ServerName', 'a'], { section: 'VirtualHost', args: ['*:80'], children: [['WSGIProcessGroup', 'k']] }])
})

test('append into an unclosed section whose last child ends the file without a newline', (t) => {
  const tree = read('<VirtualHost *:80>\n\tServerName a', 1)
  const vhost = sec(tree, 0)
  append(vhost, createDirective('WSGIProcessGroup', ['k'], { indent: childIndent(vhost, tree) }), tree)
  t.is(print(tree), '<VirtualHost *:80>\n\tServerName a\n\tWSGIProcessGroup k')
})

test('append into the root: empty, and after a last line without a newline', (t) => {
  const empty = read('')
  append(empty, createDirective('Listen', ['80']), empty)
  t.is(print(empty), 'Listen 80\n')

  const tree = read('# config\nListen 80')
  append(tree, createDirective('Listen', ['443']), tree)
  t.is(print(tree), '# config\nListen 80\nListen 443')
})

test('insertBefore / insertAfter / remove / replaceWith throw when the node is not a child of the parent', (t) => {
  const tree = read('<A>\n  X 1\n</A>\nY 2\n')
  const x = dir(sec(tree, 0), 0)
  const message = 'node is not a child of the given parent'
  t.throws(() => insertBefore(tree, x, createDirective('Z', [])), { message })
  t.throws(() => insertAfter(tree, x, createDirective('Z', []), tree), { message })
  t.throws(() => remove(tree, x), { message })
  t.throws(() => replaceWith(tree, x, createDirective('Z', [])), { message })
  t.is(print(tree), '<A>\n  X 1\n</A>\nY 2\n')
})

// ---------------------------------------------------------------------------------------------
// remove

test('remove: a line in the middle of a file', (t) => {
  const tree = read('A 1\nB 2\nC 3\n')
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 1\nC 3\n')
})

test('remove: a continued directive goes with all of its lines', (t) => {
  const tree = read('A 1\nWSGIDaemonProcess k \\\n    threads=4 \\\n    processes=2\nB 2\n')
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 1\nB 2\n')
  t.deepEqual(reread(print(tree)), [['A', '1'], ['B', '2']])
})

test('remove: a continued directive in a CRLF file, inside a section', (t) => {
  const tree = read('<VirtualHost *:80>\r\n\tWSGIDaemonProcess k \\\r\n\t\tthreads=4\r\n\tServerName a\r\n</VirtualHost>\r\n')
  const vhost = sec(tree, 0)
  remove(vhost, vhost.children[0])
  t.is(print(tree), '<VirtualHost *:80>\r\n\tServerName a\r\n</VirtualHost>\r\n')
})

test('remove: a continued comment goes with all of its lines', (t) => {
  const tree = read('# a comment \\\n  continued\nX 1\n')
  t.is(tree.children.length, 2)
  remove(tree, tree.children[0])
  t.is(print(tree), 'X 1\n')
})

test('remove: the last line of a file without a final newline → the new last line loses its newline', (t) => {
  const tree = read('A 1\r\nB 2\r\nC 3')
  remove(tree, tree.children[2])
  t.is(print(tree), 'A 1\r\nB 2')
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 1')
  remove(tree, tree.children[0])
  t.is(print(tree), '')
})

test('remove: a continued directive that ends a file without a final newline', (t) => {
  const tree = read('A 1\nB \\\n  2')
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 1')
})

test('remove: the last line of a file with a final newline keeps the file’s final newline', (t) => {
  const tree = read('A 1\nB 2\n')
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 1\n')
})

test('remove: the line after a section at the end of the file → the close tag loses its newline', (t) => {
  const tree = read('<A>\n  X 1\n</A>\nB 2')
  remove(tree, tree.children[1])
  t.is(print(tree), '<A>\n  X 1\n</A>')
  t.deepEqual(reread(print(tree)), [{ section: 'A', args: [], children: [['X', '1']] }])
})

test('remove: inside a section', (t) => {
  const tree = read('<VirtualHost *:80>\n    ServerName a\n    WSGIProcessGroup k\n    ServerAlias b\n</VirtualHost>\n')
  const vhost = sec(tree, 0)
  remove(vhost, vhost.children[1])
  t.is(print(tree), '<VirtualHost *:80>\n    ServerName a\n    ServerAlias b\n</VirtualHost>\n')
})

test('remove: a whole section with its children', (t) => {
  const tree = read('ServerName a\n<IfModule mod_wsgi.c>\n  <Location />\n    X 1\n  </Location>\n</IfModule>\nListen 80\n')
  remove(tree, tree.children[1])
  t.is(print(tree), 'ServerName a\nListen 80\n')
})

test('remove: the only child of an unclosed section ending the file → the open tag loses its newline', (t) => {
  const tree = read('X 1\n<A>\n  Foo', 1)
  const a = sec(tree, 1)
  remove(a, a.children[0])
  t.is(print(tree), 'X 1\n<A>')
})

test('remove: the line before a last line without newline keeps everything else as is', (t) => {
  const tree = read('A 1\nB 2\nC 3')
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 1\nC 3')
})

test('remove: a previous line with pending edits keeps them when it loses its newline', (t) => {
  const tree = read('A 1\nB 2')
  dir(tree, 0).args = ['9']
  remove(tree, tree.children[1])
  t.is(print(tree), 'A 9')
})

// ---------------------------------------------------------------------------------------------
// replaceWith

test('replaceWith: the replacement takes the line ending of the node it replaces (CRLF)', (t) => {
  const tree = read('<VirtualHost *:80>\r\n  WSGIScriptAlias / /srv/k.wsgi\r\n</VirtualHost>\r\n')
  const vhost = sec(tree, 0)
  const old = vhost.children[0]
  replaceWith(vhost, old, createDirective('WSGIScriptAlias', ['/', '/srv/kallithea/dispatch.wsgi'], { indent: indentOf(old) }))
  t.is(print(tree), '<VirtualHost *:80>\r\n  WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\r\n</VirtualHost>\r\n')
})

test('replaceWith: at the end of a file without a final newline the replacement has none either', (t) => {
  const tree = read('A 1\nB 2')
  replaceWith(tree, tree.children[1], createDirective('C', ['3']))
  t.is(print(tree), 'A 1\nC 3')
})

test('replaceWith: a replacement without a line ending gets the replaced node’s', (t) => {
  const tree = read('A 1\r\nB 2\r\n')
  replaceWith(tree, tree.children[0], createDirective('C', ['3'], { eol: '' }))
  t.is(print(tree), 'C 3\r\nB 2\r\n')
})

test('replaceWith: a section replaced by a directive takes the close tag’s line ending', (t) => {
  const tree = read('<IfModule !mod_wsgi.c>\r\n  X 1\r\n</IfModule>\r\nY 2\r\n')
  replaceWith(tree, tree.children[0], createDirective('LoadModule', ['wsgi_module', 'mod_wsgi.so']))
  t.is(print(tree), 'LoadModule wsgi_module mod_wsgi.so\r\nY 2\r\n')
})

test('replaceWith: a continued directive is replaced whole', (t) => {
  const tree = read('WSGIDaemonProcess k \\\n  threads=4\nListen 80\n')
  replaceWith(tree, tree.children[0], createDirective('WSGIDaemonProcess', ['k', 'threads=8']))
  t.is(print(tree), 'WSGIDaemonProcess k threads=8\nListen 80\n')
})

test('replaceWith: pending edits of the replacement are kept', (t) => {
  const tree = read('A 1\r\nB 2\r\n')
  const r = createDirective('C', ['3'])
  r.args = [...r.args, '4']
  replaceWith(tree, tree.children[0], r)
  t.is(print(tree), 'C 3 4\r\nB 2\r\n')
})

// ---------------------------------------------------------------------------------------------
// renameDirective / setArgs

test('renameDirective: only the name changes; spacing and indentation stay', (t) => {
  const { tree, node } = one('  wsgiscriptalias  /   /srv/k.wsgi  \n')
  renameDirective(node, 'WSGIScriptAlias')
  t.is(node.name, 'WSGIScriptAlias')
  t.is(node.raw, '  WSGIScriptAlias  /   /srv/k.wsgi  \n')
  t.is(print(tree), '  WSGIScriptAlias  /   /srv/k.wsgi  \n')
})

test('renameDirective: a continued directive keeps its continuation lines (CRLF)', (t) => {
  const { tree, node } = one('\tWSGIDaemonProcess k \\\r\n\t\tthreads=4 \\\r\n\t\tprocesses=1\r\n')
  renameDirective(node, 'WSGIDaemonProcessX')
  t.is(print(tree), '\tWSGIDaemonProcessX k \\\r\n\t\tthreads=4 \\\r\n\t\tprocesses=1\r\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcessX', 'k', 'threads=4', 'processes=1']])
})

test('renameDirective: the name on a line of its own before a continuation', (t) => {
  const { tree, node } = one('WSGIProcessGroup \\\n    kallithea\n')
  renameDirective(node, 'WSGIApplicationGroup')
  t.is(print(tree), 'WSGIApplicationGroup \\\n    kallithea\n')
})

test('setArgs: an argument replaced keeps its quoting; the others keep their text', (t) => {
  const { tree, node } = one(`Alias  "/static"   '/srv/my static'\n`)
  setArgs(node, ['/static', '/srv/new static'])
  t.is(print(tree), `Alias  "/static"   '/srv/new static'\n`)
  t.deepEqual(reread(print(tree)), [['Alias', '/static', '/srv/new static']])
})

test('setArgs: a bare word that needs quotes gets them', (t) => {
  const { tree, node } = one('Alias /static /srv/static\n')
  setArgs(node, ['/static', '/srv/my "static"'])
  t.is(print(tree), `Alias /static '/srv/my "static"'\n`)
  t.deepEqual(reread(print(tree)), [['Alias', '/static', '/srv/my "static"']])
})

test('setArgs: appended words take the file’s quote style when the directive has one', (t) => {
  const { tree, node } = one("Alias '/a'\n")
  setArgs(node, ['/a', '/b'])
  t.is(print(tree), "Alias '/a' '/b'\n")
  const bare = one('Alias /a\n')
  setArgs(bare.node, ['/a', '/b c'])
  t.is(print(bare.tree), 'Alias /a "/b c"\n')
})

test('setArgs: removing every argument of a continued directive leaves no `\\`', (t) => {
  const { tree, node } = one('WSGIDaemonProcess \\\n  kallithea \\\n  threads=4\n')
  setArgs(node, [])
  t.is(print(tree), 'WSGIDaemonProcess\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess']])
})

test('setArgs, renameDirective, createDirective: the args arrays they set are frozen copies', (t) => {
  const { tree, node } = one('Require all granted\n')
  const args = ['ip', '10.0.0.0/8']
  setArgs(node, args)
  t.true(Object.isFrozen(node.args))
  t.false(Object.isFrozen(args))
  t.throws(() => (node.args as string[]).push('x'), { instanceOf: TypeError })
  renameDirective(node, 'require')
  t.true(Object.isFrozen(node.args))
  t.is(print(tree), 'require ip 10.0.0.0/8\n')
  const made = createDirective('X', args)
  t.true(Object.isFrozen(made.args))
  t.not(made.args, args)
  // Another directive's (frozen) args given to setArgs are spelled, not taken for unchanged.
  const other = one('Y a b\n')
  setArgs(other.node, made.args)
  t.is(print(other.tree), 'Y ip 10.0.0.0/8\n')
})

test('setArgs: the args array is copied, and an unchanged directive prints as it was', (t) => {
  const input = 'Require  all   granted \n'
  const { tree, node } = one(input)
  const args = ['all', 'granted']
  setArgs(node, args)
  args.push('x')
  t.deepEqual(node.args, ['all', 'granted'])
  t.is(print(tree), input)
})

// ---------------------------------------------------------------------------------------------
// options / getOption / setOption / removeOption / renameOption

test('options: every key=value word with its index in args; getOption matches the key exactly', (t) => {
  const { node } = one('WSGIDaemonProcess kallithea threads=4 "python-home=/srv/my venv" =x a=b=c display-name=%{GROUP}\n')
  t.deepEqual(options(node), [
    { key: 'threads', value: '4', index: 1 },
    { key: 'python-home', value: '/srv/my venv', index: 2 },
    { key: 'a', value: 'b=c', index: 4 },
    { key: 'display-name', value: '%{GROUP}', index: 5 },
  ])
  t.deepEqual(getOption(node, 'python-home'), { key: 'python-home', value: '/srv/my venv', index: 2 })
  t.is(getOption(node, 'Threads'), undefined)
  t.is(getOption(node, 'processes'), undefined)
})

test('setOption in place keeps the word’s quoting and the spacing around it', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea "threads=4"  processes=2\n')
  setOption(node, 'threads', '8')
  t.is(print(tree), 'WSGIDaemonProcess kallithea "threads=8"  processes=2\n')
  t.deepEqual(getOption(parse(print(tree)).children[0] as Directive, 'threads'), { key: 'threads', value: '8', index: 1 })
})

test('setOption in place on a continued line keeps the continuation layout', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    processes=2\n')
  setOption(node, 'threads', '8')
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\n    threads=8 \\\n    processes=2\n')
})

test('setOption in place with single quotes: a quote in the value is escaped', (t) => {
  const { tree, node } = one("WSGIDaemonProcess kallithea 'python-home=/a b'\n")
  setOption(node, 'python-home', "/it's")
  t.is(print(tree), "WSGIDaemonProcess kallithea 'python-home=/it\\'s'\n")
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', "python-home=/it's"]])
})

test('setOption appends after the last word when the option is absent', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea threads=4\n')
  setOption(node, 'processes', '2')
  t.is(print(tree), 'WSGIDaemonProcess kallithea threads=4 processes=2\n')
  setOption(node, 'display-name', 'Kallithea (main)')
  t.is(print(tree), 'WSGIDaemonProcess kallithea threads=4 processes=2 "display-name=Kallithea (main)"\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', 'threads=4', 'processes=2', 'display-name=Kallithea (main)']])
})

test('setOption appends on the last continued line when the name shares its line with a word', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    processes=2\n')
  setOption(node, 'user', 'www data')
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    processes=2 "user=www data"\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', 'threads=4', 'processes=2', 'user=www data']])
})

test('setOption appends on a line of its own when every word is on its own line (CRLF, tabs)', (t) => {
  const { tree, node } = one('WSGIDaemonProcess \\\r\n\tkallithea \\\r\n\tthreads=4\r\n')
  setOption(node, 'processes', '2')
  t.is(print(tree), 'WSGIDaemonProcess \\\r\n\tkallithea \\\r\n\tthreads=4 \\\r\n\tprocesses=2\r\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', 'threads=4', 'processes=2']])
})

test('setOption keeps a file without a final newline without one', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea')
  setOption(node, 'threads', '4')
  t.is(print(tree), 'WSGIDaemonProcess kallithea threads=4')
})

test('removeOption: an option alone on a continued line takes its line along', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    processes=2 \\\n    user=k\n')
  t.true(removeOption(node, 'processes'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    user=k\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', 'threads=4', 'user=k']])
})

test('removeOption: the last option alone on the last continued line leaves no dangling `\\`', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    processes=2\n')
  t.true(removeOption(node, 'processes'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\n    threads=4\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', 'threads=4']])
})

test('removeOption: the first word of a continued line with others: the next one takes its place', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea \\\n    threads=4 processes=2 \\\n    user=k\n')
  t.true(removeOption(node, 'threads'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\n    processes=2 \\\n    user=k\n')
})

test('removeOption: the last word, after a continued line', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea threads=4 \\\n    processes=2\n')
  t.true(removeOption(node, 'processes'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea threads=4\n')
})

test('removeOption: the last word of the first line, before a continued line', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea threads=4 \\\n    processes=2\n')
  t.true(removeOption(node, 'threads'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\n    processes=2\n')
  t.deepEqual(reread(print(tree)), [['WSGIDaemonProcess', 'kallithea', 'processes=2']])
})

test('removeOption: every occurrence goes (CRLF, tabs)', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea threads=4 \\\r\n\tprocesses=2 \\\r\n\tthreads=8\r\n')
  t.true(removeOption(node, 'threads'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea \\\r\n\tprocesses=2\r\n')
  t.deepEqual(node.args, ['kallithea', 'processes=2'])
})

test('removeOption: a quoted option in the middle of a line', (t) => {
  const { tree, node } = one('WSGIDaemonProcess kallithea  "python-home=/srv/my venv"  threads=4\n')
  t.true(removeOption(node, 'python-home'))
  t.is(print(tree), 'WSGIDaemonProcess kallithea  threads=4\n')
})

test('removeOption: an absent option → false, and nothing changes', (t) => {
  const input = 'WSGIDaemonProcess kallithea \\\n    threads=4\n'
  const { tree, node } = one(input)
  t.false(removeOption(node, 'processes'))
  t.false(removeOption(node, 'thread')) // a key is matched whole
  t.false(removeOption(node, 'Threads')) // and exactly
  t.is(node.raw, input)
  t.deepEqual(node.args, ['kallithea', 'threads=4'])
  t.is(print(tree), input)
})

test('renameOption: in place, keeping quotes and layout', (t) => {
  const { tree, node } = one("WSGIDaemonProcess kallithea \\\n    'home=/srv/k' \\\n    threads=4\n")
  t.true(renameOption(node, 'home', 'python-home'))
  t.is(print(tree), "WSGIDaemonProcess kallithea \\\n    'python-home=/srv/k' \\\n    threads=4\n")
  t.deepEqual(getOption(parse(print(tree)).children[0] as Directive, 'python-home'), { key: 'python-home', value: '/srv/k', index: 1 })
})

test('renameOption: an absent option → false, and nothing changes', (t) => {
  const input = 'WSGIDaemonProcess kallithea threads=4\n'
  const { tree, node } = one(input)
  t.false(renameOption(node, 'home', 'python-home'))
  t.is(print(tree), input)
})

// ---------------------------------------------------------------------------------------------
// Latin-1 bytes

test('Latin-1 bytes in → edits → print gives a Buffer with the original bytes intact', (t) => {
  const input = Buffer.from(
    '# Kallithea de l\xe9quipe\n<VirtualHost *:80>\n    ServerAdmin h\xe9l\xe8ne@example.org\n    WSGIDaemonProcess kallithea display-name=caf\xe9 threads=4 \\\n        processes=1\n</VirtualHost>\n',
    'latin1',
  )
  const tree = parse(input)
  t.is(tree.data.encoding, 'latin1')
  t.is(tree.data.input, 'buffer')
  const vhost = sec(tree, 1)
  const daemon = dir(vhost, 1)
  t.deepEqual(daemon.args, ['kallithea', 'display-name=caf\xe9', 'threads=4', 'processes=1'])
  t.true(removeOption(daemon, 'processes'))
  setOption(daemon, 'threads', '8')
  insertAfter(vhost, daemon, createDirective('WSGIProcessGroup', ['kallithea'], { indent: indentOf(daemon), eol: eolOf(daemon) }), tree)
  const out = print(tree)
  t.true(Buffer.isBuffer(out))
  const expected = Buffer.from(
    '# Kallithea de l\xe9quipe\n<VirtualHost *:80>\n    ServerAdmin h\xe9l\xe8ne@example.org\n    WSGIDaemonProcess kallithea display-name=caf\xe9 threads=8\n    WSGIProcessGroup kallithea\n</VirtualHost>\n',
    'latin1',
  )
  t.deepEqual(out, expected)
  // Single bytes, not UTF-8 sequences.
  t.true((out as Buffer).includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20])))
  t.false((out as Buffer).includes(Buffer.from([0xc3, 0xa9])))
  t.deepEqual(reread(out), [
    '# Kallithea de l\xe9quipe',
    {
      section: 'VirtualHost',
      args: ['*:80'],
      children: [['ServerAdmin', 'h\xe9l\xe8ne@example.org'], ['WSGIDaemonProcess', 'kallithea', 'display-name=caf\xe9', 'threads=8'], ['WSGIProcessGroup', 'kallithea']],
    },
  ])
})

test('Latin-1 bytes: a new Latin-1 value is written as one byte', (t) => {
  const tree = parse(Buffer.from('ServerAdmin h\xe9l\xe8ne@example.org\n', 'latin1'))
  setArgs(dir(tree, 0), ['ren\xe9e@example.org'])
  t.deepEqual(print(tree), Buffer.from('ServerAdmin ren\xe9e@example.org\n', 'latin1'))
})

test('UTF-8 bytes in → edits → print gives the UTF-8 bytes back', (t) => {
  const tree = parse(Buffer.from('# café\nWSGIDaemonProcess k display-name=café\n', 'utf8'))
  t.is(tree.data.encoding, 'utf8')
  setOption(dir(tree, 1), 'threads', '2')
  t.deepEqual(print(tree), Buffer.from('# café\nWSGIDaemonProcess k display-name=café threads=2\n', 'utf8'))
})

// ---------------------------------------------------------------------------------------------
// lineRanges after edits

test('lineRanges: nested sections and continued directives, after inserting and removing lines', (t) => {
  const tree = read(
    [
      '# top', // 1
      '<IfModule mod_wsgi.c>', // 2
      '    <VirtualHost *:80>', // 3
      '        WSGIDaemonProcess k \\', // 4
      '            threads=4 \\', // 5
      '            processes=2', // 6
      '        ServerName a', // 7
      '    </VirtualHost>', // 8
      '</IfModule>', // 9
      'Listen 80', // 10
      '',
    ].join('\n'),
  )
  const ifmod = sec(tree, 1)
  const vhost = sec(ifmod, 0)
  const daemon = dir(vhost, 0)
  const name = dir(vhost, 1)
  const listen = dir(tree, 2)
  const before = lineRanges(tree)
  t.deepEqual(before.get(tree.children[0]), { start: 1, end: 1 })
  t.deepEqual(before.get(ifmod), { start: 2, end: 9 })
  t.deepEqual(before.get(vhost), { start: 3, end: 8 })
  t.deepEqual(before.get(daemon), { start: 4, end: 6 })
  t.deepEqual(before.get(name), { start: 7, end: 7 })
  t.deepEqual(before.get(listen), { start: 10, end: 10 })

  // One continuation line goes, one line comes before the daemon.
  removeOption(daemon, 'processes')
  const group = createDirective('WSGIProcessGroup', ['k'], { indent: indentOf(daemon), eol: eolOf(daemon) })
  insertBefore(vhost, daemon, group, tree)
  remove(tree, tree.children[0])
  t.is(
    print(tree),
    [
      '<IfModule mod_wsgi.c>',
      '    <VirtualHost *:80>',
      '        WSGIProcessGroup k',
      '        WSGIDaemonProcess k \\',
      '            threads=4',
      '        ServerName a',
      '    </VirtualHost>',
      '</IfModule>',
      'Listen 80',
      '',
    ].join('\n'),
  )
  const after = lineRanges(tree)
  t.is(after.size, 6)
  t.deepEqual(after.get(ifmod), { start: 1, end: 8 })
  t.deepEqual(after.get(vhost), { start: 2, end: 7 })
  t.deepEqual(after.get(group), { start: 3, end: 3 })
  t.deepEqual(after.get(daemon), { start: 4, end: 5 })
  t.deepEqual(after.get(name), { start: 6, end: 6 })
  t.deepEqual(after.get(listen), { start: 9, end: 9 })
})

test('lineRanges: edits not yet respelled count with their printed lines', (t) => {
  const tree = read('WSGIDaemonProcess k \\\n  threads=4 \\\n  processes=2\nListen 80\n')
  const daemon = dir(tree, 0)
  daemon.args = ['k', 'threads=4'] // by hand: the printer respells it
  t.is(print(tree), 'WSGIDaemonProcess k \\\n  threads=4\nListen 80\n')
  const ranges = lineRanges(tree)
  t.deepEqual(ranges.get(daemon), { start: 1, end: 2 })
  t.deepEqual(ranges.get(tree.children[1]), { start: 3, end: 3 })
})

test('lineRanges: blank lines, CRLF, and a file without a final newline', (t) => {
  const tree = read('\r\n  # c\r\n<A>\r\n\r\n  X \\\r\n    1\r\n</A>\r\nY 2')
  const a = sec(tree, 2)
  const ranges = lineRanges(tree)
  t.deepEqual(ranges.get(tree.children[0]), { start: 1, end: 1 })
  t.deepEqual(ranges.get(tree.children[1]), { start: 2, end: 2 })
  t.deepEqual(ranges.get(a), { start: 3, end: 7 })
  t.deepEqual(ranges.get(a.children[0]), { start: 4, end: 4 })
  t.deepEqual(ranges.get(a.children[1]), { start: 5, end: 6 })
  t.deepEqual(ranges.get(tree.children[3]), { start: 8, end: 8 })
})

test('lineRanges: an unclosed section ends on its last line', (t) => {
  const withEol = read('<A>\nFoo 1\n', 1)
  t.deepEqual(lineRanges(withEol).get(withEol.children[0]), { start: 1, end: 2 })
  const noEol = read('<A>\nFoo 1', 1)
  t.deepEqual(lineRanges(noEol).get(noEol.children[0]), { start: 1, end: 2 })
  const empty = read('X 1\n<A>\n', 1)
  t.deepEqual(lineRanges(empty).get(empty.children[1]), { start: 2, end: 2 })
  const nested = read('<A>\n  <B>\n    Foo 1\n', 2)
  const a = sec(nested, 0)
  t.deepEqual(lineRanges(nested).get(a), { start: 1, end: 3 })
  t.deepEqual(lineRanges(nested).get(sec(a, 0)), { start: 2, end: 3 })
})

test('20,000-deep nesting: line ranges, indentation and edits at the end of unclosed sections', (t) => {
  const depth = 20_000
  // Every section unclosed, the file without a final newline: the last line of each section is
  // the directive at the bottom.
  const text = '<If x>\n'.repeat(depth) + '  Listen 80'
  const tree = read(text, depth)
  const top = sec(tree, 0)
  let bottom = top
  while (bottom.children[0]?.type === 'section') bottom = bottom.children[0]
  const listen = bottom.children[0]
  const ranges = lineRanges(tree)
  t.deepEqual(ranges.get(top), { start: 1, end: depth + 1 })
  t.deepEqual(ranges.get(bottom), { start: depth, end: depth + 1 })
  t.deepEqual(ranges.get(listen), { start: depth + 1, end: depth + 1 })
  t.is(indentUnit(tree), '  ')
  t.is(eolOf(top), '')
  t.is(childIndent(bottom, tree), '  ')
  // After the top section: its last line (the bottom one) gets the line ending.
  insertAfter(tree, top, createDirective('ServerName', ['a']), tree)
  t.is(print(tree), text + '\nServerName a')
  t.deepEqual(lineRanges(tree).get(tree.children[1]), { start: depth + 2, end: depth + 2 })
  remove(tree, tree.children[1])
  t.is(print(tree), text)
  append(bottom, createDirective('Listen', ['443'], { indent: '  ' }), tree)
  t.is(print(tree), text + '\n  Listen 443')
  replaceWith(tree, top, createDirective('Define', ['x']))
  t.is(print(tree), 'Define x')
})

// ---------------------------------------------------------------------------------------------
// What the edits refuse to write (guard.ts): a TypeError that says why, and the node as it was

/** `edit` throws a TypeError whose message matches `why`, and the file prints as before. */
function refused(t: ExecutionContext, input: string, edit: (d: Directive) => void, why: RegExp): void {
  const { tree, node } = one(input)
  const args = node.args
  t.throws(() => edit(node), { instanceOf: TypeError, message: why })
  t.is(node.args, args)
  t.is(print(tree), input)
}

const LINE_BREAK = /line break \(\\n\), which would start a new line/

test('refused: a value with a line break, a carriage return or a NUL (no Include line forged)', (t) => {
  const daemon = 'WSGIDaemonProcess k python-home=/srv/venv\n'
  refused(t, daemon, (d) => setOption(d, 'python-home', '/x\nInclude /etc/shadow'), LINE_BREAK)
  refused(t, daemon, (d) => setOption(d, 'threads', '4\r\nInclude /etc/shadow'), LINE_BREAK)
  refused(t, daemon, (d) => setOption(d, 'python-home', '/x\rInclude /etc/shadow'), /value of option python-home .*carriage return \(\\r\)/)
  refused(t, daemon, (d) => setOption(d, 'python-home', '/x\0y'), /NUL character, where Apache would end the line/)
  refused(t, daemon, (d) => setArgs(d, ['k', 'a\nb']), LINE_BREAK)
  refused(t, daemon, (d) => setArgs(d, [...d.args, 'x\0']), /NUL/)
  t.throws(() => createDirective('Include', ['/etc/x\n/etc/shadow']), { instanceOf: TypeError, message: LINE_BREAK })
  t.throws(() => createDirective('Listen', ['80'], { indent: '\nInclude /etc/shadow\n' }), { instanceOf: TypeError, message: /indentation is spaces and tabs/ })
  t.throws(() => createDirective('Listen', ['80'], { eol: '\nInclude /etc/shadow\n' }), { instanceOf: TypeError, message: /a line ends with/ })
  // Values that merely look odd are quoted, and read back as written.
  const { tree, node } = one(daemon)
  setOption(node, 'python-home', '/x # y "z"\t<w>')
  t.is(getOption(dir(parse(print(tree) as string), 0), 'python-home')?.value, '/x # y "z"\t<w>')
})

test('refused: names that are not directive names, and why', (t) => {
  const input = 'ServerName a.example.org\n'
  refused(t, input, (d) => renameDirective(d, '#x'), /"#x": Apache would read the line as a comment/)
  refused(t, input, (d) => renameDirective(d, '</VirtualHost>'), /"<\/VirtualHost>": Apache would read the line as a section tag/)
  refused(t, input, (d) => renameDirective(d, '<If'), /section tag/)
  refused(t, input, (d) => renameDirective(d, ''), /"": it is empty/)
  refused(t, input, (d) => renameDirective(d, 'Server Name'), /white space, which would split it into words/)
  refused(t, input, (d) => renameDirective(d, 'X\nInclude'), LINE_BREAK)
  refused(t, input, (d) => renameDirective(d, '"Quoted"'), /not a letter followed by letters, digits, "_" or "-"/)
  refused(t, input, (d) => renameDirective(d, '9Lives'), /not a letter followed by/)
  t.throws(() => createDirective('#x', []), { instanceOf: TypeError, message: /comment/ })
  t.throws(() => createDirective('</VirtualHost>', []), { instanceOf: TypeError, message: /section tag/ })
  // Names as httpd and its modules spell them pass, digits, `_` and `-` included.
  for (const name of ['WSGIDaemonProcess', 'H2Push', 'Mod_Foo', 'X-Y']) {
    const { tree, node } = one(input)
    renameDirective(node, name)
    t.is(print(tree), `${name} a.example.org\n`)
    t.is(createDirective(name, ['1']).raw, `${name} 1\n`)
  }
})

test('refused: option names that would not read back as one option', (t) => {
  const daemon = 'WSGIDaemonProcess k threads=4\n'
  refused(t, daemon, (d) => setOption(d, 'a b', '1'), /option name "a b": it holds white space/)
  refused(t, daemon, (d) => setOption(d, 'x=y', '1'), /option name "x=y": it is not a letter/)
  refused(t, daemon, (d) => setOption(d, '', '1'), /option name "": it is empty/)
  refused(t, daemon, (d) => void renameOption(d, 'threads', '#x'), /option name "#x"/)
  refused(t, daemon, (d) => void renameOption(d, 'threads', 'a\nInclude /etc/shadow'), LINE_BREAK)
})

test('refused: a word after one whose quote is never closed (Apache would read it into that word)', (t) => {
  const open = 'WSGIDaemonProcess k "display-name=%{GROUP}\n'
  const why = /Cannot add "threads=4" to WSGIDaemonProcess: its word "\\"display-name=%\{GROUP\}" has no closing quote/
  refused(t, open, (d) => setOption(d, 'threads', '4'), why)
  refused(t, open, (d) => setArgs(d, [...d.args, 'threads=4']), why)
  refused(t, 'X "a\n', (d) => setArgs(d, ['a', 'b']), /Cannot add "b" to X/)
  // Before it is fine.
  const before = one('X "a\n')
  setArgs(before.node, ['b', 'a'])
  t.is(print(before.tree), 'X "b" "a\n')
  // Replacing or removing that word is fine: what is written has its quotes.
  const replaced = one(open)
  setOption(replaced.node, 'display-name', 'kallithea')
  t.is(print(replaced.tree), 'WSGIDaemonProcess k "display-name=kallithea"\n')
  const removed = one(open)
  setArgs(removed.node, ['k'])
  setOption(removed.node, 'threads', '4')
  t.is(print(removed.tree), 'WSGIDaemonProcess k threads=4\n')
  // Taking its place is replacing it.
  const taken = one(open)
  setArgs(taken.node, ['k', 'threads=4'])
  t.is(print(taken.tree), 'WSGIDaemonProcess k "threads=4"\n')
  // A name alone with an open quote takes no argument either.
  refused(t, '"X\n', (d) => setArgs(d, ['1']), /its word "\\"X" has no closing quote/)
})

test('refused: values and names assigned to a node by hand, when the tree is printed', (t) => {
  const { tree, node } = one('SetEnv A 1\n')
  node.args = ['A', '1\nInclude /etc/shadow']
  t.throws(() => print(tree), { instanceOf: TypeError, message: LINE_BREAK })
  node.args = ['A', '2']
  node.name = '#SetEnv'
  t.throws(() => print(tree), { instanceOf: TypeError, message: /comment/ })
  node.name = 'SetEnv'
  t.is(print(tree), 'SetEnv A 2\n')
})

test('refused: a new comment, blank line or section whose text would read back as something else', (t) => {
  const input = 'ServerName a\n'
  const section = (open: string, close: string | null, children: Content[] = []): Section => ({
    type: 'section', name: 'Directory', args: ['/x'], open: { raw: open, name: 'Directory' }, close: close === null ? null : { raw: close, name: 'Directory' }, children,
  })
  const cases: Array<[Content, RegExp]> = [
    [{ type: 'blank', raw: 'Include /etc/shadow\n' }, /blank line "Include \/etc\/shadow\\n": it reads back as a directive Include, not as a blank line/],
    [{ type: 'comment', value: ' x', raw: '# x\nInclude /etc/shadow\n' }, /comment .*: it reads back as 2 lines or nodes \(comment, directive Include\), not one/],
    [{ type: 'comment', value: ' x', raw: '# x\0Include /etc/shadow\n' }, /NUL character, where Apache would end the line/],
    [{ type: 'comment', value: ' x', raw: '# x\rInclude /etc/shadow\n' }, /carriage return \(\\r\) that ends no line/],
    [{ type: 'comment', value: ' x', raw: '# x \\\n' }, /its last line ends in "\\", which would continue it into the line after it/],
    [{ type: 'comment', value: 'x', raw: 'Include /etc/shadow\n' }, /reads back as a directive Include, not as a comment/],
    [section('<Directory /x>\nInclude /etc/shadow\n', '</Directory>\n'), /section <Directory> reads back with 1 children, not 0/],
    [section('<Directory /etc>\n', '</Directory>\n'), /section <Directory> reads back with the args \["\/etc"\], not \["\/x"\]/],
    [section('<Directory /x>\n', '</Directory>\nInclude /etc/shadow\n'), /reads back as 2 lines or nodes/],
    [section('<Directory /x>\n', null), /a new section needs its close tag/],
    [section('<Directory /x>\n', '</Directory>\n', [{ type: 'blank', raw: 'Include /etc/shadow\n' }]), /reads back as a directive Include, not as a blank line/],
    [{ type: 'directive', name: 'ServerName', args: Object.freeze(['b']), raw: 'ServerName b\nInclude /etc/shadow\n' }, /reads back as 2 lines or nodes/],
    [{ type: 'include' } as unknown as Content, /"include": it is not a node/],
  ]
  const edits: Array<[string, (tree: Root, node: Content) => void]> = [
    ['insertAfter', (tree, node) => insertAfter(tree, tree.children[0]!, node, tree)],
    ['insertBefore', (tree, node) => insertBefore(tree, tree.children[0]!, node, tree)],
    ['append', (tree, node) => append(tree, node, tree)],
    ['replaceWith', (tree, node) => replaceWith(tree, tree.children[0]!, node)],
  ]
  for (const [node, why] of cases) {
    for (const [name, edit] of edits) {
      const tree = read(input)
      t.throws(() => edit(tree, node), { instanceOf: TypeError, message: why }, `${name} ${JSON.stringify(toTextOf(node))}`)
      t.is(print(tree), input, `${name}: nothing changed`)
    }
  }
  // What reads back as itself goes in, the line ending supplied where it has none.
  const tree = read(input)
  insertAfter(tree, tree.children[0]!, { type: 'comment', value: ' ok \\ continued', raw: '# ok \\\n  continued' }, tree)
  insertAfter(tree, tree.children[0]!, { type: 'blank', raw: ' \t' }, tree)
  append(tree, section('  <Directory /x>\r\n', '  </Directory>\r\n', [createDirective('Require', ['all', 'granted'], { indent: '    ', eol: '\r\n' })]), tree)
  t.is(print(tree), 'ServerName a\n \t\n# ok \\\n  continued\n  <Directory /x>\r\n    Require all granted\r\n  </Directory>\r\n')
})

const toTextOf = (node: Content): string => (node.type === 'section' ? node.open.raw : (node as { raw?: string }).raw ?? '')
