// Every WSGI application counts: a WSGIScriptAliasMatch whose URLs a <LocationMatch> covers only in
// part runs embedded for the rest; AddHandler/SetHandler wsgi-script serve applications in the
// group their containers give them; AllowOverride on such a folder lets .htaccess add more.
// (Seen on a real Apache: test/apache-apps.test.ts.)
import test from 'ava'
import { buildModel, type WsgiModel } from '../src/model/model.js'
import { anchoredPrefix, coversDirectory, matchesExtensions } from '../src/model/url-match.js'
import { parse } from '../src/syntax/parse.js'

const one = (text: string): WsgiModel => buildModel([{ path: 'site.conf', tree: parse(text, { path: 'site.conf' }) }])

const vhost = (body: string): string => `WSGIDaemonProcess g threads=1\n<VirtualHost *:80>\nServerName app.example.com\n${body}</VirtualHost>\n`

test('url-match: the literal start of an anchored regex; none with a top-level alternative or no anchor', (t) => {
  t.is(anchoredPrefix('^/app/(.*)$'), '/app/')
  t.is(anchoredPrefix('^/N/start$'), '/N/start')
  t.is(anchoredPrefix('^/([0-9]+)/start$'), '/')
  t.is(anchoredPrefix('^/ab?c'), '/a')
  t.is(anchoredPrefix('^/a\\.b/x'), '/a.b/x')
  t.is(anchoredPrefix('^/a|/b'), undefined)
  t.is(anchoredPrefix('^/(a|b)'), '/')
  t.is(anchoredPrefix('^/[|]x'), '/')
  t.is(anchoredPrefix('/start$'), undefined)
})

test('url-match: a match extends to longer URLs only without end anchors and look-aheads', (t) => {
  t.true(matchesExtensions('^/app'))
  t.true(matchesExtensions('^/(a|b)/x\\$'))
  t.false(matchesExtensions('^/app$'))
  t.false(matchesExtensions('^/app\\b'))
  t.false(matchesExtensions('^/app(?!x)'))
  t.true(coversDirectory('^/app(/.*)?$', '/app'))
  t.true(coversDirectory('^/app(?:/.*)?$', '/app/sub'))
  t.false(coversDirectory('^/app(/.*)?$', '/apple'))
  t.false(coversDirectory('^/app$', '/app'))
})

test('WSGIScriptAliasMatch with a <LocationMatch> that matches only some of its URLs: embedded, the group partial', (t) => {
  const m = one(vhost(`WSGIScriptAliasMatch ^/([0-9]+)/start$ /srv/app/start.wsgi
<LocationMatch "^/(a|b|[0-9]+(/(log|x))?)?$">
    WSGIProcessGroup g
</LocationMatch>
`))
  const [alias] = m.scriptAliases
  t.is(alias.group.mode, 'embedded')
  t.is(alias.group.via, 'default')
  t.deepEqual(alias.group.partial.map((s) => s.value), ['g'])
})

test('a plain alias and a <LocationMatch> ending in $: partial; in the ^/app(/.*)?$ form, or without $, full', (t) => {
  const at = (loc: string) => one(vhost(`WSGIScriptAlias /app /srv/app/app.wsgi\n<LocationMatch "${loc}">\n    WSGIProcessGroup g\n</LocationMatch>\n`)).scriptAliases[0].group
  t.is(at('^/(app|other)?$').mode, 'embedded')
  t.is(at('^/(app|other)?$').partial.length, 1)
  t.is(at('^/app(/.*)?$').mode, 'daemon')
  t.is(at('^/(app|other)').mode, 'daemon')
  t.is(at('^/other').mode, 'embedded')
  t.deepEqual(at('^/other').partial, [])
  // Unanchored: it may match below /app.
  t.is(at('\\.py$').partial.length, 1)
})

test('WSGIScriptAliasMatch inside the URL space of a <Location>: full; apart from it: none', (t) => {
  const at = (loc: string, url = '^/hg/([^/]+)/.*$') => one(vhost(`WSGIScriptAliasMatch ${url} /srv/app/hg.wsgi\n<Location ${loc}>\n    WSGIProcessGroup g\n</Location>\n`)).scriptAliases[0].group
  t.is(at('/hg').mode, 'daemon')
  t.is(at('/git').mode, 'embedded')
  t.deepEqual(at('/git').partial, [])
  t.is(at('/hg/one').partial.length, 1)
  // Not anchored: any URL may match it.
  t.is(at('/hg', '/start$').partial.length, 1)
  t.is(at('/', '/start$').mode, 'daemon')
})

test('AddHandler / SetHandler wsgi-script are applications, in the group of their containers', (t) => {
  const m = one(vhost(`<Directory /var/www/cgi>
    Options +ExecCGI
    AddHandler wsgi-script .py .wsgi
</Directory>
<Directory /var/www/app>
    Options ExecCGI
    SetHandler wsgi-script
    WSGIProcessGroup g
</Directory>
<Directory /var/www/static>
    WSGIProcessGroup %{GLOBAL}
</Directory>
<Location /cgi/special>
    WSGIProcessGroup g
</Location>
AddHandler cgi-script .cgi
`))
  t.deepEqual(m.handlerApps.map((h) => [h.directive, h.extensions, h.group.mode]), [
    ['AddHandler', ['.py', '.wsgi'], 'embedded'],
    ['SetHandler', [], 'daemon'],
  ])
  // The <Location> may hold some of the folder's files; the other <Directory> none of them.
  t.deepEqual(m.handlerApps[0].group.partial.map((s) => s.value), ['g'])
  t.is(m.processGroup(m.handlerApps[1]), m.handlerApps[1].group)
})

test('a handler in a vhost with a WSGIProcessGroup runs in that daemon group', (t) => {
  const m = one(vhost('WSGIProcessGroup g\nAddHandler wsgi-script .wsgi\n'))
  t.is(m.handlerApps[0].group.mode, 'daemon')
  t.is(m.handlerApps[0].group.via, 'vhost')
})

test('AllowOverride FileInfo or All on a folder a handler serves (or above or below it) is noted; None or another folder is not', (t) => {
  const m = one(vhost(`<Directory /var/www/cgi>
    Options +ExecCGI
    AddHandler wsgi-script .py
</Directory>
<Directory /var/www/cgi/none>
    AllowOverride None
</Directory>
<Directory /var/www>
    AllowOverride All
</Directory>
<Directory /var/www/cgi/sub>
    AllowOverride AuthConfig FileInfo
</Directory>
<Directory /srv/other>
    AllowOverride All
</Directory>
<Directory /var/www/cgi/list>
    AllowOverrideList Redirect AddHandler
</Directory>
`))
  t.deepEqual(m.htaccess.map((h) => [h.directory.path, h.setting.node.args.join(' ')]), [
    ['/var/www', 'All'],
    ['/var/www/cgi/sub', 'AuthConfig FileInfo'],
    ['/var/www/cgi/list', 'Redirect AddHandler'],
  ])
  t.deepEqual(one(vhost('<Directory /var/www>\n    AllowOverride All\n</Directory>\n')).htaccess, [])
})

test('what .htaccess adds runs in the group the config gives its folder (mod_wsgi refuses WSGIProcessGroup there)', (t) => {
  const m = one(vhost(`<Directory /var/www>
    AllowOverride All
</Directory>
<Directory /var/www/cgi>
    Options +ExecCGI
    AddHandler wsgi-script .py
    WSGIProcessGroup g
    AllowOverride FileInfo
</Directory>
`))
  t.deepEqual(m.htaccess.map((h) => [h.directory.path, h.group.mode, h.group.partial.length]), [
    ['/var/www', 'embedded', 1],
    ['/var/www/cgi', 'daemon', 0],
  ])
})
