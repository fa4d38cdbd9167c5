// The installed Kallithea, read from the venv the daemon uses: every layout pip, setuptools and
// easy_install leave, on disk through the reader confined to the root and in memory; and what a
// run does with it (the default target, --to past it, the JSON report, the CLI's lines).
import test from 'ava'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inspectVenv, memoryReader, rootedReader } from '../src/load/installed-version.js'
import { checkLang, pickUtf8Locale, serverLocale } from '../src/load/locale.js'
import { migrate } from '../src/runner/migrate.js'
import { describeVersions } from '../src/runner/kallithea-version.js'
import { toJsonReport } from '../src/runner/report.js'
import { validateReport } from './helpers/report.js'
import { makeTree, STEPS_0_3_2 } from './helpers/tree.js'

const V = '/srv/kallithea/venv'
const SP2 = `${V}/lib/python2.7/site-packages`
const SP3 = `${V}/lib/python3.11/site-packages`

test('kallithea/__init__.py: VERSION tuple, with a tag, or __version__', (t) => {
  const read = (init: string) => inspectVenv(V, memoryReader({ [`${SP2}/kallithea/__init__.py`]: init })).kallithea
  t.deepEqual(read('# -*- coding: utf-8 -*-\nimport sys\nVERSION = (0, 3, 2)\n__version__ = ".".join(str(x) for x in VERSION)\n'), {
    version: '0.3.2', source: `${SP2}/kallithea/__init__.py`, evidence: 'VERSION = (0, 3, 2)',
  })
  t.is(read("VERSION = (0, 4, 0, 'rc1')\n")?.version, '0.4.0-rc1')
  t.is(read("VERSION = (\n    0, 5,\n)\n")?.version, '0.5.0')
  t.is(read("__version__ = '0.6.3'\n")?.version, '0.6.3')
  t.is(read("if True:\n    VERSION = (9, 9, 9)\n"), null, 'only a module-level assignment counts')
  t.is(read("VERSION = compute()\n"), null)
  t.is(read("# VERSION = (0, 1, 0)\nx = 'VERSION = (0, 2, 0)'\n"), null, 'comments and strings are not code')
})

test('metadata: dist-info METADATA, egg-info folder or file, .egg, egg-link; __init__.py wins', (t) => {
  const at = (files: Record<string, string>) => inspectVenv(V, memoryReader(files)).kallithea
  t.like(at({ [`${SP3}/kallithea-0.6.3.dist-info/METADATA`]: 'Metadata-Version: 2.1\nName: kallithea\nVersion: 0.6.3\n\nVersion: 9.9.9\n' }), {
    version: '0.6.3', source: `${SP3}/kallithea-0.6.3.dist-info/METADATA`, evidence: 'Version: 0.6.3',
  })
  t.like(at({ [`${SP2}/Kallithea-0.5.2-py2.7.egg-info/PKG-INFO`]: 'Metadata-Version: 1.1\nName: Kallithea\nVersion: 0.5.2\n' }), { version: '0.5.2' })
  t.like(at({ [`${SP2}/Kallithea-0.3.1-py2.7.egg-info`]: 'Metadata-Version: 1.0\r\nName: Kallithea\r\nVersion: 0.3.1\r\n' }), { version: '0.3.1' }, 'an egg-info file (old setuptools), CRLF')
  t.like(at({ [`${SP2}/Kallithea-0.3.3-py2.7.egg/EGG-INFO/PKG-INFO`]: 'Name: Kallithea\nVersion: 0.3.3\n' }), { version: '0.3.3' })
  t.like(at({ [`${SP2}/Kallithea.egg-link`]: '/home/dev/kallithea\n.\n', '/home/dev/kallithea/kallithea/__init__.py': 'VERSION = (0, 4, 1)\n' }), {
    version: '0.4.1', source: '/home/dev/kallithea/kallithea/__init__.py',
  })
  t.like(at({ [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 3, 7)\n', [`${SP2}/Kallithea-0.3.6-py2.7.egg-info/PKG-INFO`]: 'Version: 0.3.6\n' }), { version: '0.3.7' })
  t.is(at({ [`${SP2}/kallithea_extras-1.0.dist-info/METADATA`]: 'Version: 1.0\n' }), null, 'another package')
})

test('the Python of a venv, and a venv with nothing in it or not there', (t) => {
  const both = inspectVenv(V, memoryReader({ [`${V}/lib/python2.7/site-packages/x.py`]: '', [`${V}/lib64/python3.11/site-packages/y.py`]: '' }))
  t.deepEqual(both.pythons, ['2.7', '3.11'])
  t.is(both.kallithea, null)
  t.is(both.unread, undefined)
  t.is(inspectVenv('/srv/other', memoryReader({ [`${SP2}/x.py`]: '' })).unread, 'missing')
})

test('on disk: read inside the root only; a symlink out of it is not followed', (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'wsgi-migrate-venv-'))
  const outside = mkdtempSync(path.join(os.tmpdir(), 'wsgi-migrate-out-'))
  t.teardown(() => {
    rmSync(root, { recursive: true, force: true })
    rmSync(outside, { recursive: true, force: true })
  })
  const write = (p: string, text: string) => {
    mkdirSync(path.dirname(p), { recursive: true })
    writeFileSync(p, text)
  }
  write(path.join(root, 'venv/lib/python3.11/site-packages/kallithea/__init__.py'), 'VERSION = (0, 6, 1)\n')
  write(path.join(outside, 'venv/lib/python3.11/site-packages/kallithea/__init__.py'), 'VERSION = (0, 6, 2)\n')
  symlinkSync(path.join(outside, 'venv'), path.join(root, 'linked'))
  const reader = rootedReader(root)
  t.is(inspectVenv(path.join(root, 'venv'), reader).kallithea?.version, '0.6.1')
  t.is(inspectVenv(path.join(outside, 'venv'), reader).unread, 'outside-root')
  t.is(inspectVenv(path.join(root, 'linked'), reader).unread, 'outside-root', 'a symlink leaving the root')
  t.is(reader.readFile(path.join(root, 'linked/lib/python3.11/site-packages/kallithea/__init__.py')), undefined)
  t.is(inspectVenv(path.join(root, 'nothing'), reader).unread, 'missing')
})

// ---------------------------------------------------------------------------------------------
// What a run does with it

const SITE = `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea \\
        threads=4 \\
        python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`
const SCRIPT = `import os
os.environ["HGENCODING"] = "UTF-8"
ini = '/srv/kallithea/my.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

const runWith = (venvFiles: Record<string, string> | undefined, selection: { to?: string; from?: string } = {}, conf = SITE) =>
  migrate({
    root: '/srv/kallithea',
    files: [{ path: 'kallithea.conf', content: 'WSGIRestrictEmbedded On\n' + conf }, { path: 'dispatch.wsgi', content: SCRIPT }],
    ...(venvFiles ? { reader: memoryReader(venvFiles) } : {}),
    ...selection,
  })
const steps = (r: Awaited<ReturnType<typeof runWith>>) => r.transforms.map((x) => x.id)

test('without --to the target is the installed version: every step up to it, none past it', async (t) => {
  const r = await runWith({ [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 4, 1)\n' })
  t.deepEqual(r.errors, [])
  // Shown relative to the root when it lies inside it.
  t.like(r.kallithea, { installed: '0.4.1', installedFrom: 'venv/lib/python2.7/site-packages/kallithea/__init__.py', target: '0.4.1', targetFrom: 'installed' })
  t.deepEqual(steps(r).slice(STEPS_0_3_2.length), ['single-threaded', 'logging-config', 'daemon-lang'])
  t.deepEqual(r.kallithea.venvs[0]!.namedBy, [{ via: 'python-home', at: 'kallithea.conf:4' }])
  t.deepEqual(r.advisories.filter((a) => /past the installed/.test(a.message)), [], 'nothing past the installed version')
  const json = toJsonReport(r, { mode: 'dry-run', version: '1' })
  t.like(json.kallithea, { installed: '0.4.1', target: '0.4.1', targetFrom: 'installed' })
})

test('an installed Kallithea older than 0.3.2 still gets the 0.3.2 form; no venv: the default 0.3.2', async (t) => {
  const old = await runWith({ [`${SP2}/Kallithea-0.3.1-py2.7.egg-info/PKG-INFO`]: 'Version: 0.3.1\n' })
  t.like(old.kallithea, { installed: '0.3.1', target: '0.3.2', targetFrom: 'installed' })
  t.deepEqual(steps(old), steps(await runWith(undefined)))
  t.like((await runWith(undefined)).kallithea, { installed: null, target: '0.3.2', targetFrom: 'default', venvs: [] })
  t.like((await runWith({})).kallithea, { target: '0.3.2', targetFrom: 'default', venvs: [{ unread: 'missing' }] })
})

test('a Python 3 venv without a readable version is Kallithea 0.6.0 or later', async (t) => {
  const r = await runWith({ [`${SP3}/markupsafe/__init__.py`]: '' })
  t.like(r.kallithea, { installed: null, target: '0.6.0', targetFrom: 'python' })
  t.is(steps(r).at(-1), 'python3')
})

test('--to past the installed version: applied, and each step says what it asks of it', async (t) => {
  const r = await runWith({ [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 3, 5)\n' }, { to: 'latest' })
  t.like(r.kallithea, { installed: '0.3.5', target: '0.6.0', targetFrom: 'to' })
  const past = r.advisories.filter((a) => /past the installed Kallithea 0\.3\.5/.test(a.message)).map((a) => a.transform)
  t.deepEqual(past, ['logging-config', 'daemon-lang', 'fileconfig-here', 'python3'], 'the 0.3.3 step is not past 0.3.5')
  t.true(r.advisories.some((a) => a.transform === 'logging-config' && /HGENCODING is kept while the installed Kallithea is older than 0\.4\.0/.test(a.message)))
  // The logging import changes (it works on 0.3.x); HGENCODING stays while 0.3.x is installed.
  const script = r.files.find((f) => f.path === 'dispatch.wsgi')!.text
  t.regex(script, /^from logging\.config import fileConfig$/m)
  t.regex(script, /HGENCODING/)
  t.true(r.advisories.some((a) => a.messageId === 'keepHgencoding'))
  // --to at or below the installed version says nothing of the kind.
  const at = await runWith({ [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 5, 1)\n' }, { to: '0.4.1' })
  t.false(at.advisories.some((a) => /past the installed/.test(a.message)))
})

test('venvs that disagree: the oldest Kallithea decides', async (t) => {
  const two = SITE + SITE.replaceAll('kallithea.example.com', 'scm.example.com').replaceAll('kallithea \\', 'scm \\').replace('WSGIProcessGroup kallithea', 'WSGIProcessGroup scm').replace('/srv/kallithea/venv', '/srv/scm/venv')
  const r = await runWith({
    [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 5, 1)\n',
    '/srv/scm/venv/lib/python2.7/site-packages/kallithea/__init__.py': 'VERSION = (0, 4, 0)\n',
  }, {}, two)
  t.like(r.kallithea, { installed: '0.4.0', target: '0.4.0', installedFrom: '/srv/scm/venv/lib/python2.7/site-packages/kallithea/__init__.py' })
  t.is(r.kallithea.venvs.length, 2)
})

test('--lang: a UTF-8 locale or a usage error; the server-mode hook picks the host one from locale -a', async (t) => {
  t.is(checkLang('en_US.UTF-8'), null)
  t.is(checkLang('de_DE.utf8@euro'), null)
  t.regex(checkLang('en_US') ?? '', /not a UTF-8 locale/)
  t.regex(checkLang('C.UTF-8 x') ?? '', /not a UTF-8 locale/)
  const r = await migrate({ files: [{ path: 'a.conf', content: '' }], lang: 'POSIX' })
  t.like(r.errors[0], { code: 'usage' })
  t.is(pickUtf8Locale('C\nC.utf8\nPOSIX\nen_US.utf8\n'), 'C.utf8')
  t.is(pickUtf8Locale('C\nPOSIX\nde_DE.utf8\nen_US.utf8\n'), 'en_US.utf8')
  t.is(pickUtf8Locale('C\nPOSIX\nde_DE.utf8\n'), 'de_DE.utf8')
  t.is(pickUtf8Locale('C\nPOSIX\n'), undefined)
  t.is(serverLocale('en_GB.UTF-8', 'C.utf8\n'), 'en_GB.UTF-8', '--lang wins')
  t.is(serverLocale(undefined, 'C.utf8\n'), 'C.utf8')
})

test('the global WSGIPythonHome: the venv of a Kallithea daemon without python-home, and of Kallithea run embedded', async (t) => {
  const files = { [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 4, 0)\n' }
  // mod_wsgi starts a daemon group without python-home= from the global Python home.
  const daemon = `WSGIPythonHome ${V}\n` + SITE.replace(' \\\n        python-home=/srv/kallithea/venv', '')
  const r = await runWith(files, {}, daemon)
  t.like(r.kallithea, { installed: '0.4.0', target: '0.4.0', targetFrom: 'installed' })
  t.deepEqual(r.kallithea.venvs[0]!.namedBy, [{ via: 'WSGIPythonHome', at: 'kallithea.conf:2' }])
  t.deepEqual(validateReport(toJsonReport(r, { mode: 'dry-run', version: '1' })), [], 'the JSON report names the new way')
  // A daemon with its own python-home does not use the global one.
  const own = await runWith({ ...files, '/opt/other/lib/python2.7/site-packages/x.py': '' }, {}, 'WSGIPythonHome /opt/other\n' + SITE)
  t.deepEqual(own.kallithea.venvs.map((v) => v.venv), [V])
  // The 0.3.1 form runs Kallithea embedded: WSGIPythonHome and WSGIPythonPath both apply there.
  const embedded = `WSGIPythonHome /opt/py\nWSGIPythonPath ${SP2}\n<VirtualHost *:80>\n    ServerName kallithea.example.com\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n`
  const e = await migrate({ root: '/srv/kallithea', files: [{ path: 'kallithea.conf', content: embedded }, { path: 'dispatch.wsgi', content: SCRIPT }], reader: memoryReader(files) })
  t.deepEqual(e.kallithea.venvs.map((v) => [v.venv, v.namedBy[0]!.via]), [['/opt/py', 'WSGIPythonHome'], [V, 'WSGIPythonPath']])
  t.like(e.kallithea, { installed: '0.4.0', target: '0.4.0' })
})

test('WSGIPythonPath is not a daemon group venv (mod_wsgi applies it to embedded mode only)', async (t) => {
  const conf = `WSGIPythonPath /opt/embedded/lib/python2.7/site-packages\n` + SITE
  const r = await runWith({ [`${SP2}/kallithea/__init__.py`]: 'VERSION = (0, 5, 1)\n' }, {}, conf)
  t.deepEqual(r.kallithea.venvs.map((v) => v.venv), [V])
  t.like(r.kallithea, { installed: '0.5.1' })
})

test('the installed Kallithea from site.addsitedir in the dispatch script alone', async (t) => {
  const conf = `<VirtualHost *:80>\n    ServerName kallithea.example.com\n    WSGIDaemonProcess kallithea threads=1\n    WSGIProcessGroup kallithea\n    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n</VirtualHost>\n`
  const script = `import site\nsite.addsitedir("${SP2}")\n` + SCRIPT
  const r = await migrate({
    root: '/srv/kallithea',
    files: [{ path: 'kallithea.conf', content: conf }, { path: 'dispatch.wsgi', content: script }],
    reader: memoryReader({ [`${SP2}/Kallithea-0.3.3-py2.7.egg-info/PKG-INFO`]: 'Version: 0.3.3\n' }),
  })
  t.like(r.kallithea, { installed: '0.3.3', target: '0.3.3', targetFrom: 'installed' })
  t.deepEqual(r.kallithea.venvs.map((v) => [v.venv, v.namedBy]), [[V, [{ via: 'addsitedir', at: 'dispatch.wsgi:2' }]]])
})

test('servers that hold different Kallitheas: each goes to the form of its own (no --to); --to takes all to one', async (t) => {
  // Two Kallitheas, `kallithea-old` and `kallithea-new`, each in its own file (a server of its own).
  const site = (name: string) => SITE.replaceAll('kallithea', `kallithea-${name}`).replaceAll('/srv/', '@ROOT@/srv/')
  const script = (name: string) => SCRIPT.replaceAll('/srv/kallithea', `@ROOT@/srv/kallithea-${name}`)
  const root = makeTree({
    'sites/old.conf': site('old'),
    'sites/new.conf': site('new'),
    'srv/kallithea-old/dispatch.wsgi': script('old'),
    'srv/kallithea-new/dispatch.wsgi': script('new'),
    'srv/kallithea-old/venv/lib/python2.7/site-packages/kallithea/__init__.py': 'VERSION = (0, 4, 0)\n',
    'srv/kallithea-new/venv/lib/python2.7/site-packages/kallithea/__init__.py': 'VERSION = (0, 5, 1)\n',
  })
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const r = await migrate({ paths: [root], root })
  t.deepEqual(r.errors, [])
  t.deepEqual(r.servers.map((s) => [s.name, s.kallithea]), [
    ['sites/new.conf', { installed: '0.5.1', target: '0.5.1' }],
    ['sites/old.conf', { installed: '0.4.0', target: '0.4.0' }],
  ])
  const touched = (transform: string) => [...new Set(r.changes.filter((c) => c.transform === transform).map((c) => c.file))].sort()
  // 0.4.1 and 0.5.1 steps only where 0.5.1 is installed; the 0.4.0 step on both.
  t.deepEqual(touched('daemon-lang'), ['sites/new.conf'])
  t.deepEqual(touched('fileconfig-here'), ['srv/kallithea-new/dispatch.wsgi'])
  t.deepEqual(touched('logging-config'), ['srv/kallithea-new/dispatch.wsgi', 'srv/kallithea-old/dispatch.wsgi'])
  t.true(r.transforms.some((x) => x.id === 'fileconfig-here'), 'the run lists every step some server took')
  t.like(r.kallithea, { installed: '0.4.0' }, 'the summary still names the oldest')
  t.deepEqual(describeVersions(r.kallithea, r.servers).filter((l) => l.startsWith('target')), [
    'target of sites/new.conf: the Kallithea 0.5.1 form (its venv holds 0.5.1)',
    'target of sites/old.conf: the Kallithea 0.4.0 form (its venv holds 0.4.0)',
  ])
  t.deepEqual(validateReport(toJsonReport(r, { mode: 'dry-run', version: '1' })), [])
  const all = await migrate({ paths: [root], root, to: '0.5.1' })
  t.deepEqual(all.servers.map((s) => s.kallithea.target), ['0.5.1', '0.5.1'])
  t.deepEqual([...new Set(all.changes.filter((c) => c.transform === 'daemon-lang').map((c) => c.file))].sort(), ['sites/new.conf', 'sites/old.conf'])  // --from at or above the oldest server's target still leaves the newer server its steps.
  const from = await migrate({ paths: [root], root, from: '0.4.0' })
  t.deepEqual(from.errors, [])
  t.deepEqual([...new Set(from.changes.map((c) => c.file))].sort(), ['sites/new.conf', 'srv/kallithea-new/dispatch.wsgi'])
  const past = await migrate({ paths: [root], root, from: '0.5.1' })
  t.regex(past.errors.map((e) => e.message).join('\n'), /--from 0\.5\.1 is not below the target/)
})
