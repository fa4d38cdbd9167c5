// A private Apache in Debian's layout, for the live-server mode: <tmp>/etc/apache2 (apache2.conf,
// envvars, ports.conf, mods-enabled/, sites-available/ + sites-enabled/) and the Kallithea
// dispatch script in <tmp>/srv/kallithea, run the way Debian runs a second instance: the real
// apache2ctl with APACHE_CONFDIR=<tmp>/etc/apache2. It listens on 127.0.0.1 only, on a free port;
// its pid file, logs, runtime dir (and the tool's backups) stay under <tmp>/var. The machine's own
// /etc/apache2 and its Apache are never used.
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { assertApacheInstalled, freePorts, httpGet, isProcessRunning, MODULES_DIR, PROBE_WSGI, type HttpResult } from './apache.js'
import { APACHE2_CONF, makeTree, removeTree, type Entry } from './tree.js'

export const APACHE2CTL = '/usr/sbin/apache2ctl'

export interface DebianServer {
  /** The temporary folder standing for `/`. */
  root: string
  confdir: string
  port: number
  /** What wsgi-migrate and apache2ctl are run with: APACHE_CONFDIR (and no systemd for start). */
  env: Record<string, string>
  start(): void
  stop(): void
  /** GET on the server, Host: hg.example.com. */
  get(urlPath?: string): Promise<HttpResult>
  /** The server's error log. */
  errorLog(): string
  remove(): void
}

export interface ServerOptions {
  /** sites-available/kallithea.conf (enabled); @ROOT@, @PORT@ and @VENV@ are filled in. */
  site: string
  /** More files below the root (`etc/apache2/conf-enabled/x.conf`...); @ROOT@ is filled in. */
  files?: Record<string, Entry>
  /** Load mod_wsgi (default true). */
  wsgi?: boolean
  /** The venv the site names as @VENV@. */
  venv?: string
  /** Name the ServerRoot in apache2.conf (for `apache2 -f` without apache2ctl's `-d`). */
  serverRoot?: boolean
}

const MODULES = ['mpm_prefork', 'authz_core', 'authz_host', 'alias']

export async function debianServer(options: ServerOptions): Promise<DebianServer> {
  assertApacheInstalled()
  const [port] = (await freePorts(1)) as [number]
  const fill = (s: string): string => s.replaceAll('@PORT@', String(port)).replaceAll('@VENV@', options.venv ?? '@ROOT@/srv/kallithea/venv')
  const modules = [...MODULES, ...(options.wsgi === false ? [] : ['wsgi'])]
  const entries: Record<string, Entry> = {
    'etc/apache2/apache2.conf': `${options.serverRoot ? 'ServerRoot @ROOT@/etc/apache2\n' : ''}${APACHE2_CONF}`,
    'etc/apache2/envvars': ENVVARS,
    'etc/apache2/ports.conf': `Listen 127.0.0.1:${port}\n`,
    'etc/apache2/conf-enabled/srv.conf': '<Directory @ROOT@/srv/>\n\tRequire all granted\n</Directory>\n',
    'etc/apache2/sites-available/kallithea.conf': fill(options.site),
    'etc/apache2/sites-enabled/kallithea.conf': { symlink: '../sites-available/kallithea.conf' },
    'srv/kallithea': { dir: true },
    'var/run/apache2': { dir: true },
    'var/lock': { dir: true },
    'var/log/apache2': { dir: true },
    ...Object.fromEntries(modules.map((m) => [`etc/apache2/mods-enabled/${m}.load`, `LoadModule ${m}_module ${MODULES_DIR}/mod_${m}.so\n`])),
    ...(options.wsgi === false ? {} : { 'etc/apache2/mods-enabled/wsgi.conf': '<IfModule mod_wsgi.c>\n    WSGISocketPrefix ${APACHE_RUN_DIR}/wsgi\n</IfModule>\n' }),
    ...Object.fromEntries(Object.entries(options.files ?? {}).map(([k, v]) => [k, typeof v === 'string' ? fill(v) : v])),
  }
  const root = makeTree(entries, 'wsgi-migrate-srv-')
  copyFileSync(PROBE_WSGI, path.join(root, 'srv/kallithea/dispatch.wsgi'))
  // Apache's children run as www-data: every folder on the way must be searchable.
  for (const d of ['', 'srv', 'srv/kallithea']) chmodSync(path.join(root, d), 0o755)
  const confdir = path.join(root, 'etc/apache2')
  const env = { APACHE_CONFDIR: confdir, APACHE_STARTED_BY_SYSTEMD: '1' }
  const ctl = (arg: string) => spawnSync(APACHE2CTL, [arg], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 })
  const pidFile = path.join(root, 'var/run/apache2/apache2.pid')
  const pid = (): number | undefined => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined)
  const waitFor = (cond: () => boolean): boolean => {
    const nap = new Int32Array(new SharedArrayBuffer(4))
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      if (cond()) return true
      Atomics.wait(nap, 0, 0, 50)
    }
    return cond()
  }
  const server: DebianServer = {
    root,
    confdir,
    port,
    env,
    start() {
      const r = ctl('start')
      if (r.status !== 0 || !waitFor(() => pid() !== undefined)) throw new Error(`apache2ctl start failed: ${r.stdout}${r.stderr}\n${server.errorLog()}`)
    },
    stop() {
      const p = pid()
      if (p === undefined || !isProcessRunning(p)) return
      ctl('stop')
      if (!waitFor(() => !isProcessRunning(p))) process.kill(p, 'SIGKILL')
    },
    get: (urlPath = '/') => httpGet(`http://127.0.0.1:${port}${urlPath}`, { Host: 'hg.example.com' }),
    errorLog: () => (existsSync(path.join(root, 'var/log/apache2/error.log')) ? readFileSync(path.join(root, 'var/log/apache2/error.log'), 'utf8') : ''),
    remove() {
      server.stop()
      removeTree(root)
    },
  }
  return server
}

/** envvars as Debian ships it, with the run, lock and log folders in the private tree. */
const ENVVARS = `# envvars - default environment variables for apache2ctl
unset HOME
export APACHE_RUN_USER=www-data
export APACHE_RUN_GROUP=www-data
export APACHE_PID_FILE=@ROOT@/var/run/apache2/apache2.pid
export APACHE_RUN_DIR=@ROOT@/var/run/apache2
export APACHE_LOCK_DIR=@ROOT@/var/lock/apache2
export APACHE_LOG_DIR=@ROOT@/var/log/apache2
export LANG=C
export LANG
`
