// The version steps proven on a real Apache + mod_wsgi. A venv made by the Python mod_wsgi embeds
// holds a stand-in Kallithea 0.6.0 (test/helpers/kallithea-venv.ts); each docs form below is a
// vhost of one server whose dispatch script loads it with loadapp('config:' + ini), the ini's
// logging section using %(here)s. Before the migration the old forms fail as Kallithea's history
// says; wsgi-migrate, with no --to, reads the installed 0.6.0 from the venv and takes every form
// there; after it each app answers in its own daemon group. One server before, one after.
import test from 'ava'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '../src/runner/migrate.js'
import { isProcessRunning, startApache, type RunningApache } from './helpers/apache.js'
import { release } from './helpers/kallithea-docs.js'
import { KALLITHEA_INI, makeKallitheaVenv } from './helpers/kallithea-venv.js'

interface Form {
  /** Also the vhost's ServerName (`<id>.test`) and the daemon group's suffix. */
  id: string
  docs: string
  /** 0: the python-home (or python-path) excerpt and the site.addsitedir script; 1: the activate_this pair. */
  pair: 0 | 1
  /** What the error log shows before the migration; null: the form works. */
  fails: RegExp | null
}

const FORMS: Form[] = [
  // No WSGIProcessGroup: embedded, in Apache's own Python; execfile is gone from Python 3.
  { id: 'f031', docs: '0.3.1', pair: 1, fails: /NameError: name 'execfile' is not defined/ },
  // PasteScript is not installed with Kallithea 0.4+ (the venv has paste.deploy only).
  { id: 'f033', docs: '0.3.3', pair: 0, fails: /(?:ModuleNotFound|Import)Error: No module named 'paste\.script'/ },
  // fileConfig(ini) without defaults: the %(here)s of the logging section is unknown to it.
  { id: 'f041', docs: '0.4.1', pair: 0, fails: /InterpolationMissingOptionError: .*interpolation key 'here'/ },
  // The 0.6.0 docs' own "virtualenv activation" script.
  { id: 'f060', docs: '0.6.0', pair: 1, fails: /NameError: name 'execfile' is not defined/ },
  // The 0.5.1 form runs on Python 3 as it is: the control.
  { id: 'f051', docs: '0.5.1', pair: 0, fails: null },
]

/** The forms' vhosts (docs paths moved under `base`, each group named after its form) and their dispatch scripts. */
function deployment(base: string): { conf: string; scripts: Record<string, string> } {
  const srv = path.join(base, 'srv/kallithea')
  const move = (text: string, id: string): string =>
    text.replace(/\/srv\/kallithea(\/dispatch\.wsgi)?/g, (_, script?: string) => (script ? `${srv}/${id}.wsgi` : srv))
  let conf = ''
  const scripts: Record<string, string> = {}
  for (const f of FORMS) {
    const docs = release(f.docs)
    // Group names are unique in a server: kallithea-f031, ...
    const excerpt = move(docs.apache[f.pair]!, f.id).replace(/^(WSGIDaemonProcess|WSGIProcessGroup) kallithea\b/gm, `$1 kallithea-${f.id}`)
    conf += `<VirtualHost *:80>\n    ServerName ${f.id}.test\n${excerpt.replace(/^(?=.)/gm, '    ')}</VirtualHost>\n`
    scripts[`${f.id}.wsgi`] = move(docs.python[f.pair]!, f.id)
  }
  return { conf, scripts }
}

async function serve(t: import('ava').ExecutionContext, conf: string): Promise<RunningApache> {
  const apache = await startApache({ files: { 'forms.conf': conf }, include: ['forms.conf'] })
  t.teardown(async () => {
    await apache.stop()
    if (isProcessRunning(apache.pid)) throw new Error(`apache2 pid ${apache.pid} still running after stop()`)
  })
  return apache
}

/** New error log text after a request (mod_wsgi writes the traceback as the request fails). */
async function logAfter(apache: RunningApache, from: number, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = apache.errorLog().slice(from)
    if (pattern.test(text)) return text
    await new Promise((r) => setTimeout(r, 30))
  }
  return apache.errorLog().slice(from)
}

test('docs forms 0.3.1 to 0.6.0 on Kallithea 0.6.0: the old fail as the history says; migrated to the installed version, each answers in its daemon group', async (t) => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'wsgi-migrate-versions-'))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  chmodSync(base, 0o755)
  const srv = path.join(base, 'srv/kallithea')
  mkdirSync(srv, { recursive: true })
  mkdirSync(path.join(base, 'apache'))
  const venv = path.join(srv, 'venv')
  const sitePackages = makeKallitheaVenv(venv, '0.6.0')
  for (const ini of ['my.ini', 'kallithea.ini']) writeFileSync(path.join(srv, ini), KALLITHEA_INI)
  const { conf, scripts } = deployment(base)
  writeFileSync(path.join(base, 'apache/forms.conf'), conf)
  for (const [name, text] of Object.entries(scripts)) writeFileSync(path.join(srv, name), text)
  for (const f of FORMS) t.regex(conf, new RegExp(`WSGIScriptAlias / ${srv}/${f.id}\\.wsgi`), `${f.id} is served from its own script`)

  const before = await serve(t, conf)
  for (const f of FORMS) {
    const from = before.errorLog().length
    const r = await before.get('/', { Host: `${f.id}.test` })
    if (f.fails === null) {
      t.is(r.status, 200, `${f.id}: ${before.errorLog().slice(from)}`)
      continue
    }
    t.is(r.status, 500, `${f.id} fails before the migration`)
    t.regex(await logAfter(before, from, f.fails), f.fails, `${f.id}: the error log says why`)
  }
  await before.stop()

  const result = await migrate({ paths: [path.join(base, 'apache')], root: base, write: true })
  t.deepEqual(result.errors, [])
  t.like(result.kallithea, {
    installed: '0.6.0', target: '0.6.0', targetFrom: 'installed',
    installedFrom: path.relative(base, path.join(sitePackages, 'kallithea/__init__.py')),
  })
  t.is(result.transforms.at(-1)!.id, 'python3')
  const migrated = readFileSync(path.join(base, 'apache/forms.conf'), 'utf8')
  for (const f of FORMS) t.notRegex(readFileSync(path.join(srv, `${f.id}.wsgi`), 'utf8'), /execfile|paste\.script|site\.addsitedir/, f.id)

  const after = await serve(t, migrated)
  for (const f of FORMS) {
    const r = await after.get<Record<string, unknown>>('/', { Host: `${f.id}.test` })
    t.is(r.status, 200, `${f.id}: ${after.errorLog()}`)
    t.like(r.json, {
      kallithea: '0.6.0',
      process_group: `kallithea-${f.id}`,
      sys_prefix: venv,
      multiprocess: true,
      multithread: false,
      // The 0.6.0 docs' second excerpt already chose a UTF-8 locale; the others get C.UTF-8.
      lang: f.id === 'f060' ? 'en_US.utf8' : 'C.UTF-8',
      log_files: [path.join(srv, 'kallithea.log')],
    }, f.id)
  }

  const again = await migrate({ paths: [path.join(base, 'apache')], root: base })
  t.deepEqual(again.changes, [], 'a second run changes nothing')
})
