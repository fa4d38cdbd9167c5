// The CLI on a Debian tree whose Kallithea venv lies in the root: the installed version is read
// and shown with where it came from, it is the default target, --to and --lang choose otherwise,
// and a root that does not hold the venv says so.
import test from 'ava'
import path from 'node:path'
import { addToTree, debianTree, ensureBuilt, runCli, treeMaker } from './helpers/tree.js'

test.before(() => ensureBuilt())
const tree = treeMaker(test.after)

const METADATA = 'srv/kallithea/venv/lib/python2.7/site-packages/Kallithea-0.5.1.dist-info/METADATA'
/** The 0.3.1 docs deployment with Kallithea 0.5.1 installed in its venv. */
function installed(): string {
  const root = tree(debianTree())
  addToTree(root, { [METADATA]: 'Metadata-Version: 2.1\nName: Kallithea\nVersion: 0.5.1\n' })
  return root
}
const on = (root: string, ...args: string[]): string[] => [...args, '--root', root, path.join(root, 'etc/apache2')]

interface Report {
  kallithea: { installed: string | null; installedFrom: string | null; target: string; targetFrom: string; venvs: Array<{ venv: string; unread: string | null; namedBy: Array<{ via: string; at: string }> }> }
  transforms: Array<{ id: string }>
  patch: string
}

test('the installed Kallithea is read from the venv, shown with its source, and is the target', async (t) => {
  const root = installed()
  const r = await runCli(on(root, '--dry-run', '--json'))
  t.is(r.status, 0, r.stderr)
  const report = JSON.parse(r.stdout) as Report
  t.like(report.kallithea, { installed: '0.5.1', installedFrom: METADATA, target: '0.5.1', targetFrom: 'installed' })
  t.deepEqual(report.kallithea.venvs[0]!.namedBy.map((n) => n.via), ['python-path', 'activate_this'])
  t.is(report.transforms.at(-1)!.id, 'fileconfig-here', 'every step up to 0.5.1, not python3')
  t.regex(report.patch, /\+.*lang=C\.UTF-8/)
  t.regex(r.stderr, new RegExp(`kallithea: venv ${root}/srv/kallithea/venv \\(python-path at etc/apache2/sites-available/kallithea\\.conf:\\d+, activate_this at srv/kallithea/dispatch\\.wsgi:1, Python 2\\.7\\): Kallithea 0\\.5\\.1 \\(${METADATA}: Version: 0\\.5\\.1\\)\\n`))
  t.regex(r.stderr, /kallithea: target: the Kallithea 0\.5\.1 form \(the installed version\)\n/)
})

test('--to and --lang choose; --to past the installed version says what each step asks of it', async (t) => {
  const root = installed()
  const down = JSON.parse((await runCli(on(root, '--dry-run', '--json', '--to', '0.3.3'))).stdout) as Report
  t.like(down.kallithea, { installed: '0.5.1', target: '0.3.3', targetFrom: 'to' })
  t.is(down.transforms.at(-1)!.id, 'single-threaded')
  const lang = JSON.parse((await runCli(on(root, '--dry-run', '--json', '--lang', 'en_US.UTF-8'))).stdout) as Report
  t.regex(lang.patch, /\+.*lang=en_US\.UTF-8/)
  const latest = await runCli(on(root, '--dry-run', '--to', 'latest'))
  t.regex(latest.stderr, /advice \[python3\] Python 3: no execfile, no Python 2 paths: a step of the Kallithea 0\.6\.0 form, past the installed Kallithea 0\.5\.1/)
  t.regex(latest.stderr, /kallithea: target: the Kallithea 0\.6\.0 form \(--to\)/)
  const bad = await runCli(on(root, '--dry-run', '--lang', 'de_DE'))
  t.is(bad.status, 2)
  t.regex(bad.stderr, /--lang de_DE: not a UTF-8 locale name/)
})

test('a root that does not hold the venv: not read, said so, and the default target', async (t) => {
  const root = installed()
  const r = await runCli(['--dry-run', '--json', '--root', path.join(root, 'etc'), path.join(root, 'etc/apache2')])
  const report = JSON.parse(r.stdout) as Report
  t.like(report.kallithea, { installed: null, target: '0.3.2', targetFrom: 'default' })
  t.like(report.kallithea.venvs[0], { venv: `${root}/srv/kallithea/venv`, unread: 'outside-root' })
  t.regex(r.stderr, /kallithea: venv outside the root, not read \(map it into the repository with --map SERVERPATH=REPOPATH, or run with a --root that holds it, to detect the installed Kallithea\): /)
})
