// `apache2 -t` for a transform's fixtures, as this project checks its own: a case's Apache outputs
// are written into a private temporary ServerRoot whose main config loads the system's mod_wsgi,
// and the system's httpd checks them. Nothing is started, nothing outside the temporary folder is
// touched, and the folder is removed afterwards.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { q, rewriteSiteConfig, testCertificate } from './apache-site.js'

/** One file of a case to check: its name in the run and its Apache text. */
export interface ConfigFile {
  name: string
  output: Uint8Array
}

export interface ConfigtestOptions {
  /** The httpd binary. Default: apache2 (Debian) or httpd (Red Hat) in /usr/sbin or /usr/local/sbin. */
  httpd?: string
  /** Where its modules are. Default: /usr/lib/apache2/modules, /usr/lib64/httpd/modules or /usr/lib/httpd/modules. */
  modulesDir?: string
  /** More modules to load, by short name (`mod_<name>.so`); `ssl` is loaded when a file mentions it. */
  modules?: string[]
}

/** A check for `defineFixtureTests`'s `configtest` option: throws with httpd's words when it refuses. */
export type Configtest = (files: ConfigFile[]) => Promise<void>

const HTTPD = ['/usr/sbin/apache2', '/usr/sbin/httpd', '/usr/local/sbin/apache2', '/usr/local/sbin/httpd']
const MODULE_DIRS = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules']
const INSTALL = 'install Apache httpd and mod_wsgi (Debian: apt-get install apache2 libapache2-mod-wsgi-py3; Red Hat: dnf install httpd python3-mod_wsgi)'
/** Loaded unless compiled in: what Kallithea configs use, with 2.2-style access control. */
const MODULES = ['mpm_prefork', 'authz_core', 'authz_host', 'authz_user', 'authn_core', 'authn_file', 'auth_basic', 'access_compat', 'alias', 'mime', 'dir', 'env', 'setenvif', 'headers', 'rewrite', 'log_config', 'version', 'wsgi']
const run = promisify(execFile)
/** Nothing from the caller that could steer httpd or the Python mod_wsgi embeds. */
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' }

/**
 * `httpd -t` on each case's Apache outputs, for `defineFixtureTests(test, t, dir, { configtest:
 * apacheConfigtest() })`. A file another file of the case names is read through that Include.
 * Throws (no silent skip) when httpd or mod_wsgi is not installed.
 */
export function apacheConfigtest(options: ConfigtestOptions = {}): Configtest {
  return async (files) => {
    const httpd = options.httpd ?? HTTPD.find((p) => fs.existsSync(p))
    const modulesDir = options.modulesDir ?? MODULE_DIRS.find((d) => fs.existsSync(path.join(d, 'mod_wsgi.so')))
    if (httpd === undefined || !fs.existsSync(httpd)) throw new Error(`apacheConfigtest: no Apache httpd (${options.httpd ?? HTTPD.join(', ')}); ${INSTALL}`)
    if (modulesDir === undefined || !fs.existsSync(path.join(modulesDir, 'mod_wsgi.so'))) throw new Error(`apacheConfigtest: no mod_wsgi.so in ${options.modulesDir ?? MODULE_DIRS.join(', ')}; ${INSTALL}`)
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wsgi-migrate-configtest-'))
    try {
      const conf = await writeRoot(root, files, { httpd, modulesDir, modules: options.modules ?? [] })
      const r = await run(httpd, ['-t', '-f', conf], { env: ENV, cwd: '/', timeout: 60_000 }).catch((e: { stdout?: string; stderr?: string; message: string }) => ({ failed: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message }))
      if ('failed' in r) throw new Error(`${path.basename(httpd)} -t refused it:\n${r.failed}\n--- main config:\n${fs.readFileSync(conf, 'utf8')}`)
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}

interface Server {
  httpd: string
  modulesDir: string
  modules: string[]
}

/** Write the case's files (made checkable here) and a main config including them; returns its path. */
async function writeRoot(root: string, files: ConfigFile[], server: Server): Promise<string> {
  // As text, so vhosts and paths can be rewritten (a Latin-1 comment stays a comment).
  const texts = files.map((f) => ({ name: f.name, text: Buffer.from(f.output).toString('latin1') }))
  const ssl = texts.some((f) => /ssl/i.test(f.text))
  const cert = ssl ? await testCertificate() : undefined
  const run = path.join(root, '.httpd')
  fs.mkdirSync(run, { recursive: true })
  fs.chmodSync(root, 0o755)
  const paths = { httpPort: 8080, httpsPort: 8443, certFile: cert?.cert, keyFile: cert?.key, errorLog: path.join(run, 'error.log'), accessLog: path.join(run, 'access.log'), socketPrefix: path.join(run, 'wsgi'), pidFile: path.join(run, 'httpd.pid') }
  for (const f of texts) {
    const file = path.join(root, f.name)
    if (path.relative(root, file).startsWith('..')) throw new Error(`apacheConfigtest: ${f.name} is not a relative path`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, rewriteSiteConfig(f.text, paths).text, 'latin1')
  }
  const compiled = await compiledIn(server.httpd)
  const modules = [...new Set([...MODULES, ...(ssl ? ['socache_shmcb', 'ssl'] : []), ...server.modules])].filter((m) => !compiled.has(m))
  const missing = modules.filter((m) => !fs.existsSync(path.join(server.modulesDir, `mod_${m}.so`)))
  if (missing.length > 0) throw new Error(`apacheConfigtest: no ${missing.map((m) => `mod_${m}.so`).join(', ')} in ${server.modulesDir}; ${INSTALL}`)
  // A file another file of the case names is read through that Include.
  const included = (name: string): boolean => texts.some((o) => o.name !== name && o.text.includes(name))
  const lines = [
    `ServerRoot ${q(root)}`,
    `DefaultRuntimeDir ${q(run)}`,
    `PidFile ${q(paths.pidFile)}`,
    ...modules.map((m) => `LoadModule ${m}_module ${q(path.join(server.modulesDir, `mod_${m}.so`))}`),
    // What Debian's envvars exports (not read when httpd is run directly).
    'Define APACHE_RUN_USER www-data',
    'Define APACHE_RUN_GROUP www-data',
    `Define APACHE_PID_FILE ${paths.pidFile}`,
    ...['RUN', 'LOCK', 'LOG'].map((d) => `Define APACHE_${d}_DIR ${run}`),
    'Listen 127.0.0.1:8080',
    'ServerName 127.0.0.1',
    ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
    `ErrorLog ${q(paths.errorLog)}`,
    `WSGISocketPrefix ${q(paths.socketPrefix)}`,
    `TypesConfig ${q(path.join(run, 'mime.types'))}`,
    ...(cert ? [`SSLCertificateFile ${q(cert.cert)}`, `SSLCertificateKeyFile ${q(cert.key)}`] : []),
    ...texts.filter((f) => !included(f.name)).map((f) => `Include ${q(path.join(root, f.name))}`),
    '',
  ]
  fs.writeFileSync(path.join(run, 'mime.types'), '')
  const conf = path.join(run, 'httpd.conf')
  fs.writeFileSync(conf, lines.join('\n'))
  return conf
}

const compiled = new Map<string, Promise<Set<string>>>()

/** Modules compiled into httpd (`httpd -l`): they take no LoadModule line. */
function compiledIn(httpd: string): Promise<Set<string>> {
  let known = compiled.get(httpd)
  if (known === undefined) {
    known = run(httpd, ['-l'], { env: ENV, timeout: 10_000 }).then(({ stdout }) => new Set([...stdout.matchAll(/^\s*mod_(\w+)\.c$/gm)].map((m) => m[1]!)))
    compiled.set(httpd, known)
  }
  return known
}
