// What makes a site config checkable in a private ServerRoot on this machine, leaving its WSGI
// directives as written: vhost addresses, Listen, log, socket and certificate paths, and accounts
// this machine does not have. Shared by `apacheConfigtest` and this project's own Apache harness.
import { execFile, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'

/** Marker put in front of lines the rewrite comments out. */
const MARK = '# [wsgi-migrate test harness]'

/** The Debian snakeoil pair, used for SSL vhosts when present. */
export const SNAKEOIL_CERT = '/etc/ssl/certs/ssl-cert-snakeoil.pem'
export const SNAKEOIL_KEY = '/etc/ssl/private/ssl-cert-snakeoil.key'

/** Context used by {@link rewriteSiteConfig}. */
export interface RewriteContext {
  /** Port for every vhost address whose port is not 443 (`*`, `*:80`, `host:8080`, ...). */
  httpPort: number
  /** Port for `:443` vhost addresses; defaults to httpPort. */
  httpsPort?: number
  /** Certificate put in SSLCertificateFile / SSLCertificateChainFile / SSLCACertificateFile. */
  certFile?: string
  /** Key put in SSLCertificateKeyFile. */
  keyFile?: string
  /** Path put in ErrorLog. */
  errorLog?: string
  /** Path put in CustomLog / TransferLog. */
  accessLog?: string
  /** Value put in WSGISocketPrefix. */
  socketPrefix?: string
  /** Value put in PidFile. */
  pidFile?: string
}

/** What {@link rewriteSiteConfig} returns. */
export interface RewriteResult {
  text: string
  /** Some vhost address had port 443 (so an SSL Listen port is needed to serve it). */
  usesHttpsPort: boolean
}

/** Double-quote a path for an Apache directive argument. */
export function q(p: string): string {
  return `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * Rewrite the environment-specific parts of a site config so it can run in the harness, leaving
 * everything else (WSGI directives, their scope, typos) exactly as written:
 *
 * - every `<VirtualHost addr ...>` address becomes `127.0.0.1:<httpsPort>` when its port is 443,
 *   else `127.0.0.1:<httpPort>` (`*`, `_default_`, hostnames and other ports included), so
 *   requests reach the vhost instead of falling through to the main server
 * - `Listen` lines are commented out (the main config owns the listeners)
 * - the argument of SSLCertificateFile, SSLCertificateChainFile, SSLCACertificateFile becomes
 *   `certFile`, of SSLCertificateKeyFile `keyFile`; ErrorLog -> `errorLog`; the target of
 *   CustomLog/TransferLog -> `accessLog`; WSGISocketPrefix -> `socketPrefix`; PidFile ->
 *   `pidFile` (each only when given in `ctx`).
 *
 * Directive names match case-insensitively, as in Apache.
 */
export function rewriteSiteConfig(text: string, ctx: RewriteContext): RewriteResult {
  const httpsPort = ctx.httpsPort ?? ctx.httpPort
  let usesHttpsPort = false

  let out = text.replace(/<VirtualHost(\s+)([^>]*)>/gi, (_m, _ws: string, addrs: string) => {
    const mapped: string[] = []
    for (const addr of addrs.trim().split(/\s+/).filter(Boolean)) {
      const m = /^(.*):(\d+|\*)$/.exec(addr)
      const port = m ? m[2] : undefined
      let target: string
      if (port === '443') {
        usesHttpsPort = true
        target = `127.0.0.1:${httpsPort}`
      } else {
        target = `127.0.0.1:${ctx.httpPort}`
      }
      if (!mapped.includes(target)) mapped.push(target)
    }
    if (mapped.length === 0) mapped.push(`127.0.0.1:${ctx.httpPort}`)
    return `<VirtualHost ${mapped.join(' ')}>`
  })

  out = out.replace(/^([ \t]*)(Listen\b.*)$/gim, (_m, ind: string, rest: string) => `${ind}${MARK} ${rest}`)

  const arg = String.raw`("(?:[^"\\]|\\.)*"|\S+)`
  const setArg = (names: string, value: string | undefined): void => {
    if (value === undefined) return
    const re = new RegExp(String.raw`^([ \t]*)(${names})([ \t]+)${arg}`, 'gim')
    out = out.replace(re, (_m, ind: string, name: string, ws: string) => `${ind}${name}${ws}${q(value)}`)
  }
  setArg('SSLCertificateFile|SSLCertificateChainFile|SSLCACertificateFile', ctx.certFile)
  setArg('SSLCertificateKeyFile', ctx.keyFile)
  setArg('ErrorLog', ctx.errorLog)
  setArg('CustomLog|TransferLog', ctx.accessLog)
  setArg('WSGISocketPrefix', ctx.socketPrefix)
  setArg('PidFile', ctx.pidFile)

  // Accounts are a property of the machine, not of the config: a user or group this machine does
  // not have (`user=kallithea`, `User apache`) becomes www-data, so apache2 -t checks the syntax.
  out = out.replace(/^([ \t]*)(User|Group)([ \t]+)([^\s$"']+)/gim, (m, ind: string, name: string, ws: string, value: string) =>
    accountExists(name.toLowerCase() === 'user' ? 'passwd' : 'group', value) ? m : `${ind}${name}${ws}www-data`,
  )
  out = out.replace(/(^|\s)(user|group)=([^\s$"'\\]+)/g, (m, pre: string, key: string, value: string) =>
    accountExists(key === 'user' ? 'passwd' : 'group', value) ? m : `${pre}${key}=www-data`,
  )

  return { text: out, usesHttpsPort }
}

const accounts = new Map<string, boolean>()
function accountExists(db: 'passwd' | 'group', name: string): boolean {
  const key = `${db}:${name}`
  let known = accounts.get(key)
  if (known === undefined) {
    known = spawnSync('getent', [db, name]).status === 0
    accounts.set(key, known)
  }
  return known
}

let certPromise: Promise<{ cert: string; key: string }> | undefined

/**
 * A certificate/key pair that exists: Debian's snakeoil pair (package `ssl-cert`) when both
 * files are there, else a self-signed pair generated once with `openssl` and cached under
 * `os.tmpdir()`.
 */
export function testCertificate(): Promise<{ cert: string; key: string }> {
  certPromise ??= makeCertificate()
  certPromise.catch(() => {
    certPromise = undefined
  })
  return certPromise
}

function readable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK)
    return true
  } catch {
    return false
  }
}

async function makeCertificate(): Promise<{ cert: string; key: string }> {
  if (readable(SNAKEOIL_CERT) && readable(SNAKEOIL_KEY)) return { cert: SNAKEOIL_CERT, key: SNAKEOIL_KEY }
  const dir = path.join(os.tmpdir(), `wsgi-migrate-cert-u${process.getuid?.() ?? 0}`)
  const pair = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') }
  if (readable(pair.cert) && readable(pair.key)) return pair
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 })
  try {
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=localhost', '-keyout', path.join(tmp, 'key.pem'), '-out', path.join(tmp, 'cert.pem')]
    try {
      await promisify(execFile)('openssl', args, { timeout: 60_000 })
    } catch (err) {
      throw new Error(`No snakeoil certificate (${SNAKEOIL_CERT}) and openssl failed (${String(err)}). Run: apt-get install -y ssl-cert`)
    }
    try {
      fs.renameSync(tmp, dir)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err
    }
    return pair
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
