// A stand-in Kallithea for the real-server tests: a venv made by the Python mod_wsgi embeds
// (/usr/bin/python3 -m venv), holding a small `kallithea` package (a VERSION and a paste app
// factory that reports where it runs) with its dist-info, and Debian's python3-pastedeploy made
// visible as `paste.deploy` alone: like a real Kallithea 0.4+ venv, it has no PasteScript, even
// when the host has python3-pastescript installed.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { SYSTEM_PYTHON } from './apache.js'

/** Where Debian's python3-pastedeploy puts paste.deploy. */
export const DEBIAN_PASTE_DEPLOY = '/usr/lib/python3/dist-packages/paste/deploy'

const APP = (version: string) => `"""Stand-in for Kallithea in wsgi-migrate's tests: a version and a paste app factory."""
import json
import logging
import os
import sys

VERSION = (${version.split('.').join(', ')})
__version__ = '.'.join(str(part) for part in VERSION)


def make_app(global_conf, **settings):
    def application(environ, start_response):
        handlers = [getattr(h, 'baseFilename', None) for h in logging.getLogger().handlers]
        body = json.dumps({
            'kallithea': __version__,
            'process_group': environ.get('mod_wsgi.process_group'),
            'multiprocess': bool(environ.get('wsgi.multiprocess')),
            'multithread': bool(environ.get('wsgi.multithread')),
            'sys_prefix': sys.prefix,
            'lang': os.environ.get('LANG'),
            'log_files': handlers,
            'here': global_conf.get('here'),
        }, sort_keys=True).encode('utf-8')
        start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
        return [body]
    return application
`

/** An ini loaded with loadapp('config:' + ini), whose logging section uses %(here)s. */
export const KALLITHEA_INI = `[app:main]
use = egg:kallithea

[loggers]
keys = root

[handlers]
keys = file

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = file

[handler_file]
class = FileHandler
# delay=True: the file is opened on the first record only (www-data may not write here).
args = ('%(here)s/kallithea.log', 'a', None, True)
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
`

/** Make the stand-in venv at `venv` (its parent must exist); returns the site-packages folder. */
export function makeKallitheaVenv(venv: string, version: string): string {
  if (!existsSync(DEBIAN_PASTE_DEPLOY)) {
    throw new Error(`${DEBIAN_PASTE_DEPLOY} is missing: apt-get install -y python3-pastedeploy`)
  }
  execFileSync('/bin/sh', ['-c', 'umask 022 && exec "$0" -m venv --without-pip "$1"', SYSTEM_PYTHON, venv])
  const xy = execFileSync(SYSTEM_PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim()
  const sitePackages = path.join(venv, 'lib', `python${xy}`, 'site-packages')
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(sitePackages, rel)), { recursive: true })
    writeFileSync(path.join(sitePackages, rel), text)
  }
  write('kallithea/__init__.py', APP(version))
  write(`kallithea-${version}.dist-info/METADATA`, `Metadata-Version: 2.1\nName: kallithea\nVersion: ${version}\n`)
  write(`kallithea-${version}.dist-info/entry_points.txt`, '[paste.app_factory]\nmain = kallithea:make_app\n')
  write('paste/__init__.py', '')
  symlinkSync(DEBIAN_PASTE_DEPLOY, path.join(sitePackages, 'paste', 'deploy'))
  return sitePackages
}
