import { readFileSync } from 'node:fs'
import test from 'ava'
import { includeGraph } from '../src/load/include-graph.js'
import { ALIAS_OPTIONS, buildModel, DAEMON_OPTIONS, hostOf, problemsOf, type ModelOptions, type WsgiModel } from '../src/model/model.js'
import { ALIAS_OPTION_RULES, DAEMON_OPTION_RULES } from '../src/model/rules.js'
import { parse } from '../src/syntax/parse.js'
import type { Section } from '../src/syntax/types.js'

const corpus = new URL('../fixtures/corpus/debian-apache2/', import.meta.url)

/** Build a model from [path, text] pairs. */
function model(files: Array<[string, string]>, options?: ModelOptions): WsgiModel {
  return buildModel(
    files.map(([path, text]) => ({ path, tree: parse(text, { path }) })),
    options,
  )
}

const one = (text: string, options?: ModelOptions): WsgiModel => model([['site.conf', text]], options)
const codes = (m: WsgiModel): string[] => m.problems.map((p) => p.code)

const DOCS_031 = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea \\
        processes=1 threads=4 \\
        python-path=/srv/kallithea/venv/lib/python2.7/site-packages
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`

const DOCS_032_VHOST = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea \\
        threads=4 \\
        python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`

// --- the two documented forms -----------------------------------------------------------------

test('0.3.1 docs form: the alias runs embedded while daemon kallithea idles', (t) => {
  const m = one(DOCS_031)
  t.is(m.daemons.length, 1)
  const d = m.daemons[0]
  t.is(d.name, 'kallithea')
  t.is(d.scope.kind, 'vhost')
  t.is(d.scope.vhost?.serverName, 'kallithea.example.com')
  t.deepEqual(
    d.options.map((o) => [o.key, o.value, o.index, o.known]),
    [
      ['processes', '1', 1, true],
      ['threads', '4', 2, true],
      ['python-path', '/srv/kallithea/venv/lib/python2.7/site-packages', 3, true],
    ],
  )
  t.is(m.scriptAliases.length, 1)
  const a = m.scriptAliases[0]
  t.is(a.directive, 'WSGIScriptAlias')
  t.is(a.url, '/')
  t.is(a.script, '/srv/kallithea/dispatch.wsgi')
  t.is(a.group.mode, 'embedded')
  t.is(a.group.via, 'default')
  t.is(a.group.daemon, undefined)
  t.deepEqual(m.reachableDaemons(a.scope).map((x) => x.name), ['kallithea'])
  t.deepEqual(codes(m), ['embedded-with-daemon'])
  t.regex(m.problems[0].message, /WSGIProcessGroup kallithea/)
  t.is(a.passAuthorization.value, 'On')
  t.is(a.passAuthorization.via, 'vhost')
  t.false(m.embeddedRestricted)
})

test('0.3.2 docs form in a vhost: daemon kallithea via vhost', (t) => {
  const m = one(DOCS_032_VHOST)
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'daemon')
  t.is(a.group.group, 'kallithea')
  t.is(a.group.via, 'vhost')
  t.is(a.group.daemon, m.daemons[0])
  t.is(a.group.directive, m.processGroups[0].node)
  t.deepEqual(m.daemons[0].options.map((o) => [o.key, o.value, o.index]), [
    ['threads', '4', 1],
    ['python-home', '/srv/kallithea/venv', 2],
  ])
  t.deepEqual(m.problems, [])
})

test('0.3.2 docs form at global scope with WSGIRestrictEmbedded On: daemon via global', (t) => {
  const m = one(`WSGIRestrictEmbedded On
WSGIDaemonProcess kallithea threads=4 python-home=/srv/kallithea/venv
WSGIProcessGroup kallithea
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
WSGIPassAuthorization On
`)
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'daemon')
  t.is(a.group.via, 'global')
  t.is(a.scope.kind, 'global')
  t.true(m.embeddedRestricted)
  t.is(m.restrictEmbedded.length, 1)
  t.false(m.restrictEmbedded[0].misspelled)
  t.false(m.restrictEmbedded[0].inVirtualHost)
  t.is(a.passAuthorization.via, 'global')
  t.deepEqual(m.problems, [])
})

test('WSGIRestrictEmbedded On with an app still embedded: HTTP 500 problem', (t) => {
  const m = one(`WSGIRestrictEmbedded On
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
`)
  t.true(m.embeddedRestricted)
  t.deepEqual(codes(m), ['embedded-restricted'])
  t.regex(m.problems[0].message, /Embedded mode of mod_wsgi disabled by runtime configuration: \/srv\/kallithea\/dispatch\.wsgi/)
})

// --- precedence --------------------------------------------------------------------------------

test('process-group= alias option wins over WSGIProcessGroup', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
WSGIDaemonProcess other threads=1
<VirtualHost *:80>
    WSGIProcessGroup kallithea
    <Location />
        WSGIProcessGroup kallithea
    </Location>
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi process-group=other application-group=%{GLOBAL}
</VirtualHost>
`)
  const a = m.scriptAliases[0]
  t.is(a.options['process-group']?.value, 'other')
  t.is(a.options['process-group']?.index, 2)
  t.is(a.options['application-group']?.index, 3)
  t.is(a.group.mode, 'daemon')
  t.is(a.group.group, 'other')
  t.is(a.group.via, 'alias-option')
  t.is(a.group.directive, a.node)
  t.is(a.applicationGroup.value, '%{GLOBAL}')
  t.is(a.applicationGroup.via, 'alias-option')
  t.deepEqual(m.problems, [])
})

test('WSGIProcessGroup in a covering <Location> wins over the vhost one', (t) => {
  const m = one(`<VirtualHost *:80>
    ServerName k.example.com
    WSGIDaemonProcess kallithea threads=4
    WSGIDaemonProcess web threads=2
    WSGIProcessGroup web
    WSGIScriptAlias /kallithea /srv/kallithea/dispatch.wsgi
    <Location /kallithea>
        WSGIProcessGroup kallithea
    </Location>
</VirtualHost>
`)
  const a = m.scriptAliases[0]
  t.is(a.group.via, 'container')
  t.is(a.group.group, 'kallithea')
  t.is(a.group.mode, 'daemon')
  t.is(a.group.setting?.scope.container?.kind, 'Location')
  t.is(a.group.setting?.scope.container?.path, '/kallithea')
  t.deepEqual(a.group.partial, [])
})

test('a <Location> below the alias URL applies to part of it only', (t) => {
  const m = one(`<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
    WSGIDaemonProcess git threads=1
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    <Location /repos>
        WSGIProcessGroup git
    </Location>
    <Location /elsewhere-not-this-app>
    </Location>
</VirtualHost>
`)
  const a = m.scriptAliases[0]
  t.is(a.group.via, 'vhost')
  t.is(a.group.group, 'kallithea')
  t.deepEqual(a.group.partial.map((s) => s.value), ['git'])
})

test('a <Location> elsewhere does not apply', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
WSGIScriptAlias /kallithea /srv/kallithea/dispatch.wsgi
<Location /other>
    WSGIProcessGroup kallithea
</Location>
`)
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'embedded')
  t.is(a.group.via, 'default')
  t.deepEqual(a.group.partial, [])
})

test('WSGIProcessGroup in a <Directory> covering the script path', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
WSGIDaemonProcess other threads=4
WSGIProcessGroup other
<Directory /srv/kallithea>
    WSGIProcessGroup kallithea
</Directory>
<Directory /srv/elsewhere>
    WSGIProcessGroup other
</Directory>
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
`)
  const a = m.scriptAliases[0]
  t.is(a.group.via, 'container')
  t.is(a.group.group, 'kallithea')
  t.is(a.group.setting?.scope.container?.kind, 'Directory')
})

test('<Directory> wildcards, <Files> and deeper <Directory> ordering', (t) => {
  const m = one(`WSGIDaemonProcess a threads=1
WSGIDaemonProcess b threads=1
WSGIDaemonProcess c threads=1
<Directory /srv/kallithea/>
    WSGIProcessGroup b
</Directory>
<Directory /srv/*>
    WSGIProcessGroup a
</Directory>
WSGIScriptAlias /one /srv/kallithea/dispatch.wsgi
<Files dispatch.wsgi>
    WSGIProcessGroup c
</Files>
WSGIScriptAlias /two /srv/other/app.wsgi
`)
  const [one_, two] = m.scriptAliases
  // Same number of components: reading order; <Files> merges after every <Directory>.
  t.is(one_.group.group, 'c')
  t.is(one_.group.setting?.scope.container?.kind, 'Files')
  t.is(two.group.group, 'a')
  t.is(two.group.via, 'container')
})

test('<DirectoryMatch> and <LocationMatch> cover by regex', (t) => {
  const m = one(`WSGIDaemonProcess a threads=1
WSGIDaemonProcess b threads=1
<DirectoryMatch "^/srv/kall">
    WSGIProcessGroup a
</DirectoryMatch>
WSGIScriptAlias /k /srv/kallithea/dispatch.wsgi
<VirtualHost *:80>
    <LocationMatch "^/k">
        WSGIProcessGroup b
    </LocationMatch>
    WSGIScriptAlias /k /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  t.is(m.scriptAliases[0].group.group, 'a')
  // In the vhost both the global <DirectoryMatch> and the vhost <LocationMatch> cover: Location merges last.
  t.is(m.scriptAliases[1].group.group, 'b')
  t.is(m.scriptAliases[1].group.setting?.scope.container?.kind, 'LocationMatch')
})

test('global WSGIProcessGroup applies inside a vhost without its own', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
WSGIProcessGroup kallithea
<VirtualHost *:80>
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'daemon')
  t.is(a.group.via, 'global')
})

test('a container in another vhost does not apply', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
<VirtualHost *:80>
    ServerName a.example.com
    <Location />
        WSGIProcessGroup kallithea
    </Location>
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example.com
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  t.is(m.scriptAliases[0].group.mode, 'embedded')
  t.is(m.scriptAliases[0].group.via, 'default')
})

test('%{GLOBAL} means embedded (explicit: no embedded-with-daemon problem)', (t) => {
  const m = one(`<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
    WSGIProcessGroup %{GLOBAL}
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'embedded')
  t.is(a.group.via, 'vhost')
  t.is(a.group.group, undefined)
  t.is(a.group.directive, m.processGroups[0].node)
  t.deepEqual(m.problems, [])
})

test('%{ENV:VAR} is dynamic, allowed groups from WSGIRestrictProcess', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
WSGIDaemonProcess kallithea-git threads=1
<VirtualHost *:80>
    SetEnvIf Request_URI . KALLITHEA_GROUP=kallithea
    WSGIRestrictProcess kallithea kallithea-git
    WSGIProcessGroup %{ENV:KALLITHEA_GROUP}
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  const g = m.scriptAliases[0].group
  t.is(g.mode, 'dynamic')
  t.is(g.envVar, 'KALLITHEA_GROUP')
  t.is(g.group, '%{ENV:KALLITHEA_GROUP}')
  t.is(g.via, 'vhost')
  t.deepEqual(g.allowed, ['kallithea', 'kallithea-git'])
  t.deepEqual(g.allowedDaemons?.map((d) => d.name), ['kallithea', 'kallithea-git'])
  t.is(g.restrictProcess, m.restrictProcesses[0])
  t.deepEqual(m.problems, [])
})

test('%{ENV:VAR} without WSGIRestrictProcess: dynamic with no allowed list', (t) => {
  const m = one(`WSGIProcessGroup %{ENV:X}
WSGIScriptAlias / /srv/app.wsgi
`)
  const g = m.scriptAliases[0].group
  t.is(g.mode, 'dynamic')
  t.is(g.envVar, 'X')
  t.is(g.allowed, undefined)
})

// --- reachability -----------------------------------------------------------------------------

const OTHER_SITE = `<VirtualHost *:80>
    ServerName other.example.com
    WSGIDaemonProcess kallithea threads=4
</VirtualHost>
<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`

test('a group in a vhost of another ServerName is unreachable', (t) => {
  const m = one(OTHER_SITE)
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'unreachable')
  t.is(a.group.daemon, m.daemons[0])
  t.deepEqual(m.reachableDaemons(a.scope), [])
  t.deepEqual(codes(m), ['unreachable-group'])
  t.is(m.problems[0].node, m.processGroups[0].node)
  t.regex(m.problems[0].message, /Daemon process called 'kallithea' cannot be accessed by this WSGI application/)
  t.regex(m.problems[0].message, /ServerName kallithea\.example\.com/)
})

test(':80/:443 pair with the same ServerName share the group', (t) => {
  const m = one(`<VirtualHost *:80>
    ServerName kallithea.example.com:80
    WSGIDaemonProcess kallithea threads=4
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
<VirtualHost *:443>
    ServerName https://kallithea.example.com:443
    SSLEngine on
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  const [http, https] = m.scriptAliases
  t.is(http.group.mode, 'daemon')
  t.is(https.group.mode, 'daemon')
  t.is(https.group.daemon, m.daemons[0])
  t.is(https.scope.vhost?.serverName, 'kallithea.example.com')
  t.is(https.scope.vhost?.siteName, 'kallithea.example.com')
  t.true(m.sameSite(http.scope, https.scope))
  t.deepEqual(m.reachableDaemons(https.scope).map((d) => d.name), ['kallithea'])
  t.deepEqual(m.problems, [])
})

test('a group defined nowhere is undefined-group', (t) => {
  const m = one(`WSGIProcessGroup kallithea
WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
`)
  t.is(m.scriptAliases[0].group.mode, 'undefined-group')
  t.is(m.scriptAliases[0].group.group, 'kallithea')
  t.deepEqual(codes(m), ['undefined-group'])
  t.regex(m.problems[0].message, /No WSGI daemon process called 'kallithea' has been configured/)
})

test('vhosts without ServerName inherit the main server name', (t) => {
  const m = one(`ServerName main.example.com
<VirtualHost *:80>
    WSGIDaemonProcess kallithea threads=4
</VirtualHost>
<VirtualHost *:8080>
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`)
  t.is(m.globalServerName, 'main.example.com')
  t.is(m.virtualHosts[0].siteName, 'main.example.com')
  t.is(m.scriptAliases[0].group.mode, 'daemon')
})

test('process-group= with application-group= needs the daemon defined earlier', (t) => {
  const m = one(`WSGIScriptAlias / /srv/k/dispatch.wsgi process-group=kallithea application-group=%{GLOBAL}
WSGIDaemonProcess kallithea threads=4
`)
  t.is(m.scriptAliases[0].group.mode, 'daemon')
  t.deepEqual(codes(m), ['group-not-yet-configured'])
  t.regex(m.problems[0].message, /WSGI process group not yet configured\./)
})

// --- includes, wrappers, macros ----------------------------------------------------------------

test('Include inside <VirtualHost> puts the included daemon in that vhost', (t) => {
  const m = model([
    ['sites/kallithea.conf', `<VirtualHost *:80>
    ServerName kallithea.example.com
    Include conf/wsgi-kallithea.conf
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`],
    ['conf/wsgi-kallithea.conf', `WSGIDaemonProcess kallithea threads=4
WSGIProcessGroup kallithea
`],
  ])
  t.deepEqual(m.files, ['sites/kallithea.conf', 'conf/wsgi-kallithea.conf'])
  const d = m.daemons[0]
  t.is(d.file, 'conf/wsgi-kallithea.conf')
  t.is(d.scope.kind, 'vhost')
  t.is(d.scope.file, 'conf/wsgi-kallithea.conf')
  t.is(d.scope.vhost?.serverName, 'kallithea.example.com')
  t.is(d.scope.vhost?.file, 'sites/kallithea.conf')
  t.is(d.scope.ancestors[0].name, 'VirtualHost')
  t.is(d.scope.includes.length, 1)
  t.is(d.scope.includes[0].file, 'sites/kallithea.conf')
  t.is(d.scope.includes[0].node.name, 'Include')
  t.deepEqual(d.wrappers, [])
  t.is(d.parent.type, 'root')
  t.is(m.includes[0].targets[0], 'conf/wsgi-kallithea.conf')
  const a = m.scriptAliases[0]
  t.is(a.group.mode, 'daemon')
  t.is(a.group.via, 'vhost')
  t.deepEqual(m.problems, [])
})

test('a file no other file includes is walked at global scope, in the given order', (t) => {
  const m = model([
    ['b.conf', 'WSGIDaemonProcess b threads=1\n'],
    ['a.conf', 'WSGIDaemonProcess a threads=1\n'],
  ])
  t.deepEqual(m.daemons.map((d) => [d.name, d.scope.kind]), [['b', 'global'], ['a', 'global']])
  t.deepEqual(m.daemons.map((d) => d.order), [0, 1])
})

test('include cycles are guarded and reported', (t) => {
  const m = model(
    [
      ['main.conf', 'Include a.conf\n'],
      ['a.conf', 'WSGIDaemonProcess a threads=1\nInclude b.conf\n'],
      ['b.conf', 'Include a.conf\n'],
    ],
  )
  t.deepEqual(m.files, ['main.conf', 'a.conf', 'b.conf'])
  t.is(m.daemons.length, 1)
  t.deepEqual(codes(m), ['include-cycle'])
  t.is(m.problems[0].file, 'b.conf')
})

test('options.includes and options.roots are honoured', (t) => {
  const calls: Array<[string, string]> = []
  const files = [
    ['main.conf', 'IncludeOptional /etc/apache2/sites-enabled/*.conf\n'],
    ['x.conf', 'WSGIDaemonProcess x threads=1\n'],
    ['inactive.conf', 'WSGIDaemonProcess x threads=1\n'],
  ].map(([path, text]) => ({ path: path as string, tree: parse(text as string, { path }) }))
  const includes = includeGraph(files, {
    resolve: (pattern, from) => {
      calls.push([pattern, from])
      return ['x.conf']
    },
  })
  const m = buildModel(files, { roots: ['main.conf'], includes })
  t.deepEqual(calls, [['/etc/apache2/sites-enabled/*.conf', 'main.conf']])
  t.deepEqual(m.files, ['main.conf', 'x.conf'])
  t.deepEqual(m.unwalked, ['inactive.conf'])
  t.true(m.includes[0].optional)
  t.deepEqual(m.problems, [])
})

test('IfModule/IfDefine/IfVersion are transparent and recorded as wrappers', (t) => {
  const m = one(`<IfModule mod_wsgi.c>
    <VirtualHost *:80>
        <IfVersion >= 2.4>
            <IfDefine !NOWSGI>
                WSGIDaemonProcess kallithea threads=4
                WSGIProcessGroup kallithea
            </IfDefine>
        </IfVersion>
        WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    </VirtualHost>
</IfModule>
`)
  const d = m.daemons[0]
  t.deepEqual(d.wrappers.map((w) => w.name), ['IfModule', 'IfVersion', 'IfDefine'])
  t.deepEqual(d.scope.ancestors.map((s) => s.name), ['IfModule', 'VirtualHost', 'IfVersion', 'IfDefine'])
  t.is(d.scope.kind, 'vhost')
  t.is((d.parent as Section).name, 'IfDefine')
  t.deepEqual(m.scriptAliases[0].wrappers.map((w) => w.name), ['IfModule'])
  t.is(m.scriptAliases[0].group.mode, 'daemon')
  t.is(m.scriptAliases[0].group.via, 'vhost')
})

test('<Macro> bodies are not walked; hasMacros says so', (t) => {
  const m = one(`<Macro KallitheaSite $name>
    WSGIDaemonProcess $name threads=4
</Macro>
Use KallitheaSite kallithea
`)
  t.true(m.hasMacros)
  t.is(m.macros.length, 1)
  t.deepEqual(m.daemons, [])
  t.false(one('WSGIDaemonProcess a threads=1\n').hasMacros)
})

// --- run user ------------------------------------------------------------------------------------

function debianFiles(): Array<[string, string]> {
  const read = (p: string): string => readFileSync(new URL(p, corpus), 'utf8')
  return [
    ['apache2.conf', read('apache2.conf')],
    ['envvars', read('envvars')],
    ['ports.conf', read('ports.conf')],
    ['mods-enabled/wsgi.conf', read('mods-available/wsgi.conf')],
    ['sites-enabled/000-default.conf', read('sites-available/000-default.conf')],
    ['sites-enabled/kallithea.conf', DOCS_031],
  ]
}

test('Debian apache2.conf + envvars: runUser www-data from env, sites included in vhost scope', (t) => {
  const m = model(debianFiles())
  t.deepEqual(
    { user: m.runUser.user, group: m.runUser.group, source: m.runUser.source, groupSource: m.runUser.groupSource },
    { user: 'www-data', group: 'www-data', source: 'env', groupSource: 'env' },
  )
  t.deepEqual(m.runUser.node?.args, ['${APACHE_RUN_USER}'])
  t.is(m.env.APACHE_RUN_USER, 'www-data')
  t.is(m.env.APACHE_LOG_DIR, '/var/log/apache2')
  t.deepEqual(m.files, [
    'apache2.conf',
    'mods-enabled/wsgi.conf',
    'ports.conf',
    'sites-enabled/000-default.conf',
    'sites-enabled/kallithea.conf',
  ])
  t.deepEqual(m.unwalked, [])
  t.is(m.virtualHosts.length, 2)
  const d = m.daemons[0]
  t.is(d.scope.kind, 'vhost')
  t.is(d.scope.includes[0].node.name, 'IncludeOptional')
  t.is(d.scope.includes[0].file, 'apache2.conf')
  t.is(m.scriptAliases[0].group.mode, 'embedded')
  t.deepEqual(codes(m), ['embedded-with-daemon'])
})

test('options.env wins over the envvars file', (t) => {
  const m = model(debianFiles(), { env: { APACHE_RUN_USER: 'kallithea' } })
  t.is(m.runUser.user, 'kallithea')
  t.is(m.runUser.source, 'env')
  t.is(m.runUser.group, 'www-data')
})

test('User apache directive', (t) => {
  const m = one('User apache\nGroup apache\n')
  t.is(m.runUser.user, 'apache')
  t.is(m.runUser.group, 'apache')
  t.is(m.runUser.source, 'directive')
  t.is(m.runUser.node?.name, 'User')
})

test('no User directive: platform default; unresolved variable: platform default too', (t) => {
  t.like(one('').runUser, { user: 'www-data', group: 'www-data', source: 'platform-default', groupSource: 'platform-default' })
  t.like(one('', { platformUser: { user: 'apache', group: 'apache' } }).runUser, { user: 'apache', source: 'platform-default' })
  const m = one('User ${APACHE_RUN_USER}\n')
  t.is(m.runUser.user, 'www-data')
  t.is(m.runUser.source, 'platform-default')
  t.is(m.runUser.node?.name, 'User')
})

test('User inside a <VirtualHost> (suexec) does not set the run user', (t) => {
  const m = one('User apache\n<VirtualHost *:80>\n  User nobody\n</VirtualHost>\n')
  t.is(m.runUser.user, 'apache')
})

// --- names, duplicates, restrict embedded --------------------------------------------------------

test('directive names are case-insensitive, option names are not', (t) => {
  const m = one(`wsgidaemonprocess kallithea Threads=4 threads=4
<virtualhost *:80>
    WSGIPROCESSGROUP kallithea
    wsgiScriptAlias / /srv/kallithea/dispatch.wsgi
    wsgipassauthorization on
</virtualhost>
`)
  t.is(m.daemons.length, 1)
  t.is(m.virtualHosts.length, 1)
  const a = m.scriptAliases[0]
  t.is(a.directive, 'WSGIScriptAlias')
  t.is(a.group.mode, 'daemon')
  t.is(a.group.via, 'vhost')
  t.is(a.passAuthorization.value, 'On')
  t.deepEqual(m.daemons[0].options.map((o) => [o.key, o.known]), [['Threads', false], ['threads', true]])
  t.deepEqual(codes(m), ['invalid-daemon-option'])
  t.regex(m.problems[0].message, /Invalid option to WSGI daemon process definition\..*Threads=4/)
})

test('duplicate daemon names anywhere in the server are a problem', (t) => {
  const m = one(`WSGIDaemonProcess kallithea threads=4
<VirtualHost *:443>
    WSGIDaemonProcess kallithea threads=4
</VirtualHost>
`)
  t.is(m.daemons.length, 2)
  t.deepEqual(codes(m), ['duplicate-daemon'])
  t.is(m.problems[0].severity, 'error')
  t.is(m.problems[0].node, m.daemons[1].node)
  t.regex(m.problems[0].message, /Name duplicates previous WSGI daemon definition\./)
  t.regex(m.problems[0].message, /site\.conf:1/)
  t.is(m.daemon('kallithea'), m.daemons[0])
})

test('WSGIRestrictedEmbedded misspelled and WSGIRestrictEmbedded inside a vhost', (t) => {
  const m = one(`WSGIRestrictedEmbedded On
<VirtualHost *:80>
    WSGIRestrictEmbedded On
</VirtualHost>
`)
  t.deepEqual(
    m.restrictEmbedded.map((r) => [r.node.name, r.value, r.misspelled, r.inVirtualHost]),
    [
      ['WSGIRestrictedEmbedded', 'On', true, false],
      ['WSGIRestrictEmbedded', 'On', false, true],
    ],
  )
  t.false(m.embeddedRestricted)
  t.deepEqual(codes(m), ['restrict-embedded-misspelled', 'restrict-embedded-in-vhost'])
  t.regex(m.problems[0].message, /Invalid command 'WSGIRestrictedEmbedded', perhaps misspelled/)
  t.regex(m.problems[1].message, /WSGIRestrictEmbedded cannot occur within <VirtualHost> section/)
})

test('the last global WSGIRestrictEmbedded decides', (t) => {
  t.false(one('WSGIRestrictEmbedded On\nWSGIRestrictEmbedded Off\n').embeddedRestricted)
  t.true(one('<IfModule mod_wsgi.c>\n  WSGIRestrictEmbedded on\n</IfModule>\n').embeddedRestricted)
})

test('WSGIDaemonProcess and WSGIScriptAlias are not allowed in containers', (t) => {
  const m = one(`<Directory /srv>
    WSGIDaemonProcess x threads=1
    WSGIScriptAlias / /srv/x.wsgi process-group=x bogus=1
</Directory>
`)
  t.deepEqual(codes(m), ['not-allowed-here', 'not-allowed-here', 'invalid-alias-option'])
})

// --- pass authorization --------------------------------------------------------------------------

test('passAuthorization precedence: alias option, container, vhost, global, default', (t) => {
  const m = one(`WSGIPassAuthorization Off
<VirtualHost *:80>
    WSGIPassAuthorization On
    WSGIScriptAlias /a /srv/a.wsgi pass-authorization=Off
    WSGIScriptAlias /b /srv/b.wsgi
    <Location /c>
        WSGIPassAuthorization Off
    </Location>
    WSGIScriptAlias /c /srv/c.wsgi
</VirtualHost>
WSGIScriptAlias /d /srv/d.wsgi
`)
  const [a, b, c, d] = m.scriptAliases
  t.deepEqual([a.passAuthorization.value, a.passAuthorization.via], ['Off', 'alias-option'])
  t.is(a.options['pass-authorization']?.index, 2)
  t.deepEqual([b.passAuthorization.value, b.passAuthorization.via], ['On', 'vhost'])
  t.deepEqual([c.passAuthorization.value, c.passAuthorization.via], ['Off', 'container'])
  t.deepEqual([d.passAuthorization.value, d.passAuthorization.via], ['Off', 'global'])
  t.is(m.passAuthorization(b), b.passAuthorization)
  t.is(m.passAuthorizations.length, 3)
  t.deepEqual(m.passAuthorization(b.scope).value, 'On')
  t.deepEqual(one('WSGIScriptAlias / /srv/x.wsgi\n').scriptAliases[0].passAuthorization, { value: undefined, via: 'default' })
})

test('passAuthorization for a scope inside a container', (t) => {
  const m = one(`<VirtualHost *:80>
    <Directory /srv/kallithea>
        WSGIPassAuthorization On
        WSGIApplicationGroup %{GLOBAL}
    </Directory>
</VirtualHost>
`)
  const inner = m.applicationGroups[0].scope
  t.deepEqual([m.passAuthorization(inner).value, m.passAuthorization(inner).via], ['On', 'container'])
  const vhostScope = { ...inner, containers: [], container: undefined }
  t.is(m.passAuthorization(vhostScope).value, undefined)
})

// --- Define / ${VAR} -----------------------------------------------------------------------------

test('Define and ${VAR} are resolved in a python-home path (raw kept)', (t) => {
  const m = one(`Define KALLITHEA_ROOT /srv/kallithea
Define VENV \${KALLITHEA_ROOT}/venv
<VirtualHost *:80>
    ServerName \${SITE}
    WSGIDaemonProcess kallithea threads=4 python-home=\${VENV} home=\${KALLITHEA_ROOT}
    WSGIProcessGroup kallithea
    WSGIScriptAlias / \${KALLITHEA_ROOT}/dispatch.wsgi
    <Directory \${KALLITHEA_ROOT}>
        WSGIPassAuthorization On
    </Directory>
</VirtualHost>
`, { env: { SITE: 'k.example.com' } })
  const home = m.daemons[0].options.find((o) => o.key === 'python-home')
  t.deepEqual(home && [home.value, home.raw, home.index], ['/srv/kallithea/venv', '${VENV}', 2])
  t.is(m.daemons[0].options[2].value, '/srv/kallithea')
  t.is(m.scriptAliases[0].script, '/srv/kallithea/dispatch.wsgi')
  t.is(m.scriptAliases[0].rawScript, '${KALLITHEA_ROOT}/dispatch.wsgi')
  t.is(m.virtualHosts[0].serverName, 'k.example.com')
  t.deepEqual(m.defines, { KALLITHEA_ROOT: '/srv/kallithea', VENV: '/srv/kallithea/venv' })
  // The <Directory ${KALLITHEA_ROOT}> covers the resolved script path.
  t.is(m.scriptAliases[0].passAuthorization.via, 'container')
  t.is(m.scriptAliases[0].passAuthorization.value, 'On')
})

test('a ${VAR} used before its Define stays unresolved; UnDefine removes it', (t) => {
  const m = one(`WSGIDaemonProcess a python-home=\${V}
Define V /venv
WSGIDaemonProcess b python-home=\${V}
UnDefine V
WSGIDaemonProcess c python-home=\${V}
`)
  t.deepEqual(m.daemons.map((d) => d.options[0].value), ['${V}', '/venv', '${V}'])
})

// --- small helpers -------------------------------------------------------------------------------

test('quoted option values spanning several args', (t) => {
  const m = one(`WSGIDaemonProcess k python-home="/srv/my venv" threads=2\n`)
  t.deepEqual(
    m.daemons[0].options.map((o) => [o.key, o.value, o.index, o.lastIndex]),
    [['python-home', '/srv/my venv', 1, 2], ['threads', '2', 3, 3]],
  )
})

test('WSGIScriptAliasMatch covers containers by its literal prefix', (t) => {
  const m = one(`WSGIDaemonProcess k threads=1
<Location /kallithea>
    WSGIProcessGroup k
</Location>
WSGIScriptAliasMatch ^/kallithea(/.*)?$ /srv/kallithea/dispatch.wsgi
`)
  const a = m.scriptAliases[0]
  t.is(a.directive, 'WSGIScriptAliasMatch')
  t.is(a.group.via, 'container')
  t.is(a.group.mode, 'daemon')
})

test('locate() finds the record of a visited node', (t) => {
  const m = one(DOCS_032_VHOST)
  const loc = m.locate(m.daemons[0].node)
  t.is(loc?.scope.kind, 'vhost')
  t.is(m.processGroup(m.scriptAliases[0]), m.scriptAliases[0].group)
  t.is(m.processGroup(m.daemons[0].scope).mode, 'daemon')
})

test('hostOf strips scheme and port', (t) => {
  t.is(hostOf('kallithea.example.com:443'), 'kallithea.example.com')
  t.is(hostOf('https://kallithea.example.com'), 'kallithea.example.com')
  t.is(hostOf('[::1]:80'), '[::1]')
})

test('buildModel is side-effect free: same trees give equal answers twice', (t) => {
  const files = debianFiles().map(([path, text]) => ({ path, tree: parse(text, { path }) }))
  const before = JSON.stringify(files.map((f) => f.tree))
  const a = buildModel(files)
  const b = buildModel(files)
  t.is(JSON.stringify(files.map((f) => f.tree)), before)
  t.deepEqual(a.problems.map((p) => p.message), b.problems.map((p) => p.message))
  t.deepEqual(a.daemons.map((d) => d.name), b.daemons.map((d) => d.name))
})

test('locate() returns the richest record', (t) => {
  const m = one(DOCS_032_VHOST)
  t.is(m.locate(m.daemons[0].node), m.daemons[0])
  t.is(m.locate(m.scriptAliases[0].node), m.scriptAliases[0])
  t.is(m.locate(m.processGroups[0].node), m.processGroups[0])
  t.is(m.locate(m.virtualHosts[0].serverNameNode!)?.scope.kind, 'vhost')
})

// --- problems: data and records ------------------------------------------------------------------

test('problems carry the record they are about and their facts as data', (t) => {
  const m = one(OTHER_SITE.replace('dispatch.wsgi\n', 'dispatch.wsgi pass-authorization=yes\n    WSGIPassAuthorization maybe\n'))
  const [alias] = m.scriptAliases
  const [unreachable] = problemsOf(m.problems, 'unreachable-group')
  t.is(unreachable.record, alias)
  t.is(unreachable.node, m.processGroups[0].node)
  t.is(unreachable.data.daemon, m.daemons[0])
  t.deepEqual([unreachable.data.group, unreachable.data.ownerSite, unreachable.data.site], ['kallithea', 'other.example.com', 'kallithea.example.com'])
  const flags = problemsOf(m.problems, 'invalid-flag')
  t.deepEqual(flags.map((p) => p.data.raw), ['maybe', 'yes'])
  t.is(flags[0].data.setting, m.passAuthorizations[0])
  t.is(flags[0].record, m.passAuthorizations[0])
  t.is(flags[1].data.option, alias.options['pass-authorization'])
  t.is(flags[1].record, alias)
  t.regex(flags[1].message, /Invalid value for authorization flag\.: pass-authorization=yes in WSGIScriptAlias \//)
})

test('placement problems name the container; a misplaced and misspelled directive has both', (t) => {
  const m = one(`<Location /k>
    WSGIDaemonProcess k threads=1
    WSGIRestrictedEmbedded On
</Location>
`)
  t.deepEqual(codes(m), ['not-allowed-here', 'restrict-embedded-misspelled', 'restrict-embedded-in-container'])
  const [notAllowed] = problemsOf(m.problems, 'not-allowed-here')
  t.is(notAllowed.record, m.daemons[0])
  t.is(notAllowed.data.container.path, '/k')
  t.is(problemsOf(m.problems, 'restrict-embedded-misspelled')[0].data.written, 'WSGIRestrictedEmbedded')
  t.is(problemsOf(m.problems, 'restrict-embedded-in-container')[0].record, m.restrictEmbedded[0])
})

test('a group defined later in a vhost of another ServerName: not yet configured, and unreachable', (t) => {
  const m = one(`<VirtualHost *:80>
    ServerName a.example.com
    WSGIScriptAlias / /srv/k/dispatch.wsgi process-group=k application-group=%{GLOBAL}
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example.com
    WSGIDaemonProcess k threads=1
</VirtualHost>
`)
  t.is(m.scriptAliases[0].group.mode, 'unreachable')
  t.deepEqual(codes(m), ['group-not-yet-configured', 'unreachable-group'])
  // A group defined nowhere: not yet configured says it all.
  t.deepEqual(codes(one('WSGIScriptAlias / /srv/k.wsgi process-group=k application-group=x\n')), ['group-not-yet-configured'])
})

test('the nested <VirtualHost> and include cycle problems point at the inner vhost and the Include', (t) => {
  const m = model([
    ['main.conf', '<VirtualHost *:80>\n<VirtualHost *:443>\n</VirtualHost>\n</VirtualHost>\nInclude main.conf\n'],
  ])
  const [nested] = problemsOf(m.problems, 'nested-virtualhost')
  t.is(nested.record, m.virtualHosts[1])
  t.is(nested.data.outer, m.virtualHosts[0])
  t.is(nested.node, m.virtualHosts[1].section)
  const [cycle] = problemsOf(m.problems, 'include-cycle')
  t.is(cycle.record, m.includes[0])
  t.deepEqual(cycle.data.chain, ['main.conf', 'main.conf'])
})

// --- rules and types ------------------------------------------------------------------------------

test('option rules: the names mod_wsgi accepts, with the release that added them', (t) => {
  t.is(DAEMON_OPTION_RULES['python-home'].since, '3.4')
  t.is(DAEMON_OPTION_RULES['graceful-timeout'].since, '4.1.0')
  t.true(DAEMON_OPTIONS.has('threads'))
  t.false(DAEMON_OPTIONS.has('Threads'))
  t.deepEqual([...ALIAS_OPTIONS], ['process-group', 'application-group', 'pass-authorization', 'callable-object'])
  t.true(Object.values(ALIAS_OPTION_RULES).every((r) => r.since === '3.0'))
  // Every known option is read as known.
  const m = one(`WSGIDaemonProcess k ${[...DAEMON_OPTIONS].map((o) => `${o}=1`).join(' ')}\n`)
  t.true(m.daemons[0].options.every((o) => o.known))
  t.deepEqual(m.problems, [])
})

test('GroupResolution narrows by mode and Scope by kind', (t) => {
  const m = one(DOCS_032_VHOST)
  const g = m.scriptAliases[0].group
  // Compile-time: only the daemon and unreachable modes promise a daemon; only vhost scopes a vhost.
  const daemonName = g.mode === 'daemon' ? g.daemon.name : undefined
  const scope = m.daemons[0].scope
  const site = scope.kind === 'vhost' ? scope.vhost.siteName : undefined
  t.is(daemonName, 'kallithea')
  t.is(site, 'kallithea.example.com')
})
