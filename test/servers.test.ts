// Which files Apache reads together (src/load/servers.ts), and server paths read from a
// repository (src/load/maps.ts).
import test from 'ava'
import { includeGraph } from '../src/load/include-graph.js'
import { mainContext, mapPath } from '../src/load/maps.js'
import { isMainConfigName } from '../src/load/paths.js'
import { groupServers } from '../src/load/servers.js'
import { parse } from '../src/syntax/parse.js'

function servers(files: Record<string, string>) {
  const list = Object.entries(files).map(([path, text]) => ({ path, tree: parse(text, { path }) }))
  return groupServers(list.map((f) => f.path), includeGraph(list), isMainConfigName).map((s) => [s.kind, s.name, s.files])
}

test('a main config and what it includes are one server; files it does not include are servers of their own', (t) => {
  t.deepEqual(
    servers({
      'etc/apache2/apache2.conf': 'IncludeOptional sites-enabled/*.conf\nInclude ports.conf\n',
      'etc/apache2/ports.conf': 'Listen 80\n',
      'etc/apache2/sites-enabled/a.conf': '<VirtualHost *:80>\n</VirtualHost>\n',
      'etc/apache2/sites-available/disabled.conf': '<VirtualHost *:80>\n</VirtualHost>\n',
    }),
    [
      ['main-config', 'etc/apache2/apache2.conf', ['etc/apache2/apache2.conf', 'etc/apache2/sites-enabled/a.conf', 'etc/apache2/ports.conf']],
      ['file', 'etc/apache2/sites-available/disabled.conf', ['etc/apache2/sites-available/disabled.conf']],
    ],
  )
})

test('include folders without their main config are the server that main config would make', (t) => {
  t.deepEqual(
    servers({
      'roles/web/sites-available/a.conf': 'Include conf.d/common.conf\n',
      'roles/web/sites-available/a-ssl.conf': 'ServerName a\n',
      'roles/web/conf.d/common.conf': 'WSGIRestrictEmbedded On\n',
      'roles/other/sites-available/b.conf': 'ServerName b\n',
      'docs/0.3.1.conf': 'ServerName c\n',
    }),
    [
      ['include-folder', 'roles/web', ['roles/web/sites-available/a.conf', 'roles/web/conf.d/common.conf', 'roles/web/sites-available/a-ssl.conf']],
      ['include-folder', 'roles/other', ['roles/other/sites-available/b.conf']],
      ['file', 'docs/0.3.1.conf', ['docs/0.3.1.conf']],
    ],
  )
})

test('a file two main configs include belongs to both; an Include cycle with no top is one server', (t) => {
  const got = servers({
    'a/httpd.conf': 'Include ../common/wsgi.conf\n',
    'b/httpd.conf': 'Include ../common/wsgi.conf\n',
    'common/wsgi.conf': 'WSGIRestrictEmbedded On\n',
    'loop/x.conf': 'Include loop/y.conf\n',
    'loop/y.conf': 'Include loop/x.conf\n',
  })
  t.deepEqual(got, [
    ['main-config', 'a/httpd.conf', ['a/httpd.conf', 'common/wsgi.conf']],
    ['main-config', 'b/httpd.conf', ['b/httpd.conf', 'common/wsgi.conf']],
    ['file', 'loop/x.conf', ['loop/x.conf', 'loop/y.conf']],
  ])
})

test('mapPath: the longest map that covers a path, on whole path segments', (t) => {
  const maps = [
    { server: '/opt/kallithea', repo: '/repo/web' },
    { server: '/opt/kallithea/conf', repo: '/repo/conf' },
  ]
  t.is(mapPath('/opt/kallithea/dispatch.wsgi', maps), '/repo/web/dispatch.wsgi')
  t.is(mapPath('/opt/kallithea/conf/a.conf', maps), '/repo/conf/a.conf')
  t.is(mapPath('/opt/kallithea', maps), '/repo/web')
  t.is(mapPath('/opt/kallithea-old/x', maps), '/opt/kallithea-old/x', 'not a prefix by segments')
  t.is(mapPath('/srv/x', []), '/srv/x')
})

test("mainContext: a ServerRoot inside the root is used; one outside maps to the main config's folder", (t) => {
  const debian = mainContext(parse('Include ports.conf\n', { path: 'apache2.conf' }), '/repo/etc-apache2/apache2.conf', '/repo')
  t.deepEqual(debian, { serverRoot: '/repo/etc-apache2', home: '/repo/etc-apache2', maps: [{ server: '/etc/apache2', repo: '/repo/etc-apache2' }] })
  const redhat = mainContext(parse('ServerRoot "/etc/httpd"\n', { path: 'httpd.conf' }), '/repo/httpd/conf/httpd.conf', '/repo')
  t.deepEqual(redhat, { serverRoot: '/repo/httpd', home: '/repo/httpd', maps: [{ server: '/etc/httpd', repo: '/repo/httpd' }] })
  // On the server itself (root /) nothing is mapped.
  const live = mainContext(parse('ServerRoot "/etc/httpd"\n', { path: 'httpd.conf' }), '/etc/httpd/conf/httpd.conf', '/')
  t.deepEqual(live, { serverRoot: '/etc/httpd', home: '/etc/httpd', maps: [] })
  const plain = mainContext(parse('Listen 80\n', { path: 'httpd.conf' }), '/repo/x/httpd.conf', '/repo')
  t.deepEqual(plain.maps, [], 'httpd.conf names no ServerRoot: nothing to map')
})
