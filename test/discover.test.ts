import test from 'ava'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { defaultConfigRoot, discoverFiles, isConfigFileName, resolveIncludePattern } from '../src/load/discover.js'

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

function files(dir: string, paths: string[]): void {
  for (const path of paths) {
    const full = join(dir, path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, `# ${path}\n`)
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
    'templates/kallithea.conf.j2',
    'templates/vhost.j2',
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
    { path: join(root, 'conf.d/fifo.conf'), reason: 'not a regular file' },
    { path: join(root, 'outdir'), reason: `symlink leaves the root (-> ${outside})` },
    { path: join(root, 'sites-enabled/broken.conf'), reason: 'broken symlink (-> ../sites-available/gone.conf)' },
    { path: join(root, 'sites-enabled/evil.conf'), reason: 'symlink leaves the root (-> /etc/passwd)' },
    { path: join(root, 'sites-enabled/loop.conf'), reason: 'symlink loop' },
    { path: join(root, 'sites-enabled/secret.conf'), reason: `symlink leaves the root (-> ${join(outside, 'secret.conf')})` },
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
    { path: join(root, 'sites-enabled/evil'), reason: 'symlink leaves the root (-> /etc/passwd)' },
    { path: join(outside, 'secret.conf'), reason: `outside the root (${root})` },
    { path: outside, reason: `outside the root (${root})` },
    { path: join(root, 'out/secret.conf'), reason: `leaves the root through a symlink (-> ${join(outside, 'secret.conf')})` },
    { path: join(root, 'missing.conf'), reason: 'does not exist' },
  ])
})

test('discoverFiles: a root that is reached through a symlink', (t) => {
  const { base, root } = sandbox(t)
  files(root, ['a.conf'])
  link(base, 'rootlink', root)
  const result = discoverFiles([join(base, 'rootlink')], { root: join(base, 'rootlink') })
  t.deepEqual(result, { files: [join(root, 'a.conf')], skipped: [] })
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
    files: [join(root, 'httpd.conf')],
    outside: [join(root, 'evil.conf')],
  })
  t.deepEqual(resolveIncludePattern('outdir/*.conf', opts), {
    files: [],
    outside: [join(root, 'outdir/*.conf')],
  })
  t.deepEqual(resolveIncludePattern('outdir', opts), { files: [], outside: [join(root, 'outdir')] })
  t.deepEqual(resolveIncludePattern(join(outside, '*.conf'), opts), {
    files: [],
    outside: [join(outside, '*.conf')],
  })
  t.deepEqual(resolveIncludePattern('../outside/secret.conf', opts), {
    files: [],
    outside: [join(outside, 'secret.conf')],
  })
  // A wildcard above the root: the listing would be outside, so the whole pattern is reported.
  const up = join(root, '..', '*', 'secret.conf')
  t.deepEqual(resolveIncludePattern(up, opts), { files: [], outside: [join(root, '..', '*', 'secret.conf')] })
  // Inside a directory that is included whole, links leaving the root are reported, not followed.
  t.deepEqual(resolveIncludePattern('mixed', opts), {
    files: [join(root, 'mixed/a.conf')],
    outside: [join(root, 'mixed/out'), join(root, 'mixed/secret.conf')],
  })
  // serverRoot elsewhere, root covering both.
  t.deepEqual(resolveIncludePattern('conf.d/a.conf', { serverRoot: root, root: join(root, '..') }), {
    files: [join(root, 'conf.d/a.conf')],
    outside: [],
  })
})

test('defaultConfigRoot picks the first existing directory', (t) => {
  const { root } = sandbox(t)
  files(root, ['plainfile'])
  mkdirSync(join(root, 'httpd'))
  t.is(defaultConfigRoot([join(root, 'apache2'), join(root, 'plainfile'), join(root, 'httpd')]), join(root, 'httpd'))
  t.is(defaultConfigRoot([join(root, 'apache2')]), null)
  const real = defaultConfigRoot()
  t.true(real === null || real === '/etc/apache2' || real === '/etc/httpd')
})
