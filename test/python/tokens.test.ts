// scanPython: physical and logical lines, tokens, statements and the errors Python would raise.
import test from 'ava'
import { scanPython } from '../../src/python/index.js'

const roles = (text: string): string[] => scanPython(text).lines.map((l) => l.role)

test('scan: roles of blank, comment, start and continuation lines', (t) => {
  const src = [
    '# header',
    '',
    'x = (1,',
    '     # inside brackets',
    '',
    '     2)',
    'y = 1 + \\',
    '    2',
    's = """a',
    'import site',
    '"""',
    '    ',
    'z = 3',
  ].join('\n')
  t.deepEqual(roles(src), [
    'comment', 'blank', 'start', 'continuation', 'continuation', 'continuation', 'start',
    'continuation', 'start', 'continuation', 'continuation', 'blank', 'start',
  ])
  const scan = scanPython(src)
  t.deepEqual(scan.errors, [])
  t.deepEqual(
    scan.logicalLines.map((l) => [l.startLine, l.endLine]),
    [[3, 6], [7, 8], [9, 11], [13, 13]],
  )
  t.is(scan.lines[12]!.eol, '')
})

test('scan: string prefixes and escapes never leak code or comments', (t) => {
  const src = [
    `a = r'\\'' # c1`,
    `b = b"#not a comment"`,
    `c = u'it\\'s'; d = Rb'x' BR"y" uR'z'`,
    `e = f'{x}' + F"{{y}}" + rf'{z}'`,
    `g = "execfile(activate_this)"  # site.addsitedir("/x")`,
  ].join('\n') + '\n'
  const scan = scanPython(src)
  t.deepEqual(scan.errors, [])
  t.is(scan.logicalLines.length, 5)
  const strings = scan.logicalLines.flatMap((l) => l.tokens.filter((x) => x.type === 'string'))
  t.deepEqual(strings.map((s) => s.text), [
    `r'\\''`, `b"#not a comment"`, `u'it\\'s'`, `Rb'x'`, `BR"y"`, `uR'z'`, `f'{x}'`, `F"{{y}}"`,
    `rf'{z}'`, `"execfile(activate_this)"`,
  ])
  t.deepEqual(strings.map((s) => s.value), [
    `\\'`, '#not a comment', "it's", 'x', 'y', 'z', null, '{y}', null, 'execfile(activate_this)',
  ])
  t.is(scan.logicalLines[2]!.statements.length, 2)
  t.true(scan.logicalLines[2]!.statements.every((s) => s.sharedLine))
  t.deepEqual(scan.logicalLines.map((l) => l.tokens.some((x) => x.type === 'comment')), [
    false, false, false, false, false,
  ])
})

test('scan: f-strings with nested quotes and format-spec fields (Python 3.12 reading)', (t) => {
  const src = [
    `a = f"{d["k"]}" # trailing`,
    `b = f'{x:{width}.{prec}}' + f'{y!r:>{w}}'`,
    `c = f"""{'"'}` + '\n' + `more"""`,
    `d = 1`,
  ].join('\n') + '\n'
  const scan = scanPython(src)
  t.deepEqual(scan.errors, [])
  t.deepEqual(
    scan.logicalLines.map((l) => [l.startLine, l.endLine]),
    [[1, 1], [2, 2], [3, 4], [5, 5]],
  )
})

test('scan: f-strings nested 20,000 deep are "too many nested f-strings" (Python stops at 150), not a crash', (t) => {
  const nested = (n: number) => `x = ${"f'{".repeat(n)}1${"}'".repeat(n)}\ny = 2\n`
  const spec = (n: number) => `x = f'{x:${'{x:'.repeat(n)}${'}'.repeat(n)}}'\ny = 2\n`
  const triple = `x = f"""{${"f'{".repeat(20_000)}1${"}'".repeat(20_000)}}"""\ny = 2\n`
  for (const src of [nested(20_000), spec(20_000), triple]) {
    const scan = scanPython(src)
    t.deepEqual(scan.errors, [{ line: 1, message: 'too many nested f-strings' }])
  }
  // The line after is read as code again.
  t.deepEqual(scanPython(nested(20_000)).logicalLines.map((l) => l.startLine), [1, 2])
  t.deepEqual(scanPython(nested(100)).errors, [])
  t.deepEqual(scanPython(spec(100)).errors, [])
})

test('scan: a NUL anywhere, a comment or a string too, is an error as in Python', (t) => {
  for (const src of ['x = 1\n# a\0b\n', "x = 1\ny = 'a\0b'\n", 'x = 1\ny = 1\0\n']) {
    t.deepEqual(scanPython(src).errors[0], { line: 2, message: 'source code cannot contain null bytes' }, JSON.stringify(src))
  }
})

test('scan: escapes decoded, \\u left unresolved because Python 2 and 3 disagree', (t) => {
  const values = (src: string) =>
    scanPython(src).logicalLines.flatMap((l) => l.tokens.filter((x) => x.type === 'string').map((x) => x.value))
  t.deepEqual(values(`x = '/a\\tb\\\\c\\x41\\101'\n`), ['/a\tb\\cAA'])
  t.deepEqual(values(`x = '/srv/\\u00e9'\n`), [null])
  t.deepEqual(values(`x = u'/srv/\\u00e9'\n`), [null])
  t.deepEqual(values(`x = r'/srv/\\u00e9'\n`), ['/srv/\\u00e9'])
  t.deepEqual(values(`x = '/srv/ka\\\nllithea'\n`), ['/srv/kallithea'])
})

test('scan: semicolons split statements; a trailing one does not', (t) => {
  const scan = scanPython('import site;\na = 1; b = (1;\n')
  t.deepEqual(scan.logicalLines[0]!.statements.map((s) => [s.text, s.sharedLine]), [['import site', false]])
  t.true(scan.errors.length > 0)
  const ok = scanPython('a = 1; b = [x for x in y]; c()\n')
  t.deepEqual(ok.logicalLines[0]!.statements.map((s) => s.text), ['a = 1', 'b = [x for x in y]', 'c()'])
})

test('scan: errors for unterminated strings and brackets', (t) => {
  t.deepEqual(scanPython("x = 'abc\ny = 1\n").errors, [{ line: 1, message: 'unterminated string literal' }])
  t.deepEqual(scanPython('x = """abc\ny = 1\n').errors, [
    { line: 1, message: 'unterminated triple-quoted string literal' },
  ])
  t.deepEqual(scanPython('x = foo(1,\ny = 1\n').errors, [{ line: 1, message: "')' never closed" }])
  t.deepEqual(scanPython('x = 1)\n').errors, [{ line: 1, message: "unmatched ')'" }])
  t.deepEqual(scanPython('').errors, [])
  t.deepEqual(scanPython('').lines, [])
})

test('scan: indentation widths, tabs to multiples of 8, compound and block headers', (t) => {
  const scan = scanPython('if x:\n\ta = 1\n  \tb = 2\n        c = 3\nelse: d = 4\n')
  t.deepEqual(scan.logicalLines.map((l) => l.indentWidth), [0, 8, 8, 8, 0])
  t.deepEqual(scan.logicalLines.map((l) => [l.compound, l.opensBlock]), [
    [true, true], [false, false], [false, false], [false, false], [true, false],
  ])
  t.deepEqual(scan.logicalLines.map((l) => l.statements[0]!.topLevel), [false, false, false, false, false])
})

test('scan: indentation errors Python would reject', (t) => {
  t.deepEqual(scanPython('x = 1\n    y = 2\n').errors, [{ line: 2, message: 'unexpected indent' }])
  t.deepEqual(scanPython('if x:\ny = 2\n').errors, [{ line: 2, message: 'expected an indented block' }])
  t.deepEqual(scanPython('if x:  # nothing\n').errors, [{ line: 1, message: 'expected an indented block' }])
  t.deepEqual(scanPython('if x:\n        a\n    b\n').errors, [
    { line: 3, message: 'unindent does not match any outer indentation level' },
  ])
  t.deepEqual(scanPython('if x:\n    a\n    if y:\n\tb\nc\n').errors, [])
  t.deepEqual(scanPython('x = {\n  1: 2,\n}\nif x: y\n').errors, [])
})

test('scan: a 100th level of indentation is "too many levels of indentation", as Python says; 99 are fine', (t) => {
  // python3 -c "compile(nested(100), 'd', 'exec')": IndentationError: too many levels of indentation (line 101)
  const nested = (n: number): string => `${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}if x:\n`).join('')}${' '.repeat(n)}pass\n`
  t.deepEqual(scanPython(nested(99)).errors, [])
  t.deepEqual(scanPython(nested(100)).errors, [{ line: 101, message: 'too many levels of indentation' }])
  t.deepEqual(scanPython(nested(5_000)).errors, [{ line: 101, message: 'too many levels of indentation' }])
})

test('scan: CR, LF and CRLF line endings, BOM on line 1', (t) => {
  const scan = scanPython('\uFEFFa = 1\r\nb = 2\rc = (3,\n4)')
  t.true(scan.bom)
  t.deepEqual(scan.lines.map((l) => l.eol), ['\r\n', '\r', '\n', ''])
  t.deepEqual(scan.logicalLines.map((l) => [l.startLine, l.endLine, l.indent, l.start, l.end]), [
    [1, 1, '', 0, 8],
    [2, 2, '', 8, 14],
    [3, 4, '', 14, 24],
  ])
  t.is(scan.logicalLines[0]!.statements[0]!.text, 'a = 1')
})
