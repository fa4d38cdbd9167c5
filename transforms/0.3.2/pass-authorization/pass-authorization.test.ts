// pass-authorization and the shared Kallithea heuristic (src/model/kallithea.ts): the parts
// the fixtures do not pin down on their own.
import test from 'ava'
import { migrate, type InputFile } from '../../../src/runner/migrate.js'
import { buildModel } from '../../../src/model/model.js'
import { parse } from '../../../src/syntax/parse.js'
import type { ScriptFile, SourceFile } from '../../../src/runner/transform.js'
import { isKallitheaAlias, scriptFileOf, scriptLooksLikeKallithea } from '../../../src/model/kallithea.js'

const run = (files: InputFile[], extra: { modWsgi?: string } = {}) =>
  migrate({ files, root: '/srv/fixture', to: 'latest', only: ['pass-authorization'], ...extra })

const after = (r: Awaited<ReturnType<typeof run>>, path: string): string =>
  r.files.find((f) => f.path === path)!.after.toString('utf8')

function aliases(conf: string) {
  return buildModel([{ path: 'site.conf', tree: parse(conf) }]).scriptAliases
}

const script = (path: string, text: string): ScriptFile => ({ kind: 'wsgi', path, absolutePath: `/srv/fixture/${path}`, text })

// ---------------------------------------------------------------------------------------------
// The heuristic

test('Kallithea by script path or by daemon group name, case-insensitively', (t) => {
  const [byPath, byGroup, other] = aliases(`WSGIDaemonProcess KallitheaGroup threads=4
WSGIDaemonProcess wiki
WSGIScriptAlias /a /srv/Kallithea/dispatch.wsgi process-group=wiki
WSGIScriptAlias /b /var/www/scm/app.wsgi process-group=KallitheaGroup
WSGIScriptAlias /c /var/www/wiki/wiki.wsgi process-group=wiki
`)
  t.true(isKallitheaAlias(byPath, []))
  t.true(isKallitheaAlias(byGroup, []))
  t.false(isKallitheaAlias(other, []))
})

test('Kallithea by the script of the run: a kallithea ini or import counts, a comment does not', (t) => {
  t.true(scriptLooksLikeKallithea("application = loadapp('config:/var/www/scm/kallithea.ini')\n"))
  t.true(scriptLooksLikeKallithea('from kallithea.config.middleware import make_app\n'))
  t.false(scriptLooksLikeKallithea('# copied from the kallithea docs: /srv/kallithea/my.ini\nfrom moin import app\n'))
  t.false(scriptLooksLikeKallithea("HOME = '/srv/kallithea'\n"), 'a kallithea path that is not an ini')

  const [alias] = aliases('WSGIScriptAlias / /var/www/scm/dispatch.wsgi\n')
  const files: SourceFile[] = [script('dispatch.wsgi', "ini = '/var/www/scm/kallithea.ini'\n")]
  t.true(isKallitheaAlias(alias, files))
  t.false(isKallitheaAlias(alias, [script('dispatch.wsgi', 'from moin import application\n')]))
})

test('scriptFileOf: the exact path wins; a base name only when it is unique in the run', (t) => {
  const [alias] = aliases('WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n')
  const a = script('a/dispatch.wsgi', '')
  const b = script('b/dispatch.wsgi', '')
  const exact: ScriptFile = { kind: 'wsgi', path: 'x.wsgi', absolutePath: '/srv/kallithea/dispatch.wsgi', text: '' }
  t.deepEqual(scriptFileOf(alias, [a]), { file: a, exact: false })
  t.is(scriptFileOf(alias, [a, b]), undefined, 'two candidates: none is taken')
  t.deepEqual(scriptFileOf(alias, [a, b, exact]), { file: exact, exact: true })
})

// ---------------------------------------------------------------------------------------------
// The transform

test('an Off in another vhost\'s <Directory> is left alone: Kallithea gets its own line', async (t) => {
  const conf = `<VirtualHost *:80>
    ServerName wiki.example.com
    WSGIScriptAlias / /var/www/wiki/wiki.wsgi
    <Directory /var/www/wiki>
        WSGIPassAuthorization Off
    </Directory>
</VirtualHost>
<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
</VirtualHost>
`
  const r = await run([{ path: 'site.conf', content: conf }])
  t.deepEqual(r.errors, [])
  t.is(after(r, 'site.conf'), conf.replace(
    '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n',
    '    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n    WSGIPassAuthorization On\n',
  ))
})

test('a global <Directory /> Off that also decides for another app: Kallithea\'s alias gets the option', async (t) => {
  const conf = `<Directory />
    WSGIPassAuthorization Off
</Directory>
<VirtualHost *:80>
    ServerName www.example.com
    WSGIScriptAlias /wiki /var/www/wiki/wiki.wsgi
    WSGIScriptAlias /kallithea /srv/kallithea/dispatch.wsgi
</VirtualHost>
`
  const r = await run([{ path: 'site.conf', content: conf }])
  t.is(after(r, 'site.conf'), conf.replace('dispatch.wsgi\n', 'dispatch.wsgi pass-authorization=On\n'))
  const model = buildModel([{ path: 'site.conf', tree: parse(after(r, 'site.conf')) }])
  t.deepEqual(model.scriptAliases.map((a) => a.passAuthorization.value), ['Off', 'On'])
})

test('a global Off deciding for Kallithea and another app stays; the other app keeps Off', async (t) => {
  const conf = `WSGIPassAuthorization Off
WSGIScriptAlias /wiki /var/www/wiki/wiki.wsgi
WSGIScriptAlias /kallithea /srv/kallithea/dispatch.wsgi
`
  const r = await run([{ path: 'site.conf', content: conf }])
  t.is(after(r, 'site.conf'), conf.replace('dispatch.wsgi\n', 'dispatch.wsgi pass-authorization=On\n'))
  const model = buildModel([{ path: 'site.conf', tree: parse(after(r, 'site.conf')) }])
  t.deepEqual(model.scriptAliases.map((a) => a.passAuthorization.value), ['Off', 'On'])
})

test('one alias file included by the :80 and :443 vhosts: one line fixes both', async (t) => {
  const main = `<VirtualHost *:80>
    ServerName kallithea.example.com
    Include kallithea-app.conf
</VirtualHost>
<VirtualHost *:443>
    ServerName kallithea.example.com
    SSLEngine on
    Include kallithea-app.conf
</VirtualHost>
`
  const app = 'WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n'
  const r = await run([{ path: 'site.conf', content: main }, { path: 'kallithea-app.conf', content: app }])
  t.deepEqual(r.errors, [])
  t.is(after(r, 'kallithea-app.conf'), app + 'WSGIPassAuthorization On\n')
  t.is(r.changes.length, 1)
})

test('a file with parse errors is not edited; an advisory says why', async (t) => {
  const conf = '<VirtualHost *:80>\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n'
  const r = await run([{ path: 'site.conf', content: conf }])
  t.is(after(r, 'site.conf'), conf)
  t.deepEqual(r.changes, [])
  t.true(r.advisories.some((a) => a.message.includes('parse errors')))
})

test('the explanation of a change is one sentence naming the clone failures', async (t) => {
  const r = await run([{ path: 'site.conf', content: 'WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n' }])
  t.is(r.changes.length, 1)
  const e = r.changes[0].explanation
  t.regex(e, /^Added WSGIPassAuthorization On after WSGIScriptAlias \/: /)
  t.regex(e, /Authentication failed/)
  t.is(e.match(/\.(\s|$)/g)?.length, 1, 'a single sentence')
})
