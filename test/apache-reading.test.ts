// Reading rules the parser claims for lines that do not read as they look, each checked against a
// real `apache2 -t` (test/helpers/apache.ts): a NUL ends the line, a comment line inside a `\`
// continuation is words of the line it continues, and `</VirtualHost> </IfModule>` closes the
// VirtualHost only (the IfModule then runs on to the end of the file when its condition holds).
// Apache's verdict and the parser's diagnostics must agree: an error where Apache refuses, at
// most a warning where it accepts.
import test from 'ava'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import type { Directive, Root, Section } from '../src/syntax/types.js'
import { configtest } from './helpers/apache.js'

/** The parse of `text`, which prints back unchanged; its diagnostics as `level rule line:column`. */
function read(text: string): { tree: Root; said: string[] } {
  const tree = parse(text, { lazy: false })
  if (print(tree) !== text) throw new Error(`does not print back: ${JSON.stringify(text)}`)
  const said = tree.data.diagnostics.map((d) => `${d.fatal ? 'error' : 'warning'} ${d.ruleId} ${d.line}:${d.column}`)
  return { tree, said }
}

const names = (tree: Root): string[] => tree.children.filter((n): n is Directive => n.type === 'directive').map((d) => [d.name, ...d.args].join(' '))

test('a NUL ends the line: the rest of it is not read, and its `\\` continues nothing', async (t) => {
  const accepted = 'ServerAdmin a@b\0 Bogus words \\\nServerName x\n'
  const a = await configtest(accepted)
  t.true(a.ok, a.output)
  const ra = read(accepted)
  t.deepEqual(names(ra.tree), ['ServerAdmin a@b', 'ServerName x'])
  t.deepEqual(ra.said, ['error nul-in-line 1:16'])

  // The NUL is on the second line of a continuation: line 3 is a directive of its own to Apache.
  const refused = 'WSGIDaemonProcess a \\\n  threads=4\0 junk \\\n  BogusDirective\n'
  const r = await configtest(refused)
  t.false(r.ok)
  t.regex(r.output, /line 3 of .*site\.conf:\s+Invalid command 'BogusDirective'/)
  const rr = read(refused)
  t.deepEqual(names(rr.tree), ['WSGIDaemonProcess a threads=4', 'BogusDirective'])
  t.is(rr.tree.children[1].position?.start.line, 3)

  // A `\` right before the NUL is a word, not a continuation.
  const word = 'ServerAdmin a@b \\\0\nBogus\n'
  const w = await configtest(word)
  t.regex(w.output, /ServerAdmin takes one argument/)
  t.deepEqual(names(read(word).tree), ['ServerAdmin a@b \\', 'Bogus'])
})

test('a comment line inside a continuation: words of the directive; an error where mod_wsgi refuses them, a warning where Apache takes them', async (t) => {
  const cases = [
    { text: 'WSGIDaemonProcess a \\\n    # comment \\\n    threads=4\n', ok: false, said: ['error comment-in-continuation 2:5'] },
    { text: 'WSGIDaemonProcess a \\\n    #threads=2 \\\n    threads=4\n', ok: false, said: ['error comment-in-continuation 2:5'] },
    {
      text: '<VirtualHost *:80>\nServerName a\nWSGIScriptAlias / /tmp/x.wsgi \\\n  # comment \\\n  process-group=a\nWSGIDaemonProcess a\n</VirtualHost>\n',
      ok: false,
      said: ['error comment-in-continuation 4:3'],
    },
    { text: '<VirtualHost *:80>\nServerName a\nServerAlias b \\\n  # old name \\\n  c\n</VirtualHost>\n', ok: true, said: ['warning comment-in-continuation 4:3'] },
  ]
  for (const c of cases) {
    const r = await configtest(c.text)
    t.is(r.ok, c.ok, `${JSON.stringify(c.text)}: ${r.output}`)
    if (!c.ok) t.regex(r.output, /Invalid option to WSGI/)
    t.deepEqual(read(c.text).said, c.said)
  }
  const { tree } = read(cases[3].text)
  t.deepEqual(((tree.children[0] as Section).children[1] as Directive).args, ['b', '#', 'old', 'name', 'c'])
})

test('</VirtualHost> </IfModule>: accepted when the condition holds (both read as closed, a warning), refused when it fails', async (t) => {
  const holds = '<IfModule mod_alias.c>\n<VirtualHost *:80>\nServerName a\n</VirtualHost> </IfModule>\n'
  const a = await configtest(holds)
  t.true(a.ok, a.output)
  const { tree, said } = read(holds)
  t.deepEqual(said, ['warning shared-close-line 4:1'])
  const ifmodule = tree.children[0] as Section
  t.deepEqual([ifmodule.close?.raw, (ifmodule.children[0] as Section).close?.raw], ['', '</VirtualHost> </IfModule>\n'])
  // Apache ignores the `</IfModule>`: a later one on a line of its own ends the IfModule.
  const later = await configtest(holds + 'ServerAdmin x@y\n</IfModule>\n')
  t.true(later.ok, later.output)

  const fails = await configtest(holds.replace('mod_alias.c', 'mod_not_loaded.c'))
  t.false(fails.ok)
  t.regex(fails.output, /Expected <\/IfModule> before end of configuration/)
  t.regex(String(tree.data.diagnostics[0].reason), /Expected <\/IfModule> before end of configuration/)

  // Not an <If...> section: Apache reads `</Directory>` and leaves the VirtualHost open.
  const two = '<VirtualHost *:80>\n<Directory /tmp>\nRequire all granted\n</Directory> </VirtualHost>\n'
  const d = await configtest(two)
  t.regex(d.output, /<VirtualHost> was not closed/)
  t.deepEqual(read(two).said, ['error unclosed-section 1:1'])
})
