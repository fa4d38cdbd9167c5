// logging-config: message ids, the lines of each change, and HGENCODING kept for an older install.
import test from 'ava'
import { memoryReader } from '../../../src/load/installed-version.js'
import { migrate } from '../../../src/runner/migrate.js'

const CONF = 'WSGIDaemonProcess kallithea threads=1 processes=5 python-home=/srv/kallithea/venv\nWSGIProcessGroup kallithea\nWSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n'
const SCRIPT = `import os
os.environ["HGENCODING"] = "UTF-8"
ini = '/srv/kallithea/my.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
`
const run = (script: string, venv?: Record<string, string>) =>
  migrate({
    files: [{ path: 'k.conf', content: CONF }, { path: 'dispatch.wsgi', content: script }],
    root: '/srv/kallithea', to: 'latest', only: ['logging-config'],
    ...(venv ? { reader: memoryReader(venv) } : {}),
  })

test('the import is modified on its new line, the HGENCODING line removed on its old one', async (t) => {
  const r = await run(SCRIPT)
  t.deepEqual(r.changes.map((c) => [c.messageId, c.kind, c.lines.start, c.lines.end]), [['hgencoding', 'remove', 2, 2], ['import', 'modify', 3, 3]])
  t.is(r.files.find((f) => f.path === 'dispatch.wsgi')!.text, SCRIPT.replace('os.environ["HGENCODING"] = "UTF-8"\n', '').replace('paste.script.util.logging_config', 'logging.config'))
  t.like(r.changes[1]!.data, { module: 'paste.script.util.logging_config' })
})

test('HGENCODING stays while Kallithea 0.3.x is installed, and the advisory says until when', async (t) => {
  const r = await run(SCRIPT, { '/srv/kallithea/venv/lib/python2.7/site-packages/kallithea/__init__.py': 'VERSION = (0, 3, 7)\n' })
  t.deepEqual(r.changes.map((c) => c.messageId), ['import'])
  t.like(r.advisories.find((a) => a.messageId === 'keepHgencoding'), { file: 'dispatch.wsgi', line: 2, data: { installed: '0.3.7' } })
  const v4 = await run(SCRIPT, { '/srv/kallithea/venv/lib/python2.7/site-packages/kallithea/__init__.py': 'VERSION = (0, 4, 0)\n' })
  t.deepEqual(v4.changes.map((c) => c.messageId), ['hgencoding', 'import'])
})

test('a shared line and a star import are advised on, not changed', async (t) => {
  const script = 'import os; os.environ["HGENCODING"] = "UTF-8"\nfrom paste.script.util.logging_config import *\nfileConfig("/srv/kallithea/my.ini")\n'
  const r = await run(script)
  t.deepEqual(r.changes, [])
  t.deepEqual(r.advisories.map((a) => a.messageId).sort(), ['notTopLevel', 'pasteScript'])
})
