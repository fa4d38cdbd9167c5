// redundant-user-group: the order of User and WSGIDaemonProcess, unresolved run users, quoting.
import test from 'ava'
import { migrate } from '../../../src/runner/migrate.js'

async function run(files: Array<[string, string]>, env?: Record<string, string>, allApps = false) {
  const result = await migrate({
    files: files.map(([path, content]) => ({ path, content })),
    root: '/srv/fixture',
    to: 'latest',
    only: ['redundant-user-group'],
    ...(env ? { env } : {}),
    allApps,
  })
  const text = (path: string): string => result.files.find((f) => f.path === path)!.after.toString('utf8')
  return { result, text, advice: result.advisories.map((a) => a.message) }
}

test('a daemon read before the User directive keeps user=/group= (mod_wsgi copies them at that point)', async (t) => {
  // RHEL: conf.modules.d/ is included before User apache, conf.d/ after it.
  const main = 'Include conf.modules.d/*.conf\nUser apache\nGroup apache\nIncludeOptional conf.d/*.conf\n'
  const early = 'WSGIDaemonProcess kallithea user=apache group=apache threads=4\n'
  const late = 'WSGIDaemonProcess hooks user=apache group=apache threads=1\n'
  const { text, result, advice } = await run([
    ['httpd.conf', main],
    ['conf.modules.d/10-wsgi.conf', early],
    ['conf.d/hooks.conf', late],
  ], undefined, true)
  t.deepEqual(result.errors, [])
  t.is(text('conf.modules.d/10-wsgi.conf'), early)
  t.is(text('conf.d/hooks.conf'), 'WSGIDaemonProcess hooks threads=1\n')
  t.is(advice.length, 2)
  t.true(advice.every((m) => m.includes('WSGIDaemonProcess kallithea') && m.includes('before')))
  t.true(advice.some((m) => m.includes('User apache (httpd.conf:2)')))
})

test('User ${APACHE_RUN_USER} not resolved: who Apache runs as is not known, so user=/group= stay, with the assumption named', async (t) => {
  const main = 'User ${APACHE_RUN_USER}\nGroup ${APACHE_RUN_GROUP}\nIncludeOptional sites-enabled/*.conf\n'
  const site = '<VirtualHost *:80>\n    WSGIDaemonProcess kallithea user=www-data group=www-data threads=4\n</VirtualHost>\n'
  const files: Array<[string, string]> = [
    ['apache2.conf', main],
    ['sites-enabled/kallithea.conf', site],
  ]
  const { text, result, advice } = await run(files)
  t.is(text('sites-enabled/kallithea.conf'), site)
  t.deepEqual(result.changes, [])
  t.true(advice.some((m) => m.includes('user=www-data of WSGIDaemonProcess kallithea was kept: these files do not say who Apache runs as (User ${APACHE_RUN_USER} is not resolved here)')), JSON.stringify(advice))
  t.true(advice.some((m) => m.includes('would assume www-data, the Debian default')))
  // With the environment (envvars), it is known.
  const known = await run(files, { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' })
  t.is(known.text('sites-enabled/kallithea.conf'), site.replace(' user=www-data group=www-data', ''))
  t.regex(known.result.changes[0].explanation, /www-data, from User \$\{APACHE_RUN_USER\} in apache2\.conf and Apache's environment/)
})

test('no User line but APACHE_RUN_USER in the environment (a Debian envvars beside the sites): known', async (t) => {
  const site = '<VirtualHost *:80>\n    WSGIDaemonProcess kallithea user=kallithea group=www-data threads=4\n</VirtualHost>\n'
  const { text, result } = await run([['site.conf', site]], { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' })
  t.is(text('site.conf'), site.replace(' group=www-data', ''))
  t.regex(result.changes[0].explanation, /www-data, from Apache's environment \(APACHE_RUN_GROUP\)/)
})

test('quoted values and a variable that resolves to the run user count too', async (t) => {
  const site = '<VirtualHost *:80>\n    WSGIDaemonProcess kallithea user="www-data" group=${APACHE_RUN_GROUP} threads=4\n</VirtualHost>\n'
  const { text, result } = await run([['site.conf', site]], { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' })
  t.is(text('site.conf'), '<VirtualHost *:80>\n    WSGIDaemonProcess kallithea threads=4\n</VirtualHost>\n')
  t.is(result.changes.length, 2)
})

test('User www-data in the run but user=nobody: another owner, kept without advisory', async (t) => {
  const main = 'User www-data\nGroup www-data\n'
  const site = 'WSGIDaemonProcess kallithea user=nobody group=www-data threads=4\n'
  const { text, advice } = await run([
    ['apache2.conf', main],
    ['site.conf', site],
  ])
  t.is(text('site.conf'), 'WSGIDaemonProcess kallithea user=nobody threads=4\n')
  t.deepEqual(advice, [])
})

test('another application (--all-apps): changed only with it, and its explanation never calls it Kallithea', async (t) => {
  const site = '<VirtualHost *:80>\n    WSGIDaemonProcess wiki user=www-data threads=4\n    WSGIScriptAlias / /var/www/wiki/wiki.wsgi process-group=wiki\n</VirtualHost>\n'
  const env = { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' }
  t.is((await run([['site.conf', site]], env)).text('site.conf'), site)
  const { text, result } = await run([['site.conf', site]], env, true)
  t.is(text('site.conf'), site.replace(' user=www-data', ''))
  t.regex(result.changes[0].explanation, /user= only matters when the application's files belong to another owner\.$/)
  t.notRegex(result.changes[0].explanation, /Kallithea|repositories/)
})
