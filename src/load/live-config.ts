// Finding the live server's main config as the server itself does: `--config` when given; Debian's
// APACHE_CONFDIR (apache2ctl runs `apache2 -d $APACHE_CONFDIR`); `apachectl -V` (HTTPD_ROOT and
// SERVER_CONFIG_FILE); else the layouts distributions install.
import { statSync } from 'node:fs'
import path from 'node:path'
import { apachectlAt, compiledPaths, findApachectl, gracefulCommand, runApachectl, type Apachectl } from './apachectl.js'

export interface Layout {
  name: string
  /** The main config, from the system root. */
  config: string
  /** How the service is reloaded by hand there. */
  reload: string
}

/** Where distributions put the main config, in the order they are tried. */
export const LAYOUTS: readonly Layout[] = [
  { name: 'Debian/Ubuntu', config: 'etc/apache2/apache2.conf', reload: 'systemctl reload apache2' },
  { name: 'SUSE', config: 'etc/apache2/httpd.conf', reload: 'systemctl reload apache2' },
  { name: 'Red Hat/Fedora/Arch', config: 'etc/httpd/conf/httpd.conf', reload: 'systemctl reload httpd' },
  { name: 'FreeBSD', config: 'usr/local/etc/apache24/httpd.conf', reload: 'service apache24 graceful' },
  { name: 'Homebrew', config: 'opt/homebrew/etc/httpd/httpd.conf', reload: 'brew services restart httpd' },
  { name: 'Homebrew', config: 'usr/local/etc/httpd/httpd.conf', reload: 'brew services restart httpd' },
]

export interface LiveConfig {
  /** Absolute path of the main config. */
  mainConfig: string
  /** How it was found, for the user: `apache2ctl -V`, `--config`, `the Debian/Ubuntu layout`... */
  found: string
  /** The control program for configtest and reload; undefined when none was found. */
  ctl?: Apachectl
  /** The folder that stands for `/` in the layout (`/` on a server; a test's private tree). */
  prefix: string
  /** How to reload by hand. */
  reload: string
}

export interface FindOptions {
  config?: string
  /** The control program; default: the first on PATH (or in sbin); false: none. */
  apachectl?: string | false
  env: NodeJS.ProcessEnv
  /** Where the layouts are looked for (default `/`). */
  sysroot?: string
}

/** The live server's main config, or why none was found. */
export function findLiveConfig(options: FindOptions): LiveConfig | { error: string } {
  const { env } = options
  if (typeof options.apachectl === 'string' && !isFile(options.apachectl)) return { error: `--apachectl ${options.apachectl}: does not exist` }
  const ctlPath = options.apachectl === false ? undefined : (options.apachectl ?? findApachectl(env))
  const make = (mainConfig: string, found: string, withF: boolean): LiveConfig => {
    const layout = LAYOUTS.find((l) => mainConfig.endsWith(`/${l.config}`))
    const ctl = ctlPath !== undefined ? apachectlAt(ctlPath, withF ? mainConfig : undefined) : undefined
    return {
      mainConfig,
      found,
      ...(ctl ? { ctl } : {}),
      prefix: layout ? path.resolve(mainConfig.slice(0, mainConfig.length - layout.config.length)) : '/',
      reload: [layout?.reload, ctl ? gracefulCommand(ctl) : undefined].filter((x) => x !== undefined).join(', or '),
    }
  }
  if (options.config !== undefined) {
    const config = path.resolve(options.config)
    return isFile(config) ? make(config, '--config', true) : { error: `--config ${options.config}: does not exist` }
  }
  const confdir = env.APACHE_CONFDIR
  if (confdir && isFile(path.join(confdir, 'apache2.conf'))) {
    const found = make(path.resolve(confdir, 'apache2.conf'), 'APACHE_CONFDIR', false)
    return { ...found, reload: instanceReload(path.resolve(confdir), found) }
  }
  if (ctlPath !== undefined) {
    const v = compiledPaths(runApachectl(apachectlAt(ctlPath), ['-V'], env).output)
    if (v.configFile !== undefined) {
      const config = path.resolve(v.httpdRoot ?? '/', v.configFile)
      if (isFile(config)) return make(config, `${path.basename(ctlPath)} -V`, false)
    }
  }
  for (const layout of LAYOUTS) {
    const config = path.join(options.sysroot ?? '/', layout.config)
    if (isFile(config)) return make(config, `the ${layout.name} layout`, true)
  }
  return {
    error:
      `no live Apache configuration found: ${ctlPath ? `${ctlPath} -V names none that exists` : 'no apachectl, apache2ctl or httpd found'}, ` +
      `and none of ${LAYOUTS.map((l) => `/${l.config}`).join(', ')} exists. Give --config FILE (and --apachectl PATH), or name the config files or folders to read`,
  }
}

/**
 * How to reload a Debian instance named by APACHE_CONFDIR: the main one as the layout says; a
 * second instance (/etc/apache2-NAME) by its systemd unit; any other by apache2ctl with the same
 * APACHE_CONFDIR (apache2ctl alone would reload the main instance).
 */
function instanceReload(confdir: string, found: LiveConfig): string {
  if (confdir === '/etc/apache2') return found.reload
  const name = /^\/etc\/apache2-([\w.-]+)$/.exec(confdir)?.[1]
  const graceful = found.ctl ? `APACHE_CONFDIR=${confdir} ${gracefulCommand(found.ctl)}` : undefined
  return [name ? `systemctl reload apache2@${name}` : undefined, graceful].filter((x) => x !== undefined).join(', or ')
}

function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
}
