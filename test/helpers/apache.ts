/**
 * Test harness: check Apache + mod_wsgi configs on a REAL Apache httpd with the real mod_wsgi.
 *
 * Every server runs in its own private temporary ServerRoot, listens on 127.0.0.1 only on free
 * ports (never 80/443), keeps its PidFile, logs, runtime dir and WSGISocketPrefix inside that
 * ServerRoot, and is stopped by the pid in its own PidFile (SIGTERM, bounded wait, SIGKILL as a
 * last resort). The system Apache (/etc/apache2, apache2ctl, systemd) is never used or touched.
 *
 * Needs the Debian packages `apache2` and `libapache2-mod-wsgi-py3` (the harness throws a clear
 * Error when they are missing: tests must not silently skip), and for SSL snippets either the
 * snakeoil pair from `ssl-cert` or the `openssl` binary (a self-signed pair is then generated and
 * cached once).
 *
 * Typical use (ava):
 *
 * ```ts
 * const venv = await makeVenv();
 * const apache = await startApache({
 *   files: { 'sites/kallithea.conf': conf },            // conf written for /srv/kallithea
 *   include: ['sites/kallithea.conf'],
 *   replace: { '/srv/kallithea/venv': venv, '/srv/kallithea': 'srv/kallithea' },
 *   probe: ['srv/kallithea/dispatch.wsgi'],
 * });
 * t.teardown(() => apache.stop());
 * const res = await apache.get('/');
 * t.is(res.json?.process_group, 'kallithea');
 * ```
 *
 * Set `WSGI_MIGRATE_KEEP_HTTPD=1` to keep the temporary ServerRoots for debugging (their paths
 * are printed to stderr).
 *
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { q, rewriteSiteConfig, testCertificate } from '../../src/testing/apache-site.js';

// The rewrite of a site config and the certificate pair are the product's (`wsgi-migrate/testing`).
export { rewriteSiteConfig, testCertificate, SNAKEOIL_CERT, SNAKEOIL_KEY, type RewriteContext, type RewriteResult } from '../../src/testing/apache-site.js';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** The httpd binary used (Debian's; run directly, never through apache2ctl). */
export const APACHE_BIN = '/usr/sbin/apache2';
/** Where Debian keeps the Apache modules. */
export const MODULES_DIR = '/usr/lib/apache2/modules';
/**
 * The Python that Debian's mod_wsgi embeds. Venvs for `python-home=` must be made with this one,
 * not with whichever `python3` comes first on PATH (pyenv, /usr/local, ...).
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** Absolute path of the probe WSGI application (see {@link ProbeReport}). */
export const PROBE_WSGI = fileURLToPath(new URL('./probe.wsgi', import.meta.url));

/** What to run when Apache/mod_wsgi are missing. */
export const INSTALL_HINT = 'apt-get install -y apache2 libapache2-mod-wsgi-py3';

/** Modules always loaded (short names: `mod_<name>.so` in {@link MODULES_DIR}). */
export const BASE_MODULES: readonly string[] = [
  'mpm_prefork',
  'authz_core',
  'authz_host',
  'authz_user',
  'authn_core',
  'authn_file',
  'auth_basic',
  'access_compat', // 2.2-style Order/Allow/Deny, still common in old Kallithea setups
  'alias',
  'mime',
  'dir',
  'env',
  'setenvif',
  'headers',
  'rewrite',
  'log_config',
  'version',
  'wsgi',
];

/** Name of the harness's own folder inside a ServerRoot (user files must not use it). */
const HARNESS_DIR = '.httpd';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 3_000;
const COMMAND_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/**
 * A site configuration to check: files written into a private temporary ServerRoot and which of
 * them the generated main config `Include`s.
 *
 * A plain string is shorthand for `{ files: { 'site.conf': text }, include: ['site.conf'] }`.
 *
 * The temporary directory is also the ServerRoot, so relative `Include`s inside the files work.
 * The included files and every other `*.conf` file get {@link rewriteSiteConfig} (vhost
 * addresses, Listen, certificate and log paths); nothing else in them changes. When any of them
 * mentions "ssl", mod_ssl is loaded, a `:443` vhost gets its own SSL port, and a certificate
 * pair that exists ({@link testCertificate}) is set server-wide and in every SSL certificate
 * directive.
 */
export interface ApacheSiteConfig {
  /**
   * Files to write, by path relative to the temporary ServerRoot (no `..`, not under `.httpd/`).
   * Directories are created 0755 and files 0644 so Apache children and mod_wsgi daemons running
   * as www-data can read them.
   */
  files: Record<string, string | Buffer>;
  /** Which of `files` the main config `Include`s, in this order. */
  include: string[];
  /**
   * Literal substitutions applied to every string file before it is written (longest key first,
   * one pass, so a replacement is never replaced again). A value that is an absolute path is
   * used as it is; a relative value is resolved against the temporary ServerRoot. Example:
   * `{ '/srv/kallithea/venv': venv, '/srv/kallithea': 'srv/kallithea' }`.
   */
  replace?: Record<string, string>;
  /**
   * Where to copy the probe app ({@link PROBE_WSGI}), as paths relative to the ServerRoot, e.g.
   * `srv/kallithea/dispatch.wsgi` when `replace` maps `/srv/kallithea` to `srv/kallithea`.
   */
  probe?: string[];
  /** Extra module short names to load, e.g. `['cgi']`. */
  modules?: string[];
}

/** Result of {@link configtest}. */
export interface ConfigtestResult {
  /** `apache2 -t` exited 0. */
  ok: boolean;
  /** Everything `apache2 -t` printed (stdout and stderr), trimmed. */
  output: string;
  /** Text of the generated main config, for failure messages. */
  mainConfig: string;
  /** Final text of each rewritten file (relative path -> text), for failure messages. */
  rewritten: Record<string, string>;
}

/** JSON answered by test/helpers/probe.wsgi. */
export interface ProbeReport {
  /** `mod_wsgi.process_group`: `""` in embedded mode, the daemon group name otherwise. */
  process_group: string;
  application_group: string;
  /** `wsgi.multiprocess` */
  multiprocess: boolean;
  /** `wsgi.multithread` */
  multithread: boolean;
  /** `sys.prefix`: `/usr` for the system Python, the venv with `python-home=`. */
  sys_prefix: string;
  sys_path: string[];
  /** Whether `HTTP_AUTHORIZATION` reached the app (never its value). */
  http_authorization: boolean;
  pid: number;
  python_version: string;
  url_scheme: string;
  server_name: string;
  script_name: string;
  path_info: string;
  script_filename: string;
  mod_wsgi_version: string;
}

/** One HTTP response. */
export interface HttpResult<T = ProbeReport> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Parsed body when it is JSON (e.g. the probe's {@link ProbeReport}), else undefined. */
  json?: T;
}

/** Options of {@link RunningApache.get}. */
export interface GetOptions {
  /** Use the SSL port (certificate not verified). Default false. */
  https?: boolean;
  /** Whole-request deadline. Default 15 s. */
  timeoutMs?: number;
}

/** A started Apache. Call {@link RunningApache.stop} (e.g. in `t.teardown`). */
export interface RunningApache {
  /** Plain HTTP port on 127.0.0.1 (vhosts on any port but 443 were moved here). */
  readonly port: number;
  /** SSL port on 127.0.0.1 when the config has a `:443` vhost (moved here), else undefined. */
  readonly httpsPort: number | undefined;
  /** Pid of the Apache parent, read from its own PidFile. */
  readonly pid: number;
  /** The temporary ServerRoot (removed by stop()). */
  readonly root: string;
  /** The generated main config file. */
  readonly confPath: string;
  /** `http://127.0.0.1:<port><path>` (or https and the SSL port). */
  url(path?: string, options?: { https?: boolean }): string;
  /** GET on 127.0.0.1 with bounded timeouts and no connection reuse. */
  get<T = ProbeReport>(
    path?: string,
    headers?: Record<string, string>,
    options?: GetOptions,
  ): Promise<HttpResult<T>>;
  /** Current content of the server's error log ('' when there is none yet). */
  errorLog(): string;
  /**
   * SIGTERM the pid in the PidFile, wait (bounded) until it and every process of its session
   * (children, mod_wsgi daemons) are gone, SIGKILL as last resort, then remove the ServerRoot.
   * Idempotent. Rejects if the processes could not be ended.
   */
  stop(): Promise<void>;
}

/**
 * Apply literal substitutions, longest key first, in a single pass.
 * @param resolveRelative turns a relative value into the path to use (e.g. under the root).
 */
export function applyReplacements(
  text: string,
  replace: Record<string, string> | undefined,
  resolveRelative: (value: string) => string = (v) => v,
): string {
  if (!replace) return text;
  const keys = Object.keys(replace).filter((k) => k.length > 0).sort((a, b) => b.length - a.length);
  if (keys.length === 0) return text;
  const re = new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(re, (m) => {
    const v = replace[m]!;
    return path.isAbsolute(v) ? v : resolveRelative(v);
  });
}

/** Wrap config text in a `<VirtualHost addr>` block (convenience for doc snippets). */
export function wrapVirtualHost(body: string, addr = '*:80', serverName?: string): string {
  const indented = body.replace(/^(?=.)/gm, '    ');
  const name = serverName ? `    ServerName ${serverName}\n` : '';
  return `<VirtualHost ${addr}>\n${name}${indented.replace(/\n*$/, '\n')}</VirtualHost>\n`;
}

// ---------------------------------------------------------------------------------------------
// Small process / fs utilities
// ---------------------------------------------------------------------------------------------

interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Environment for apache2 and python: nothing from the caller that could steer the embedded Python. */
function cleanEnv(): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };
}

/**
 * Run a command with stdout+stderr sent to a file (not a pipe: `apache2 -k start` forks a
 * daemon, and a daemon holding a pipe open would keep us waiting), bounded by a timeout.
 */
async function runCommand(
  cmd: string,
  args: string[],
  outFile: string,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<CommandResult> {
  const fd = fs.openSync(outFile, 'w', 0o644);
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: cleanEnv(), cwd: '/' });
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${cmd} ${args.join(' ')}: no exit after ${timeoutMs} ms`));
        }, timeoutMs);
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal });
        });
      },
    );
    return { ...result, output: fs.readFileSync(outFile, 'utf8').trim() };
  } finally {
    fs.closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Fields of /proc/<pid>/stat after the command name, or undefined if the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Whether a process exists and is not a zombie. After `-k start` the Apache parent is a
 * daemon re-parented to PID 1; once it exits it may stay a zombie until PID 1 reaps it, which
 * counts as gone here.
 */
export function isProcessRunning(pid: number): boolean {
  if (fs.existsSync('/proc/self/stat')) {
    const st = procStat(pid);
    return st !== undefined && st[0] !== 'Z' && st[0] !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Live (non-zombie) processes whose session id is `sid` (Apache setsid()s on start). */
function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = procStat(Number(e));
    if (st && st[0] !== 'Z' && st[0] !== 'X' && Number(st[3]) === sid) pids.push(Number(e));
  }
  return pids;
}

function cmdlineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function trySignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}

/** Free TCP ports on 127.0.0.1 (all held open together, so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

function canConnect(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Apache children and mod_wsgi daemons run as www-data: every ancestor of a directory they must
 * reach has to be searchable by others.
 */
function assertReachableByOthers(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let d = path.resolve(dir);
  for (;;) {
    const st = fs.statSync(d);
    if ((st.mode & 0o001) === 0) {
      throw new Error(
        `${d} is not searchable by other users, so Apache's www-data processes cannot reach ` +
          `${dir}. Point TMPDIR to a world-searchable directory (e.g. TMPDIR=/tmp).`,
      );
    }
    const up = path.dirname(d);
    if (up === d) return;
    d = up;
  }
}

// ---------------------------------------------------------------------------------------------
// Installation checks, venv, certificate
// ---------------------------------------------------------------------------------------------

/**
 * Throw a clear Error unless Apache httpd and mod_wsgi (and the Python it embeds) are installed.
 * Parameters exist for testing the check itself.
 */
export function assertApacheInstalled(bin = APACHE_BIN, modulesDir = MODULES_DIR, python = SYSTEM_PYTHON): void {
  const missing: string[] = [];
  if (!fs.existsSync(bin)) missing.push(bin);
  for (const m of ['mod_mpm_prefork.so', 'mod_wsgi.so']) {
    if (!fs.existsSync(path.join(modulesDir, m))) missing.push(path.join(modulesDir, m));
  }
  if (!fs.existsSync(python)) missing.push(python);
  if (missing.length > 0) {
    throw new Error(
      `Real Apache + mod_wsgi needed for these tests, missing: ${missing.join(', ')}. ` +
        `Run: ${INSTALL_HINT}`,
    );
  }
}

let pythonVersionPromise: Promise<string> | undefined;

/** Full version (`3.11.2`) of {@link SYSTEM_PYTHON}, checked against what mod_wsgi embeds. */
export function systemPythonVersion(): Promise<string> {
  pythonVersionPromise ??= (async () => {
    assertApacheInstalled();
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'wsgi-migrate-py-'));
    try {
      const r = await runCommand(
        SYSTEM_PYTHON,
        ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'],
        path.join(tmp, 'out'),
      );
      if (r.code !== 0 || !/^\d+\.\d+\.\d+$/.test(r.output)) {
        throw new Error(`${SYSTEM_PYTHON} does not run: ${r.output}`);
      }
      // Debian names the module after the Python it embeds: mod_wsgi.so -> mod_wsgi.so-3.11
      let target = '';
      try {
        target = fs.readlinkSync(path.join(MODULES_DIR, 'mod_wsgi.so'));
      } catch {
        /* not a symlink: nothing to compare */
      }
      const embedded = /-(\d+\.\d+)$/.exec(target)?.[1];
      const xy = r.output.split('.').slice(0, 2).join('.');
      if (embedded && embedded !== xy) {
        throw new Error(
          `mod_wsgi embeds Python ${embedded} but ${SYSTEM_PYTHON} is ${r.output}; ` +
            `reinstall matching packages: ${INSTALL_HINT}`,
        );
      }
      return r.output;
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  })();
  pythonVersionPromise.catch(() => {
    pythonVersionPromise = undefined;
  });
  return pythonVersionPromise;
}

const VENV_MARKER = '.wsgi-migrate-venv.json';

function venvIsValid(dir: string, version: string): boolean {
  const xy = version.split('.').slice(0, 2).join('.');
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, VENV_MARKER), 'utf8')) as { python?: string };
    return (
      marker.python === version &&
      fs.statSync(path.join(dir, 'bin', 'python')).isFile() && // follows the symlink
      fs.statSync(path.join(dir, 'lib', `python${xy}`, 'site-packages')).isDirectory() &&
      fs.statSync(path.join(dir, 'pyvenv.cfg')).isFile()
    );
  } catch {
    return false;
  }
}

let venvPromise: Promise<string> | undefined;

/**
 * A venv made with `/usr/bin/python3 -m venv --without-pip` (the Python mod_wsgi embeds), for
 * `python-home=` / `python-path=` in tests. Created once and cached under `os.tmpdir()` as
 * `wsgi-migrate-venv-py<X.Y>-u<uid>`, reused by later processes (ava runs test files in
 * parallel processes) while it is valid for the installed Python. Created under a unique name
 * and renamed into place, so concurrent creators never see a half-made venv. Readable by
 * www-data. No pip: it needs no network and no python3-venv package.
 *
 * @returns absolute path of the venv (its `sys.prefix` under `python-home=`).
 */
export function makeVenv(): Promise<string> {
  venvPromise ??= (async () => {
    const version = await systemPythonVersion();
    const xy = version.split('.').slice(0, 2).join('.');
    const target = path.join(os.tmpdir(), `wsgi-migrate-venv-py${xy}-u${process.getuid?.() ?? 0}`);
    assertReachableByOthers(os.tmpdir());
    if (venvIsValid(target, version)) return target;

    const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      const r = await runCommand(
        '/bin/sh',
        ['-c', 'umask 022 && exec "$0" -m venv --without-pip "$1"', SYSTEM_PYTHON, tmp],
        `${tmp}.log`,
      );
      if (r.code !== 0) throw new Error(`${SYSTEM_PYTHON} -m venv failed: ${r.output}`);
      fs.chmodSync(tmp, 0o755);
      fs.writeFileSync(path.join(tmp, VENV_MARKER), JSON.stringify({ python: version }) + '\n', { mode: 0o644 });
      for (let attempt = 0; ; attempt++) {
        try {
          fs.renameSync(tmp, target);
          return target;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
          if (venvIsValid(target, version)) return target; // another process won the race
          if (attempt > 0) throw err;
          // A stale/invalid venv (other Python version, ...): move it aside and retry once.
          const trash = `${target}.stale-${process.pid}-${Date.now()}`;
          try {
            fs.renameSync(target, trash);
          } catch {
            /* someone else moved it */
          }
          await fsp.rm(trash, { recursive: true, force: true });
        }
      }
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
      await fsp.rm(`${tmp}.log`, { force: true });
    }
  })();
  venvPromise.catch(() => {
    venvPromise = undefined;
  });
  return venvPromise;
}

/** `<venv>/lib/pythonX.Y/site-packages` (the real X.Y of the venv). */
export function venvSitePackages(venv: string): string {
  const lib = path.join(venv, 'lib');
  const py = fs.readdirSync(lib).find((d) => /^python\d+\.\d+$/.test(d));
  if (!py) throw new Error(`no lib/pythonX.Y in venv ${venv}`);
  return path.join(lib, py, 'site-packages');
}

// ---------------------------------------------------------------------------------------------
// Preparing a ServerRoot
// ---------------------------------------------------------------------------------------------

interface Prepared {
  root: string;
  confPath: string;
  errorLogPath: string;
  pidPath: string;
  port: number;
  httpsPort: number | undefined;
  mainConfig: string;
  rewritten: Record<string, string>;
}

function normalizeConfig(conf: ApacheSiteConfig | string): ApacheSiteConfig {
  return typeof conf === 'string' ? { files: { 'site.conf': conf }, include: ['site.conf'] } : conf;
}

function checkRelative(p: string): string {
  const norm = path.posix.normalize(p);
  if (path.isAbsolute(p) || norm === '..' || norm.startsWith('../') || norm === '.' || norm === '') {
    throw new Error(`harness file path must be relative and inside the ServerRoot: ${JSON.stringify(p)}`);
  }
  if (norm === HARNESS_DIR || norm.startsWith(`${HARNESS_DIR}/`)) {
    throw new Error(`harness file path ${JSON.stringify(p)} is reserved for the harness`);
  }
  return norm;
}

let builtIn: Set<string> | undefined;

/**
 * Modules compiled into the httpd binary (`apache2 -l`; on Debian log_config, logio, version,
 * unixd, ...): they must not get a LoadModule line.
 */
export function builtInModules(): Set<string> {
  if (!builtIn) {
    const out = execFileSync(APACHE_BIN, ['-l'], { env: cleanEnv(), encoding: 'utf8', timeout: 10_000 });
    builtIn = new Set([...out.matchAll(/^\s*mod_(\w+)\.c$/gm)].map((m) => m[1]!));
  }
  return builtIn;
}

function moduleExists(name: string): boolean {
  return fs.existsSync(path.join(MODULES_DIR, `mod_${name}.so`));
}

const keepRoots = (): boolean => /^(1|true|yes)$/i.test(process.env.WSGI_MIGRATE_KEEP_HTTPD ?? '');

async function removeRoot(root: string): Promise<void> {
  if (keepRoots()) {
    process.stderr.write(`[apache harness] kept ServerRoot ${root}\n`);
    return;
  }
  await fsp.rm(root, { recursive: true, force: true });
}

/** Write the ServerRoot and the main config. Caller removes `root` on failure. */
async function prepare(input: ApacheSiteConfig | string, root: string): Promise<Prepared> {
  const conf = normalizeConfig(input);
  const isRoot = process.getuid?.() === 0;
  const h = path.join(root, HARNESS_DIR);
  const runDir = path.join(h, 'run');
  const logDir = path.join(h, 'logs');
  fs.mkdirSync(runDir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(logDir, { recursive: true, mode: 0o755 });
  fs.chmodSync(root, 0o755); // mkdtemp makes 0700; www-data must traverse it
  const errorLogPath = path.join(logDir, 'error.log');
  const accessLogPath = path.join(logDir, 'access.log');
  const pidPath = path.join(h, 'httpd.pid');
  const socketPrefix = path.join(runDir, 'wsgi');
  // mod_wsgi appends ".<pid>.<generation>.<id>.sock"; a unix socket path has at most 107 bytes.
  if (Buffer.byteLength(socketPrefix) > 70) {
    throw new Error(`temporary dir path too long for mod_wsgi sockets (${socketPrefix}); use a shorter TMPDIR`);
  }

  const includeSet = new Set(conf.include.map(checkRelative));
  for (const inc of includeSet) {
    if (!Object.keys(conf.files).some((f) => checkRelative(f) === inc)) {
      throw new Error(`include ${JSON.stringify(inc)} is not one of the files`);
    }
  }

  // Replacements first (on every string file), then see what the included config needs.
  const resolveRel = (v: string) => path.join(root, checkRelative(v));
  const texts = new Map<string, string | Buffer>();
  for (const [rel, content] of Object.entries(conf.files)) {
    const norm = checkRelative(rel);
    texts.set(norm, typeof content === 'string' ? applyReplacements(content, conf.replace, resolveRel) : content);
  }
  const isApacheConf = (rel: string) => includeSet.has(rel) || rel.endsWith('.conf');
  const confTexts = [...texts].filter(([rel, c]) => typeof c === 'string' && isApacheConf(rel)).map(([, c]) => c as string);
  const mentionsSsl = confTexts.some((t) => /ssl/i.test(t));
  const cert = mentionsSsl ? await testCertificate() : undefined;
  const wantsHttps = confTexts.some((t) => /<VirtualHost\s[^>]*:443\b/i.test(t));

  const [port, httpsCandidate] = await freePorts(2);
  const httpsPort = wantsHttps ? httpsCandidate : undefined;

  const rewritten: Record<string, string> = {};
  for (const [rel, content] of texts) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    let data = content;
    if (typeof content === 'string' && isApacheConf(rel)) {
      data = rewriteSiteConfig(content, {
        httpPort: port!,
        httpsPort: httpsPort ?? port!,
        certFile: cert?.cert,
        keyFile: cert?.key,
        errorLog: errorLogPath,
        accessLog: accessLogPath,
        socketPrefix,
        pidFile: pidPath,
      }).text;
      rewritten[rel] = data;
    }
    fs.writeFileSync(file, data, { mode: 0o644 });
  }
  for (const rel of conf.probe ?? []) {
    const file = path.join(root, checkRelative(rel));
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.copyFileSync(PROBE_WSGI, file);
    fs.chmodSync(file, 0o644);
  }
  // Directories created by mkdirSync honour the umask; make the whole tree reachable.
  chmodTree(root);

  const modules = [...BASE_MODULES, ...(mentionsSsl ? ['socache_shmcb', 'ssl'] : []), ...(conf.modules ?? [])];
  const uniqueModules = [...new Set(modules)].filter((m) => !builtInModules().has(m));
  for (const m of uniqueModules) {
    if (!moduleExists(m)) throw new Error(`Apache module mod_${m}.so not found in ${MODULES_DIR}. Run: ${INSTALL_HINT}`);
  }
  fs.writeFileSync(path.join(h, 'mime.types'), '', { mode: 0o644 });

  const lines = [
    '# Generated by test/helpers/apache.ts: a private, loopback-only Apache for tests.',
    `ServerRoot ${q(root)}`,
    `DefaultRuntimeDir ${q(runDir)}`,
    `PidFile ${q(pidPath)}`,
    ...uniqueModules.map((m) => `LoadModule ${m}_module ${q(path.join(MODULES_DIR, `mod_${m}.so`))}`),
    '',
    '# What Debian normally exports from /etc/apache2/envvars (not sourced when apache2 is run directly)',
    `Define APACHE_RUN_USER www-data`,
    `Define APACHE_RUN_GROUP www-data`,
    `Define APACHE_PID_FILE ${pidPath}`,
    `Define APACHE_RUN_DIR ${runDir}`,
    `Define APACHE_LOCK_DIR ${runDir}`,
    `Define APACHE_LOG_DIR ${logDir}`,
    '',
    `Listen 127.0.0.1:${port}`,
    ...(httpsPort !== undefined ? [`Listen 127.0.0.1:${httpsPort} https`] : []),
    'ServerName 127.0.0.1',
    ...(isRoot ? ['User www-data', 'Group www-data'] : []),
    `ErrorLog ${q(errorLogPath)}`,
    'LogLevel warn wsgi:info',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %O" common',
    `CustomLog ${q(accessLogPath)} combined`,
    `TypesConfig ${q(path.join(h, 'mime.types'))}`,
    `WSGISocketPrefix ${q(socketPrefix)}`,
    // Server-wide default pair, inherited by SSL vhosts that name none of their own.
    ...(cert ? [`SSLCertificateFile ${q(cert.cert)}`, `SSLCertificateKeyFile ${q(cert.key)}`] : []),
    'Timeout 30',
    'KeepAlive Off',
    'StartServers 2',
    'MinSpareServers 1',
    'MaxSpareServers 4',
    'MaxRequestWorkers 16',
    '',
    ...[...includeSet].map((rel) => `Include ${q(path.join(root, rel))}`),
    '',
  ];
  const mainConfig = lines.join('\n');
  const confPath = path.join(h, 'httpd.conf');
  fs.writeFileSync(confPath, mainConfig, { mode: 0o644 });
  return { root, confPath, errorLogPath, pidPath, port: port!, httpsPort, mainConfig, rewritten };
}

function chmodTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      fs.chmodSync(p, 0o755);
      chmodTree(p);
    }
  }
}

async function makeRoot(): Promise<string> {
  assertReachableByOthers(os.tmpdir());
  return fsp.mkdtemp(path.join(os.tmpdir(), 'wsgi-migrate-httpd-'));
}

// ---------------------------------------------------------------------------------------------
// configtest
// ---------------------------------------------------------------------------------------------

/**
 * `apache2 -t` on the given site config in a private ServerRoot (see {@link ApacheSiteConfig}
 * and {@link rewriteSiteConfig} for what is rewritten). Nothing is started; the ServerRoot is
 * removed afterwards.
 *
 * @example
 * const r = await configtest('WSGIRestrictedEmbedded On\n');
 * // r.ok === false, r.output contains "Invalid command 'WSGIRestrictedEmbedded'"
 */
export async function configtest(conf: ApacheSiteConfig | string): Promise<ConfigtestResult> {
  assertApacheInstalled();
  const root = await makeRoot();
  try {
    const p = await prepare(conf, root);
    const r = await runCommand(APACHE_BIN, ['-t', '-f', p.confPath], path.join(root, HARNESS_DIR, 'configtest.out'));
    return { ok: r.code === 0, output: r.output, mainConfig: p.mainConfig, rewritten: p.rewritten };
  } finally {
    await removeRoot(root);
  }
}

// ---------------------------------------------------------------------------------------------
// startApache
// ---------------------------------------------------------------------------------------------

/** Instances not stopped yet: ended synchronously if the test process exits without stop(). */
const live = new Map<string, { pid: number | undefined; root: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (const { pid, root } of live.values()) {
      if (pid !== undefined && isProcessRunning(pid)) {
        trySignal(pid, 'SIGTERM');
        const deadline = Date.now() + 3000;
        while (isProcessRunning(pid) && Date.now() < deadline) Atomics.wait(nap, 0, 0, 20);
        for (const p of [pid, ...sessionMembers(pid)]) trySignal(p, 'SIGKILL');
      }
      if (!keepRoots()) fs.rmSync(root, { recursive: true, force: true });
    }
  });
}

/** Options of {@link startApache}. */
export interface StartOptions {
  /** Bound for the server to come up. Default 20 s. */
  startTimeoutMs?: number;
}

/**
 * Start a real Apache (`apache2 -f <conf> -k start`, prefork MPM) on 127.0.0.1 with the given
 * site config, and wait (bounded) until its PidFile is written and its port(s) accept
 * connections. Retries with new ports if a port was taken meanwhile. Always call `stop()`.
 *
 * @throws when Apache is not installed, the config is rejected, or the server does not come up
 *   (the message has apache2's output and error log).
 */
export async function startApache(conf: ApacheSiteConfig | string, options: StartOptions = {}): Promise<RunningApache> {
  assertApacheInstalled();
  installExitHook();
  const startTimeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const root = await makeRoot();
    const entry: { pid: number | undefined; root: string } = { pid: undefined, root };
    live.set(root, entry);
    let p: Prepared | undefined;
    try {
      p = await prepare(conf, root);
      const r = await runCommand(APACHE_BIN, ['-f', p.confPath, '-k', 'start'], path.join(root, HARNESS_DIR, 'start.out'));
      if (r.code !== 0) {
        const log = readIfExists(p.errorLogPath);
        if (attempt < 3 && /Address already in use/.test(r.output + log)) {
          throw new RetryStart();
        }
        throw new Error(`apache2 -k start failed (exit ${r.code ?? r.signal}):\n${r.output}\n--- error log ---\n${log}`);
      }
      const prepared = p;
      const pidOk = await waitFor(() => readPid(prepared.pidPath) !== undefined, startTimeoutMs);
      const pid = readPid(p.pidPath);
      if (!pidOk || pid === undefined) {
        throw new Error(`apache2 wrote no PidFile within ${startTimeoutMs} ms:\n${r.output}\n--- error log ---\n${readIfExists(p.errorLogPath)}`);
      }
      entry.pid = pid;
      const deadline = Date.now() + startTimeoutMs;
      for (const port of [p.port, ...(p.httpsPort !== undefined ? [p.httpsPort] : [])]) {
        for (;;) {
          if (!isProcessRunning(pid)) {
            throw new Error(`apache2 (pid ${pid}) exited during start-up:\n--- error log ---\n${readIfExists(p.errorLogPath)}`);
          }
          if (await canConnect(port)) break;
          if (Date.now() > deadline) {
            throw new Error(`apache2 did not answer on 127.0.0.1:${port} within ${startTimeoutMs} ms:\n${readIfExists(p.errorLogPath)}`);
          }
          await sleep(25);
        }
      }
      return makeRunning(p, pid);
    } catch (err) {
      if (entry.pid !== undefined || (p && readPid(p.pidPath) !== undefined)) {
        await stopProcess(entry.pid ?? readPid(p!.pidPath)!, p!.confPath).catch(() => undefined);
      }
      live.delete(root);
      await removeRoot(root);
      if (err instanceof RetryStart) continue;
      throw err;
    }
  }
}

class RetryStart extends Error {}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readPid(pidPath: string): number | undefined {
  const s = readIfExists(pidPath).trim();
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

/**
 * SIGTERM `pid` (only if it is the apache2 started with `confPath`), wait until it and its
 * session are gone, SIGKILL as a last resort.
 */
async function stopProcess(pid: number, confPath: string): Promise<void> {
  if (!isProcessRunning(pid)) return;
  const cmd = cmdlineOf(pid);
  if (cmd && !cmd.includes(confPath)) {
    // The pid was reused by something else: never signal a process we did not start.
    return;
  }
  trySignal(pid, 'SIGTERM');
  const gone = () => !isProcessRunning(pid) && sessionMembers(pid).length === 0;
  if (await waitFor(gone, STOP_TIMEOUT_MS)) return;
  for (const p of [pid, ...sessionMembers(pid)]) trySignal(p, 'SIGKILL');
  if (await waitFor(gone, KILL_TIMEOUT_MS)) return;
  throw new Error(`apache2 (pid ${pid}) or its children did not exit after SIGTERM and SIGKILL`);
}

function makeRunning(p: Prepared, pid: number): RunningApache {
  let stopping: Promise<void> | undefined;
  const url = (reqPath = '/', opts: { https?: boolean } = {}): string => {
    if (opts.https && p.httpsPort === undefined) throw new Error('this config has no :443 vhost, so no https port');
    return opts.https ? `https://127.0.0.1:${p.httpsPort}${reqPath}` : `http://127.0.0.1:${p.port}${reqPath}`;
  };
  return {
    port: p.port,
    httpsPort: p.httpsPort,
    pid,
    root: p.root,
    confPath: p.confPath,
    url,
    async get<T = ProbeReport>(reqPath = '/', headers: Record<string, string> = {}, opts: GetOptions = {}) {
      return httpGet<T>(url(reqPath, opts), headers, opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
    },
    errorLog: () => readIfExists(p.errorLogPath),
    stop() {
      stopping ??= (async () => {
        try {
          await stopProcess(pid, p.confPath);
        } finally {
          live.delete(p.root);
          await removeRoot(p.root);
        }
      })();
      return stopping;
    },
  };
}

/** TLS SNI name from a Host header (no port, not an IP), else "localhost". */
function sniName(headers: Record<string, string>): string {
  const host = Object.entries(headers).find(([k]) => k.toLowerCase() === 'host')?.[1];
  const name = host?.replace(/:\d+$/, '');
  return name && !net.isIP(name) ? name : 'localhost';
}

/** GET with one fresh connection, bounded by `timeoutMs` overall. */
export function httpGet<T = ProbeReport>(
  target: string,
  headers: Record<string, string> = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<HttpResult<T>> {
  const u = new URL(target);
  if (u.hostname !== '127.0.0.1') throw new Error(`harness requests go to 127.0.0.1 only, not ${u.hostname}`);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: '127.0.0.1',
        port: Number(u.port),
        path: `${u.pathname}${u.search}`,
        method: 'GET',
        headers: { Connection: 'close', ...headers },
        agent: false,
        rejectUnauthorized: false,
        servername: u.protocol === 'https:' ? sniName(headers) : undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', fail);
        res.once('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks).toString('utf8');
          let json: T | undefined;
          if (/json/i.test(String(res.headers['content-type'] ?? ''))) {
            try {
              json = JSON.parse(body) as T;
            } catch {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`GET ${target}: no complete answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(err: Error) {
      clearTimeout(timer);
      reject(err);
    }
    req.once('error', fail);
    req.end();
  });
}
