// Template branches in the model and the transforms (issue 9, "templates stay whole"): a
// directive inside `{% if %}` / `<% if %>` renders only in some renderings. A group that holds
// in some renderings only is not "in a daemon group" (no WSGIRestrictEmbedded On, no
// WSGIProcessGroup naming a daemon that may not render); definitions in the `if` and the `else`
// are alternatives, not a duplicate; a change that holds in every branch is made in each; an EPP
// parameter tag stays the template's first line. Fixtures: fixtures/templates.
import test, { type ExecutionContext } from 'ava'
import { readFileSync } from 'node:fs'
import { migrate, type MigrateOptions, type MigrateResult } from '../src/runner/migrate.js'
import { parse } from '../src/syntax/parse.js'
import { branchesByNode } from '../src/syntax/template-tree.js'
import type { Section } from '../src/syntax/types.js'

const dir = new URL('../fixtures/templates/', import.meta.url)

/** One file of a template, migrated alone. */
const migrateOne = (path: string, content: string | Buffer, options: Partial<MigrateOptions> = {}): Promise<MigrateResult> =>
  migrate({ files: [{ path, content }], root: '/srv/fixture', ...options })

async function run(file: string): Promise<{ r: MigrateResult; before: string; after: string }> {
  const content = readFileSync(new URL(file, dir))
  const r = await migrateOne(file, content)
  const after = r.files.find((f) => f.path === file)?.after ?? content
  return { r, before: content.toString('utf8'), after: after.toString('utf8') }
}

const advice = (r: MigrateResult, id: string): string[] => r.advisories.filter((a) => a.transform === id).map((a) => a.message)

test('a WSGIProcessGroup inside {% if %}: the group holds in some renderings only, so embedded mode stays allowed', async (t) => {
  const { r, before, after } = await run('ansible/daemon-optional.conf.j2')
  t.deepEqual(r.errors, [])
  t.is(after, before)
  const [why] = advice(r, 'restrict-embedded')
  t.true(why?.includes('takes its group kallithea only in some renderings of the template (the branch "if kallithea_daemon | default(true)" at ansible/daemon-optional.conf.j2:5)'), why)
})

test('a line whose inline conditionals render different groups: embedded mode stays allowed', async (t) => {
  const { r, before, after } = await run('django/inline-group.conf')
  t.deepEqual(r.errors, [])
  t.is(after, before)
  t.true(advice(r, 'restrict-embedded')[0]?.includes('its line django/inline-group.conf:4 renders a different group in each branch'))
})

/** A template whose daemon group holds in some renderings only: left as is, with one advisory of each. */
const daemonSometimes = (file: string, said: string) => async (t: ExecutionContext) => {
  const { r, before, after } = await run(file)
  t.deepEqual(r.errors, [])
  t.is(after, before)
  t.true(advice(r, 'process-group')[0]?.includes(said), advice(r, 'process-group')[0])
  t.is(advice(r, 'restrict-embedded').length, 1)
}

test('a daemon group defined in an <% if %> the alias is outside of: no WSGIProcessGroup naming it, no restriction',
  daemonSometimes('puppet/optional-daemon.conf.erb', 'daemon group kallithea (puppet/optional-daemon.conf.erb:5) is defined in a template branch'))

test('one daemon name in the {% if %} and the {% else %}: alternatives, not a duplicate; WSGIProcessGroup goes outside the block', async (t) => {
  const { r, after } = await run('ansible/daemon-per-branch.conf.j2')
  t.deepEqual(r.errors, [])
  t.true(after.startsWith('WSGIRestrictEmbedded On\n'))
  t.true(after.includes('{% endif %}\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias /'), after)
  t.is(after.match(/WSGIProcessGroup/g)?.length, 1)
})

test('an alias in each branch: a change that holds in both is made in each', async (t) => {
  const { r, after } = await run('ansible/alias-per-branch.conf.j2')
  t.deepEqual(r.errors, [])
  const [ifBranch, elseBranch] = after.split('{% else %}')
  t.true(ifBranch.includes('process-group=kallithea\n    WSGIPassAuthorization On\n'), ifBranch)
  t.true(elseBranch.includes('    WSGIProcessGroup kallithea\n    WSGIScriptAlias / {{ kallithea_root }}/dispatch.wsgi\n    WSGIPassAuthorization On\n{% endif %}'), elseBranch)
})

test('an EPP parameter tag stays the first line of the template', async (t) => {
  const { r, before, after } = await run('puppet/kallithea.conf.epp')
  t.deepEqual(r.errors, [])
  t.not(after, before)
  t.is(after.split('\n')[0], before.split('\n')[0])
  t.is(after.split('\n')[1], 'WSGIRestrictEmbedded On')
})

test('a daemon line continued into a {% if %}: WSGIProcessGroup goes before the alias, not into the continuation', async (t) => {
  const { r, after } = await run('ansible/continued-into-block.conf.j2')
  t.deepEqual(r.errors, [])
  t.true(after.includes('{% endif %}\n        display-name=kallithea\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias /'), after)
  t.true(after.includes('    WSGIDaemonProcess kallithea threads=4 \\\n{% if kallithea_venv is defined %}\n        python-home='), after)
})

test('an alias continued into a {% if %}: WSGIPassAuthorization On goes before it', async (t) => {
  const conf = [
    '<VirtualHost *:80>',
    '    ServerName hg.example.com',
    '    WSGIDaemonProcess kallithea threads=4',
    '    WSGIProcessGroup kallithea',
    '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi \\',
    '{% if kallithea_app_group %}',
    '        application-group=%{GLOBAL} \\',
    '{% endif %}',
    '        callable-object=application',
    '</VirtualHost>',
    '',
  ].join('\n')
  const r = await migrateOne('site.conf.j2', conf, { only: ['pass-authorization'] })
  t.deepEqual(r.errors, [])
  const after = r.files.find((f) => f.path === 'site.conf.j2')!.after.toString('utf8')
  t.is(after, conf.replace('    WSGIScriptAlias', '    WSGIPassAuthorization On\n    WSGIScriptAlias'))
})

test('a WSGIProcessGroup a template fills in, naming no daemon: unknown, not a group "defined elsewhere"', async (t) => {
  const conf = readFileSync(new URL('ansible/mirror-group.conf.j2', dir), 'utf8')
  const r = await migrateOne('mirror-group.conf.j2', conf)
  t.deepEqual(r.errors, [])
  t.false(r.files.some((f) => f.after.toString('utf8').includes('WSGIRestrictEmbedded')))
  t.true(advice(r, 'restrict-embedded')[0]?.includes('may take its group from a template expression ({{ kallithea_mirror_group }})'))
})

test('a daemon line whose inline conditionals name different groups: no WSGIProcessGroup naming one of them',
  daemonSometimes('django/inline-daemon.conf', 'daemon group kallithea-ssl (django/inline-daemon.conf:3)'))

test('a line the template writes whole may mount an application: embedded mode stays allowed, like an unread file', async (t) => {
  const { r, after } = await run('ansible/kallithea.conf.j2')
  t.deepEqual(r.errors, [])
  t.false(after.includes('WSGIRestrictEmbedded'))
  t.true(advice(r, 'restrict-embedded')[0]?.includes('the template writes the line {{ kallithea_extra_apache_config | indent(4) }} (ansible/kallithea.conf.j2:26)'))
  t.true(after.includes('WSGIDaemonProcess kallithea threads='), 'the other fixes are made')
})

test('an Include in each branch, each file defining the daemon: alternatives through the Include, not a duplicate', async (t) => {
  const site = [
    '<VirtualHost *:80>',
    '    ServerName hg.example.com',
    '{% if ssl %}',
    '    Include kallithea-ssl.conf',
    '{% else %}',
    '    Include kallithea-plain.conf',
    '{% endif %}',
    '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi',
    '</VirtualHost>',
    '',
  ].join('\n')
  const files = [
    { path: 'site.conf.j2', content: site },
    { path: 'kallithea-ssl.conf', content: 'WSGIDaemonProcess kallithea threads=4\n' },
    { path: 'kallithea-plain.conf', content: 'WSGIDaemonProcess kallithea threads=2\n' },
  ]
  const r = await migrate({ files, root: '/srv/fixture' })
  t.deepEqual(r.errors, [])
  t.true(r.files.find((f) => f.path === 'site.conf.j2')!.after.toString('utf8').includes('{% endif %}\n    WSGIProcessGroup kallithea\n'))
})

test('a vhost open tag in {% if %} / {% else %} with more lines in a branch: read, not "never closed"; fixed outside the block', async (t) => {
  const { r, before, after } = await run('django/ssl-vhost.conf')
  t.deepEqual(r.errors, [])
  t.deepEqual(advice(r, 'parse'), [])
  t.is(after, 'WSGIRestrictEmbedded On\n' + before.replace('/dispatch.wsgi\n', '/dispatch.wsgi\n    WSGIPassAuthorization On\n'))
})

test('a WSGIProcessGroup among the lines of the <% if %> branch that opens the vhost: in some renderings only, advised', async (t) => {
  const { r, before, after } = await run('puppet/ssl-vhost.conf.erb')
  t.deepEqual(r.errors, [])
  t.is(after, before)
  const [why] = advice(r, 'restrict-embedded')
  t.true(why?.includes('takes its group kallithea only in some renderings of the template (the branch "if @ssl" at puppet/ssl-vhost.conf.erb:3)'), why)
})

test('WSGIPassAuthorization On inside {% if %}, the alias outside: unknown in the other renderings, advised, not changed', async (t) => {
  const { r, after } = await run('ansible/auth-optional.conf.j2')
  t.deepEqual(r.errors, [])
  t.is(after.match(/WSGIPassAuthorization/g)?.length, 1)
  const [why] = advice(r, 'pass-authorization')
  t.true(why?.includes('its WSGIPassAuthorization is "WSGIPassAuthorization On" (ansible/auth-optional.conf.j2:9), which the template writes only in some renderings'), why)
})

test('WSGIPassAuthorization On behind an inline {% if %}: advised, not added a second time', async (t) => {
  const conf = readFileSync(new URL('ansible/auth-optional.conf.j2', dir), 'utf8')
    .replace('{% if kallithea_http_auth %}\n    WSGIPassAuthorization On\n{% endif %}\n', '    {% if kallithea_http_auth %}WSGIPassAuthorization On{% endif %}\n')
  const r = await migrateOne('site.conf.j2', conf, { only: ['pass-authorization'] })
  t.deepEqual(r.errors, [])
  t.is(r.files.find((f) => f.path === 'site.conf.j2')!.after.toString('utf8'), conf)
  t.true(advice(r, 'pass-authorization')[0]?.includes('(site.conf.j2:8), which the template writes only in some renderings'))
})

test('a literal WSGIDaemonProcess name in a {% for %} loop: a duplicate from the second item on, advised; embedded mode stays allowed', async (t) => {
  const { r, before, after } = await run('ansible/vhost-loop.conf.j2')
  t.deepEqual(r.errors, [])
  t.is(after, before)
  t.true(advice(r, 'process-group')[0]?.includes('WSGIDaemonProcess kallithea (ansible/vhost-loop.conf.j2:6) stands in the template loop "for site in kallithea_sites" (ansible/vhost-loop.conf.j2:3)'))
  t.true(advice(r, 'restrict-embedded')[0]?.includes('from a WSGIDaemonProcess in the template loop "for site in kallithea_sites"'))
})

test('the same in an ERB .each loop; a name that varies with the loop is no duplicate', async (t) => {
  const erb = readFileSync(new URL('ansible/vhost-loop.conf.j2', dir), 'utf8')
    .replace('{% for site in kallithea_sites %}', '<% @sites.each do |site| -%>').replace('{% endfor %}', '<% end -%>')
  const r = await migrateOne('vhosts.conf.erb', erb)
  t.true(advice(r, 'process-group')[0]?.includes('stands in the template loop "@sites.each do |site|" (vhosts.conf.erb:3)'))
  const varied = readFileSync(new URL('ansible/vhost-loop.conf.j2', dir), 'utf8').replaceAll(' kallithea threads', ' kallithea-{{ site.name }} threads').replace('WSGIProcessGroup kallithea', 'WSGIProcessGroup kallithea-{{ site.name }}')
  const v = await migrateOne('vhosts.conf.j2', varied)
  t.deepEqual(advice(v, 'process-group'), [])
})

test('an alias continued into an {% if %} whose {% endif %} stands on its own line: the alias opens the block, no stray warning', async (t) => {
  const { r, before, after } = await run('ansible/continued-alias.conf.j2')
  t.deepEqual(r.errors, [])
  t.deepEqual(advice(r, 'parse'), [])
  t.is(after, before.replace('    WSGIScriptAlias', '    WSGIPassAuthorization On\n    WSGIScriptAlias'))
})

/** A fixture's first section, and the branches (statements) its first directive named `name` is in. */
function vhostOf(t: ExecutionContext, file: string): { vhost: Section; branchOf: (name: string) => string[] } {
  const tree = parse(readFileSync(new URL(file, dir), 'utf8'))
  t.deepEqual(tree.data.diagnostics, [])
  const vhost = tree.children.find((n): n is Section => n.type === 'section')!
  const steps = branchesByNode(tree)
  const branchOf = (name: string): string[] => {
    const node = vhost.children.find((n) => n.type === 'directive' && n.name === name)!
    return steps.get(node)!.map((s) => s.block.branches[s.branch].statement)
  }
  return { vhost, branchOf }
}

test('the tree of a vhost whose open tag a block writes with more lines: one section, its first children in their branches', (t) => {
  const { vhost, branchOf } = vhostOf(t, 'django/ssl-vhost.conf')
  t.deepEqual(vhost.data?.alternatives?.map((a) => a.args), [['*:443'], ['*:80']])
  t.is(vhost.data?.opening?.raw, '{% if ssl %}\n')
  t.deepEqual(branchOf('SSLEngine'), ['if ssl'])
  t.deepEqual(branchOf('<VirtualHost'), ['else'])
  t.deepEqual(branchOf('ServerName'), [])
  t.true(vhost.children.some((n) => n.type === 'directive' && n.name === '<VirtualHost' && n.data?.templateTag === true))
})

test('a daemon line the template writes in pieces ({% if %}A{% else %}B{% endif %}): later steps advise instead of failing the run', async (t) => {
  const file = 'django/inline-daemon.conf'
  const content = readFileSync(new URL(file, dir))
  const r = await migrateOne(file, content, { to: 'latest' })
  t.deepEqual(r.errors, [])
  t.deepEqual(r.files.map((f) => f.status), ['unchanged'])
  for (const id of ['single-threaded', 'daemon-lang']) {
    const [why] = advice(r, id)
    t.true(why?.startsWith('Not changed: the template writes this line in pieces'), `${id}: ${why}`)
    t.true(why?.endsWith('Make it by hand in each branch.'), why)
  }
})

test('a daemon line continued into {% if %}: words before the statement may be dropped; nothing is added after it or beside a branch', async (t) => {
  const file = 'continued-daemon.conf.j2'
  const text = '<VirtualHost *:80>\n  WSGIDaemonProcess kallithea processes=1 \\\n{% if big %}\n    threads=4 \\\n{% endif %}\n    python-home=/srv/kallithea/venv\n  WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n'
  const r = await migrateOne(file, text, { to: 'latest' })
  t.deepEqual(r.errors, [])
  const after = r.files[0]!.after.toString('utf8')
  // processes=1 goes (every rendering drops it); the branch and what follows stay byte for byte.
  t.true(after.includes('  WSGIDaemonProcess kallithea \\\n{% if big %}\n    threads=4 \\\n{% endif %}\n    python-home=/srv/kallithea/venv\n'), after)
  t.false(after.includes('lang='), after)
  t.false(after.includes('threads=1'), after)
  for (const id of ['single-threaded', 'daemon-lang']) t.true(advice(r, id)[0]?.startsWith('Not changed: the template writes this line in pieces'), id)
})

test('a parse warning is an advisory whose message does not repeat its place (the printer adds it)', async (t) => {
  const file = 'unbalanced.conf.j2'
  const text = '<VirtualHost *:80>\n  ServerName k.example.com\n{% if ssl %}\n  SSLEngine on\n</VirtualHost>\n  ServerAlias a\n{% else %}\n</VirtualHost>\n{% endif %}\n'
  const r = await migrateOne(file, text)
  const [warning] = r.advisories.filter((a) => a.transform === 'parse')
  t.like(warning, { file, line: 3, column: 1 })
  t.true(warning!.message.startsWith('the sections in the template block "if ssl" do not balance'), warning!.message)
})

test('a block whose branches each close the vhost, one after more lines: read as its close tag; a line added to the vhost goes before the block', async (t) => {
  const { r, before, after } = await run('django/close-branches.conf')
  t.deepEqual(r.errors, [])
  t.deepEqual(advice(r, 'parse'), [])
  const block = '{% if www %}\n    ServerAlias www.{{ servername }}\n</VirtualHost>\n{% else %}\n</VirtualHost>\n{% endif %}\n'
  t.true(before.endsWith(block))
  t.true(after.endsWith('    WSGIScriptAlias / {{ kallithea_home }}/dispatch.wsgi\n    WSGIPassAuthorization On\n' + block), after)
})

test('the tree of a vhost whose close tag a block writes with more lines: its last children in their branches, the tag the last branch\'s', (t) => {
  const { vhost, branchOf } = vhostOf(t, 'django/close-branches.conf')
  t.is(vhost.close?.raw, '</VirtualHost>\n{% endif %}\n')
  t.is(vhost.data?.closing?.raw, '{% endif %}\n')
  t.deepEqual(branchOf('ServerAlias'), ['if www'])
  t.deepEqual(branchOf('</VirtualHost'), ['if www'])
  t.deepEqual(branchOf('ServerName'), [])
  t.true(vhost.children.some((n) => n.type === 'directive' && n.name === '</VirtualHost' && n.data?.templateTag === true))
})

test('the same close in ERB, in branches of close tags only, and on one line: read, and the block stays whole after a run', async (t) => {
  const head = '<VirtualHost *:80>\n  ServerName k.example.com\n  WSGIDaemonProcess kallithea threads=4\n  WSGIProcessGroup kallithea\n  WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n'
  const blocks = [
    '<% if @ssl -%>\n  SSLEngine on\n</VirtualHost>\n<% else -%>\n</VirtualHost>\n<% end -%>\n',
    '{% if ssl %}\n</VirtualHost>\n{% else %}\n</VirtualHost>\n{% endif %}\n',
    '{% if ssl %}</VirtualHost>{% else %}</VirtualHost>{% endif %}\n',
  ]
  for (const block of blocks) {
    const r = await migrateOne('vhost.conf', head + block)
    t.deepEqual(r.errors, [], block)
    t.deepEqual(advice(r, 'parse'), [], block)
    t.true(r.files[0]!.after.toString('utf8').endsWith('/dispatch.wsgi\n  WSGIPassAuthorization On\n' + block), block)
  }
})

test('a close in a branch that is not its last line, or in an if without else: not a close tag (flat, with the warning)', (t) => {
  const head = '<VirtualHost *:80>\n  ServerName k.example.com\n'
  for (const block of ['{% if ssl %}\n</VirtualHost>\n  SSLEngine on\n{% else %}\n</VirtualHost>\n{% endif %}\n', '{% if ssl %}\n</VirtualHost>\n{% endif %}\n']) {
    const tree = parse(head + block)
    t.deepEqual(tree.data.diagnostics.map((d) => d.ruleId), ['template-unbalanced', 'unclosed-section'], block)
  }
})
