// The transforms build the mod_wsgi model a fixed number of times per run, however many sites the
// run holds: a rebuild after every edit made a 1,000-site tree take minutes (O(sites²)). N Kallithea
// sites in the 0.3.1 docs form are migrated at two sizes and the number of model builds compared.
// No timing here: speed is measured in bench/.
import test from 'ava'
import { migrate, type InputFile } from '../src/runner/migrate.js'
import { builtinTransforms } from '../transforms/index.js'
import { preset as v0_3_2 } from '../transforms/0.3.2/index.js'

const ROOT = '/srv/fixture'

/** One site as the 0.3.1 "Apache with mod_wsgi" docs set it up: its own file, vhost and daemon. */
const site031 = (i: number): string => `# Kallithea ${i}, set up from the 0.3.1 "Apache with mod_wsgi" docs.
<VirtualHost *:80>
    ServerName hg${i}.example.com
    ServerAdmin admin@example.com

    WSGIDaemonProcess kallithea${i} \\
        processes=1 threads=4 \\
        python-path=/srv/kallithea${i}/venv/lib/python2.7/site-packages \\
        user=www-data group=www-data
    WSGIScriptAlias / ${ROOT}/dispatch${i}.wsgi

    ErrorLog \${APACHE_LOG_DIR}/kallithea${i}-error.log
    CustomLog \${APACHE_LOG_DIR}/kallithea${i}-access.log combined
</VirtualHost>
`

/** The same site in the 0.3.2 form. WSGIRestrictEmbedded On goes once, at the top of the first site. */
const site032 = (i: number): string => `${i === 0 ? 'WSGIRestrictEmbedded On\n' : ''}# Kallithea ${i}, set up from the 0.3.1 "Apache with mod_wsgi" docs.
<VirtualHost *:80>
    ServerName hg${i}.example.com
    ServerAdmin admin@example.com

    WSGIDaemonProcess kallithea${i} \\
        threads=4 \\
        python-home=/srv/kallithea${i}/venv
    WSGIProcessGroup kallithea${i}
    WSGIScriptAlias / ${ROOT}/dispatch${i}.wsgi
    WSGIPassAuthorization On

    ErrorLog \${APACHE_LOG_DIR}/kallithea${i}-error.log
    CustomLog \${APACHE_LOG_DIR}/kallithea${i}-access.log combined
</VirtualHost>
`

const application = (i: number): string => `import os
os.environ['HOME'] = '/srv/kallithea${i}'

ini = '/srv/kallithea${i}/kallithea.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

const dispatch031 = (i: number): string => `activate_this = '/srv/kallithea${i}/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

${application(i)}`

const pad = (i: number): string => String(i).padStart(3, '0')

function sites(n: number, form: '0.3.1' | '0.3.2'): InputFile[] {
  const files: InputFile[] = []
  for (let i = 0; i < n; i++) {
    files.push({ path: `sites-available/kallithea${pad(i)}.conf`, content: form === '0.3.1' ? site031(i) : site032(i) })
    files.push({ path: `dispatch${i}.wsgi`, content: form === '0.3.1' ? dispatch031(i) : application(i) })
  }
  return files
}

// Debian's envvars say who Apache runs as: the sites' user=www-data group=www-data go.
const run = (files: InputFile[]) => migrate({ files, root: ROOT, env: { APACHE_RUN_USER: 'www-data', APACHE_RUN_GROUP: 'www-data' } })

/** The run's default target is the 0.3.2 form: its steps. */
const ALL_IDS = v0_3_2.transforms.map((t) => t.meta.id).sort()

/** What a run of `n` sites did, checked: every site migrated to the 0.3.2 form, a second run idle. */
async function migrated(t: import('ava').ExecutionContext, n: number): Promise<{ builds: number; againBuilds: number }> {
  const result = await run(sites(n, '0.3.1'))
  t.deepEqual(result.errors, [], `${n} sites: no errors`)
  t.deepEqual([...new Set(result.changes.map((c) => c.transform))].sort(), ALL_IDS, `${n} sites: every transform changed something`)
  const expected = sites(n, '0.3.2')
  t.is(result.files.length, expected.length)
  for (const want of expected) {
    const got = result.files.find((f) => f.path === want.path)
    t.is(got?.status, 'changed', `${n} sites: ${want.path} changed`)
    t.is(got?.text, want.content as string, `${n} sites: ${want.path} is in the 0.3.2 form`)
  }
  // Each site got its own edits, not one site many times.
  for (const id of ['process-group', 'drop-processes-1', 'python-home', 'pass-authorization']) {
    t.is(result.changes.filter((c) => c.transform === id).length, n, `${n} sites: one ${id} change per site`)
  }

  const again = await run(result.files.map((f) => ({ path: f.path, content: f.after })))
  t.deepEqual(again.errors, [])
  t.deepEqual(again.changes, [], `${n} sites: a second run changes nothing`)
  t.deepEqual(again.files.filter((f) => f.status !== 'unchanged').map((f) => f.path), [])
  t.is(again.patch.length, 0)
  return { builds: result.stats.modelBuilds, againBuilds: again.stats.modelBuilds }
}

test('the number of model builds does not grow with the number of sites', async (t) => {
  const small = await migrated(t, 5)
  const large = await migrated(t, 50)
  t.log(`model builds: 5 sites ${small.builds}, 50 sites ${large.builds}; second runs ${small.againBuilds}, ${large.againBuilds}`)
  t.true(small.builds >= 1, 'the stats count the builds')
  t.is(large.builds, small.builds, 'as many model builds for 50 sites as for 5')
  t.is(large.againBuilds, small.againBuilds, 'and for the second runs')
  t.true(large.builds <= 3 * builtinTransforms.length, `at most 3 builds per transform (got ${large.builds})`)
})

// The Debian :80/:443 pair of each site: two vhosts of one ServerName, the daemon in the :80 one.
// Each vhost gets its own WSGIProcessGroup and WSGIPassAuthorization, in one pass for all sites.
const pair031 = (i: number): string => `<VirtualHost *:80>
    ServerName scm${pad(i)}.example.com
    WSGIDaemonProcess kallithea${pad(i)} processes=1 threads=4 python-home=/srv/kallithea${pad(i)}/venv user=www-data group=www-data
    WSGIScriptAlias / ${ROOT}/dispatch${pad(i)}.wsgi
</VirtualHost>
<IfModule mod_ssl.c>
<VirtualHost *:443>
    ServerName scm${pad(i)}.example.com
    SSLEngine on
    WSGIScriptAlias / ${ROOT}/dispatch${pad(i)}.wsgi
</VirtualHost>
</IfModule>
`

function pairs(n: number): InputFile[] {
  const files: InputFile[] = []
  for (let i = 0; i < n; i++) {
    files.push({ path: `sites-available/scm${pad(i)}.conf`, content: pair031(i) })
    files.push({ path: `dispatch${pad(i)}.wsgi`, content: dispatch031(i).replaceAll(`kallithea${i}`, `kallithea${pad(i)}`) })
  }
  return files
}

test('the :80/:443 pair of every site is migrated with as many model builds for 50 sites as for 5', async (t) => {
  const small = await run(pairs(5))
  const large = await run(pairs(50))
  t.deepEqual(small.errors, [])
  t.deepEqual(large.errors, [])
  t.log(`model builds: 5 sites ${small.stats.modelBuilds}, 50 sites ${large.stats.modelBuilds}`)
  t.is(large.stats.modelBuilds, small.stats.modelBuilds)

  const text = (r: typeof small, path: string): string => r.files.find((f) => f.path === path)!.text
  const conf = (i: number): string => `sites-available/scm${pad(i)}.conf`
  const site1 = text(small, conf(1))
  t.is(
    site1,
    `<VirtualHost *:80>
    ServerName scm001.example.com
    WSGIDaemonProcess kallithea001 threads=4 python-home=/srv/kallithea001/venv
    WSGIProcessGroup kallithea001
    WSGIScriptAlias / ${ROOT}/dispatch001.wsgi
    WSGIPassAuthorization On
</VirtualHost>
<IfModule mod_ssl.c>
<VirtualHost *:443>
    ServerName scm001.example.com
    SSLEngine on
    WSGIProcessGroup kallithea001
    WSGIScriptAlias / ${ROOT}/dispatch001.wsgi
    WSGIPassAuthorization On
</VirtualHost>
</IfModule>
`,
  )
  // Every site like the second (the first also holds WSGIRestrictEmbedded On).
  t.is(text(large, conf(0)), text(small, conf(0)))
  for (let i = 1; i < 50; i++) t.is(text(large, conf(i)), site1.replaceAll('001', pad(i)), conf(i))
  for (let i = 0; i < 50; i++) t.is(text(large, `dispatch${pad(i)}.wsgi`), application(i).replaceAll(`kallithea${i}`, `kallithea${pad(i)}`))
  // Per site: two WSGIProcessGroup and two WSGIPassAuthorization lines, one per vhost.
  t.is(large.changes.filter((c) => c.transform === 'process-group').length, 100)
  t.is(large.changes.filter((c) => c.transform === 'pass-authorization').length, 100)

  const again = await run(large.files.map((f) => ({ path: f.path, content: f.after })))
  t.deepEqual(again.changes, [], 'a second run changes nothing')
  t.is(again.patch.length, 0)
})
