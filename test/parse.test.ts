// Unit tests of the parser's reading rules (src/syntax/parse.ts, lines.ts, words.ts), of the printer
// (print.ts) and of the re-spelling of edited directives (render.ts), with the expected trees
// written out in full.
//
// The reading rules are Apache httpd 2.4's (server/util.c ap_cfg_getline, ap_getword_conf;
// server/config.c ap_build_config). Where a test says "Apache 2.4.71 here", the behaviour was
// checked with `apache2 -t -D DUMP_CONFIG -D DUMP_RUN_CFG` on the Debian 12 build in this
// environment, with the input Include'd from a minimal config.
import test from 'ava'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import type { Comment, Content, Directive, Point, Position, Root, Section } from '../src/syntax/types.js'

// ---------------------------------------------------------------------------------------------
// Helpers

const pt = (line: number, column: number, offset: number): Point => ({ line, column, offset })
const span = (start: Point, end: Point): Position => ({ start, end })

/** Parse, check it prints back unchanged, and that there are no diagnostics unless allowed. */
function read(input: string, { diagnostics = 0 } = {}): Root {
  const tree = parse(input)
  if (print(tree) !== input) throw new Error(`does not print back: ${JSON.stringify(input)}`)
  if (tree.data.diagnostics.length !== diagnostics) {
    throw new Error(`expected ${diagnostics} diagnostic(s), got: ${tree.data.diagnostics.map(String).join('; ')}`)
  }
  return tree
}

/** The part of a tree that says what Apache reads: names, args, comment values, nesting. */
type Shape =
  | { section: string; args: readonly string[]; children: Shape[]; closed: boolean }
  | { directive: string; args: readonly string[]; data?: Directive['data'] }
  | { comment: string }
  | 'blank'

function shape(nodes: Content[]): Shape[] {
  return nodes.map((n): Shape => {
    switch (n.type) {
      case 'section':
        return { section: n.name, args: n.args, children: shape(n.children), closed: n.close !== null }
      case 'directive':
        return n.data === undefined ? { directive: n.name, args: n.args } : { directive: n.name, args: n.args, data: n.data }
      case 'comment':
        return { comment: n.value }
      default:
        return 'blank'
    }
  })
}

const only = <T extends Content>(tree: Root, type: T['type']): T => {
  const nodes = tree.children.filter((n) => n.type !== 'blank')
  if (nodes.length !== 1 || nodes[0].type !== type) throw new Error(`expected one ${type}, got ${JSON.stringify(shape(tree.children))}`)
  return nodes[0] as T
}

function diagnostics(tree: Root): Array<{ ruleId: string | undefined; line: number | undefined; column: number | undefined; reason: string }> {
  return tree.data.diagnostics.map((m) => ({ ruleId: m.ruleId, line: m.line, column: m.column, reason: m.reason }))
}

// ---------------------------------------------------------------------------------------------
// Empty input, blank lines, root data

test('empty file: no children, position 1:1-1:1, default root data', (t) => {
  const tree = read('')
  t.deepEqual(tree, {
    type: 'root',
    children: [],
    position: span(pt(1, 1, 0), pt(1, 1, 0)),
    data: { input: 'string', encoding: 'utf8', eol: '\n', diagnostics: [] },
  })
  const fromBytes = parse(new Uint8Array(0))
  t.deepEqual(fromBytes.data, { input: 'buffer', encoding: 'utf8', eol: '\n', diagnostics: [] })
  const out = print(fromBytes)
  t.true(Buffer.isBuffer(out))
  t.is(out.length, 0)
})

test('whitespace-only file: one blank node per line, positioned after the white space', (t) => {
  const tree = read('  \t \n\n \r\n\v\f')
  t.deepEqual(tree.children, [
    { type: 'blank', raw: '  \t \n', position: span(pt(1, 5, 4), pt(1, 5, 4)) },
    { type: 'blank', raw: '\n', position: span(pt(2, 1, 5), pt(2, 1, 5)) },
    { type: 'blank', raw: ' \r\n', position: span(pt(3, 2, 7), pt(3, 2, 7)) },
    { type: 'blank', raw: '\v\f', position: span(pt(4, 3, 11), pt(4, 3, 11)) },
  ])
  t.deepEqual(tree.position, span(pt(1, 1, 0), pt(4, 3, 11)))
})

test('path option: kept in root data and in diagnostics', (t) => {
  const tree = parse('<VirtualHost *:80>\n', { path: 'sites-available/kallithea.conf' })
  t.is(tree.data.path, 'sites-available/kallithea.conf')
  t.is(tree.data.diagnostics.length, 1)
  t.is(tree.data.diagnostics[0].file, 'sites-available/kallithea.conf')
  t.is(tree.data.diagnostics[0].source, 'wsgi-migrate')
  t.true(tree.data.diagnostics[0].fatal)
})

// ---------------------------------------------------------------------------------------------
// Line endings, white space, encodings

test('CRLF file: the full tree, positions exclude the CR, eol is CRLF, prints back', (t) => {
  const input = 'ServerName a\r\n<Directory /x>\r\n  Require all granted\r\n</Directory>\r\n'
  const tree = read(input)
  t.is(tree.data.eol, '\r\n')
  t.deepEqual(tree.children, [
    {
      type: 'directive',
      name: 'ServerName',
      args: ['a'],
      raw: 'ServerName a\r\n',
      position: span(pt(1, 1, 0), pt(1, 13, 12)),
    },
    {
      type: 'section',
      name: 'Directory',
      args: ['/x'],
      open: { raw: '<Directory /x>\r\n', name: 'Directory', position: span(pt(2, 1, 14), pt(2, 15, 28)) },
      close: { raw: '</Directory>\r\n', name: 'Directory', position: span(pt(4, 1, 53), pt(4, 13, 65)) },
      children: [
        {
          type: 'directive',
          name: 'Require',
          args: ['all', 'granted'],
          raw: '  Require all granted\r\n',
          position: span(pt(3, 3, 32), pt(3, 22, 51)),
        },
      ],
      position: span(pt(2, 1, 14), pt(4, 13, 65)),
    },
  ])
})

test('mixed line endings: eol is the one used most; every line keeps its own', (t) => {
  const input = 'A 1\r\nB 2\nC 3\r\nD 4\r\n'
  const tree = read(input)
  t.is(tree.data.eol, '\r\n')
  t.deepEqual(
    tree.children.map((n) => (n as Directive).raw),
    ['A 1\r\n', 'B 2\n', 'C 3\r\n', 'D 4\r\n'],
  )
  t.is(read('A\nB\r\nC\n').data.eol, '\n')
})

test('only LF ends a line: a lone CR is white space inside the line', (t) => {
  // Apache 2.4.71 here: `Define A\rB\rC\r` is one line, "Define takes 1-2 arguments".
  const tree = read('Define A\rB\rC\rServerName x\n')
  t.deepEqual(tree.children, [
    {
      type: 'directive',
      name: 'Define',
      args: ['A', 'B', 'C', 'ServerName', 'x'],
      raw: 'Define A\rB\rC\rServerName x\n',
      position: span(pt(1, 1, 0), pt(1, 26, 25)),
    },
  ])
  // A file of old Mac line endings is a single line to Apache: lines inserted into it get LF, the
  // only ending Apache knows.
  t.is(parse('A\rB\r').data.eol, '\n')
})

test('tabs, vertical tabs and form feeds are white space; trailing white space is not in the position', (t) => {
  const tree = read('\tServerName\ta\t\tb \t\n\t\v<Location\t/x\t>\f\n</Location>\n')
  t.deepEqual(shape(tree.children), [
    { directive: 'ServerName', args: ['a', 'b'] },
    { section: 'Location', args: ['/x'], children: [], closed: true },
  ])
  t.deepEqual(tree.children[0].position, span(pt(1, 2, 1), pt(1, 17, 16)))
  t.deepEqual((tree.children[1] as Section).open.position, span(pt(2, 3, 21), pt(2, 17, 35)))
})

test('a no-break space (U+00A0) is not white space to Apache: it stays inside the word', (t) => {
  // Apache 2.4.71 here: `Define A\xc2\xa0B x` defines "A B" (with the no-break space) as x.
  const tree = read('Define A\u00a0B x\u00a0\n\u00a0ServerName y\n')
  t.deepEqual(shape(tree.children), [
    { directive: 'Define', args: ['A\u00a0B', 'x\u00a0'] },
    { directive: '\u00a0ServerName', args: ['y'] },
  ])
  // The same in UTF-8 bytes and in Latin-1 bytes (0xA0 is not isspace() in the C locale).
  const utf8 = parse(Buffer.from('Define A\u00a0B x\n', 'utf8'))
  t.is(utf8.data.encoding, 'utf8')
  t.deepEqual((utf8.children[0] as Directive).args, ['A\u00a0B', 'x'])
  const latin1 = parse(Buffer.from([...Buffer.from('Define A'), 0xa0, ...Buffer.from('B x\n')]))
  t.is(latin1.data.encoding, 'latin1')
  t.deepEqual((latin1.children[0] as Directive).args, ['A\u00a0B', 'x'])
})

test('BOM: kept in the text, so the first name starts with U+FEFF, as on Apache for Unix', (t) => {
  // httpd strips a UTF-8 BOM only when built for Windows (util.c ap_pcfg_openfile, #ifdef WIN32);
  // Apache 2.4.71 here says: Invalid command '\xef\xbb\xbfServerName'. The parser reads what
  // Apache reads, and the printer gives the BOM back.
  const tree = read('\ufeffServerName x\n')
  t.deepEqual(tree.children, [
    {
      type: 'directive',
      name: '\ufeffServerName',
      args: ['x'],
      raw: '\ufeffServerName x\n',
      position: span(pt(1, 1, 0), pt(1, 14, 13)),
    },
  ])
  const bytes = Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('ServerName x\n')])
  const fromBytes = parse(bytes)
  t.is(fromBytes.data.encoding, 'utf8')
  t.is((fromBytes.children[0] as Directive).name, '\ufeffServerName')
  t.deepEqual(print(fromBytes), bytes)
  // Nor is a tag a tag after a BOM: `<VirtualHost` is then a word of a directive, and its close
  // tag has no open tag.
  const tag = parse('\ufeff<VirtualHost *:80>\n</VirtualHost>\n')
  t.deepEqual(shape(tag.children), [
    { directive: '\ufeff<VirtualHost', args: ['*:80>'] },
    { directive: '</VirtualHost', args: [], data: { strayClose: true } },
  ])
  t.deepEqual(diagnostics(tag).map((d) => [d.ruleId, d.line, d.column]), [['stray-close', 2, 1]])
})

test('Latin-1 bytes: decoded one char a byte, printed back to the same bytes', (t) => {
  const bytes = Buffer.concat([
    Buffer.from('# Configuration de l', 'latin1'),
    Buffer.from([0xe9]), // é
    Buffer.from('t', 'latin1'),
    Buffer.from([0xe9, 0x20, 0xa9, 0x20, 0xff, 0x0d, 0x0a]), // é © ÿ CRLF
    Buffer.from('ServerAdmin root@example.org\r\n', 'latin1'),
  ])
  const tree = parse(bytes, { path: 'latin1.conf' })
  t.is(tree.data.encoding, 'latin1')
  t.is(tree.data.input, 'buffer')
  t.deepEqual(shape(tree.children), [
    { comment: ' Configuration de l\u00e9t\u00e9 \u00a9 \u00ff' },
    { directive: 'ServerAdmin', args: ['root@example.org'] },
  ])
  const out = print(tree)
  t.true(Buffer.isBuffer(out))
  t.deepEqual(out, bytes)
  // Valid UTF-8 stays UTF-8; print gives a Buffer back for bytes and a string for a string.
  const utf8 = Buffer.from('# \u00e9t\u00e9 \u2603\nServerName x\n', 'utf8')
  const u = parse(utf8)
  t.is(u.data.encoding, 'utf8')
  t.is((u.children[0] as Comment).value, ' \u00e9t\u00e9 \u2603')
  t.deepEqual(print(u), utf8)
  t.is(typeof print(parse('ServerName x\n')), 'string')
})

test('a Uint8Array that is not a Buffer (a view into a larger buffer) is read as bytes', (t) => {
  const backing = new Uint8Array([0x58, 0x58, ...Buffer.from('ServerName x\n'), 0x59])
  const view = backing.subarray(2, backing.length - 1)
  const tree = parse(view)
  t.deepEqual(shape(tree.children), [{ directive: 'ServerName', args: ['x'] }])
  t.deepEqual(print(tree), Buffer.from('ServerName x\n'))
})

// ---------------------------------------------------------------------------------------------
// Comments

test('# starts a comment only as the first non-space character of a logical line', (t) => {
  const tree = read('# top\n   # indented  \nServerName x # not a comment\n#\n')
  t.deepEqual(tree.children, [
    { type: 'comment', value: ' top', raw: '# top\n', position: span(pt(1, 1, 0), pt(1, 6, 5)) },
    { type: 'comment', value: ' indented', raw: '   # indented  \n', position: span(pt(2, 4, 9), pt(2, 14, 19)) },
    {
      type: 'directive',
      name: 'ServerName',
      args: ['x', '#', 'not', 'a', 'comment'],
      raw: 'ServerName x # not a comment\n',
      position: span(pt(3, 1, 22), pt(3, 29, 50)),
    },
    { type: 'comment', value: '', raw: '#\n', position: span(pt(4, 1, 51), pt(4, 2, 52)) },
  ])
})

test('a comment ending in \\ swallows the next line (Apache 2.4.71 here: the next line is not read)', (t) => {
  const tree = read('# note \\\nServerName hidden\nServerName seen\n')
  t.deepEqual(tree.children, [
    {
      type: 'comment',
      value: ' note ServerName hidden',
      raw: '# note \\\nServerName hidden\n',
      position: span(pt(1, 1, 0), pt(2, 18, 26)),
    },
    {
      type: 'directive',
      name: 'ServerName',
      args: ['seen'],
      raw: 'ServerName seen\n',
      position: span(pt(3, 1, 27), pt(3, 16, 42)),
    },
  ])
})

test('a # line right after a continued line is part of the directive, with a warning', (t) => {
  // Apache 2.4.71 here: `Define A x \` + `# c` is "Define takes 1-2 arguments" (A, x, #, c).
  const tree = read('Define A x \\\n# c\n', { diagnostics: 1 })
  t.deepEqual(tree.children, [
    {
      type: 'directive',
      name: 'Define',
      args: ['A', 'x', '#', 'c'],
      raw: 'Define A x \\\n# c\n',
      position: span(pt(1, 1, 0), pt(2, 4, 16)),
    },
  ])
  t.deepEqual(diagnostics(tree), [
    { ruleId: 'comment-in-continuation', line: 2, column: 1, reason: 'a comment line inside a \\ continuation: Apache reads "# c" as arguments of Define: move the comment above the directive' },
  ])
  t.false(tree.data.diagnostics[0].fatal)
})

// ---------------------------------------------------------------------------------------------
// Continuations

test('continued directive: one node over three lines, position from the name to the last word', (t) => {
  const input = 'WSGIDaemonProcess k \\\n    threads=4 \\\n    user=x\nServerName a\n'
  const tree = read(input)
  t.deepEqual(tree.children, [
    {
      type: 'directive',
      name: 'WSGIDaemonProcess',
      args: ['k', 'threads=4', 'user=x'],
      raw: 'WSGIDaemonProcess k \\\n    threads=4 \\\n    user=x\n',
      position: span(pt(1, 1, 0), pt(3, 11, 48)),
    },
    {
      type: 'directive',
      name: 'ServerName',
      args: ['a'],
      raw: 'ServerName a\n',
      position: span(pt(4, 1, 49), pt(4, 13, 61)),
    },
  ])
})

test('continuation joins without adding space: `a\\` + `b` is one word', (t) => {
  const tree = read('Define A x\\\ny\n')
  t.deepEqual(shape(tree.children), [{ directive: 'Define', args: ['A', 'xy'] }])
})

test('continuation with CRLF, and a line holding only a backslash', (t) => {
  const tree = read('Alias /a \\\r\n  /srv/a\r\n\\\nServerName x\r\n')
  t.deepEqual(tree.children, [
    {
      type: 'directive',
      name: 'Alias',
      args: ['/a', '/srv/a'],
      raw: 'Alias /a \\\r\n  /srv/a\r\n',
      position: span(pt(1, 1, 0), pt(2, 9, 20)),
    },
    {
      type: 'directive',
      name: 'ServerName',
      args: ['x'],
      raw: '\\\nServerName x\r\n',
      position: span(pt(4, 1, 24), pt(4, 13, 36)),
    },
  ])
})

test('a continued open tag and a continued close tag', (t) => {
  const tree = read('<Directory \\\n  "/srv/x">\n</Directory\\\n>\n')
  t.deepEqual(shape(tree.children), [{ section: 'Directory', args: ['/srv/x'], children: [], closed: true }])
  const s = tree.children[0] as Section
  t.deepEqual(s.open.position, span(pt(1, 1, 0), pt(2, 12, 24)))
  t.deepEqual(s.close?.position, span(pt(3, 1, 25), pt(4, 2, 39)))
  // With a space before the continuation the close tag reads `</Directory >`: Apache 2.4.71 here
  // rejects it ("</Directory> directive missing closing '>'").
  const spaced = read('<Directory /x>\n</Directory \\\n>\n', { diagnostics: 1 })
  t.deepEqual(diagnostics(spaced).map((d) => [d.ruleId, d.line, d.column]), [['unterminated-tag', 2, 1]])
})

// The parser keeps one string for words and lines that repeat, and one frozen args array for
// directives with the same words, in caches that forget on collisions: many distinct words that
// collide, between words that repeat, must all come back as written.
test('many distinct and repeated words, names and lines read back as written', (t) => {
  const lines: string[] = []
  const want: Array<[string, string[]]> = []
  for (let i = 0; i < 30000; i++) {
    const name = i % 3 === 0 ? 'Require' : `D${i % 977}`
    const args = i % 5 === 0 ? ['all', 'granted'] : [`a${i}`, `b${i % 101}`, i % 2 === 0 ? 'On' : `"q ${i % 13}"`]
    lines.push(`${' '.repeat(i % 4)}${name} ${args.join(' ')}`)
    want.push([name, args.map((a) => a.replace(/^"(.*)"$/, '$1'))])
  }
  const tree = read(lines.join('\n') + '\n')
  const got = (tree.children as Directive[]).map((d): [string, readonly string[]] => [d.name, d.args])
  t.deepEqual(got, want)
  t.true((tree.children as Directive[]).every((d, i) => d.raw === lines[i] + '\n'))
})

test('a backslash not at the end of the line, or followed by a space, is a plain character', (t) => {
  const tree = read('Foo a\\b \\ c\\ \nBar\n')
  t.deepEqual(shape(tree.children), [
    { directive: 'Foo', args: ['a\\b', '\\', 'c\\'] },
    { directive: 'Bar', args: [] },
  ])
})

test('a backslash at the very end of the file (no line ending) is a word', (t) => {
  // Apache 2.4.71 here: `Define A x\` without a line ending defines A as `x\`.
  t.deepEqual(shape(read('Define A x\\').children), [{ directive: 'Define', args: ['A', 'x\\'] }])
})

// Apache 2.4 continues a line on any final backslash, `\\` too: util.c's ap_cfg_getline_core
// only looks at the character before the cut line ending (`cp[-1] == '\\'`); its
// "[^\\]\\[\r]\n only" comment is older than the code. Apache 2.4.71 here: `Define A x\\` + LF +
// `y` defines A as `x\y` (the last `\` and the LF are dropped, the first `\` stays, and
// substring_conf keeps a `\` not followed by `\` or a quote); `Define A x\\` + LF + `Define B 1`
// is "Define takes 1-2 arguments" on line 2. As the check looks at the logical line read so far,
// an empty line after `x\\` + LF drops the kept `\` too: `Define A x\\` + LF + LF + `B` defines
// A as `xB`, and so does `Define A x\\` + LF + `\` + LF + LF + `B`; `x\\\` + LF + `y` gives `x\y`.
test('a line ending in \\\\ continues, as in Apache 2.4', (t) => {
  const tree = read('Define A x\\\\\ny\n')
  t.deepEqual(shape(tree.children), [{ directive: 'Define', args: ['A', 'x\\y'] }])
  const empty = read('Define A x\\\\\n\nB\n')
  t.deepEqual(shape(empty.children), [{ directive: 'Define', args: ['A', 'xB'] }])
  const crlf = read('Define A "x\\\\\r\ny"\r\n')
  t.deepEqual(shape(crlf.children), [{ directive: 'Define', args: ['A', 'x\\y'] }])
  const comment = read('# path C:\\\\\nServerName hidden\n')
  t.deepEqual(shape(comment.children), [{ comment: ' path C:\\ServerName hidden' }])
  t.deepEqual(shape(read('Define A x\\\\\r\n\r\nB\r\n').children), [{ directive: 'Define', args: ['A', 'xB'] }])
  t.deepEqual(shape(read('Define A x\\\\\n\\\n\nB\n').children), [{ directive: 'Define', args: ['A', 'xB'] }])
  t.deepEqual(shape(read('Define A x\\\\\\\ny\n').children), [{ directive: 'Define', args: ['A', 'x\\y'] }])
  // Positions still map to the source: the directive ends on the `B` of line 3.
  t.deepEqual(empty.children[0].position, span(pt(1, 1, 0), pt(3, 2, 15)))
})

// A final `\` + LF on the last line of the file: Apache 2.4.71 here defines A as `x` for
// `Define A x\` + LF + EOF, and A with no value for `Define A \` + LF + EOF (and for three such
// lines): the continuation is taken, the next read hits EOF, and the `\` is dropped (util.c:
// `if (rc == APR_EOF) { if (cbuf != buf + offset) { *cbuf = '\0'; break; } }`).
test('a continuation on the last line drops its backslash, as in Apache', (t) => {
  t.deepEqual(shape(read('Define A x\\\n').children), [{ directive: 'Define', args: ['A', 'x'] }])
  t.deepEqual(shape(read('Define A \\\n').children), [{ directive: 'Define', args: ['A'] }])
  t.deepEqual(shape(read('Define A \\\n\\\n\\\n').children), [{ directive: 'Define', args: ['A'] }])
})

test('a blank logical line over two physical lines is one blank node', (t) => {
  const tree = read('  \\\n   \nServerName x\n')
  t.deepEqual(tree.children[0], { type: 'blank', raw: '  \\\n   \n', position: span(pt(2, 4, 7), pt(2, 4, 7)) })
})

// Found by the round-trip property: for ` \` + LF + LF the white space of the blank logical
// line ends right at the continuation, and its position once ended (1:2) before it started (2:1).
test('a blank line ending in a continuation has an empty position', (t) => {
  const tree = read(' \\\n\nServerName x\n')
  const blank = tree.children[0]
  t.is(blank.type, 'blank')
  const { start, end } = blank.position as Position
  t.true((start.offset as number) <= (end.offset as number), `position ${JSON.stringify(blank.position)}`)
  t.deepEqual(start, end)
})

// ---------------------------------------------------------------------------------------------
// Words and quotes

test('quotes: double and single, escapes \\\\ and \\<quote>, words glued to a quote split', (t) => {
  const tree = read(`A "x y" 'p q' "a"b "say \\"hi\\"" 'it\\'s' "c:\\\\dir" "\\n" e\\\\f "'" '"'\n`)
  t.deepEqual((tree.children[0] as Directive).args, [
    'x y',
    'p q',
    'a',
    'b',
    'say "hi"',
    "it's",
    'c:\\dir',
    '\\n',
    'e\\f',
    "'",
    '"',
  ])
})

test('an unterminated quote takes the rest of the line', (t) => {
  // Apache 2.4.71 here: `Define A "abc` defines A as abc.
  const tree = read('Define A "abc def  \nServerName x\n')
  t.deepEqual(shape(tree.children), [
    { directive: 'Define', args: ['A', 'abc def'] },
    { directive: 'ServerName', args: ['x'] },
  ])
  t.deepEqual((read(`Header set X 'a "b"\n`).children[0] as Directive).args, ['set', 'X', 'a "b"'])
})

test('empty quoted words are words', (t) => {
  t.deepEqual((read(`SetEnv X "" ''\n`).children[0] as Directive).args, ['X', '', ''])
})

// ---------------------------------------------------------------------------------------------
// Sections

test('nested sections: the full tree with every position', (t) => {
  const input = [
    '<VirtualHost *:80>',
    '    ServerName k.example.org',
    '    <Directory "/srv/k">',
    '        <IfModule mod_authz_core.c>',
    '            Require all granted',
    '        </IfModule>',
    '    </Directory>',
    '</VirtualHost>',
    '',
  ].join('\n')
  const tree = read(input)
  t.deepEqual(tree, {
    type: 'root',
    position: span(pt(1, 1, 0), pt(9, 1, 193)),
    data: { input: 'string', encoding: 'utf8', eol: '\n', diagnostics: [] },
    children: [
      {
        type: 'section',
        name: 'VirtualHost',
        args: ['*:80'],
        open: { raw: '<VirtualHost *:80>\n', name: 'VirtualHost', position: span(pt(1, 1, 0), pt(1, 19, 18)) },
        close: { raw: '</VirtualHost>\n', name: 'VirtualHost', position: span(pt(8, 1, 178), pt(8, 15, 192)) },
        position: span(pt(1, 1, 0), pt(8, 15, 192)),
        children: [
          {
            type: 'directive',
            name: 'ServerName',
            args: ['k.example.org'],
            raw: '    ServerName k.example.org\n',
            position: span(pt(2, 5, 23), pt(2, 29, 47)),
          },
          {
            type: 'section',
            name: 'Directory',
            args: ['/srv/k'],
            open: { raw: '    <Directory "/srv/k">\n', name: 'Directory', position: span(pt(3, 5, 52), pt(3, 25, 72)) },
            close: { raw: '    </Directory>\n', name: 'Directory', position: span(pt(7, 5, 165), pt(7, 17, 177)) },
            position: span(pt(3, 5, 52), pt(7, 17, 177)),
            children: [
              {
                type: 'section',
                name: 'IfModule',
                args: ['mod_authz_core.c'],
                open: {
                  raw: '        <IfModule mod_authz_core.c>\n',
                  name: 'IfModule',
                  position: span(pt(4, 9, 81), pt(4, 36, 108)),
                },
                close: { raw: '        </IfModule>\n', name: 'IfModule', position: span(pt(6, 9, 149), pt(6, 20, 160)) },
                position: span(pt(4, 9, 81), pt(6, 20, 160)),
                children: [
                  {
                    type: 'directive',
                    name: 'Require',
                    args: ['all', 'granted'],
                    raw: '            Require all granted\n',
                    position: span(pt(5, 13, 121), pt(5, 32, 140)),
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  })
})

test('close tags compare case-insensitively and keep their own spelling', (t) => {
  // Apache 2.4.71 here: `<VirtualHost *:80>` ... `</virtualhost>` is fine.
  const tree = read('<VirtualHost *:80>\nServerName a\n</virtualhost>\n')
  const s = only<Section>(tree, 'section')
  t.is(s.name, 'VirtualHost')
  t.is(s.close?.name, 'virtualhost')
  t.is(s.close?.raw, '</virtualhost>\n')
})

test('a tag is < + letter: other <-lines are directives', (t) => {
  const tree = read('<1x>\n< Directory /x>\n<>\n')
  t.deepEqual(shape(tree.children), [
    { directive: '<1x>', args: [] },
    { directive: '<', args: ['Directory', '/x>'] },
    { directive: '<>', args: [] },
  ])
})

test('one tag per line: <Directory /x></Directory> is an open tag that is never closed', (t) => {
  // Apache 2.4.71 here: "<Directory> was not closed."
  const tree = read('<Directory /x></Directory>\nServerName a\n', { diagnostics: 1 })
  t.deepEqual(tree.children, [
    {
      type: 'section',
      name: 'Directory',
      args: ['/x></Directory'],
      open: { raw: '<Directory /x></Directory>\n', name: 'Directory', position: span(pt(1, 1, 0), pt(1, 27, 26)) },
      close: null,
      children: [
        {
          type: 'directive',
          name: 'ServerName',
          args: ['a'],
          raw: 'ServerName a\n',
          position: span(pt(2, 1, 27), pt(2, 13, 39)),
        },
      ],
      position: span(pt(1, 1, 0), pt(2, 13, 39)),
    },
  ])
  t.deepEqual(diagnostics(tree), [
    {
      ruleId: 'unclosed-section',
      line: 1,
      column: 1,
      reason:
        '<Directory> is never closed: add </Directory> on a line of its own (Apache reads one tag per line: a close tag after `>` on the same line does not count)',
    },
  ])
})

test('the last > ends the tag', (t) => {
  const tree = read('<Location /<prefix> >\n</Location>\n<IfVersion >= 2.4>\n</IfVersion>\n<Directory>\n</Directory>\n')
  t.deepEqual(shape(tree.children), [
    { section: 'Location', args: ['/<prefix>'], children: [], closed: true },
    { section: 'IfVersion', args: ['>=', '2.4'], children: [], closed: true },
    { section: 'Directory', args: [], children: [], closed: true },
  ])
})

test('an open tag without > is reported and keeps its words', (t) => {
  const tree = read('<Directory /x\n</Directory>\n', { diagnostics: 1 })
  t.deepEqual(shape(tree.children), [{ section: 'Directory', args: ['/x'], children: [], closed: true }])
  t.deepEqual(diagnostics(tree), [
    { ruleId: 'unterminated-tag', line: 1, column: 1, reason: "<Directory> directive missing closing '>': end the tag with '>'" },
  ])
})

// Apache 2.4.71 here: `</Directory >` and `</Directory` both fail with "</Directory> directive
// missing closing '>'" (it compares the first word with `</Directory>`).
test('a close tag without > (or with a space before it) is reported, and still closes its section', (t) => {
  for (const close of ['</Directory', '</Directory >', '</directory  >  ']) {
    const tree = read(`<Directory /x>\n  Require all granted\n${close}\nServerName a\n`, { diagnostics: 1 })
    t.deepEqual(shape(tree.children), [
      { section: 'Directory', args: ['/x'], children: [{ directive: 'Require', args: ['all', 'granted'] }], closed: true },
      { directive: 'ServerName', args: ['a'] },
    ])
    const name = close.slice(2, 11)
    t.deepEqual(diagnostics(tree), [
      {
        ruleId: 'unterminated-tag',
        line: 3,
        column: 1,
        reason: `</${name}> directive missing closing '>': write the close tag as </${name}>`,
      },
    ])
    const s = tree.children[0] as Section
    t.is(s.close?.name, name)
    t.deepEqual(s.position?.end, s.close?.position?.end)
  }
  // A close tag of a <Macro> too; a stray one is reported as stray only.
  const macro = read('<Macro M>\nX 1\n</Macro >\n', { diagnostics: 1 })
  t.deepEqual(diagnostics(macro).map((d) => [d.ruleId, d.line]), [['unterminated-tag', 3]])
  const stray = read('</Directory\n', { diagnostics: 1 })
  t.deepEqual(diagnostics(stray).map((d) => d.ruleId), ['stray-close'])
})

// Apache's section handlers (core.c dirsection, urlsection, filesection, virtualhost_section,
// start_ifmod, ...) cut the argument at the last `>` (ap_strrchr_c) and ignore whatever follows
// it: Apache 2.4.71 here accepts `<Directory /x> # comment` and `<Directory /x> trailing`
// without a word.
test('text after the last > of an open tag is ignored, as in Apache (no diagnostic)', (t) => {
  const tree = parse('<Directory /x> # allow all\n</Directory>\n')
  t.deepEqual(diagnostics(tree), [])
  t.deepEqual(shape(tree.children), [{ section: 'Directory', args: ['/x'], children: [], closed: true }])
  t.is(print(tree), '<Directory /x> # allow all\n</Directory>\n')
  t.deepEqual((tree.children[0] as Section).open.position, span(pt(1, 1, 0), pt(1, 27, 26)))
  t.deepEqual(shape(read('<IfModule a> b>c\n</IfModule>\n').children), [{ section: 'IfModule', args: ['a>', 'b'], children: [], closed: true }])
})

test('<Files ~ "regex">, <FilesMatch>, <If "expr">, <IfDefine !X>', (t) => {
  const tree = read(
    [
      '<Files ~ "\\.(py|wsgi)$">',
      '    Require all denied',
      '</Files>',
      `<If "%{HTTP_HOST} == 'hg.example.org'">`,
      '    WSGIProcessGroup hg',
      '</If>',
      '<FilesMatch "^\\.ht">',
      '</FilesMatch>',
      '<IfDefine !NO_WSGI>',
      '</IfDefine>',
      '',
    ].join('\n'),
  )
  t.deepEqual(shape(tree.children), [
    { section: 'Files', args: ['~', '\\.(py|wsgi)$'], children: [{ directive: 'Require', args: ['all', 'denied'] }], closed: true },
    { section: 'If', args: ["%{HTTP_HOST} == 'hg.example.org'"], children: [{ directive: 'WSGIProcessGroup', args: ['hg'] }], closed: true },
    { section: 'FilesMatch', args: ['^\\.ht'], children: [], closed: true },
    { section: 'IfDefine', args: ['!NO_WSGI'], children: [], closed: true },
  ])
})

// ---------------------------------------------------------------------------------------------
// Diagnostics

test('unclosed section: reported at its open tag, the section ends at its last child', (t) => {
  const tree = read('<VirtualHost *:80>\n  ServerName a\n', { diagnostics: 1 })
  const s = only<Section>(tree, 'section')
  t.is(s.close, null)
  t.deepEqual(s.position, span(pt(1, 1, 0), pt(2, 15, 33)))
  t.deepEqual(diagnostics(tree), [
    {
      ruleId: 'unclosed-section',
      line: 1,
      column: 1,
      reason: '<VirtualHost> is never closed: add </VirtualHost> on a line of its own',
    },
  ])
  t.deepEqual(tree.data.diagnostics[0].place, span(pt(1, 1, 0), pt(1, 19, 18)))
  // Without children the section is its open tag.
  const empty = parse('  <IfModule x>\n')
  t.deepEqual(empty.children[0].position, span(pt(1, 3, 2), pt(1, 15, 14)))
})

test('stray close tag: reported where it is, kept as a directive marked strayClose', (t) => {
  const tree = read('ServerName a\n  </Directory>\n', { diagnostics: 1 })
  t.deepEqual(tree.children[1], {
    type: 'directive',
    name: '</Directory',
    args: [],
    raw: '  </Directory>\n',
    position: span(pt(2, 3, 15), pt(2, 15, 27)),
    data: { strayClose: true },
  })
  t.deepEqual(diagnostics(tree), [
    {
      ruleId: 'stray-close',
      line: 2,
      column: 3,
      reason: '</Directory> closes no open <Directory>: remove it or add the missing open tag',
    },
  ])
})

test('mismatched close tag: stray inside the open section, which is then never closed', (t) => {
  // Apache 2.4.71 here: "Expected </Directory> but saw </Location>".
  const tree = read('<Directory /x>\n</Location>\n', { diagnostics: 2 })
  t.deepEqual(shape(tree.children), [
    {
      section: 'Directory',
      args: ['/x'],
      children: [{ directive: '</Location', args: [], data: { strayClose: true } }],
      closed: false,
    },
  ])
  t.deepEqual(diagnostics(tree), [
    {
      ruleId: 'stray-close',
      line: 2,
      column: 1,
      reason: '</Location> closes no open <Location> (expected </Directory>): remove it or add the missing open tag',
    },
    { ruleId: 'unclosed-section', line: 1, column: 1, reason: '<Directory> is never closed: add </Directory> on a line of its own' },
  ])
})

test('a close tag of an outer section closes it; the inner one is reported unclosed', (t) => {
  const tree = read('<IfModule a>\n  <Directory /x>\n    Require all granted\n</IfModule>\nServerName b\n', { diagnostics: 1 })
  t.deepEqual(shape(tree.children), [
    {
      section: 'IfModule',
      args: ['a'],
      children: [
        { section: 'Directory', args: ['/x'], children: [{ directive: 'Require', args: ['all', 'granted'] }], closed: false },
      ],
      closed: true,
    },
    { directive: 'ServerName', args: ['b'] },
  ])
  t.deepEqual(diagnostics(tree), [
    {
      ruleId: 'unclosed-section',
      line: 2,
      column: 3,
      reason: '<Directory> is never closed before </IfModule> at 4:1: add </Directory> on a line of its own',
    },
  ])
  const inner = (tree.children[0] as Section).children[0] as Section
  t.deepEqual(inner.position, span(pt(2, 3, 15), pt(3, 24, 53)))
})

test('same-name nesting closes the innermost first', (t) => {
  const tree = read('<IfModule a>\n<IfModule b>\n</IfModule>\n', { diagnostics: 1 })
  t.deepEqual(shape(tree.children), [
    { section: 'IfModule', args: ['a'], children: [{ section: 'IfModule', args: ['b'], children: [], closed: true }], closed: false },
  ])
  t.deepEqual(diagnostics(tree).map((d) => [d.ruleId, d.line, d.column]), [['unclosed-section', 1, 1]])
})

// ---------------------------------------------------------------------------------------------
// Variables, includes, templates, macros, placeholders

test('Define and ${VAR} are plain words; Include and IncludeOptional stay directives', (t) => {
  const tree = read(
    [
      'Define KALLITHEA_ROOT /srv/kallithea',
      'Define WITH_SSL',
      'Include ${APACHE_CONFDIR}/mods-enabled/*.load',
      'IncludeOptional sites-enabled/*.conf',
      '<IfDefine WITH_SSL>',
      '  WSGIScriptAlias / "${KALLITHEA_ROOT}/dispatch.wsgi"',
      '</IfDefine>',
      'UnDefine WITH_SSL',
      '',
    ].join('\n'),
  )
  t.deepEqual(shape(tree.children), [
    { directive: 'Define', args: ['KALLITHEA_ROOT', '/srv/kallithea'] },
    { directive: 'Define', args: ['WITH_SSL'] },
    { directive: 'Include', args: ['${APACHE_CONFDIR}/mods-enabled/*.load'] },
    { directive: 'IncludeOptional', args: ['sites-enabled/*.conf'] },
    {
      section: 'IfDefine',
      args: ['WITH_SSL'],
      children: [{ directive: 'WSGIScriptAlias', args: ['/', '${KALLITHEA_ROOT}/dispatch.wsgi'] }],
      closed: true,
    },
    { directive: 'UnDefine', args: ['WITH_SSL'] },
  ])
})

test('@@Var@@ build placeholders (httpd-docs-conf) and %VAR% are plain words', (t) => {
  const tree = read(
    [
      'ServerRoot "@@ServerRoot@@"',
      'Listen @@Port@@',
      '<Directory "@@ServerRoot@@/htdocs">',
      '    Options Indexes FollowSymLinks',
      '</Directory>',
      'ErrorLog %LOGDIR%/error.log',
      '',
    ].join('\n'),
  )
  t.deepEqual(shape(tree.children), [
    { directive: 'ServerRoot', args: ['@@ServerRoot@@'] },
    { directive: 'Listen', args: ['@@Port@@'] },
    {
      section: 'Directory',
      args: ['@@ServerRoot@@/htdocs'],
      children: [{ directive: 'Options', args: ['Indexes', 'FollowSymLinks'] }],
      closed: true,
    },
    { directive: 'ErrorLog', args: ['%LOGDIR%/error.log'] },
  ])
})

test('Jinja: {% for %} around VirtualHosts, {{ }} lines and {# #} comments: expressions are one word, statements control lines', (t) => {
  const input = [
    '{# managed by ansible #}',
    '{% for site in sites %}',
    '<VirtualHost *:{{ site.port }}>',
    '    ServerName {{ site.name }}',
    '    {{ site.extra | default("") }}',
    '    {% if site.wsgi %}',
    '    WSGIDaemonProcess {{ site.name }} threads=4',
    '    {% endif %}',
    '</VirtualHost>',
    '{% endfor %}',
    '',
  ].join('\n')
  const tree = read(input)
  const template = { template: true }
  const control = (role: string, statement: string, keyword: string) => ({ template: true, control: [{ role, statement, keyword }] })
  t.deepEqual(shape(tree.children), [
    { directive: '{# managed by ansible #}', args: [], data: template },
    { directive: '{% for site in sites %}', args: [], data: control('open', 'for site in sites', 'for') },
    {
      section: 'VirtualHost',
      args: ['*:{{ site.port }}'],
      children: [
        { directive: 'ServerName', args: ['{{ site.name }}'] },
        { directive: '{{ site.extra | default("") }}', args: [], data: template },
        { directive: '{% if site.wsgi %}', args: [], data: control('open', 'if site.wsgi', 'if') },
        { directive: 'WSGIDaemonProcess', args: ['{{ site.name }}', 'threads=4'] },
        { directive: '{% endif %}', args: [], data: control('close', 'endif', 'endif') },
      ],
      closed: true,
    },
    { directive: '{% endfor %}', args: [], data: control('close', 'endfor', 'endfor') },
  ])
})

test('ERB: <% if %> lines inside a VirtualHost do not derail it', (t) => {
  const input = [
    '<VirtualHost *:<%= @port %>>',
    '  ServerName <%= @servername %>',
    '<% if @ssl -%>',
    '  SSLEngine on',
    '<%- else -%>',
    '  <%# plain http %>',
    '<% end -%>',
    '</VirtualHost>',
    '',
  ].join('\n')
  const tree = read(input)
  const control = (role: string, statement: string, keyword: string) => ({ template: true, control: [{ role, statement, keyword }] })
  t.deepEqual(shape(tree.children), [
    {
      section: 'VirtualHost',
      args: ['*:<%= @port %>'],
      children: [
        { directive: 'ServerName', args: ['<%= @servername %>'] },
        { directive: '<% if @ssl -%>', args: [], data: control('open', 'if @ssl', 'if') },
        { directive: 'SSLEngine', args: ['on'] },
        { directive: '<%- else -%>', args: [], data: control('branch', 'else', 'else') },
        { directive: '<%# plain http %>', args: [], data: { template: true } },
        { directive: '<% end -%>', args: [], data: control('close', 'end', 'end') },
      ],
      closed: true,
    },
  ])
  const s = tree.children[0] as Section
  t.deepEqual(s.position, span(pt(1, 1, 0), pt(8, 15, 149)))
})

test('<Macro>: a balanced body is a tree', (t) => {
  const tree = read('<Macro KSite $name $port>\n<VirtualHost *:$port>\n  ServerName $name\n</VirtualHost>\n</Macro>\nUse KSite k.example.org 80\n')
  t.deepEqual(shape(tree.children), [
    {
      section: 'Macro',
      args: ['KSite', '$name', '$port'],
      children: [{ section: 'VirtualHost', args: ['*:$port'], children: [{ directive: 'ServerName', args: ['$name'] }], closed: true }],
      closed: true,
    },
    { directive: 'Use', args: ['KSite', 'k.example.org', '80'] },
  ])
})

test('<Macro>: a body that balances only after expansion is flat, tags marked macroTag, no diagnostic', (t) => {
  const tree = read('<Macro Open $p>\n<Directory $p>\n</Macro>\n<Macro Close>\n</Directory>\n</Macro>\n')
  t.deepEqual(shape(tree.children), [
    { section: 'Macro', args: ['Open', '$p'], children: [{ directive: '<Directory', args: ['$p'], data: { macroTag: true } }], closed: true },
    { section: 'Macro', args: ['Close'], children: [{ directive: '</Directory', args: [], data: { macroTag: true } }], closed: true },
  ])
  t.deepEqual((tree.children[0] as Section).children[0].position, span(pt(2, 1, 16), pt(2, 15, 30)))
})

test('<Macro>: nested macros are counted; an unclosed macro is reported', (t) => {
  const nested = read('<Macro A>\n<Macro B>\nX 1\n</Macro>\n</Macro>\nY 2\n')
  t.deepEqual(shape(nested.children), [
    {
      section: 'Macro',
      args: ['A'],
      children: [{ section: 'Macro', args: ['B'], children: [{ directive: 'X', args: ['1'] }], closed: true }],
      closed: true,
    },
    { directive: 'Y', args: ['2'] },
  ])
  const open = read('<Macro A>\n<Directory $x>\n', { diagnostics: 1 })
  t.deepEqual(diagnostics(open).map((d) => [d.ruleId, d.line, d.column]), [['unclosed-section', 1, 1]])
  // Like any unclosed section, it ends at its last child (at its open tag without children).
  t.deepEqual(open.children[0].position, span(pt(1, 1, 0), pt(2, 15, 24)))
  t.deepEqual(read('  <Macro A>\n', { diagnostics: 1 }).children[0].position, span(pt(1, 3, 2), pt(1, 12, 11)))
})

test('<Macro>: each body is matched on its own: a flat inner body leaves the outer one a tree', (t) => {
  const tree = read('<Macro A>\n<Macro B $p>\n<Directory $p>\n</Macro>\n<If "true">\nX 1\n</If>\n</Macro>\n')
  t.deepEqual(shape(tree.children), [
    {
      section: 'Macro',
      args: ['A'],
      children: [
        { section: 'Macro', args: ['B', '$p'], children: [{ directive: '<Directory', args: ['$p'], data: { macroTag: true } }], closed: true },
        { section: 'If', args: ['true'], children: [{ directive: 'X', args: ['1'] }], closed: true },
      ],
      closed: true,
    },
  ])
  // A problem with the inner macro's own tags is the outer body's: all of it reads flat.
  const outerFlat = read('<Macro A>\n<Macro B\nX 1\n</Macro>\n</Macro>\n')
  t.deepEqual(shape(outerFlat.children), [
    {
      section: 'Macro',
      args: ['A'],
      children: [
        { directive: '<Macro', args: ['B'], data: { macroTag: true } },
        { directive: 'X', args: ['1'] },
        { directive: '</Macro', args: [], data: { macroTag: true } },
      ],
      closed: true,
    },
  ])
})

test('<Macro>: 20,000 nested macros and sections in a body build without running out of stack', (t) => {
  const depth = 20_000
  const text = '<Macro A>\n'.repeat(depth) + '<If x>\n'.repeat(depth) + 'X 1\n' + '</If>\n'.repeat(depth) + '</Macro>\n'.repeat(depth)
  const tree = read(text)
  const names: string[] = []
  for (let node: Content | undefined = tree.children[0]; node?.type === 'section'; node = node.children[0]) names.push(node.name)
  t.is(names.length, 2 * depth)
  t.is(names.filter((n) => n === 'Macro').length, depth)
  t.true(names.slice(depth).every((n) => n === 'If'))
})

// ---------------------------------------------------------------------------------------------
// Printing and editing (print.ts, render.ts)

const WSGI = [
  '<VirtualHost *:80>',
  '    ServerName k.example.org',
  '    WSGIDaemonProcess kallithea \\',
  '        threads=4 \\',
  '        python-home=/srv/venv \\',
  '        user=kallithea',
  '    WSGIScriptAlias / "/srv/old app/dispatch.wsgi"',
  '</VirtualHost>',
  '',
].join('\n')

function directiveNamed(tree: Root, name: string): Directive {
  let found: Directive | undefined
  const walk = (nodes: Content[]): void => {
    for (const n of nodes) {
      if (n.type === 'directive' && n.name.toLowerCase() === name.toLowerCase()) found ??= n
      if (n.type === 'section') walk(n.children)
    }
  }
  walk(tree.children)
  if (found === undefined) throw new Error(`no ${name}`)
  return found
}

function edited(input: string, name: string, change: (d: Directive) => void): string {
  const tree = parse(input)
  change(directiveNamed(tree, name))
  return print(tree) as string
}

test('edit: removing an option alone on a continued line removes that line, no dangling backslash', (t) => {
  const out = edited(WSGI, 'WSGIDaemonProcess', (d) => {
    d.args = d.args.filter((a) => !a.startsWith('python-home='))
  })
  t.is(out, WSGI.replace('        python-home=/srv/venv \\\n', ''))
  t.deepEqual(directiveNamed(parse(out), 'WSGIDaemonProcess').args, ['kallithea', 'threads=4', 'user=kallithea'])
})

test('edit: removing the option on the last continued line ends the directive on the line before', (t) => {
  const out = edited(WSGI, 'WSGIDaemonProcess', (d) => {
    d.args = d.args.filter((a) => a !== 'user=kallithea')
  })
  t.is(out, WSGI.replace('python-home=/srv/venv \\\n        user=kallithea\n', 'python-home=/srv/venv\n'))
})

test('edit: removing the first option of a continued line that has others keeps the line', (t) => {
  const input = 'WSGIDaemonProcess kallithea \\\n    threads=4 processes=2 \\\n    user=x\n'
  t.is(
    edited(input, 'WSGIDaemonProcess', (d) => {
      d.args = d.args.filter((a) => a !== 'threads=4')
    }),
    'WSGIDaemonProcess kallithea \\\n    processes=2 \\\n    user=x\n',
  )
  t.is(
    edited(input, 'WSGIDaemonProcess', (d) => {
      d.args = d.args.filter((a) => a !== 'processes=2')
    }),
    'WSGIDaemonProcess kallithea \\\n    threads=4 \\\n    user=x\n',
  )
  // Every option gone: the directive folds back onto one line.
  t.is(
    edited(input, 'WSGIDaemonProcess', (d) => {
      d.args = ['kallithea']
    }),
    'WSGIDaemonProcess kallithea\n',
  )
})

test('edit: replacing a value keeps its quote style', (t) => {
  t.is(
    edited(WSGI, 'WSGIScriptAlias', (d) => {
      d.args = ['/', '/srv/kallithea/dispatch.wsgi']
    }),
    WSGI.replace('"/srv/old app/dispatch.wsgi"', '"/srv/kallithea/dispatch.wsgi"'),
  )
  t.is(edited("  Alias /x '/a'\n", 'Alias', (d) => void (d.args = ['/x', '/b c'])), "  Alias /x '/b c'\n")
  t.is(edited("  Alias /x '/a'\n", 'Alias', (d) => void (d.args = ['/x', "/it's"])), "  Alias /x '/it\\'s'\n")
  // A bare word stays bare when it can, and is quoted when it must.
  t.is(edited('WSGIPassAuthorization Off\n', 'WSGIPassAuthorization', (d) => void (d.args = ['On'])), 'WSGIPassAuthorization On\n')
  t.is(edited('Alias /x /a\n', 'Alias', (d) => void (d.args = ['/x', '/b c'])), 'Alias /x "/b c"\n')
  t.is(edited('SetEnv X a\n', 'SetEnv', (d) => void (d.args = ['X', ''])), 'SetEnv X ""\n')
})

test('edit: adding an arg', (t) => {
  t.is(
    edited('WSGIDaemonProcess kallithea threads=4\n', 'WSGIDaemonProcess', (d) => {
      d.args = [...d.args, 'user=kallithea']
    }),
    'WSGIDaemonProcess kallithea threads=4 user=kallithea\n',
  )
  // One option a line: the new one gets a line of its own.
  t.is(
    edited('WSGIDaemonProcess \\\n    kallithea \\\n    threads=4\n', 'WSGIDaemonProcess', (d) => {
      d.args = [...d.args, 'user=k']
    }),
    'WSGIDaemonProcess \\\n    kallithea \\\n    threads=4 \\\n    user=k\n',
  )
  // Quoted where the directive already quotes.
  t.is(
    edited('Header set X "a"\n', 'Header', (d) => {
      d.args = [...d.args, 'env=HTTPS']
    }),
    'Header set X "a" "env=HTTPS"\n',
  )
  // Inserted in the middle.
  t.is(
    edited('Options -Indexes +FollowSymLinks\n', 'Options', (d) => void (d.args = [d.args[0], '+ExecCGI', ...d.args.slice(1)])),
    'Options -Indexes +ExecCGI +FollowSymLinks\n',
  )
})

// The parser's args arrays are frozen: an array that raw spells is never changed in place, so the
// printer needs no copy of it to see an edit. Editing is assigning a new array.
test('edit: args arrays are frozen; changing one in place throws, assigning a new one is re-spelled', (t) => {
  const tree = parse('Options -Indexes +FollowSymLinks\nServerSignature\n')
  const [options, signature] = tree.children as Directive[]
  t.true(Object.isFrozen(options.args))
  t.true(Object.isFrozen(signature.args))
  const readOnly = { instanceOf: TypeError, message: /not extensible|read only|Cannot (?:add|assign|delete)/ }
  // `readonly string[]` refuses these at compile time; the casts check that run time does too.
  t.throws(() => (options.args as string[]).push('+ExecCGI'), readOnly)
  t.throws(() => {
    ;(options.args as string[])[0] = '+Indexes'
  }, readOnly)
  t.throws(() => (options.args as string[]).splice(0, 1), readOnly)
  t.throws(() => (signature.args as string[]).push('Off'), readOnly)
  t.deepEqual(options.args, ['-Indexes', '+FollowSymLinks'])
  t.is(print(tree), 'Options -Indexes +FollowSymLinks\nServerSignature\n')
  options.args = ['+Indexes', ...options.args.slice(1)]
  signature.args = ['Off']
  t.false(Object.isFrozen(options.args))
  t.is(print(tree), 'Options +Indexes +FollowSymLinks\nServerSignature Off\n')
  // The same values in a new array print the original text.
  const again = parse('Require  all granted\n')
  const require = again.children[0] as Directive
  require.args = [...require.args]
  t.is(print(again), 'Require  all granted\n')
})

test('edit: renaming keeps indentation, args and line ending', (t) => {
  t.is(
    edited('  wsgiprocessgroup  kallithea\t\r\n', 'WSGIProcessGroup', (d) => {
      d.name = 'WSGIProcessGroup'
    }),
    '  WSGIProcessGroup  kallithea\t\r\n',
  )
})

test('edit: CRLF is kept in edited lines', (t) => {
  const crlf = WSGI.replace(/\n/g, '\r\n')
  const out = edited(crlf, 'WSGIDaemonProcess', (d) => {
    d.args = d.args.filter((a) => !a.startsWith('python-home=')).concat('group=kallithea')
  })
  t.is(
    out,
    crlf.replace('        python-home=/srv/venv \\\r\n', '').replace('user=kallithea\r\n', 'user=kallithea group=kallithea\r\n'),
  )
  t.false(/[^\r]\n/.test(out))
})

test('edit: untouched nodes print exactly as before; an edit undone prints the original', (t) => {
  const input = '# head \\\n  still the comment\n' + WSGI + '\tServerAlias  "b"   \r\n<If "true">\n</if>\n'
  const tree = parse(input)
  const d = directiveNamed(tree, 'ServerName')
  d.args = ['other.example.org']
  t.is(print(tree), input.replace('ServerName k.example.org', 'ServerName other.example.org'))
  d.args = ['k.example.org']
  t.is(print(tree), input)
})

test('edit: a directive built by hand is spelled from scratch', (t) => {
  const tree = parse('<VirtualHost *:80>\n</VirtualHost>\n')
  const s = tree.children[0] as Section
  s.children.push({ type: 'directive', name: 'WSGIProcessGroup', args: ['kallithea', 'a b'], raw: '    \n' })
  t.is(print(tree), '<VirtualHost *:80>\nWSGIProcessGroup kallithea "a b"\n</VirtualHost>\n')
})

// A value that ends in `\`, written bare at the end of a line, would be a continuation that
// swallows the next line (in Apache and in this parser): it is quoted.
test('edit: a new value ending in a backslash does not turn into a line continuation', (t) => {
  const out = edited('DocumentRoot C:/www\nServerName x\n', 'DocumentRoot', (d) => {
    d.args = ['C:\\www\\']
  })
  t.deepEqual(shape(parse(out).children), [
    { directive: 'DocumentRoot', args: ['C:\\www\\'] },
    { directive: 'ServerName', args: ['x'] },
  ])
  t.is(out, 'DocumentRoot "C:\\www\\\\"\nServerName x\n')
})
