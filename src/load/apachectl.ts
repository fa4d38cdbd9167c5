// Asking the server's own control program: `apachectl -V` for where its config is, `-t` for its
// configtest, `graceful` to reload. apachectl and apache2ctl are shell scripts that take the
// commands; httpd (apache2) is the server binary, which takes `-k graceful`.
import { spawnSync } from 'node:child_process'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import path from 'node:path'

export interface Apachectl {
  /** Absolute path. */
  path: string
  /** script: apachectl/apache2ctl (they source envvars themselves); binary: httpd, apache2. */
  kind: 'script' | 'binary'
  /** `-f FILE` on every call (a --config given on the command line). */
  config?: string
}

export interface CtlResult {
  ok: boolean
  /** stdout and stderr, as Apache wrote them. */
  output: string
  /** The command, for messages. */
  command: string
}

const TIMEOUT_MS = 120_000

/** The names to look for, in order: Debian's wrapper, the upstream one, the binaries. */
export const CTL_NAMES = ['apache2ctl', 'apachectl', 'httpd', 'apache2'] as const

/** Where apachectl usually is, besides PATH (sbin is often not on a user's PATH). */
const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/opt/homebrew/bin', '/usr/local/bin']

/** The first apachectl found on PATH or in the sbin folders; undefined when none. */
export function findApachectl(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter((d) => d !== ''), ...SBIN]
  for (const name of CTL_NAMES) {
    for (const dir of dirs) {
      const p = path.join(dir, name)
      if (statSync(p, { throwIfNoEntry: false })?.isFile()) return path.resolve(p)
    }
  }
  return undefined
}

/** An apachectl at `p`: a script (`#!`) or the server binary. */
export function apachectlAt(p: string, config?: string): Apachectl {
  let head = ''
  try {
    const fd = openSync(p, 'r')
    try {
      const buffer = Buffer.alloc(2)
      head = buffer.toString('latin1', 0, readSync(fd, buffer, 0, 2, 0))
    } finally {
      closeSync(fd)
    }
  } catch {
    // unreadable: run it as a binary; running it says what is wrong
  }
  return { path: path.resolve(p), kind: head === '#!' ? 'script' : 'binary', ...(config !== undefined ? { config } : {}) }
}

/** Run the control program with `args` (after `-f FILE` when it has one). */
export function runApachectl(ctl: Apachectl, args: readonly string[], env: NodeJS.ProcessEnv): CtlResult {
  const full = [...(ctl.config !== undefined ? ['-f', ctl.config] : []), ...args]
  const command = [ctl.path, ...full].join(' ')
  const r = spawnSync(ctl.path, full, { env, encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error) return { ok: false, output: r.error.message, command }
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`, command }
}

/** `-t`: Apache's configtest. */
export const configtest = (ctl: Apachectl, env: NodeJS.ProcessEnv): CtlResult => runApachectl(ctl, ['-t'], env)

/** A graceful restart: `graceful` for the scripts, `-k graceful` for the binary (and after `-f`). */
const gracefulArgs = (ctl: Apachectl): string[] => (ctl.kind === 'script' && ctl.config === undefined ? ['graceful'] : ['-k', 'graceful'])

export const graceful = (ctl: Apachectl, env: NodeJS.ProcessEnv): CtlResult => runApachectl(ctl, gracefulArgs(ctl), env)

/** The graceful restart as a user would type it. */
export function gracefulCommand(ctl: Apachectl): string {
  return [path.basename(ctl.path), ...(ctl.config !== undefined ? ['-f', ctl.config] : []), ...gracefulArgs(ctl)].join(' ')
}

/** HTTPD_ROOT and SERVER_CONFIG_FILE from `apachectl -V` (compiled-in; `-d`/`-f` do not show). */
export function compiledPaths(output: string): { httpdRoot?: string; configFile?: string } {
  const value = (name: string): string | undefined => new RegExp(`-D ${name}="([^"]*)"`).exec(output)?.[1]
  const httpdRoot = value('HTTPD_ROOT')
  const configFile = value('SERVER_CONFIG_FILE')
  return { ...(httpdRoot ? { httpdRoot } : {}), ...(configFile ? { configFile } : {}) }
}

/** Apache's message without apachectl's boilerplate, on one line, with no final period. */
export function apacheMessage(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^Action '.*' failed\.$/.test(l) && !/^The Apache error log may have more information\.$/.test(l))
  return lines.join(' / ').replace(/\.$/, '') || '(no output)'
}
