// Templates on a real Apache (issue 9, "templates stay whole"): each template fixture that puts
// WSGI directives in template branches is rendered both ways before and after a run, each
// rendering is booted, and every URL that answered 200 before still does. The control: the line
// the tool used to add (WSGIRestrictEmbedded On over a WSGIProcessGroup inside `{% if %}`) makes
// the rendering without the daemon answer 500. A vhost whose open tag a block writes, with more
// lines in a branch (`ssl-vhost`), used to stop the run: it is read, each rendering served; so did
// one whose branches each close the vhost (`close-branches`).
import test from 'ava'
import { readFileSync } from 'node:fs'
import { migrate } from '../src/runner/migrate.js'
import { isProcessRunning, PROBE_WSGI, startApache, type RunningApache } from './helpers/apache.js'
import { render, type Vars } from './helpers/render-template.js'

const BASE: Vars = {
  ansible_managed: 'Ansible managed', kallithea_server_name: 'hg.example.com', kallithea_root: '/srv/kallithea', kallithea_venv: '/usr',
  kallithea_app_group: '%{GLOBAL}', server_name: 'hg.example.com', root: '/srv', venv: '/usr', servername: 'hg.example.com', port: '80', kallithea_home: '/srv/kallithea',
}

/** Each fixture with the variable whose two values pick its branches. */
const CASES: Array<{ file: string; flag: string; unset?: boolean }> = [
  { file: 'ansible/daemon-optional.conf.j2', flag: 'kallithea_daemon' },
  { file: 'ansible/daemon-per-branch.conf.j2', flag: 'kallithea_ssl' },
  { file: 'ansible/alias-per-branch.conf.j2', flag: 'kallithea_alias_options' },
  { file: 'ansible/continued-into-block.conf.j2', flag: 'kallithea_venv', unset: true },
  { file: 'django/inline-group.conf', flag: 'use_daemon' },
  { file: 'django/inline-daemon.conf', flag: 'ssl' },
  { file: 'puppet/optional-daemon.conf.erb', flag: 'daemon' },
  { file: 'django/ssl-vhost.conf', flag: 'ssl' },
  { file: 'ansible/auth-optional.conf.j2', flag: 'kallithea_http_auth' },
  { file: 'ansible/continued-alias.conf.j2', flag: 'kallithea_app_group', unset: true },
  { file: 'puppet/ssl-vhost.conf.erb', flag: 'ssl' },
  { file: 'django/close-branches.conf', flag: 'www' },
]

const varsOf = (c: (typeof CASES)[number], on: boolean): Vars => {
  const vars = { ...BASE }
  if (c.unset) {
    if (!on) delete vars[c.flag]
  } else vars[c.flag] = on
  return vars
}

async function serve(conf: string): Promise<RunningApache> {
  const probe = readFileSync(PROBE_WSGI, 'utf8')
  return startApache({ files: { 'site.conf': conf, 'srv/kallithea/dispatch.wsgi': probe }, include: ['site.conf'], replace: { '/srv': 'srv' } })
}

async function stopAll(servers: RunningApache[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()))
  for (const s of servers) if (isProcessRunning(s.pid)) throw new Error(`apache2 pid ${s.pid} still running after stop()`)
}

test('every rendering of each template that answered 200 before the run still does after it', async (t) => {
  const templates = CASES.map((c) => readFileSync(new URL(`../fixtures/templates/${c.file}`, import.meta.url), 'utf8'))
  const runs = await Promise.all(CASES.map((c, i) => migrate({ files: [{ path: c.file, content: templates[i] }], root: '/srv/fixture' })))
  const afterText = runs.map((r, i) => r.files.find((f) => f.path === CASES[i].file)?.after.toString('utf8') ?? templates[i])
  const renderings = CASES.flatMap((c, i) => [true, false].map((on) => ({ name: `${c.file} with ${c.flag} ${on ? 'on' : 'off'}`, before: render(templates[i], varsOf(c, on)), after: render(afterText[i], varsOf(c, on)) })))
  // The control: the tool's old output for the first template, restricted while its daemon is optional.
  const control = 'WSGIRestrictEmbedded On\n' + renderings[1].before

  const before = await Promise.all(renderings.map((r) => serve(r.before)))
  t.teardown(() => stopAll(before))
  // A rendering whose only site is the :443 vhost is asked over https.
  const ask = (s: RunningApache) => s.get('/', { Host: 'hg.example.com' }, { https: s.httpsPort !== undefined })
  const was = await Promise.all(before.map(ask))
  await stopAll(before)
  const after = await Promise.all([...renderings.map((r) => serve(r.after)), serve(control)])
  t.teardown(() => stopAll(after))
  const now = await Promise.all(after.map(ask))

  runs.forEach((r, i) => t.deepEqual(r.errors, [], CASES[i].file))
  renderings.forEach((r, i) => {
    t.is(was[i].status, 200, `${r.name}: served before\n${r.before}`)
    t.is(now[i].status, 200, `${r.name}: ${now[i].status} after\n${r.after}\n${after[i].errorLog()}`)
  })
  t.is(now[renderings.length].status, 500, 'restricted while the daemon is optional: the rendering without it answers 500')
  // Where the run could tell, Kallithea moved to its daemon group in every rendering.
  const group = (name: string) => now[renderings.findIndex((r) => r.name === name)].json?.process_group
  t.is(group('ansible/daemon-per-branch.conf.j2 with kallithea_ssl off'), 'kallithea')
  t.is(group('ansible/alias-per-branch.conf.j2 with kallithea_alias_options off'), 'kallithea')
  t.is(group('ansible/continued-into-block.conf.j2 with kallithea_venv off'), 'kallithea')
  t.is(group('django/ssl-vhost.conf with ssl on'), 'kallithea')
  t.is(group('django/ssl-vhost.conf with ssl off'), 'kallithea')
  t.is(group('django/close-branches.conf with www on'), 'kallithea')
  t.is(group('django/close-branches.conf with www off'), 'kallithea')
})
