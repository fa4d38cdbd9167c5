// Temporary file trees for CLI and runner tests: a Debian-like /etc/apache2 with a Kallithea site
// written from the 0.3.1 docs, plus tools to snapshot a tree and to run the built CLI on it.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const projectDir = fileURLToPath(new URL('../../', import.meta.url))
// The bin: dist/src/cli.js bundled into one file (start-up is mostly module loading).
export const cliPath = path.join(projectDir, 'dist/cli.js')

/** A file (text or bytes, with an optional mode), a symlink, or an empty directory. */
export type Entry = string | Buffer | { content: string | Buffer; mode: number } | { symlink: string } | { dir: true }

/** `@ROOT@` in contents and symlink targets stands for the tree's (real) root directory. */
export const ROOT = '@ROOT@'

export function makeTree(entries: Record<string, Entry>, prefix = 'wsgi-migrate-'): string {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)))
  addToTree(root, entries)
  return root
}

export function addToTree(root: string, entries: Record<string, Entry>): void {
  const fill = (s: string): string => s.split(ROOT).join(root)
  for (const [rel, entry] of Object.entries(entries)) {
    const full = path.join(root, rel)
    mkdirSync(path.dirname(full), { recursive: true })
    if (typeof entry === 'string') writeFileSync(full, fill(entry))
    else if (Buffer.isBuffer(entry)) writeFileSync(full, entry)
    else if ('symlink' in entry) symlinkSync(fill(entry.symlink), full)
    else if ('dir' in entry) mkdirSync(full, { recursive: true })
    else {
      writeFileSync(full, typeof entry.content === 'string' ? fill(entry.content) : entry.content)
      chmodSync(full, entry.mode)
    }
  }
}

export function removeTree(root: string): void {
  // Read-only files or folders made by a test must not stop the clean-up.
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name)
      if (e.isDirectory()) {
        chmodSync(full, 0o755)
        walk(full)
      }
    }
  }
  try {
    chmodSync(root, 0o755)
    walk(root)
  } catch {
    // best effort
  }
  rmSync(root, { recursive: true, force: true })
}

/** makeTree for one test file: every tree it makes is removed once the file's tests are done. */
export function treeMaker(after: { always: (fn: () => void) => void }): (entries: Record<string, Entry>) => string {
  const made: string[] = []
  after.always(() => {
    for (const root of made) removeTree(root)
  })
  return (entries) => {
    const root = makeTree(entries)
    made.push(root)
    return root
  }
}

export interface FileState {
  kind: 'file' | 'symlink' | 'dir'
  bytes?: Buffer
  target?: string
  mode: number
  mtimeMs: number
}

/** Every path under `root` (symlinks not followed) with its bytes or target, mode and mtime. */
export function snapshot(root: string): Map<string, FileState> {
  const out = new Map<string, FileState>()
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      const rel = path.relative(root, full)
      const st = lstatSync(full)
      if (st.isSymbolicLink()) out.set(rel, { kind: 'symlink', target: readlinkSync(full), mode: st.mode, mtimeMs: st.mtimeMs })
      else if (st.isDirectory()) {
        out.set(rel, { kind: 'dir', mode: st.mode, mtimeMs: st.mtimeMs })
        walk(full)
      } else out.set(rel, { kind: 'file', bytes: readFileSync(full), mode: st.mode, mtimeMs: st.mtimeMs })
    }
  }
  walk(root)
  return out
}

export const SITE_0_3_1 = `# Kallithea, set up from the 0.3.1 "Apache with mod_wsgi" docs.
<VirtualHost *:80>
    ServerName hg.example.com
    ServerAdmin admin@example.com

    WSGIDaemonProcess kallithea \\
        processes=1 threads=4 \\
        python-path=@ROOT@/srv/kallithea/venv/lib/python2.7/site-packages \\
        user=www-data group=www-data
    WSGIScriptAlias / @ROOT@/srv/kallithea/dispatch.wsgi

    ErrorLog \${APACHE_LOG_DIR}/kallithea-error.log
    CustomLog \${APACHE_LOG_DIR}/kallithea-access.log combined
</VirtualHost>
`

export const DISPATCH_0_3_1 = `activate_this = '@ROOT@/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

import os
os.environ['HOME'] = '@ROOT@/srv/kallithea'

ini = '@ROOT@/srv/kallithea/kallithea.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

export const APACHE2_CONF = `# Main Apache configuration (Debian layout, trimmed).
DefaultRuntimeDir \${APACHE_RUN_DIR}
PidFile \${APACHE_PID_FILE}
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5

User \${APACHE_RUN_USER}
Group \${APACHE_RUN_GROUP}

HostnameLookups Off
ErrorLog \${APACHE_LOG_DIR}/error.log
LogLevel warn

IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf

Include ports.conf

<Directory />
\tOptions FollowSymLinks
\tAllowOverride None
\tRequire all denied
</Directory>

<Directory /var/www/>
\tOptions Indexes FollowSymLinks
\tAllowOverride None
\tRequire all granted
</Directory>

AccessFileName .htaccess
<FilesMatch "^\\.ht">
\tRequire all denied
</FilesMatch>

LogFormat "%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" vhost_combined
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined

IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
`

export const ENVVARS = `# envvars - default environment variables for apache2ctl
unset HOME
if [ "\${APACHE_CONFDIR##/etc/apache2-}" != "\${APACHE_CONFDIR}" ] ; then
\tSUFFIX="-\${APACHE_CONFDIR##/etc/apache2-}"
else
\tSUFFIX=
fi
export APACHE_RUN_USER=www-data
export APACHE_RUN_GROUP=www-data
export APACHE_PID_FILE=/var/run/apache2$SUFFIX/apache2.pid
export APACHE_RUN_DIR=/var/run/apache2$SUFFIX
export APACHE_LOCK_DIR=/var/lock/apache2$SUFFIX
export APACHE_LOG_DIR=/var/log/apache2$SUFFIX
export LANG=C
export LANG
`

const DEFAULT_SITE = `<VirtualHost *:80>
\tServerAdmin webmaster@localhost
\tDocumentRoot /var/www/html
\tErrorLog \${APACHE_LOG_DIR}/error.log
\tCustomLog \${APACHE_LOG_DIR}/access.log combined
</VirtualHost>
`

/** A Debian-like tree: `etc/apache2/...` and `srv/kallithea/dispatch.wsgi`, the site enabled by symlink. */
export function debianTree(options: { sites?: number } = {}): Record<string, Entry> {
  const entries: Record<string, Entry> = {
    'etc/apache2/apache2.conf': APACHE2_CONF,
    'etc/apache2/envvars': ENVVARS,
    'etc/apache2/ports.conf': 'Listen 80\n\n<IfModule ssl_module>\n\tListen 443\n</IfModule>\n',
    'etc/apache2/mods-available/wsgi.load': 'LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n',
    'etc/apache2/mods-available/wsgi.conf': '<IfModule mod_wsgi.c>\n    # WSGIPythonPath directory|directory-1:directory-2:...\n</IfModule>\n',
    'etc/apache2/mods-available/mpm_event.load': 'LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n',
    'etc/apache2/mods-enabled/wsgi.load': { symlink: '../mods-available/wsgi.load' },
    'etc/apache2/mods-enabled/wsgi.conf': { symlink: '../mods-available/wsgi.conf' },
    'etc/apache2/mods-enabled/mpm_event.load': { symlink: '../mods-available/mpm_event.load' },
    'etc/apache2/conf-available/charset.conf': '# AddDefaultCharset UTF-8\n',
    'etc/apache2/conf-enabled/charset.conf': { symlink: '../conf-available/charset.conf' },
    'etc/apache2/sites-available/000-default.conf': DEFAULT_SITE,
    'etc/apache2/sites-enabled/000-default.conf': { symlink: '../sites-available/000-default.conf' },
    'etc/apache2/sites-available/kallithea.conf': SITE_0_3_1,
    'etc/apache2/sites-enabled/kallithea.conf': { symlink: '../sites-available/kallithea.conf' },
    'srv/kallithea/dispatch.wsgi': DISPATCH_0_3_1,
  }
  for (let i = 1; i < (options.sites ?? 1); i++) {
    const site = `kallithea${i}`
    entries[`etc/apache2/sites-available/${site}.conf`] = SITE_0_3_1.replaceAll('kallithea', site).replace('hg.example.com', `hg${i}.example.com`)
    entries[`etc/apache2/sites-enabled/${site}.conf`] = { symlink: `../sites-available/${site}.conf` }
    entries[`srv/${site}/dispatch.wsgi`] = DISPATCH_0_3_1.replaceAll('kallithea', site)
  }
  return entries
}

/** The seven steps of the 0.3.2 form: what the 0.3.1 docs form needs (the default target). */
export const STEPS_0_3_2 = [
  'drop-processes-1',
  'pass-authorization',
  'process-group',
  'python-home',
  'redundant-user-group',
  'restrict-embedded',
  'script-activation',
]

/** Every built-in step, 0.3.2 to 0.6.0, sorted. */
export const EVERY_STEP = [...STEPS_0_3_2, 'daemon-lang', 'fileconfig-here', 'logging-config', 'python3', 'single-threaded'].sort()

// ---------------------------------------------------------------------------------------------
// The built CLI

let built = false

/** Build dist/ (npm run build) unless dist/cli.js is newer than every source file. */
export function ensureBuilt(): void {
  if (built) return
  const newest = (dir: string): number => {
    let max = 0
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name)
      if (e.isDirectory()) max = Math.max(max, newest(full))
      else if (e.name.endsWith('.ts')) max = Math.max(max, statSync(full).mtimeMs)
    }
    return max
  }
  const sources = Math.max(newest(path.join(projectDir, 'src')), newest(path.join(projectDir, 'transforms')))
  if (!existsSync(cliPath) || statSync(cliPath).mtimeMs < sources) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: projectDir, stdio: 'inherit' })
  }
  built = true
}

export interface CliRun {
  status: number | null
  stdout: string
  stdoutBytes: Buffer
  stderr: string
}

/** The built CLI with `args`; `uid`/`gid`: run as that user (the tests run as root on CI). */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; uid?: number; gid?: number } = {}): Promise<CliRun> {
  ensureBuilt()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? projectDir,
      env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', reject)
    child.on('close', (status) => {
      const stdoutBytes = Buffer.concat(out)
      resolve({ status, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') })
    })
  })
}

/** Whether a command exists (git, patch). */
export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
}
