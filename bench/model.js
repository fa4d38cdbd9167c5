// Model benchmark: time of buildModel() on an in-memory Debian-style config with N Kallithea
// sites (each a <VirtualHost> with WSGIDaemonProcess, WSGIProcessGroup, WSGIScriptAlias, a
// <Directory> with WSGIPassAuthorization), for growing N; prints ms per build and the growth
// ratio between sizes (10x the sites should take about 10x the time: linear). Numbers only, no
// pass/fail. Run after a build:
//
//   npm run build && node bench/model.js [--sizes 100,1000,5000] [--runs 5]
//
// Trees are parsed before the clock starts; each size is built for 300 ms (at least three times)
// to warm up the JIT, then `runs` times, and the medians of wall time and CPU time (user + sys of
// this process, less disturbed by other load on the machine) are reported. The CPU time includes
// garbage collection, which grows a little faster than the live heap: per-site cost rises
// somewhat from 100 to 5,000 sites even though the work done per site is constant.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const argv = process.argv.slice(2)
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`)
  return i === -1 ? fallback : argv[i + 1]
}
const sizes = String(option('sizes', '100,1000,5000')).split(',').map(Number)
const runs = Number(option('runs', 5))

const dist = new URL('../dist/src/', import.meta.url)
if (!existsSync(fileURLToPath(new URL('model/model.js', dist)))) {
  console.error('dist/src/model/model.js is missing: run `npm run build` first')
  process.exit(2)
}
const { buildModel } = await import(new URL('model/model.js', dist).href)
const { parse } = await import(new URL('syntax/parse.js', dist).href)

const APACHE2_CONF = `DefaultRuntimeDir \${APACHE_RUN_DIR}
User \${APACHE_RUN_USER}
Group \${APACHE_RUN_GROUP}
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
<Directory />
\tRequire all denied
</Directory>
IncludeOptional conf-enabled/*.conf
IncludeOptional sites-enabled/*.conf
`
const site = (name, i) => `<VirtualHost *:80>
    ServerName hg${i}.example.com
    WSGIDaemonProcess ${name} processes=1 threads=4 python-home=/srv/${name}/venv user=www-data
    WSGIProcessGroup ${name}
    WSGIScriptAlias / /srv/${name}/dispatch.wsgi
    <Directory /srv/${name}>
        WSGIPassAuthorization On
        Require all granted
    </Directory>
    <Location /admin>
        WSGIApplicationGroup %{GLOBAL}
    </Location>
</VirtualHost>
<VirtualHost *:443>
    ServerName hg${i}.example.com
    WSGIScriptAlias / /srv/${name}/dispatch.wsgi process-group=${name}
</VirtualHost>
`

function files(n) {
  const out = [
    { path: 'etc/apache2/envvars', text: 'export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n' },
    { path: 'etc/apache2/apache2.conf', text: APACHE2_CONF },
    { path: 'etc/apache2/mods-enabled/wsgi.load', text: 'LoadModule wsgi_module mod_wsgi.so\n' },
  ]
  for (let i = 0; i < n; i++) out.push({ path: `etc/apache2/sites-enabled/kallithea${i}.conf`, text: site(`kallithea${i}`, i) })
  return out.map((f) => ({ path: f.path, tree: parse(f.text, { path: f.path }) }))
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

let previous
for (const n of sizes) {
  const input = files(n)
  const first = buildModel(input)
  // Warm up the JIT: at least 3 builds and 300 ms, so small sizes are not timed unoptimized.
  for (let w = 0, t0 = Date.now(); w < 2 || Date.now() - t0 < 300; w++) buildModel(input)
  if (first.scriptAliases.length !== 2 * n || first.scriptAliases.some((a) => a.group.mode !== 'daemon')) {
    throw new Error(`unexpected model for ${n} sites: ${first.scriptAliases.length} aliases, ${first.problems.length} problems`)
  }
  const times = []
  const cpus = []
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    buildModel(input)
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    const c = process.cpuUsage(c0)
    cpus.push((c.user + c.system) / 1000)
  }
  const ms = median(times)
  const cpu = median(cpus)
  const growth = previous ? `  x${(cpu / previous.cpu).toFixed(1)} CPU for x${(n / previous.n).toFixed(1)} sites` : ''
  console.log(
    `${String(n).padStart(6)} sites: ${ms.toFixed(1).padStart(8)} ms wall, ${cpu.toFixed(1).padStart(8)} ms CPU ` +
      `(${((cpu / n) * 100).toFixed(2)} ms CPU per 100 sites)${growth}`,
  )
  previous = { n, cpu }
}
