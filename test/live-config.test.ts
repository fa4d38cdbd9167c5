// Finding the live server's config (apachectl -V, APACHE_CONFDIR, --config, the distributions'
// layouts) and reading the mod_wsgi version from the module a config loads.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { apacheMessage, apachectlAt, compiledPaths, gracefulCommand } from '../src/load/apachectl.js'
import { findLiveConfig, LAYOUTS } from '../src/load/live-config.js'
import { modWsgiOf, moduleVersion } from '../src/load/mod-wsgi-version.js'
import { parse } from '../src/syntax/parse.js'
import { APACHE_BIN, MODULES_DIR, assertApacheInstalled } from './helpers/apache.js'
import { treeMaker } from './helpers/tree.js'

const tree = treeMaker(test.after)

test('compiledPaths reads HTTPD_ROOT and SERVER_CONFIG_FILE from the real `apache2 -V`', (t) => {
  assertApacheInstalled()
  const r = spawnSync(APACHE_BIN, ['-V'], { encoding: 'utf8' })
  t.deepEqual(compiledPaths(`${r.stdout}${r.stderr}`), { httpdRoot: '/etc/apache2', configFile: 'apache2.conf' })
  // Red Hat's httpd -V, as it prints them.
  t.deepEqual(compiledPaths(' -D HTTPD_ROOT="/etc/httpd"\n -D SERVER_CONFIG_FILE="conf/httpd.conf"\n'), { httpdRoot: '/etc/httpd', configFile: 'conf/httpd.conf' })
  t.deepEqual(compiledPaths('Server version: Apache/2.4\n'), {})
})

test('the layouts, tried in order when no apachectl answers', (t) => {
  const names = (root: string) => findLiveConfig({ env: {}, apachectl: false, sysroot: root })
  for (const layout of LAYOUTS) {
    const root = tree({ [layout.config]: 'Listen 80\n' })
    const found = names(root)
    t.like(found, { mainConfig: path.join(root, layout.config), found: `the ${layout.name} layout`, prefix: root, reload: layout.reload }, layout.config)
  }
  // Debian's apache2.conf wins over SUSE's httpd.conf in the same /etc/apache2.
  const both = tree({ 'etc/apache2/apache2.conf': '', 'etc/apache2/httpd.conf': '' })
  t.like(names(both), { mainConfig: path.join(both, 'etc/apache2/apache2.conf') })
  const none = names(tree({}))
  t.true('error' in none)
  t.regex((none as { error: string }).error, /^no live Apache configuration found: no apachectl, apache2ctl or httpd found, and none of \/etc\/apache2\/apache2\.conf, .*\/usr\/local\/etc\/apache24\/httpd\.conf.* exists\. Give --config FILE/)
})

test('APACHE_CONFDIR (a second Debian instance) and --config come first; apachectl -V otherwise', (t) => {
  assertApacheInstalled()
  const root = tree({ 'etc/apache2-scm/apache2.conf': 'Listen 80\n', 'srv/main.conf': '' })
  const confdir = path.join(root, 'etc/apache2-scm')
  const ctl = '/usr/sbin/apache2ctl'
  t.like(findLiveConfig({ env: { APACHE_CONFDIR: confdir }, apachectl: ctl }), {
    mainConfig: path.join(confdir, 'apache2.conf'),
    found: 'APACHE_CONFDIR',
    ctl: { path: ctl, kind: 'script' },
    prefix: '/',
    // This instance, not the main one: apache2ctl reads APACHE_CONFDIR.
    reload: `APACHE_CONFDIR=${confdir} apache2ctl graceful`,
  })
  const given = findLiveConfig({ env: {}, apachectl: APACHE_BIN, config: path.join(root, 'srv/main.conf') })
  t.like(given, { mainConfig: path.join(root, 'srv/main.conf'), found: '--config', ctl: { path: APACHE_BIN, kind: 'binary', config: path.join(root, 'srv/main.conf') } })
  t.is((given as { reload: string }).reload, `apache2 -f ${path.join(root, 'srv/main.conf')} -k graceful`)
  t.deepEqual(findLiveConfig({ env: {}, config: path.join(root, 'nope.conf') }), { error: `--config ${path.join(root, 'nope.conf')}: does not exist` })
  t.deepEqual(findLiveConfig({ env: {}, apachectl: path.join(root, 'nope') }), { error: `--apachectl ${path.join(root, 'nope')}: does not exist` })
  // Without those, the control program's own answer (-V): a stand-in that answers for a temp tree.
  const httpd = tree({ 'etc/httpd/conf/httpd.conf': 'Listen 80\n' })
  const fake = path.join(httpd, 'apachectl')
  writeFileSync(fake, `#!/bin/sh\nprintf ' -D HTTPD_ROOT="%s"\\n -D SERVER_CONFIG_FILE="conf/httpd.conf"\\n' '${httpd}/etc/httpd'\n`, { mode: 0o755 })
  t.like(findLiveConfig({ env: {}, apachectl: fake }), { mainConfig: path.join(httpd, 'etc/httpd/conf/httpd.conf'), found: 'apachectl -V' })
})

test("apacheMessage: Apache's lines on one line, without apachectl's boilerplate", (t) => {
  const out = "Action '-t' failed.\nThe Apache error log may have more information.\nAH00526: Syntax error on line 3 of /x.conf:\nInvalid command 'WSGIRestrictedEmbedded', perhaps misspelled.\n"
  t.is(apacheMessage(out), "AH00526: Syntax error on line 3 of /x.conf: / Invalid command 'WSGIRestrictedEmbedded', perhaps misspelled")
  t.is(apacheMessage(''), '(no output)')
  t.is(gracefulCommand(apachectlAt('/usr/sbin/apache2ctl')), 'apache2ctl graceful')
})

test("the installed mod_wsgi's version and Python, as its package says", (t) => {
  assertApacheInstalled()
  const module = path.join(MODULES_DIR, 'mod_wsgi.so')
  const found = moduleVersion(module)
  const pkg = spawnSync('dpkg-query', ['-S', module], { encoding: 'utf8' }).stdout.split(':')[0] as string
  const debian = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).stdout.replace(/^\d+:/, '').replace(/[-+~].*$/, '')
  t.is(found.version, debian, `${pkg} ${debian}`)
  t.is(found.source, 'module', 'read from the module itself')
  const python = spawnSync('/usr/bin/python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim()
  t.is(found.python, python)
})

test('mod_wsgi 3.x spells "mod_wsgi/3.4"; 4.x keeps its version beside "mod_wsgi/%s"; LoadModule finds the module', (t) => {
  const root = tree({
    'old/mod_wsgi.so': Buffer.from('\x7fELF\x02\x01\0mod_wsgi/3.4\0libpython2.7.so.1.0\0', 'latin1'),
    'new/mod_wsgi.so-3.9': Buffer.from('\x7fELF\0wsgi_init\x004.7.1\0mod_wsgi/%s\0Python/%d.%d\0', 'latin1'),
    'none/mod_wsgi.so': Buffer.from('\x7fELF\0nothing to see\0', 'latin1'),
  })
  t.like(moduleVersion(path.join(root, 'old/mod_wsgi.so')), { version: '3.4', python: '2.7', source: 'module' })
  t.like(moduleVersion(path.join(root, 'new/mod_wsgi.so-3.9')), { version: '4.7.1', python: '3.9' })
  t.deepEqual(moduleVersion(path.join(root, 'missing.so')), {})
  t.is(moduleVersion(path.join(root, 'none/mod_wsgi.so')).version, undefined)

  const conf = parse('Define MODS modules\n<IfModule !mod_wsgi.c>\n  LoadModule wsgi_module ${MODS}/mod_wsgi.so\n</IfModule>\n', { path: 'httpd.conf' })
  t.deepEqual(modWsgiOf([conf], {}, root), { module: path.join(root, 'modules/mod_wsgi.so') }, 'a Define, applied; no module there: no version')
  const relative = parse('LoadModule wsgi_module old/mod_wsgi.so\n', { path: 'httpd.conf' })
  t.like(modWsgiOf([relative], {}, root), { module: path.join(root, 'old/mod_wsgi.so'), version: '3.4' })
  const fromEnv = parse('LoadModule wsgi_module ${MODS}/mod_wsgi.so\n', { path: 'httpd.conf' })
  t.like(modWsgiOf([fromEnv], { MODS: path.join(root, 'old') }, '/'), { version: '3.4' })
  t.is(modWsgiOf([parse('LoadModule ssl_module x.so\n', { path: 'a.conf' })], {}, root), undefined)
})
