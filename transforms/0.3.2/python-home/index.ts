// python-home: `python-path=<venv>/lib/pythonX.Y/site-packages` becomes `python-home=<venv>`.
//
// Why: with python-path the daemon keeps the system Python as sys.prefix, prepends the venv's
// site-packages and still sees the system's dist-packages; the WSGI script then has to activate
// the virtualenv itself. With python-home (mod_wsgi 3.4+) the venv is sys.prefix: stdlib plus
// that venv's own site-packages only, and no activation code is needed in the script.
//
// Only a real venv layout is converted: system site/dist-packages directories stay (advisory),
// and a python-home that disagrees or two venvs in one path are left for the user to decide.
// python-home needs mod_wsgi 3.4 and a venv made by the Python mod_wsgi embeds (else the daemon
// cannot start Python): a venv of another Python than the module's (when known), or a Python 2.6
// venv while the mod_wsgi version is not known (such servers ran mod_wsgi 3.2/3.3), is advised on.
import { posix } from 'node:path'
import type { DaemonGroup, WsgiOption } from '../../../src/model/model.js'
import { defineTransform } from '../../../src/runner/define.js'
import { fixableDaemons } from '../../../src/runner/fixable.js'
import { otherPython } from '../../../src/runner/embedded-python.js'
import type { TransformContext } from '../../../src/runner/transform.js'
import { setArgs } from '../../../src/syntax/edit.js'
import { layoutOf } from '../../../src/syntax/render.js'
import type { Directive } from '../../../src/syntax/types.js'
import { splitWords } from '../../../src/syntax/words.js'

const NOW_VENV =
  'the daemon now uses the virtualenv as sys.prefix and sees only its own site-packages (no system dist-packages), ' +
  'which also makes virtualenv activation code in the WSGI script unnecessary.'
const REDUNDANT =
  'python-home={{venv}} already makes that virtualenv sys.prefix and puts its site-packages on sys.path, ' +
  'so the entry was redundant and the daemon runs as before.'

export const pythonHome = defineTransform({
  meta: {
    id: 'python-home',
    version: '0.3.2',
    title: 'Use python-home instead of python-path to a venv site-packages',
    description:
      'Turns python-path=<venv>/lib/pythonX.Y/site-packages of WSGIDaemonProcess into python-home=<venv> (other ' +
      'python-path entries stay); advises about system site-packages, a different python-home, or two venvs.',
    rationale:
      'With python-path the daemon runs on the system Python (sys.prefix /usr) with system dist-packages visible and ' +
      'the WSGI script must activate the venv; python-home makes the venv sys.prefix with only its own packages.',
    modWsgi: '>=3.4',
    messages: {
      replaced:
        'Replaced python-path={{entry}} with python-home={{venv}} in WSGIDaemonProcess {{name}}: ' + NOW_VENV,
      moved:
        'Moved {{entry}} out of the python-path of WSGIDaemonProcess {{name}} (which keeps {{rest}}) into python-home={{venv}}: ' + NOW_VENV,
      redundantPath:
        'Removed python-path={{entry}} from WSGIDaemonProcess {{name}}: ' + REDUNDANT,
      redundantEntry:
        'Removed {{entry}} from the python-path of WSGIDaemonProcess {{name}}: ' + REDUNDANT,
      quotedWhole:
        'WSGIDaemonProcess {{name}} has "python-path={{value}}" quoted as a whole word: mod_wsgi rejects it ("Invalid option to WSGI daemon ' +
        'process definition.") and Apache does not start; quote only the value, as in python-path="..." (for a virtualenv, python-home="<venv>").',
      systemDir:
        'WSGIDaemonProcess {{name}}: python-path names {{dir}}, a system Python packages directory, not a virtualenv: left as is. If the application ' +
        'is installed in a virtualenv, use python-home=<venv> (the directory holding bin/ and lib/) instead.',
      twoVenvs:
        'WSGIDaemonProcess {{name}}: python-path names the site-packages of two virtualenvs ({{venvs}}): left as is, since python-home ' +
        'can name only one. Keep the one the application is installed in as python-home=<venv> and install what the other provides there.',
      oldPython:
        'WSGIDaemonProcess {{name}}: python-path names a Python {{python}} virtualenv ({{venv}}) and the mod_wsgi in use is not known: ' +
        'a server with Python {{python}} most likely runs a mod_wsgi older than 3.4, which has no python-home (Apache would refuse to start). ' +
        'Left as is; run again with --mod-wsgi VERSION (from 3.4 on, it becomes python-home={{venv}}).',
      otherPython:
        'WSGIDaemonProcess {{name}}: python-path names a Python {{python}} virtualenv ({{venv}}), but mod_wsgi embeds Python {{embedded}} ({{how}}): ' +
        'python-home must name a virtualenv made by that Python, or the daemon cannot start Python ("No module named \'encodings\'"). ' +
        'Left as is; make the virtualenv with Python {{embedded}} (python{{embedded}} -m venv), then use python-home=<it>.',
      otherHome:
        'WSGIDaemonProcess {{name}} has python-home={{home}} but python-path names the site-packages of another virtualenv, {{venv}}: left as is. ' +
        'Decide which environment the application runs from and keep only python-home=<that venv>.',
    },
  },
  create(ctx) {
    const model = ctx.model()
    for (const daemon of fixableDaemons(ctx, model)) migrateDaemon(ctx, daemon)
  },
})

export default pythonHome

// ---------------------------------------------------------------------------------------------
// Reading python-path

/** One `:`-separated entry of python-path, as written and as mod_wsgi sees it. */
export interface PathEntry {
  raw: string
  value: string
}

/** What a python-path entry is. */
export type EntryKind =
  | { kind: 'venv'; venvRaw: string; venv: string; python: string }
  | { kind: 'system'; dir: string }
  | { kind: 'other' }

/** Installation prefixes of a system (or package manager) Python, never a virtualenv. */
const SYSTEM_PREFIXES = new Set(['/', '/usr', '/usr/local', '/opt/local', '/opt/homebrew', '/usr/pkg', '/sw', '/opt/csw'])

const PACKAGES_DIR = /^(.*?)\/+lib(?:64)?\/+python(\d+(?:\.\d+)?)\/+(site|dist)-packages\/*$/

/** `/srv/kallithea/venv/` → `/srv/kallithea/venv`; '' → '/'. */
export function normalizeDir(dir: string): string {
  const n = posix.normalize(dir || '/')
  return n.length > 1 ? n.replace(/\/+$/, '') : n
}

function isSystemPrefix(prefix: string): boolean {
  return (
    SYSTEM_PREFIXES.has(prefix) ||
    /\/usr(?:\/local)?$/.test(prefix) || // a relocated system tree: /opt/rh/python27/root/usr
    /\/\.local$/.test(prefix) || // the per-user site directory
    /^\/(?:System\/)?Library\/Frameworks\//.test(prefix)
  )
}

/** Classify a python-path entry: a venv's site-packages, a system packages dir, or anything else. */
export function classifyEntry(entry: PathEntry): EntryKind {
  const v = PACKAGES_DIR.exec(entry.value)
  if (!v) return { kind: 'other' }
  const prefix = normalizeDir(v[1])
  if (v[3] === 'dist' || isSystemPrefix(prefix)) return { kind: 'system', dir: entry.value }
  const r = PACKAGES_DIR.exec(entry.raw)
  // A variable hides the layout in the written form: keep the resolved prefix then.
  const venvRaw = r ? r[1].replace(/\/+$/, '') || '/' : prefix
  return { kind: 'venv', venvRaw, venv: prefix, python: v[2] }
}

/** The quote the value was written with ('' for none) and its entries; undefined if they cannot be paired. */
export function splitEntries(option: WsgiOption): { quote: string; entries: PathEntry[] } | undefined {
  const q = option.raw[0] === '"' || option.raw[0] === "'" ? option.raw[0] : ''
  const inner = q !== '' && option.raw.length > 1 && option.raw.endsWith(q) ? option.raw.slice(1, -1) : option.raw.slice(q.length)
  const raws = inner.split(':')
  const values = option.value.split(':')
  if (raws.length !== values.length) return undefined
  return { quote: q, entries: raws.map((raw, i) => ({ raw, value: values[i] })) }
}

/** Args that `key=value` (value as written) reads back as, split the way Apache splits words. */
export function optionArgs(key: string, valueText: string): string[] {
  return splitWords(`${key}=${valueText}`).map((w) => w.value)
}

/** The option's first word written in quotes as a whole (`"python-path=..."`): mod_wsgi rejects that. */
function quotedAsWholeWord(node: Directive, option: WsgiOption): boolean {
  const piece = layoutOf(node.raw).pieces[option.index + 1]
  return piece !== undefined && piece.quote !== ''
}

// ---------------------------------------------------------------------------------------------
// Editing one daemon

function migrateDaemon(ctx: TransformContext, daemon: DaemonGroup): void {
  const paths = daemon.options.filter((o) => o.key === 'python-path')
  if (paths.length !== 1) return
  const option = paths[0]
  const name = daemon.name
  if (quotedAsWholeWord(daemon.node, option)) {
    ctx.report({ at: daemon, messageId: 'quotedWhole', data: { name, value: option.value } })
    return
  }
  const split = splitEntries(option)
  if (!split) return
  const kinds = split.entries.map(classifyEntry)
  for (const k of kinds) if (k.kind === 'system') ctx.report({ at: daemon, messageId: 'systemDir', data: { name, dir: k.dir } })
  const venvs = [...new Set(kinds.flatMap((k) => (k.kind === 'venv' ? [k.venv] : [])))]
  if (venvs.length === 0) return
  if (venvs.length > 1) {
    ctx.report({ at: daemon, messageId: 'twoVenvs', data: { name, venvs: venvs.join(', ') } })
    return
  }
  const home = daemon.options.filter((o) => o.key === 'python-home').at(-1)
  if (home && normalizeDir(home.value) !== venvs[0]) {
    ctx.report({ at: daemon, messageId: 'otherHome', data: { name, home: home.value, venv: venvs[0] } })
    return
  }
  const venvKind = kinds.find((k): k is Extract<EntryKind, { kind: 'venv' }> => k.kind === 'venv') as Extract<EntryKind, { kind: 'venv' }>
  if (!home && !homeWorks(ctx, daemon, venvKind)) return
  const moved = split.entries.filter((_, i) => kinds[i].kind === 'venv').map((e) => e.raw)
  const rest = split.entries.filter((_, i) => kinds[i].kind !== 'venv').map((e) => e.raw)
  const q = split.quote
  const replacement = [
    ...(rest.length > 0 ? optionArgs('python-path', q + rest.join(':') + q) : []),
    ...(home ? [] : optionArgs('python-home', q + venvKind.venvRaw + q)),
  ]
  const messageId = home ? (rest.length === 0 ? 'redundantPath' : 'redundantEntry') : rest.length === 0 ? 'replaced' : 'moved'
  const data = { name, entry: moved.join(':'), rest: rest.join(':'), venv: venvKind.venvRaw }
  ctx.report({
    at: daemon,
    messageId,
    data,
    fix: (fixer) =>
      fixer.modify(daemon.node, (node) => {
        const args = node.args.slice()
        args.splice(option.index, option.lastIndex - option.index + 1, ...replacement)
        setArgs(node, args)
      }),
  })
}

/**
 * Whether python-home=<venv> can work: the venv is made by the Python mod_wsgi embeds (when the
 * run knows it), and a Python 2.6 venv comes with a known mod_wsgi (3.4+ passed the gate).
 * Advises and returns false when not.
 */
function homeWorks(ctx: TransformContext, daemon: DaemonGroup, entry: Extract<EntryKind, { kind: 'venv' }>): boolean {
  const data = { name: daemon.name, venv: entry.venvRaw, python: entry.python }
  const old = /^2\.[0-6]$/.test(entry.python)
  if (old && ctx.options.modWsgiVersion === undefined) {
    ctx.report({ at: daemon, messageId: 'oldPython', data })
    return false
  }
  const embedded = otherPython(ctx, entry.python)
  if (embedded !== undefined) {
    ctx.report({ at: daemon, messageId: 'otherPython', data: { ...data, embedded: embedded.python, how: embedded.how } })
    return false
  }
  return true
}
