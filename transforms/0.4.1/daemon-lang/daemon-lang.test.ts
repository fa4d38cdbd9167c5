// daemon-lang: message ids and data, --lang, a variable, and the mod_wsgi gate.
import test from 'ava'
import { migrate } from '../../../src/runner/migrate.js'

const conf = (daemon: string): string => `<VirtualHost *:80>\n    ServerName kallithea.example.com\n    ${daemon}\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n`
const run = (c: string, extra: { lang?: string; modWsgi?: string } = {}) =>
  migrate({ files: [{ path: 'k.conf', content: c }], root: '/srv/kallithea', to: 'latest', only: ['daemon-lang'], ...extra })

test('lang= is added with the locale chosen, and explained by id', async (t) => {
  const r = await run(conf('WSGIDaemonProcess kallithea processes=5 threads=1'), { lang: 'de_DE.UTF-8' })
  t.is(r.files[0]!.text, conf('WSGIDaemonProcess kallithea processes=5 threads=1 lang=de_DE.UTF-8'))
  t.like(r.changes[0], { messageId: 'added', data: { name: 'kallithea', lang: 'de_DE.UTF-8' } })
})

test('a locale from a variable is trusted; one that is not UTF-8 is advised on', async (t) => {
  const v = 'Define L C.UTF-8\n' + conf('WSGIDaemonProcess kallithea lang=${L}')
  const fromVar = await run(v)
  t.deepEqual([fromVar.changes, fromVar.advisories], [[], []])
  const latin = await run(conf('WSGIDaemonProcess kallithea locale=de_DE.ISO-8859-1'))
  t.deepEqual(latin.changes, [])
  t.like(latin.advisories[0], { messageId: 'notUtf8', data: { option: 'locale', value: 'de_DE.ISO-8859-1', lang: 'C.UTF-8' } })
})

test('mod_wsgi older than 3.4 has no lang=: the run advises instead', async (t) => {
  const r = await run(conf('WSGIDaemonProcess kallithea threads=1'), { modWsgi: '3.3' })
  t.deepEqual(r.changes, [])
  t.regex(r.advisories[0]!.message, /not applied: A UTF-8 locale .* needs mod_wsgi >=3\.4 and you run 3\.3/)
})
