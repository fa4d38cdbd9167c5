// fileconfig-here: message ids, which fileConfig is meant, and a path that is not one literal.
import test from 'ava'
import { migrate } from '../../../src/runner/migrate.js'

const CONF = 'WSGIDaemonProcess kallithea threads=1 python-home=/srv/kallithea/venv\nWSGIProcessGroup kallithea\nWSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n'
const run = (script: string) =>
  migrate({ files: [{ path: 'k.conf', content: CONF }, { path: 'dispatch.wsgi', content: script }], root: '/srv/kallithea', to: 'latest', only: ['fileconfig-here'] })
const text = (r: Awaited<ReturnType<typeof run>>) => r.files.find((f) => f.path === 'dispatch.wsgi')!.text

test('the change is explained by id, with the folder it gives', async (t) => {
  const r = await run("from logging.config import fileConfig\nfileConfig('/etc/kallithea/prod.ini')\n")
  t.like(r.changes[0], { messageId: 'added', kind: 'modify', lines: { start: 2, end: 2 }, data: { here: "'/etc/kallithea'" } })
})

test('a name that may hold two paths: the os.path form when os is imported, else advised', async (t) => {
  const two = "import os\nini = '/srv/a/kallithea.ini'\nif os.environ.get('B'):\n    ini = '/srv/b/kallithea.ini'\nfrom logging.config import fileConfig\nfileConfig(ini)\n"
  t.is(text(await run(two)), two.replace('fileConfig(ini)', "fileConfig(ini, {'__file__': ini, 'here': os.path.dirname(os.path.abspath(ini))})"))
  const noOs = two.replace('import os\n', 'import sys\n').replace("os.environ.get('B')", 'sys.argv')
  const r = await run(noOs)
  t.is(text(r), noOs)
  t.like(r.advisories[0], { messageId: 'unknownFolder', line: 6 })
})

test("a fileConfig that is not logging's, and a call inside an expression, are left alone", async (t) => {
  const own = "def fileConfig(path):\n    pass\nfileConfig('/srv/kallithea/kallithea.ini')\n"
  t.deepEqual((await run(own)).changes, [])
  const nested = "from logging.config import fileConfig\nok = fileConfig('/srv/kallithea/kallithea.ini') or True\n"
  t.deepEqual((await run(nested)).changes, [])
})
