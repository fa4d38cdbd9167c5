// Never break a server that was serving, proven on a real Apache + mod_wsgi: each class of WSGI
// application that is not a plain WSGIScriptAlias (a WSGIScriptAliasMatch that a <LocationMatch>
// covers in part, an AddHandler folder, one whose .htaccess adds applications, a SetHandler folder
// in a daemon, a group defined elsewhere), a server without Kallithea with and without
// --all-apps, and a venv of another Python than mod_wsgi's. Each config, with a Kallithea site in
// the 0.3.1 docs form beside the other application, is booted before and after wsgi-migrate, and
// every URL that answered 200 before still does. The servers of each phase start together.
import test from 'ava'
import { readFileSync } from 'node:fs'
import { migrate, type MigrateResult } from '../src/runner/migrate.js'
import { isProcessRunning, PROBE_WSGI, startApache, systemPythonVersion, type RunningApache } from './helpers/apache.js'

/** The 0.3.1 docs form: the daemon is defined, no WSGIProcessGroup, so Kallithea runs embedded. */
const KALLITHEA = `<VirtualHost *:80>
    ServerName hg.example.com
    WSGIDaemonProcess kallithea processes=1 threads=4
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`

interface Case {
  name: string
  conf: string
  /** Probe copies (paths below the ServerRoot) and other files. */
  probe: string[]
  files?: Record<string, string>
  /** Host and path of each URL to ask. */
  urls: Array<[host: string, path: string]>
  allApps?: boolean
  /** Whether the run adds WSGIRestrictEmbedded On (every application provably in a daemon group). */
  restricts: boolean
}

const CASES: Case[] = [
  {
    name: 'WSGIScriptAliasMatch partly under a <LocationMatch>',
    conf: `${KALLITHEA}<VirtualHost *:80>
    ServerName ci.example.com
    WSGIDaemonProcess jobs threads=2
    WSGIScriptAliasMatch ^/([0-9]+)/start$ /var/www/jobs/start.wsgi
    WSGIScriptAlias / /var/www/jobs/ui.wsgi
    <LocationMatch "^/(status|[0-9]+(/(log|x))?)?$">
        WSGIProcessGroup jobs
    </LocationMatch>
</VirtualHost>
`,
    probe: ['var/www/jobs/start.wsgi', 'var/www/jobs/ui.wsgi'],
    urls: [['ci.example.com', '/123/start'], ['ci.example.com', '/status'], ['ci.example.com', '/other']],
    restricts: false,
  },
  {
    name: 'an AddHandler wsgi-script folder',
    conf: `${KALLITHEA}<VirtualHost *:80>
    ServerName tools.example.com
    DocumentRoot /var/www
    Alias /cgi /var/www/cgi
    <Directory /var/www/cgi>
        Options +ExecCGI
        AddHandler wsgi-script .py
        Require all granted
    </Directory>
</VirtualHost>
`,
    probe: ['var/www/cgi/hello.py'],
    urls: [['tools.example.com', '/cgi/hello.py']],
    restricts: false,
  },
  {
    name: '.htaccess files that AllowOverride All lets add an application outside the daemon folder',
    conf: `${KALLITHEA}<VirtualHost *:80>
    ServerName tools.example.com
    DocumentRoot /var/www
    WSGIDaemonProcess tools threads=2
    <Directory /var/www>
        AllowOverride All
        Require all granted
    </Directory>
    <Directory /var/www/cgi>
        Options +ExecCGI
        AddHandler wsgi-script .py
        WSGIProcessGroup tools
    </Directory>
</VirtualHost>
`,
    probe: ['var/www/cgi/hello.py', 'var/www/other/extra.app'],
    files: { 'var/www/other/.htaccess': 'Options +ExecCGI\nAddHandler wsgi-script .app\n' },
    urls: [['tools.example.com', '/cgi/hello.py'], ['tools.example.com', '/other/extra.app']],
    restricts: false,
  },
  {
    name: 'a SetHandler folder in its daemon group and a group defined elsewhere',
    conf: `${KALLITHEA}<VirtualHost *:80>
    ServerName tools.example.com
    WSGIDaemonProcess tools threads=2
    Alias /tools /var/www/tools
    <Directory /var/www/tools>
        Options ExecCGI
        SetHandler wsgi-script
        WSGIProcessGroup tools
        Require all granted
    </Directory>
    # What .htaccess adds here runs in group tools too.
    Alias /cgi /var/www/cgi
    <Directory /var/www/cgi>
        Options +ExecCGI
        AddHandler wsgi-script .py
        WSGIProcessGroup tools
        AllowOverride FileInfo
        Require all granted
    </Directory>
</VirtualHost>
<VirtualHost *:80>
    ServerName express.example.com
    WSGIScriptAlias / /srv/express/handler.wsgi process-group=localhost:9876
</VirtualHost>
`,
    probe: ['var/www/tools/hello', 'var/www/cgi/extra.app', 'srv/express/handler.wsgi'],
    files: { 'var/www/cgi/.htaccess': 'AddHandler wsgi-script .app\n' },
    urls: [['tools.example.com', '/tools/hello'], ['tools.example.com', '/cgi/extra.app'], ['express.example.com', '/']],
    restricts: true,
  },
  {
    name: 'no Kallithea, with --all-apps',
    conf: `<VirtualHost *:80>
ServerName app.example.com
WSGIScriptAlias / /opt/app/application.py
<Directory /opt/app/>
  Require all granted
</Directory>
WSGIDaemonProcess wsgi processes=1 threads=15 display-name=%{GROUP} home=/opt/app
</VirtualHost>
`,
    probe: ['opt/app/application.py'],
    urls: [['app.example.com', '/']],
    allApps: true,
    restricts: true,
  },
  {
    name: 'a python-path venv of another Python than the one mod_wsgi embeds',
    conf: KALLITHEA.replace('threads=4', 'threads=4 python-path=/srv/kallithea/venv27/lib/python2.7/site-packages'),
    probe: [],
    files: { 'srv/kallithea/venv27/lib/python2.7/site-packages/README': 'not a venv of the embedded Python\n' },
    urls: [],
    restricts: true,
  },
]

const REPLACE = { '/srv': 'srv', '/var/www': 'var/www', '/opt/app': 'opt/app' }

async function serve(c: Case, conf: string): Promise<RunningApache> {
  const probe = readFileSync(PROBE_WSGI, 'utf8')
  const files: Record<string, string> = { 'site.conf': conf, 'srv/kallithea/dispatch.wsgi': probe, ...c.files }
  for (const p of c.probe) files[p] = probe
  return startApache({ files, include: ['site.conf'], replace: REPLACE })
}

/** The status and process group of every URL of a case (Kallithea's first). */
async function statuses(apache: RunningApache, c: Case): Promise<Array<{ status: number; group?: string }>> {
  const urls: Array<[string, string]> = [...(c.conf.includes('hg.example.com') ? [['hg.example.com', '/'] as [string, string]] : []), ...c.urls]
  const out: Array<{ status: number; group?: string }> = []
  for (const [host, path] of urls) {
    const r = await apache.get(path, { Host: host })
    out.push({ status: r.status, ...(r.json ? { group: r.json.process_group } : {}) })
  }
  return out
}

async function stopAll(servers: RunningApache[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()))
  for (const s of servers) if (isProcessRunning(s.pid)) throw new Error(`apache2 pid ${s.pid} still running after stop()`)
}

test('every URL that answered 200 before the run still does after it, for each kind of WSGI application', async (t) => {
  const python = (await systemPythonVersion()).split('.').slice(0, 2).join('.')
  const before = await Promise.all(CASES.map((c) => serve(c, c.conf)))
  t.teardown(() => stopAll(before))
  const was = await Promise.all(before.map((s, i) => statuses(s, CASES[i])))
  await stopAll(before)

  // What server mode reads from the module: the Python mod_wsgi embeds.
  const runs: MigrateResult[] = []
  for (const c of CASES) {
    runs.push(await migrate({ files: [{ path: 'site.conf', content: c.conf }], root: '/srv/fixture', embeddedPython: python, ...(c.allApps ? { allApps: true } : {}) }))
  }
  // The control: WSGIRestrictEmbedded On added by hand to the first case breaks what ran embedded.
  const control = { ...CASES[0], conf: 'WSGIRestrictEmbedded On\n' + runs[0].files[0].text }
  const after = await Promise.all([...CASES.map((c, i) => serve(c, runs[i].files[0].text)), serve(control, control.conf)])
  t.teardown(() => stopAll(after))
  const now = await Promise.all(CASES.map((c, i) => statuses(after[i], c)))
  const broken = await statuses(after[CASES.length], control)
  t.deepEqual(broken.map((u) => u.status), [200, 500, 200, 500], 'restricted by hand: /123/start and /other answer 500')

  CASES.forEach((c, i) => {
    const r = runs[i]
    t.deepEqual(r.errors, [], c.name)
    t.true(was[i].some((u) => u.status === 200), `${c.name}: something served before`)
    was[i].forEach((u, k) => {
      if (u.status === 200) t.is(now[i][k].status, 200, `${c.name}: URL ${k} answered 200 before, ${now[i][k].status} after\n${after[i].errorLog()}`)
    })
    const text = r.files[0].text
    t.is(/^WSGIRestrictEmbedded On$/m.test(text), c.restricts, `${c.name}: WSGIRestrictEmbedded On ${c.restricts ? '' : 'not '}added\n${text}`)
    if (!c.restricts && c.conf.includes('hg.example.com')) t.true(r.advisories.some((a) => a.transform === 'restrict-embedded'), `${c.name}: said why not`)
  })
  // What ran embedded before: /123/start and /other (not /status), the .htaccess application.
  t.deepEqual(was[0].map((u) => u.group), ['', '', 'jobs', ''])
  t.deepEqual(was[2].map((u) => u.group), ['', 'tools', ''])
  t.deepEqual(now[3].map((u) => u.group), ['kallithea', 'tools', 'tools', undefined], 'the group defined elsewhere answers 500, before and after')
  // Kallithea moved to its daemon group in every case; the other application stays where it was.
  const kallithea = await after[1].get('/', { Host: 'hg.example.com' })
  t.is(kallithea.json?.process_group, 'kallithea')
  t.is((await after[1].get('/cgi/hello.py', { Host: 'tools.example.com' })).json?.process_group, '')
  t.is((await after[4].get('/', { Host: 'app.example.com' })).json?.process_group, 'wsgi', 'with --all-apps the other application is fixed too')
  // The venv of another Python stays in python-path (python-home would stop the daemon's Python).
  t.regex(runs[5].files[0].text, /python-path=\/srv\/kallithea\/venv27\/lib\/python2\.7\/site-packages/)
  t.true(runs[5].advisories.some((a) => a.messageId === 'otherPython'))
})

test('a server without Kallithea is left as it is by default', async (t) => {
  const c = CASES[4]
  const r = await migrate({ files: [{ path: 'site.conf', content: c.conf }], root: '/srv/fixture' })
  t.deepEqual(r.errors, [])
  t.deepEqual(r.changes, [])
  t.deepEqual(r.advisories, [])
  t.is(r.patch.length, 0)
})
