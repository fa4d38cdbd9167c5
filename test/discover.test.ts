import test from 'ava'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { configNameKind, discoverFiles, isConfigFileName } from '../src/load/discover.js'
import { escapeName, NOT_UTF8 } from '../src/load/entries.js'
import { resolveIncludePattern } from '../src/load/include-pattern.js'
import { excluder } from '../src/load/exclude.js'
import { looksLikeApache } from '../src/load/sniff.js'

/** A fresh directory (real path) holding `root/` and `outside/`. */
function sandbox(t: { teardown: (fn: () => void) => void }): { base: string; root: string; outside: string } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'wsgi-migrate-discover-')))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const root = join(base, 'root')
  const outside = join(base, 'outside')
  mkdirSync(root)
  mkdirSync(outside)
  writeFileSync(join(outside, 'secret.conf'), 'secret\n')
  return { base, root, outside }
}

/** Files holding a comment, or the content given. */
function files(dir: string, paths: Array<string | [string, string]>): void {
  for (const entry of paths) {
    const [path, content] = typeof entry === 'string' ? [entry, `# ${entry}\n`] : entry
    const full = join(dir, path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, content)
  }
}

function link(dir: string, path: string, target: string): void {
  const full = join(dir, path)
  mkdirSync(dirname(full), { recursive: true })
  symlinkSync(target, full)
}

test('isConfigFileName', (t) => {
  const yes = [
    'apache2.conf',
    'httpd.conf',
    'x/kallithea.conf',
    'x/KALLITHEA.CONF',
    'x/kallithea.wsgi',
    'sites-available/default',
    'sites-available/example.com',
    'sites-enabled/000-default',
    'conf.d/README',
    'conf-available/x',
    'conf-enabled/x',
    'mods-available/wsgi.load',
    'mods-enabled/wsgi.load',
    'vhosts.d/kallithea',
    'templates/kallithea.conf.j2',
    'templates/kallithea.conf.erb',
    'templates/kallithea.conf.tpl',
    'templates/kallithea.conf.epp',
    'data/templates/web/apache2/php-fpm/wsgi.stpl',
    'templates/kallithea.conf.template',
    'templates/kallithea.wsgi.j2',
    'templates/vhost.j2',
    'templates/apache.jinja2',
    'sites-available/kallithea.j2',
    'x/site.stpl',
    'x/site.apache',
    'x/example.com.vhost',
    'x/kallithea.conf.in',
    'x/httpd.conf.sample',
    'x/kallithea.conf.sample.j2',
  ]
  const no = [
    'envvars',
    'magic',
    'x/kallithea.ini',
    'x/kallithea.conf.orig',
    'x/kallithea.conf~',
    'x/.kallithea.conf',
    'x/.kallithea.conf.wsgi-migrate-1a2b.tmp',
    'sites-available/.hidden',
    'sites-available/default.dpkg-old',
    'sites-available/default.bak',
    'sites-available/#default#',
    'conf.d/x.conf.rpmnew',
    'conf.d/x.swp',
    'templates/settings.py.j2',
    'templates/index.html.tpl',
    'templates/kallithea.ini.j2',
    'templates/.j2',
    'templates/x.conf.orig.j2',
    'other/default',
  ]
  for (const path of yes) t.true(isConfigFileName(path), path)
  for (const path of no) t.false(isConfigFileName(path), path)
  // By name alone, or only when the content is Apache's.
  t.is(configNameKind('x/kallithea.conf'), 'yes')
  t.is(configNameKind('sites-available/default'), 'yes')
  t.is(configNameKind('templates/kallithea.wsgi.j2'), 'yes')
  for (const path of ['templates/kallithea.conf.j2', 'templates/vhost.j2', 'x/site.stpl', 'x/kallithea.conf.in', 'x/httpd.conf.sample']) {
    t.is(configNameKind(path), 'maybe', path)
  }
})

test('looksLikeApache: a section tag or a known directive at the start of a line', (t) => {
  t.true(looksLikeApache('<VirtualHost {{ ip }}:80>\n  ServerName {{ name }}\n</VirtualHost>\n'))
  t.true(looksLikeApache('# comment\n\tWSGIScriptAlias / /srv/k/dispatch.wsgi\n'))
  t.true(looksLikeApache('<% if @ssl %>\nSSLEngine on\n<% end %>\n'))
  t.true(looksLikeApache('Include conf.d/*.conf\r\n'))
  t.false(looksLikeApache('DEBUG = {{ debug }}\nALLOWED_HOSTS = ["x"]\n'))
  t.false(looksLikeApache('server {\n  listen 80;\n  server_name x;\n}\n'), 'nginx is not Apache')
  t.false(looksLikeApache(''))
})

test('excluder: names anywhere, paths from the base, folders with everything below', (t) => {
  const ex = excluder(['*.j2', 'old', 'roles/*/files/legacy.conf', 'docs/'], '/repo')
  t.is(ex('/repo/roles/web/templates/vhost.j2'), '*.j2')
  t.is(ex('/repo/apache/old/site.conf'), 'old')
  t.is(ex('/repo/roles/web/files/legacy.conf'), 'roles/*/files/legacy.conf')
  t.is(ex('/repo/docs/0.3.1/apache.conf'), 'docs/')
  t.is(ex('/repo/apache/site.conf'), undefined)
  t.is(ex('/repo/roles/web/files/other/legacy.conf'), undefined, '* stays within one folder')
  t.is(ex('/elsewhere/x.conf'), undefined)
  t.is(ex('/elsewhere/x.conf.j2'), '*.j2', 'outside the base: by its name')
  t.is(excluder([], '/repo')('/repo/x.conf'), undefined)
})

test('discoverFiles: templates and sample files are read when their content is Apache; --exclude leaves files out', (t) => {
  const { root } = sandbox(t)
  files(root, [
    ['templates/vhost.conf.j2', '<VirtualHost *:80>\n  ServerName {{ host }}\n</VirtualHost>\n'],
    ['templates/settings.j2', 'DEBUG = {{ debug }}\n'],
    ['panel/ssl.stpl', '<VirtualHost %ip%:%web_ssl_port%>\n    ServerName %domain_idn%\n</VirtualHost>\n'],
    ['dist/httpd.conf.sample', 'Listen 80\n'],
    ['dist/notes.sample', 'remember the milk\n'],
    ['old/site.conf', 'ServerName old\n'],
    ['site.conf', 'ServerName new\n'],
  ])
  const result = discoverFiles([root], { root, exclude: excluder(['old'], root) })
  t.deepEqual(result.files.map((f) => f.slice(root.length + 1)), ['dist/httpd.conf.sample', 'panel/ssl.stpl', 'site.conf', 'templates/vhost.conf.j2'])
  t.deepEqual(result.skipped.map((s) => [s.path.slice(root.length + 1), s.code]), [
    ['dist/notes.sample', 'not-apache'],
    ['old', 'excluded'],
    ['templates/settings.j2', 'not-apache'],
  ])
  // A file named on the command line is read whatever it holds, excluded or not.
  const named = discoverFiles([join(root, 'dist/notes.sample'), join(root, 'old/site.conf')], { root, exclude: excluder(['old', '*.sample'], root) })
  t.deepEqual(named.files.map((f) => f.slice(root.length + 1)), ['dist/notes.sample', 'old/site.conf'])
})

test('discoverFiles scans directories, follows symlinks inside the root only, sorts and dedupes', (t) => {
  const { base, root, outside } = sandbox(t)
  files(root, [
    'apache2.conf',
    'ports.conf',
    'envvars',
    'magic',
    'sites-available/kallithea.conf',
    'sites-available/example.com',
    'sites-available/default',
    'sites-available/kallithea.conf.orig',
    'sites-available/.hidden.conf',
    'sites-available/kallithea.conf~',
    'conf.d/wsgi.conf',
    'conf.d/README',
    'mods-available/wsgi.load',
    ['templates/kallithea.conf.j2', '<VirtualHost *:80>\n</VirtualHost>\n'],
    ['templates/vhost.j2', 'ServerName {{ name }}\n'],
    'templates/settings.py.j2',
    'templates/index.html.tpl',
    'wsgi/dispatch.wsgi',
    'deep/a/b/c.conf',
    '.git/config.conf',
    'node_modules/pkg/x.conf',
    'sub/node_modules/y.conf',
  ])
  link(root, 'sites-enabled/kallithea.conf', '../sites-available/kallithea.conf')
  link(root, 'sites-enabled/evil.conf', '/etc/passwd')
  link(root, 'sites-enabled/secret.conf', join(outside, 'secret.conf'))
  link(root, 'sites-enabled/broken.conf', '../sites-available/gone.conf')
  link(root, 'sites-enabled/loop.conf', 'loop.conf')
  link(root, 'misc/notconfig.txt', '/etc/passwd') // not config-like: not reported
  link(root, 'confdir', 'conf.d') // directory inside the root: already scanned, deduped
  link(root, 'outdir', outside) // directory outside the root
  link(root, 'deep/a/up', '../..') // cycle
  execFileSync('mkfifo', [join(root, 'conf.d/fifo.conf')])

  const result = discoverFiles([root], { root })
  t.deepEqual(
    result.files.map((file) => file.slice(root.length + 1)),
    [
      'apache2.conf',
      'conf.d/README',
      'conf.d/wsgi.conf',
      'deep/a/b/c.conf',
      'mods-available/wsgi.load',
      'ports.conf',
      'sites-available/default',
      'sites-available/example.com',
      'sites-available/kallithea.conf',
      'templates/kallithea.conf.j2',
      'templates/vhost.j2',
      'wsgi/dispatch.wsgi',
    ],
  )
  t.true(result.files.every((file) => file.startsWith(root + '/')))
  t.deepEqual(result.skipped, [
    { path: join(root, 'conf.d/fifo.conf'), code: 'unreadable', reason: 'not a regular file' },
    { path: join(root, 'outdir'), code: 'outside-root', reason: `symlink leaves the root (-> ${outside})` },
    { path: join(root, 'sites-enabled/broken.conf'), code: 'unreadable', reason: 'broken symlink (-> ../sites-available/gone.conf)' },
    { path: join(root, 'sites-enabled/evil.conf'), code: 'outside-root', reason: 'symlink leaves the root (-> /etc/passwd)' },
    { path: join(root, 'sites-enabled/loop.conf'), code: 'unreadable', reason: 'symlink loop' },
    { path: join(root, 'sites-enabled/secret.conf'), code: 'outside-root', reason: `symlink leaves the root (-> ${join(outside, 'secret.conf')})` },
  ])
  t.not(base, root)
})

test('discoverFiles: explicit files, files outside the root, missing paths, relative root', (t) => {
  const { root, outside } = sandbox(t)
  files(root, ['sites-available/kallithea', 'notes.txt', 'conf.d/a.conf'])
  link(root, 'sites-enabled/kallithea', '../sites-available/kallithea')
  link(root, 'sites-enabled/evil', '/etc/passwd')
  link(root, 'out', outside)
  const result = discoverFiles(
    [
      join(root, 'notes.txt'), // explicit: taken whatever the name
      join(root, 'sites-enabled/kallithea'), // symlink inside the root: its real path
      join(root, 'sites-available/kallithea'), // the same file again: deduped
      join(root, 'sites-enabled/evil'),
      join(outside, 'secret.conf'),
      outside,
      join(root, 'out/secret.conf'), // inside the root by name, outside by real path
      join(root, 'missing.conf'),
      join(root, 'conf.d'),
    ],
    { root: join(root, 'conf.d', '..') },
  )
  t.deepEqual(result.files, [
    join(root, 'conf.d/a.conf'),
    join(root, 'notes.txt'),
    join(root, 'sites-available/kallithea'),
  ])
  t.deepEqual(result.skipped, [
    { path: join(root, 'sites-enabled/evil'), code: 'outside-root', reason: 'symlink leaves the root (-> /etc/passwd)' },
    { path: join(outside, 'secret.conf'), code: 'outside-root', reason: `outside the root (${root})` },
    { path: outside, code: 'outside-root', reason: `outside the root (${root})` },
    { path: join(root, 'out/secret.conf'), code: 'outside-root', reason: `leaves the root through a symlink (-> ${join(outside, 'secret.conf')})` },
    { path: join(root, 'missing.conf'), code: 'unreadable', reason: 'does not exist' },
  ])
})

test('discoverFiles: a root that is reached through a symlink', (t) => {
  const { base, root } = sandbox(t)
  files(root, ['a.conf'])
  link(base, 'rootlink', root)
  const result = discoverFiles([join(base, 'rootlink')], { root: join(base, 'rootlink') })
  t.deepEqual(result, { files: [join(root, 'a.conf')], skipped: [], unreadable: [] })
})

function includeTree(t: { teardown: (fn: () => void) => void }) {
  const box = sandbox(t)
  const { root, outside } = box
  files(root, [
    'httpd.conf',
    'conf.d/a.conf',
    'conf.d/b.conf',
    'conf.d/.hidden.conf',
    'conf.d/c.txt',
    'conf.d/sub/d.conf',
    'conf.d/sub/.e',
    'mods-available/wsgi.load',
    'mods-available/wsgi.conf',
    'vhosts/x/site.conf',
    'vhosts/y/site.conf',
    'vhosts/z.conf',
    'cyc/a.conf',
    'sp ace/[odd].conf',
  ])
  link(root, 'mods-enabled/wsgi.load', '../mods-available/wsgi.load')
  link(root, 'mods-enabled/wsgi.conf', '../mods-available/wsgi.conf')
  link(root, 'vhosts/linked', 'x')
  link(root, 'evil.conf', join(outside, 'secret.conf'))
  link(root, 'outdir', outside)
  link(root, 'cyc/self', '.')
  files(root, ['mixed/a.conf'])
  link(root, 'mixed/out', outside)
  link(root, 'mixed/secret.conf', join(outside, 'secret.conf'))
  return box
}

test('resolveIncludePattern: wildcards, directories, Apache order', (t) => {
  const { root } = includeTree(t)
  const opts = { serverRoot: root, root }
  const rel = (pattern: string) => {
    const result = resolveIncludePattern(pattern, opts)
    return {
      files: result.files.map((f) => f.slice(root.length + 1)),
      outside: result.outside.map((f) => (f.startsWith(root) ? f.slice(root.length + 1) : f)),
    }
  }
  t.deepEqual(rel('conf.d/*.conf'), { files: ['conf.d/a.conf', 'conf.d/b.conf'], outside: [] })
  // A directory: every file, recursively, hidden ones too, sorted by byte order.
  const wholeDir = {
    files: ['conf.d/.hidden.conf', 'conf.d/a.conf', 'conf.d/b.conf', 'conf.d/c.txt', 'conf.d/sub/.e', 'conf.d/sub/d.conf'],
    outside: [],
  }
  t.deepEqual(rel('conf.d'), wholeDir)
  t.deepEqual(rel('conf.d/'), wholeDir)
  t.deepEqual(rel(join(root, 'conf.d')), wholeDir)
  // Wildcards in directory components match real directories only (not symlinks, not files).
  t.deepEqual(rel('vhosts/*/site.conf'), { files: ['vhosts/x/site.conf', 'vhosts/y/site.conf'], outside: [] })
  t.deepEqual(rel('vhosts/[!x]/site.conf'), { files: ['vhosts/y/site.conf'], outside: [] })
  t.deepEqual(rel('vhosts/?/*.conf'), { files: ['vhosts/x/site.conf', 'vhosts/y/site.conf'], outside: [] })
  // The last component may match directories, which are then read whole. Files come back by
  // real path; one reached under two names is listed twice (Apache reads it twice).
  t.deepEqual(rel('vhosts/*'), {
    files: ['vhosts/x/site.conf', 'vhosts/x/site.conf', 'vhosts/y/site.conf', 'vhosts/z.conf'],
    outside: [],
  })
  // Symlinked files: by real path (the same as discoverFiles gives), in the order of their links.
  t.deepEqual(rel('mods-enabled/*.load'), { files: ['mods-available/wsgi.load'], outside: [] })
  t.deepEqual(rel('mods-enabled/wsgi.*'), { files: ['mods-available/wsgi.conf', 'mods-available/wsgi.load'], outside: [] })
  t.deepEqual(rel('httpd.conf'), { files: ['httpd.conf'], outside: [] })
  // Spaces and brackets. As in Apache, `\` escapes only in a pattern that has a wildcard; a path
  // without one is taken literally, backslash included.
  t.deepEqual(rel('sp ace/*.conf'), { files: ['sp ace/[odd].conf'], outside: [] })
  t.deepEqual(rel('sp ace/[odd].conf'), { files: [], outside: [] })
  t.deepEqual(rel('sp ace/\\[odd]*.conf'), { files: ['sp ace/[odd].conf'], outside: [] })
  t.deepEqual(rel('sp ace/\\[odd].conf'), { files: [], outside: [] })
  // Nothing there.
  t.deepEqual(rel('missing.conf'), { files: [], outside: [] })
  t.deepEqual(rel('nothing/*.conf'), { files: [], outside: [] })
  t.deepEqual(rel('conf.d/*.nomatch'), { files: [], outside: [] })
  // A directory that contains a symlink to itself is read once.
  t.deepEqual(rel('cyc'), { files: ['cyc/a.conf'], outside: [] })
})

test('resolveIncludePattern: nothing outside the root is read', (t) => {
  const { root, outside } = includeTree(t)
  const opts = { serverRoot: root, root }
  t.deepEqual(resolveIncludePattern('*.conf', opts), {
    failed: [],
    files: [join(root, 'httpd.conf')],
    outside: [join(root, 'evil.conf')],
  })
  t.deepEqual(resolveIncludePattern('outdir/*.conf', opts), {
    failed: [],
    files: [],
    outside: [join(root, 'outdir/*.conf')],
  })
  t.deepEqual(resolveIncludePattern('outdir', opts), { failed: [], files: [], outside: [join(root, 'outdir')] })
  t.deepEqual(resolveIncludePattern(join(outside, '*.conf'), opts), {
    failed: [],
    files: [],
    outside: [join(outside, '*.conf')],
  })
  t.deepEqual(resolveIncludePattern('../outside/secret.conf', opts), {
    failed: [],
    files: [],
    outside: [join(outside, 'secret.conf')],
  })
  // A wildcard above the root: the listing would be outside, so the whole pattern is reported.
  const up = join(root, '..', '*', 'secret.conf')
  t.deepEqual(resolveIncludePattern(up, opts), { failed: [], files: [], outside: [join(root, '..', '*', 'secret.conf')] })
  // Inside a directory that is included whole, links leaving the root are reported, not followed.
  t.deepEqual(resolveIncludePattern('mixed', opts), {
    failed: [],
    files: [join(root, 'mixed/a.conf')],
    outside: [join(root, 'mixed/out'), join(root, 'mixed/secret.conf')],
  })
  // serverRoot elsewhere, root covering both.
  t.deepEqual(resolveIncludePattern('conf.d/a.conf', { serverRoot: root, root: join(root, '..') }), {
    failed: [],
    files: [join(root, 'conf.d/a.conf')],
    outside: [],
  })
})

/** A path whose name is given as Latin-1 text standing for its bytes ('caf\xe9' is the byte E9). */
const bytePath = (dir: string, name: string): Buffer => Buffer.from(join(dir, name), 'latin1')

test('escapeName: UTF-8 characters as they are, stray bytes as \\xHH, a backslash doubled', (t) => {
  t.is(escapeName(Buffer.from('caf\xe9.conf', 'latin1')), 'caf\\xe9.conf')
  t.is(escapeName(Buffer.from('caf\xc3\xa9\xff\\x.conf', 'latin1')), 'café\\xff\\\\x.conf')
  // A surrogate in UTF-8 (ED A0 80) and an overlong slash (C0 AF) are not UTF-8.
  t.is(escapeName(Buffer.from('\xed\xa0\x80\xc0\xaf', 'latin1')), '\\xed\\xa0\\x80\\xc0\\xaf')
  t.is(escapeName(Buffer.from('\xf0\x9f\x90\x8d', 'latin1')), '\u{1f40d}')
})

test('names that are not UTF-8: noted with their bytes escaped, never read; the rest is read', (t) => {
  const { root } = sandbox(t)
  files(root, ['sites/ok.conf', 'sites/notes.txt'])
  writeFileSync(bytePath(root, 'sites/caf\xc3\xa9\xe9.conf'), 'ServerName latin1\n')
  writeFileSync(bytePath(root, 'sites/notes\xe9.txt'), 'not config\n')
  mkdirSync(bytePath(root, 'sites/d\xff'))
  writeFileSync(bytePath(root, 'sites/d\xff/inner.conf'), 'ServerName inner\n')
  const note = (name: string) => ({ path: join(root, name), code: 'not-utf8', reason: NOT_UTF8 })
  const scanned = discoverFiles([root], { root })
  t.deepEqual(scanned.files, [join(root, 'sites/ok.conf')])
  // A folder, and files named as configs; other files are no concern of a scan.
  t.deepEqual(scanned.skipped, [note('sites/café\\xe9.conf'), note('sites/d\\xff')])
  t.deepEqual(scanned.unreadable, [])

  const failed = (name: string) => ({ path: join(root, name), kind: 'not-utf8', reason: NOT_UTF8 })
  const opts = { serverRoot: root, root }
  t.deepEqual(resolveIncludePattern('sites/*.conf', opts), { files: [join(root, 'sites/ok.conf')], outside: [], failed: [failed('sites/café\\xe9.conf')] })
  // A folder included whole: every name counts, in byte order.
  t.deepEqual(resolveIncludePattern('sites', opts).failed, [failed('sites/café\\xe9.conf'), failed('sites/d\\xff'), failed('sites/notes\\xe9.txt')])
  t.deepEqual(resolveIncludePattern('sites/*/inner.conf', opts).failed, [failed('sites/d\\xff')])
})

test('Include: a folder that cannot be listed, or nested deeper than Apache allows, is a failure', (t) => {
  const { root } = sandbox(t)
  files(root, ['httpd.conf', 'deep/top.conf'])
  const opts = { serverRoot: root, root }
  t.deepEqual(resolveIncludePattern('httpd.conf/*.conf', opts), {
    files: [],
    outside: [],
    failed: [{ path: join(root, 'httpd.conf'), kind: 'directory', reason: 'a part of the path is not a directory' }],
  })
  // AP_MAX_INCLUDE_DIR_DEPTH (128): the folder included and 127 below it; one more and Apache stops.
  const levels = Array.from({ length: 128 }, () => 'd')
  files(root, [join('deep', ...levels.slice(0, 127), 'last.conf'), join('deep', ...levels, 'too-deep.conf')])
  const r = resolveIncludePattern('deep', opts)
  t.deepEqual(r.files.map((f) => f.slice(root.length + 1).replace(/(?:d\/)+/, 'd/.../')), ['deep/d/.../last.conf', 'deep/top.conf'])
  t.deepEqual(r.failed.map((f) => [f.path.split('/').length - root.split('/').length, f.kind]), [[129, 'directory']])
  t.regex(r.failed[0]!.reason, /^more than 128 folders deep, counting the one included; Apache refuses that/)
})
