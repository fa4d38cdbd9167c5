// The model's walk over deep configs: sections and Includes nest without bound in hostile or
// generated configs, and the walk is a loop, so 20,000 levels must read like 2.
import test from 'ava'
import { includeGraph } from '../src/load/include-graph.js'
import { buildModel, problemsOf, type ModelFile } from '../src/model/model.js'
import { MAX_FILE_VISITS } from '../src/model/walk.js'
import { stepsOf } from '../src/runner/define.js'
import { runMigration } from '../src/runner/migrate.js'
import { parse } from '../src/syntax/parse.js'
import { preset as v0_3_2 } from '../transforms/0.3.2/index.js'

const depth = 20_000

const nest = (open: string, close: string, body: string, n = depth): string => open.repeat(n) + body + close.repeat(n)

const SITE = `<VirtualHost *:80>
ServerName kallithea.example.com
WSGIDaemonProcess kallithea processes=1 threads=4
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`

const file = (path: string, text: string): ModelFile => ({ path, tree: parse(text, { path }) })

test('20,000 nested <IfModule>: scopes, wrappers and the group are read through every level', (t) => {
  const m = buildModel([file('site.conf', nest('<IfModule mod_wsgi.c>\n', '</IfModule>\n', SITE.replace('WSGIScriptAlias', 'WSGIProcessGroup kallithea\nWSGIScriptAlias')))])
  const [daemon] = m.daemons
  t.is(daemon.scope.kind, 'vhost')
  t.is(daemon.scope.ancestors.length, depth + 1)
  t.is(daemon.wrappers.length, depth)
  t.is(daemon.wrappers[0], m.places(daemon.node)[0].wrappers[0])
  const [alias] = m.scriptAliases
  t.is(alias.group.mode, 'daemon')
  t.is(alias.group.daemon, daemon)
  t.is(alias.scope, daemon.scope)
  t.is(m.locate(alias.node), alias)
  t.deepEqual(m.problems, [])
})

test('a directive in each of 20,000 nested sections: every record knows its wrappers and ancestors', (t) => {
  const m = buildModel([file('site.conf', nest('<IfModule mod_wsgi.c>\nWSGIPassAuthorization On\n<If "true">\n', '</If>\n</IfModule>\n', 'WSGIScriptAlias / /srv/k/app.wsgi\n'))])
  t.is(m.passAuthorizations.length, depth)
  const last = m.passAuthorizations[depth - 1]
  t.is(last.wrappers.length, depth)
  t.is(last.scope.ancestors.length, 2 * depth - 1)
  t.is(last.scope.conditional, last.scope.ancestors[2 * depth - 3])
  t.is(m.passAuthorizations[0].wrappers.length, 1)
  // Every one is inside an <If> but the first: it decides for the alias.
  t.is(m.scriptAliases[0].passAuthorization.setting, m.passAuthorizations[0])
  t.deepEqual(m.problems, [])
})

test('20,000 nested <Location>: every container covers the alias, the innermost setting decides', (t) => {
  const body = 'WSGIProcessGroup inner\n'
  const text = `WSGIDaemonProcess inner threads=1
WSGIDaemonProcess outer threads=1
WSGIProcessGroup outer
WSGIScriptAlias /k /srv/k/app.wsgi
${nest('<Location /k>\n', '</Location>\n', body)}`
  const m = buildModel([file('site.conf', text)])
  const setting = m.processGroups[1]
  t.is(setting.scope.containers.length, depth)
  t.is(setting.scope.container, setting.scope.containers[depth - 1])
  const g = m.scriptAliases[0].group
  t.is(g.mode, 'daemon')
  t.is(g.via, 'container')
  t.is(g.setting, setting)
  t.is(m.processGroup(setting.scope).group, 'inner')
})

test('20,000 nested <VirtualHost>: each inner one is a problem, the innermost is the scope', (t) => {
  const m = buildModel([file('site.conf', nest('<VirtualHost *:80>\n', '</VirtualHost>\n', 'ServerName deep.example.com\nWSGIDaemonProcess k threads=1\n'))])
  t.is(m.virtualHosts.length, depth)
  t.is(m.problems.length, depth - 1)
  t.true(m.problems.every((p) => p.code === 'nested-virtualhost'))
  t.is(m.daemons[0].scope.vhost, m.virtualHosts[depth - 1])
  t.is(m.virtualHosts[depth - 1].siteName, 'deep.example.com')
  t.is(m.virtualHosts[0].siteName, '')
})

/** `n` files, each including the next; the last defines a daemon and includes the first (a cycle). */
function chain(n: number): { paths: string[]; files: ReturnType<typeof file>[] } {
  const paths = Array.from({ length: n }, (_, i) => `conf/${i}.conf`)
  const files = paths.map((p, i) => file(p, i === n - 1 ? 'WSGIDaemonProcess last threads=1\nInclude conf/0.conf\n' : `Include ${paths[i + 1]}\n`))
  return { paths, files }
}

test('a chain of 20,000 Includes: the walk stops where Apache does (128 deep), with one problem', (t) => {
  const { paths, files } = chain(depth)
  const m = buildModel(files, { includes: includeGraph(files, { resolve: (pattern) => [pattern] }) })
  // conf/0.conf is not the main config: the main config's Include of it is the first of the 128.
  t.deepEqual(m.files, paths.slice(0, 128))
  t.deepEqual(m.problems.map((p) => p.code), ['include-depth'])
  const [deep] = problemsOf(m.problems, 'include-depth')
  t.is(deep.file, paths[127])
  t.deepEqual(deep.data, { target: paths[128], limit: 128, depth: 129 })
})

test('a chain of 100 Includes closed into a cycle: read in place, the cycle reported once', (t) => {
  const n = 100
  const { paths, files } = chain(n)
  const m = buildModel(files, { includes: includeGraph(files, { resolve: (pattern) => [pattern] }) })
  t.deepEqual(m.files, paths)
  const [daemon] = m.daemons
  t.is(daemon.file, paths[n - 1])
  t.is(daemon.scope.includes.length, n - 1)
  t.is(daemon.scope.includes[0].file, paths[0])
  t.deepEqual(m.problems.map((p) => p.code), ['include-cycle'])
  const [cycle] = problemsOf(m.problems, 'include-cycle')
  t.is(cycle.file, paths[n - 1])
  t.is(cycle.record, m.includes[n - 1])
  t.is(cycle.data.target, paths[0])
  t.true(cycle.data.chain.length === n + 1 && cycle.data.chain.every((p, i) => p === paths[i % n]))
})

test('the transforms run over 20,000 nested sections and fix the site at the bottom', (t) => {
  const text = nest('<IfModule mod_wsgi.c>\n', '</IfModule>\n', SITE)
  // The whole run: load, engine, results (line numbers), patch.
  const run = runMigration({ files: [{ path: 'site.conf', content: text }], root: '/srv/fixture' }, stepsOf(v0_3_2))
  t.deepEqual(run.errors, [])
  t.deepEqual([...new Set(run.changes.map((c) => c.transform))].sort(), ['drop-processes-1', 'pass-authorization', 'process-group', 'restrict-embedded'])
  const fixed = `WSGIRestrictEmbedded On
<VirtualHost *:80>
ServerName kallithea.example.com
WSGIDaemonProcess kallithea threads=4
WSGIProcessGroup kallithea
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
WSGIPassAuthorization On
</VirtualHost>
`
  t.is(run.files[0]!.text, nest('<IfModule mod_wsgi.c>\n', '</IfModule>\n', fixed))
  t.true(run.patch.length > 0)
})

// 8 files, each including the next 10 times: Apache would read the last one 10^7 times.
const fanOut = (): Array<{ path: string; content: string }> =>
  Array.from({ length: 8 }, (_, i) => ({
    path: `fan/${i}.conf`,
    content: i === 7 ? 'WSGIDaemonProcess leaf threads=1\n' : `Include fan/${i + 1}.conf\n`.repeat(10),
  }))

test('an Include fan-out stops the walk at MAX_FILE_VISITS files, naming the Include that went over', (t) => {
  const files = fanOut().map((f) => file(f.path, f.content))
  const m = buildModel(files)
  // Each read of the last file holds one daemon: the walk read up to the limit, and no further.
  t.true(m.daemons.length < MAX_FILE_VISITS && m.daemons.length > MAX_FILE_VISITS * 0.8, `${m.daemons.length} reads of the last file`)
  const [limit] = problemsOf(m.problems, 'include-limit')
  t.is(limit.severity, 'error')
  t.is(limit.data.limit, MAX_FILE_VISITS)
  t.is(limit.data.target, 'fan/7.conf')
  t.is(limit.record.file, 'fan/6.conf')
  t.regex(limit.message, /^Include fan\/7\.conf: the Includes fan out \(fan\/7\.conf read \d+ times already\): more than 50000 files/)
})

test('a run over an Include fan-out ends with one error line naming the Include, no patch, no transform run', (t) => {
  const run = runMigration({ files: fanOut(), root: '/srv/fixture' }, stepsOf(v0_3_2))
  t.deepEqual(run.errors.map((e) => e.code), ['config'])
  const [e] = run.errors
  t.is(e.file, 'fan/6.conf')
  t.regex(e.message, /^fan\/6\.conf:\d+:1: Include fan\/7\.conf: the Includes fan out/)
  t.false(e.message.includes('\n'))
  t.deepEqual(run.changes, [])
  t.is(run.patch.length, 0)
})
