// Templates in Apache configs (src/syntax/templates.ts, template-lines.ts, template-blocks.ts,
// template-tree.ts): a template expression is one opaque word; no edit splits one or writes a piece
// of one; block statements (`{% if %}`, `<% else %>`, `<% } %>`) make branches in which sections
// balance; a line or an open tag a template writes in alternative ways is read in each rendering.
// Inputs are shaped like the templates of Ansible roles, Puppet modules, Hestia and httpd's own
// build (`@@Var@@`).
import test from 'ava'
import fc from 'fast-check'
import { childIndent, createDirective, getOption, indentUnit, insertAfter, options, removeOption, renameOption, setArgs, setOption } from '../src/syntax/edit.js'
import { config } from '../src/syntax/collection.js'
import { parse } from '../src/syntax/parse.js'
import { print } from '../src/syntax/print.js'
import { areAlternatives, branchesByNode, branchesOf, exclusive, isTemplatedNode, templateBlocks, templatedArgs } from '../src/syntax/template-tree.js'
import { isTemplated } from '../src/syntax/templates.js'
import type { Content, Directive, Root, Section } from '../src/syntax/types.js'
import { quoteWord, splitWords } from '../src/syntax/words.js'

/** Parse text that must print back unchanged, with the diagnostics (rule ids) given. */
function read(input: string, rules: string[] = []): Root {
  const tree = parse(input, { lazy: false })
  if (print(tree) !== input) throw new Error(`does not print back: ${JSON.stringify(input)}`)
  const got = tree.data.diagnostics.map((d) => d.ruleId)
  if (JSON.stringify(got) !== JSON.stringify(rules)) throw new Error(`diagnostics ${JSON.stringify(got)}, expected ${JSON.stringify(rules)}: ${tree.data.diagnostics.map(String).join('; ')}`)
  return tree
}

type Shape = string | { section: string; args: readonly string[]; children: Shape[] }

/** Names and args, sections nested; template lines marked with their data. */
function shape(nodes: Content[]): Shape[] {
  return nodes.map((n): Shape => {
    if (n.type === 'section') return { section: n.name, args: n.args, children: shape(n.children) }
    if (n.type !== 'directive') return n.type
    const mark = n.data?.control ? ` [${n.data.control.map((c) => c.role).join(',')}]` : n.data?.template ? ' [template]' : n.data?.templateTag ? ' [templateTag]' : ''
    return [n.name, ...n.args].join(' | ') + mark
  })
}

const directives = (tree: Root, name: string): Directive[] => config(tree).findDirectives(name).nodes()

// ---------------------------------------------------------------------------------------------
// Expressions are one word

test('the issue\'s alias: two args, the first /{{ config.web_app_name }}', (t) => {
  const tree = read('    WSGIScriptAlias /{{ config.web_app_name }} {{ config.app_root }}/app.wsgi\n')
  const d = tree.children[0] as Directive
  t.deepEqual(d.args, ['/{{ config.web_app_name }}', '{{ config.app_root }}/app.wsgi'])
  t.deepEqual(templatedArgs(d), [0, 1])
  t.true(isTemplatedNode(d))
})

test('Jinja, Go, ERB and EPP expressions keep their spaces and quotes; words around them split as Apache splits', (t) => {
  const words = (s: string) => splitWords(s).map((w) => w.value)
  t.deepEqual(words('A {{ x | default("a b") }} b'), ['A', '{{ x | default("a b") }}', 'b'])
  t.deepEqual(words('A {{- .Values.name -}}/x "q {{ "y z" }}" c'), ['A', '{{- .Values.name -}}/x', 'q {{ "y z" }}', 'c'])
  t.deepEqual(words('ServerName <%= @name %> <%= $facts[\'fqdn\'] %>'), ['ServerName', '<%= @name %>', "<%= $facts['fqdn'] %>"])
  t.deepEqual(words('SetEnv A {% if x %}on{% else %}off{% endif %} B'), ['SetEnv', 'A', '{% if x %}on{% else %}off{% endif %}', 'B'])
  // Not templates: Apache's own expressions, an opener with no closer on the line, ERB's `<%%`.
  t.deepEqual(words('ProxyHCExpr ok234 {%{REQUEST_STATUS} =~ /^[234]/}'), ['ProxyHCExpr', 'ok234', '{%{REQUEST_STATUS}', '=~', '/^[234]/}'])
  t.deepEqual(words('SSIStartTag "<%"'), ['SSIStartTag', '<%'])
  t.deepEqual(words('A <%% b %> c'), ['A', '<%%', 'b', '%>', 'c'])
  // The tree reads the same words as splitWords (the edits' layout).
  const line = 'X {{ a b }} "c {% d %}" \'{{ "e" }}\' f{# g h #}'
  t.deepEqual((read(line + '\n').children[0] as Directive).args, words(line).slice(1))
})

test('tags with templated arguments: Hestia, Puppet, httpd @@Var@@', (t) => {
  const tree = read(
    [
      '<VirtualHost %ip%:%web_port%>',
      '    ServerName %domain_idn%',
      '    ServerAlias %alias_idn%',
      '    DocumentRoot %docroot%',
      '    <Directory %home%/%user%/web/%domain%/public_html>',
      '        php_admin_value open_basedir %docroot%:%home%/%user%/tmp',
      '    </Directory>',
      '</VirtualHost>',
      '<VirtualHost <%= @listen_ip %>:<%= @port %>>',
      '  ServerName <%= @servername %>',
      '</VirtualHost>',
      '<VirtualHost _default_:@@SSLPort@@>',
      '</VirtualHost>',
      '',
    ].join('\n'),
  )
  const [hestia, puppet, httpd] = tree.children as Section[]
  t.deepEqual(hestia.args, ['%ip%:%web_port%'])
  t.deepEqual(((hestia.children[3] as Section).children[0] as Directive).args, ['open_basedir', '%docroot%:%home%/%user%/tmp'])
  t.deepEqual(puppet.args, ['<%= @listen_ip %>:<%= @port %>'])
  t.deepEqual(httpd.args, ['_default_:@@SSLPort@@'])
  t.deepEqual([hestia, puppet, httpd].map(isTemplatedNode), [true, true, true])
})

test('isTemplated: template syntax, not Apache\'s own %{...} and ${...}', (t) => {
  for (const w of ['{{ x }}', '/{{', 'a{% if x %}b{% endif %}', '{# c #}', '<%= @x %>', '<% x', '%domain%', '%home%/%user%', '@@ServerRoot@@/htdocs']) t.true(isTemplated(w), w)
  for (const w of ['%{GLOBAL}', '%{ENV:GROUP}', '${APACHE_LOG_DIR}/x', '100%', '%1', '<%%', 'a@b.c', '@@', '{%{REQUEST_STATUS}']) t.false(isTemplated(w), w)
})

// ---------------------------------------------------------------------------------------------
// No edit splits or writes a piece of one

test('quoteWord writes a templated word bare, even where the directive quotes its words', (t) => {
  t.is(quoteWord('{{ venv }}/bin'), '{{ venv }}/bin')
  t.is(quoteWord('{{ venv }}/bin', '"'), '{{ venv }}/bin')
  t.is(quoteWord("<%= @home %>/x", "'"), '<%= @home %>/x')
  // White space outside the expression: quoted like any such value.
  t.is(quoteWord('a {{ b }}'), '"a {{ b }}"')
  // A quote inside the expression would need an escape there: refused.
  t.throws(() => quoteWord('a {{ "b" }}', '"'), { instanceOf: TypeError, message: /template expressions would need escapes/ })
})

test('a value with a piece of a template expression is refused: WSGIProcessGroup {{ (the issue)', (t) => {
  t.throws(() => createDirective('WSGIProcessGroup', ['{{']), { instanceOf: TypeError, message: /\{\{ opens a template expression that it does not close/ })
  t.throws(() => createDirective('WSGIProcessGroup', ['/{{ config.web_app_name']), { instanceOf: TypeError })
  t.throws(() => createDirective('X', ['<% if @ssl']), { instanceOf: TypeError })
  const d = read('WSGIDaemonProcess k threads=4\n').children[0] as Directive
  t.throws(() => setOption(d, 'python-home', '{% if venv %}/srv/venv'), { instanceOf: TypeError, message: /statement "if venv" without the rest of its block/ })
  t.throws(() => setOption(d, 'python-home', '/srv/venv<% end %>'), { instanceOf: TypeError })
  t.is(d.raw, 'WSGIDaemonProcess k threads=4\n')
  setOption(d, 'python-home', '{% if v %}{{ v }}{% else %}/srv/venv{% endif %}')
  t.is(d.raw, 'WSGIDaemonProcess k threads=4 python-home={% if v %}{{ v }}{% else %}/srv/venv{% endif %}\n')
  // Whole expressions are fine, bare.
  t.is(createDirective('WSGIProcessGroup', ['{{ app_name }}']).raw, 'WSGIProcessGroup {{ app_name }}\n')
})

test('re-spelling a directive keeps its template words as written', (t) => {
  const tree = read('    WSGIScriptAlias /{{ name }}   "{{ root }}/app.wsgi" \\\n        process-group={{ group }} pass-authorization=Off\n')
  const d = tree.children[0] as Directive
  setOption(d, 'pass-authorization', 'On')
  t.is(print(tree), '    WSGIScriptAlias /{{ name }}   "{{ root }}/app.wsgi" \\\n        process-group={{ group }} pass-authorization=On\n')
  // A new word takes the quotes the directive uses; a templated one is written bare.
  setArgs(d, [...d.args, 'application-group=%{GLOBAL}', '{{ more }}'])
  t.is(print(tree), '    WSGIScriptAlias /{{ name }}   "{{ root }}/app.wsgi" \\\n        process-group={{ group }} pass-authorization=On "application-group=%{GLOBAL}" {{ more }}\n')
  t.deepEqual((parse(print(tree) as string).children[0] as Directive).args, d.args)
})

test('options: an = inside an expression is no separator, a templated key is no option', (t) => {
  const tree = read("WSGIDaemonProcess {{ name }} python-home={{ venv }} {{ extra_options }} {{ k }}=1 display-name={{ 'a=b' }} processes=1\n")
  const d = tree.children[0] as Directive
  t.deepEqual(options(d).map((o) => [o.key, o.value]), [['python-home', '{{ venv }}'], ['display-name', "{{ 'a=b' }}"], ['processes', '1']])
  t.is(getOption(d, 'python-home')?.value, '{{ venv }}')
  t.true(removeOption(d, 'processes'))
  t.true(renameOption(d, 'display-name', 'x-name'))
  t.is(print(tree), "WSGIDaemonProcess {{ name }} python-home={{ venv }} {{ extra_options }} {{ k }}=1 x-name={{ 'a=b' }}\n")
})

// ---------------------------------------------------------------------------------------------
// Template blocks

test('Ansible role template: {% if %}/{% elif %}/{% else %} branches, sections balanced in each, no diagnostic', (t) => {
  const input = [
    '# {{ ansible_managed }}',
    '<VirtualHost *:{{ http_port }}>',
    '    ServerName {{ inventory_hostname }}',
    '{% if kallithea_mode == "daemon" %}',
    '    WSGIDaemonProcess kallithea processes=1 threads=4 python-home={{ venv }}',
    '    WSGIProcessGroup kallithea',
    '{% elif kallithea_mode == "embedded" %}',
    '    <IfModule mod_wsgi.c>',
    '        WSGIApplicationGroup %{GLOBAL}',
    '    </IfModule>',
    '{%- else %}',
    '    # proxied',
    '{% endif %}',
    '    WSGIScriptAlias / {{ kallithea_root }}/dispatch.wsgi',
    '</VirtualHost>',
    '',
  ].join('\n')
  const tree = read(input)
  const vhost = tree.children[1] as Section
  t.deepEqual(shape(vhost.children).slice(1, 4), [
    '{% if kallithea_mode == "daemon" %} [open]',
    'WSGIDaemonProcess | kallithea | processes=1 | threads=4 | python-home={{ venv }}',
    'WSGIProcessGroup | kallithea',
  ])
  const [block] = templateBlocks(vhost)
  t.is(block.keyword, 'if')
  t.true(block.exhaustive)
  t.deepEqual(block.branches.map((b) => b.statement), ['if kallithea_mode == "daemon"', 'elif kallithea_mode == "embedded"', 'else'])
  t.deepEqual(block.branches.map((b) => b.children.length), [2, 1, 1])
  t.is(block.end, vhost.children[8] as Directive)
})

test('Puppet ERB and EPP blocks, nested, and a loop', (t) => {
  const erb = read(
    [
      '<% @vhosts.each do |vhost| -%>',
      '<VirtualHost *:<%= vhost["port"] %>>',
      '<% if vhost["wsgi"] -%>',
      '  WSGIDaemonProcess <%= vhost["name"] %> threads=<%= @threads %>',
      '<%   if @ssl then -%>',
      '  SSLEngine on',
      '<%   end -%>',
      '<% elsif vhost["proxy"] -%>',
      '  ProxyPass / <%= vhost["proxy"] %>',
      '<% end -%>',
      '</VirtualHost>',
      '<% end -%>',
      '',
    ].join('\n'),
  )
  const [loop] = templateBlocks(erb)
  t.is(loop.keyword, '@vhosts')
  t.false(loop.exhaustive)
  const vhost = loop.branches[0].children[0] as Section
  const [cond] = templateBlocks(vhost)
  t.deepEqual(cond.branches.map((b) => b.statement), ['if vhost["wsgi"]', 'elsif vhost["proxy"]'])
  t.deepEqual(cond.branches[0].blocks.map((b) => b.branches[0].statement), ['if @ssl then'])
  const epp = read(['<% if $wsgi { -%>', 'WSGIProcessGroup <%= $group %>', '<% } else { -%>', 'WSGIRestrictEmbedded Off', '<% } -%>', ''].join('\n'))
  const [b] = templateBlocks(epp)
  t.true(b.exhaustive)
  t.deepEqual(b.branches.map((x) => shape(x.children)), [['WSGIProcessGroup | <%= $group %>'], ['WSGIRestrictEmbedded | Off']])
})

test('areAlternatives: the two WSGIDaemonProcess of an if/else never render together; a node after the block renders with both', (t) => {
  const tree = read(
    [
      '<VirtualHost *:80>',
      '{% if threads %}',
      '    WSGIDaemonProcess kallithea threads={{ threads }}',
      '{% else %}',
      '    {% if legacy %}',
      '    WSGIDaemonProcess kallithea processes=2',
      '    {% endif %}',
      '{% endif %}',
      '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi',
      '</VirtualHost>',
      '',
    ].join('\n'),
  )
  const [a, b] = config(tree).findDirectives('WSGIDaemonProcess').paths()
  const alias = config(tree).findDirectives('WSGIScriptAlias').paths()[0]
  t.true(areAlternatives(a, b))
  t.false(areAlternatives(a, alias))
  t.false(areAlternatives(b, b))
  t.deepEqual(branchesOf(b.ancestors, b.node).map((s) => [s.block.branches[s.branch].statement, s.block.exhaustive]), [['else', true], ['if legacy', false]])
  // The same for every node at once, as a model would ask.
  const all = branchesByNode(tree)
  const steps = (n: Content) => (all.get(n) ?? []).map((s) => s.block.branches[s.branch].statement)
  t.deepEqual([steps(a.node), steps(b.node), steps(alias.node), steps(tree.children[0])], [['if threads'], ['else', 'if legacy'], [], []])
  t.true(exclusive(all.get(a.node) ?? [], all.get(b.node) ?? []))
  t.false(exclusive(all.get(b.node) ?? [], all.get(alias.node) ?? []))
})

test('a branch that leaves a section open makes the block flat, with a warning; Apache reads one rendering of it fine', (t) => {
  // Each rendering balances (<IfModule> opened and closed under the same condition), but no branch does.
  const tree = read(['{% if ssl %}', '<IfModule mod_ssl.c>', '{% endif %}', 'SSLProtocol all', '{% if ssl %}', '</IfModule>', '{% endif %}', ''].join('\n'), [
    'template-unbalanced',
    'template-unbalanced',
  ])
  t.deepEqual(shape(tree.children), [
    '{% if ssl %} [open]', '<IfModule | mod_ssl.c [templateTag]', '{% endif %} [close]', 'SSLProtocol | all',
    '{% if ssl %} [open]', '</IfModule [templateTag]', '{% endif %} [close]',
  ])
  t.false(tree.data.diagnostics[0].fatal)
  t.deepEqual([tree.data.diagnostics[0].line, tree.data.diagnostics[1].line], [1, 5])
})

test('a block never closed, and a statement outside any block: warnings', (t) => {
  const open = read('<VirtualHost *:80>\n{% for h in hosts %}\nServerAlias {{ h }}\n</VirtualHost>\n', ['template-unclosed', 'template-unbalanced', 'unclosed-section'])
  t.regex(String(open.data.diagnostics[0].reason), /"for h in hosts" is never closed/)
  const stray = read('ServerName a\n<% end %>\n', ['template-stray'])
  t.deepEqual(shape(stray.children), ['ServerName | a', '<% end %> [close]'])
})

// ---------------------------------------------------------------------------------------------
// Alternatives: a line, or an open tag, that a template writes in several ways

test('the issue\'s Django template: one VirtualHost whose open tag has two renderings; no "never closed"', (t) => {
  const input = [
    '{% if SSL %}<VirtualHost *:443>{% else %}<VirtualHost *:80>{% endif %}',
    '    ServerName {{ server_name }}',
    '    WSGIScriptAlias /{{ config.web_app_name }} {{ config.app_root }}/app.wsgi',
    '</VirtualHost>',
    '',
  ].join('\n')
  const tree = read(input)
  const vhost = tree.children[0] as Section
  t.is(vhost.name, 'VirtualHost')
  t.deepEqual(vhost.args, ['*:443'])
  t.deepEqual(vhost.data?.alternatives, [
    { when: ['if SSL'], kind: 'open', name: 'VirtualHost', args: ['*:443'] },
    { when: ['else'], kind: 'open', name: 'VirtualHost', args: ['*:80'] },
  ])
  t.true(isTemplatedNode(vhost))
  t.deepEqual(shape(vhost.children), ['ServerName | {{ server_name }}', 'WSGIScriptAlias | /{{ config.web_app_name }} | {{ config.app_root }}/app.wsgi'])
})

test('the same as a block of lines: a compound open tag, its children after the block', (t) => {
  const input = ['{% if ssl %}', '<VirtualHost *:443>', '{% else %}', '  <VirtualHost *:80>', '{% endif %}', '    ServerName x', '</VirtualHost>', ''].join('\n')
  const tree = read(input)
  const vhost = tree.children[0] as Section
  t.is(vhost.open.raw, '{% if ssl %}\n<VirtualHost *:443>\n{% else %}\n  <VirtualHost *:80>\n{% endif %}\n')
  t.deepEqual(vhost.data?.alternatives?.map((a) => [a.when, a.args]), [[['if ssl'], ['*:443']], [['else'], ['*:80']]])
  t.deepEqual(shape(vhost.children), ['ServerName | x'])
  t.deepEqual(vhost.position, { start: { line: 1, column: 1, offset: 0 }, end: { line: 7, column: 15, offset: 108 } })
  // Without an else, some rendering opens no VirtualHost: read flat, and the close tag is stray.
  read(input.replace('{% else %}\n  <VirtualHost *:80>\n', ''), ['template-unbalanced', 'stray-close'])
})

test('a directive written two ways is that directive; written as different lines it is a template line; re-spelling either is refused', (t) => {
  const tree = read('{% if a %}WSGIProcessGroup x{% else %}WSGIProcessGroup {{ g }}{% endif %}\n{% if ssl %}SSLEngine on{% endif %}\n')
  const [group, ssl] = tree.children as Directive[]
  t.is(group.name, 'WSGIProcessGroup')
  t.deepEqual(group.args, ['x'])
  t.deepEqual(group.data?.alternatives?.map((a) => a.args), [['x'], ['{{ g }}']])
  t.true(ssl.data?.template)
  t.deepEqual(ssl.data?.alternatives?.map((a) => [a.when, a.kind, a.name]), [[['if ssl'], 'directive', 'SSLEngine'], [['not if ssl'], 'blank', '']])
  t.throws(() => setArgs(group, ['y']), { instanceOf: TypeError, message: /a template block statement \("\{% if a %\}WSGIProcessGroup"\) stands among its words/ })
  t.throws(() => setOption(ssl, 'a', 'b'), { instanceOf: TypeError })
  // New lines around it are fine.
  insertAfter(tree, group, createDirective('WSGIApplicationGroup', ['%{GLOBAL}']))
  t.is(print(tree), '{% if a %}WSGIProcessGroup x{% else %}WSGIProcessGroup {{ g }}{% endif %}\nWSGIApplicationGroup %{GLOBAL}\n{% if ssl %}SSLEngine on{% endif %}\n')
})

test('directives() finds template-built directives; their args are only one rendering', (t) => {
  const tree = read('{% if a %}WSGIDaemonProcess k processes=1{% else %}WSGIDaemonProcess k processes=2{% endif %}\n')
  t.deepEqual(directives(tree, 'WSGIDaemonProcess').map((d) => d.args), [['k', 'processes=1']])
})

// ---------------------------------------------------------------------------------------------
// The two word readers agree

test('the tree\'s args are splitWords\' values for any line mixing template delimiters, quotes and escapes', (t) => {
  const piece = fc.constantFrom('{{', '}}', '{%', '%}', '<%', '%>', '<%=', '<%%', '{#', '#}', '"', "'", '\\', '\\\\', ' ', '\t', 'a', 'b=', '%x%', '@@V@@', '{', '}', '%', '<', '>', '#')
  const rest = fc.array(piece, { maxLength: 16 }).map((p) => p.join(''))
  const details = fc.check(
    fc.property(rest, (r) => {
      // Ended by a word: a final `\` would continue the line.
      const tree = parse(`Name ${r} z\n`)
      const d = tree.children[0] as Directive
      return print(tree) === `Name ${r} z\n` && JSON.stringify(d.args) === JSON.stringify(splitWords(`${r} z`).map((w) => w.value))
    }),
    { numRuns: 5000 },
  )
  t.false(details.failed, fc.defaultReportMessage(details) ?? '')
})

test('edits of directives with template words read back as edited, every template word whole', (t) => {
  const word = fc.constantFrom('{{ a b }}', '/{{ x }}/y', '{% if s %}on{% else %}off{% endif %}', '<%= @p %>', '%home%/%user%', '@@Port@@', 'k={{ v }}', 'plain', 'two words', '#x', "it's", 'x\\')
  const layout = fc.constantFrom(' ', '  ', ' \\\n    ', '\t')
  const details = fc.check(
    fc.property(fc.array(fc.tuple(layout, word), { maxLength: 5 }), fc.array(word, { maxLength: 6 }), (old, next) => {
      // Not a `#` word first on a continued line: that is reported (a comment line there).
      fc.pre(!old.some(([s, w]) => s.includes('\n') && w.startsWith('#')))
      const raw = 'X' + old.map(([s, w]) => s + quoteWord(w)).join('') + '\n'
      const tree = parse(raw)
      const d = tree.children[0] as Directive
      if (JSON.stringify(d.args) !== JSON.stringify(old.map(([, w]) => w))) return false
      setArgs(d, next)
      const again = parse(print(tree) as string)
      return again.data.diagnostics.length === 0 && JSON.stringify((again.children[0] as Directive).args) === JSON.stringify(next)
    }),
    { numRuns: 3000 },
  )
  t.false(details.failed, fc.defaultReportMessage(details) ?? '')
})

test('new lines take the indentation of Apache lines, not of template control lines', (t) => {
  const tree = read('<VirtualHost *:80>\n{% if ssl %}\n    SSLEngine on\n{% endif %}\n</VirtualHost>\n')
  const vhost = tree.children[0] as Section
  t.is(childIndent(vhost, tree), '    ')
  t.is(indentUnit(read('{% if a %}\n<VirtualHost *:80>\n{% if b %}\n  ServerName x\n{% endif %}\n</VirtualHost>\n{% endif %}\n')), '  ')
})

test('a template expression among an alias\'s words: not an option Apache refuses, and where the app runs is unknown', async (t) => {
  const { runMigration } = await import('../src/runner/migrate.js')
  const conf = `<VirtualHost *:80>
    ServerName {{ name }}
    WSGIDaemonProcess kallithea threads=4 {{ daemon_options | join(" ") }}
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi {{ "process-group=kallithea" if daemon }}
    WSGIPassAuthorization On
</VirtualHost>
`
  const r = runMigration({ files: [{ path: 'kallithea.conf.j2', content: conf }], to: '0.3.2' })
  t.deepEqual(r.errors, [], 'neither option is refused: what they render to is unknown')
  t.false(r.changes.some((c) => c.transform === 'process-group' || c.transform === 'restrict-embedded'), 'no group is guessed for the app')
  t.true(r.advisories.some((a) => a.transform === 'restrict-embedded' && /template expression/.test(a.message)))
})
