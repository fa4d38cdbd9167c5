// Inserting after a line that ends in `\` at the end of the file (issue 9, "Edits that stay
// correct"): Apache drops a `\` + line ending there, so the file is fine as it is, but a line
// added after it would be joined onto it (Apache then refused the config, and every later run
// added another line). The edit helpers end the continuation with an empty line, changing no
// byte of the user's text, so the new line stays a line of its own.
import test from 'ava'
import { append, createDirective, insertAfter } from '../src/syntax/edit.js'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import type { Content, Directive, Root, Section } from '../src/syntax/types.js'

const names = (nodes: Content[]): string[] =>
  nodes.flatMap((n) => (n.type === 'directive' ? [[n.name, ...n.args].join(' ')] : n.type === 'section' ? [`<${n.name}>`, ...names(n.children)] : []))

/** Insert `WSGIPassAuthorization On` after the last node of `input`; the output and what Apache reads from it. */
function addAfterLast(input: string): { out: string; read: string[]; tree: Root } {
  const tree = parse(input)
  const last = tree.children[tree.children.length - 1]
  insertAfter(tree, last, createDirective('WSGIPassAuthorization', ['On'], { eol: tree.data.eol }), tree)
  const out = print(tree) as string
  const again = parse(out)
  if (again.data.diagnostics.length > 0) throw new Error(again.data.diagnostics.map(String).join('; '))
  return { out, read: names(again.children), tree }
}

test('a directive continued into the end of the file: an empty line ends it, the user\'s bytes stay', (t) => {
  const input = 'WSGIScriptAlias / /srv/kallithea/dispatch.wsgi \\\n    application-group=%{GLOBAL} \\\n'
  const { out, read } = addAfterLast(input)
  t.is(out, input + '\nWSGIPassAuthorization On\n')
  t.deepEqual(read, ['WSGIScriptAlias / /srv/kallithea/dispatch.wsgi application-group=%{GLOBAL}', 'WSGIPassAuthorization On'])
})

test('CRLF, and a comment continued into the end of the file', (t) => {
  t.is(addAfterLast('WSGIDaemonProcess k \\\r\n  threads=4 \\\r\n').out, 'WSGIDaemonProcess k \\\r\n  threads=4 \\\r\n\r\nWSGIPassAuthorization On\r\n')
  const { out, read } = addAfterLast('ServerName a\n# old: WSGIPassAuthorization Off \\\n')
  t.is(out, 'ServerName a\n# old: WSGIPassAuthorization Off \\\n\nWSGIPassAuthorization On\n')
  t.deepEqual(read, ['ServerName a', 'WSGIPassAuthorization On'])
})

test('`x\\\\` at the end: the kept `\\` takes one empty line more (as Apache reads it)', (t) => {
  const { out, read } = addAfterLast('SetEnv A x\\\\\n')
  t.is(out, 'SetEnv A x\\\\\n\n\nWSGIPassAuthorization On\n')
  t.deepEqual(read, ['SetEnv A x', 'WSGIPassAuthorization On'])
})

test('a `\\` with no line ending after it (a word to Apache) becomes a continuation; the node reads as the text does', (t) => {
  const { out, read, tree } = addAfterLast('WSGIDaemonProcess k threads=4 \\')
  t.is(out, 'WSGIDaemonProcess k threads=4 \\\n\nWSGIPassAuthorization On')
  t.deepEqual(read, ['WSGIDaemonProcess k threads=4', 'WSGIPassAuthorization On'])
  t.deepEqual((tree.children[0] as Directive).args, ['k', 'threads=4'])
})

test('a section closed on a continued close tag, and appending into a section whose open tag is continued into the end', (t) => {
  const closed = addAfterLast('<VirtualHost *:80>\nServerName a\n</VirtualHost> \\\n')
  t.is(closed.out, '<VirtualHost *:80>\nServerName a\n</VirtualHost> \\\n\nWSGIPassAuthorization On\n')
  const tree = parse('<IfModule mod_wsgi.c \\\n')
  append(tree.children[0] as Section, createDirective('WSGIRestrictEmbedded', ['On']), tree)
  t.is(print(tree), '<IfModule mod_wsgi.c \\\n\nWSGIRestrictEmbedded On\n')
})

test('lines that end their logical line are left alone', (t) => {
  t.is(addAfterLast('ServerName a\n').out, 'ServerName a\nWSGIPassAuthorization On\n')
  t.is(addAfterLast('ServerName a').out, 'ServerName a\nWSGIPassAuthorization On')
  t.is(addAfterLast('ServerName a \\\n  b\n').out, 'ServerName a \\\n  b\nWSGIPassAuthorization On\n')
})
