// python3, the daemon group: Python 2 folders in python-path become the venv's lib/python3.X, and
// a python-home venv that is Python 2, or another Python than the one mod_wsgi embeds, is named.
import { servesKallithea } from '../../../src/model/kallithea.js'
import type { DaemonGroup, WsgiModel } from '../../../src/model/model.js'
import { normalizeVenv } from '../../../src/python/index.js'
import type { TransformContext } from '../../../src/runner/transform.js'
import { setArgs } from '../../../src/syntax/edit.js'
import { classifyEntry, optionArgs, splitEntries } from '../../0.3.2/python-home/index.js'
import { embeddedPython } from '../../../src/runner/embedded-python.js'
import { python3Of } from './venvs.js'

const PYTHON2_DIR = /\/python(2\.\d+)\//

/** Edits and advisories for one daemon group that serves Kallithea. */
export function migrateDaemon(ctx: TransformContext, model: WsgiModel, daemon: DaemonGroup): void {
  if (!servesKallithea(daemon, model, ctx.files)) return
  pythonPath(ctx, daemon)
  const home = daemon.options.filter((o) => o.key === 'python-home').at(-1)
  if (home && !home.raw.includes('${')) homePython(ctx, daemon, normalizeVenv(home.value))
}

/**
 * `python-path=<venv>/lib/python2.7/site-packages` → the venv's lib/python3.X, when it can be read.
 * One entry per pass: a second one is fixed on the fresh model of the next.
 */
function pythonPath(ctx: TransformContext, daemon: DaemonGroup): void {
  const paths = daemon.options.filter((o) => o.key === 'python-path')
  const option = paths[0]
  const split = paths.length === 1 ? splitEntries(option!) : undefined
  if (!option || !split) return
  let fixed = false
  split.entries.forEach((entry, i) => {
    const old = PYTHON2_DIR.exec(entry.value)?.[1]
    if (old === undefined) return
    const kind = classifyEntry(entry)
    const venv = kind.kind === 'venv' ? kind.venv : entry.value
    const target = kind.kind === 'venv' ? python3Of(ctx, kind.venv) : { why: "it is not a virtualenv's site-packages" }
    const at = entry.raw.indexOf(`/python${old}/`)
    if ('why' in target || at < 0) {
      const why = 'why' in target ? target.why : 'the path is written with a variable'
      ctx.report({ at: daemon, messageId: 'python2Path', data: { where: `WSGIDaemonProcess ${daemon.name}`, path: entry.value, venv, why } })
      return
    }
    if (fixed) return
    fixed = true
    const raws = split.entries.map((e, j) => (j === i ? e.raw.slice(0, at + 1) + `python${target.python}` + e.raw.slice(at + 1 + `python${old}`.length) : e.raw))
    const replacement = optionArgs('python-path', split.quote + raws.join(':') + split.quote)
    ctx.report({
      at: daemon,
      messageId: 'sitePath',
      data: { old: `python${old}`, python: target.python, venv },
      fix: (fixer) =>
        fixer.modify(daemon.node, (node) => {
          const args = node.args.slice()
          args.splice(option.index, option.lastIndex - option.index + 1, ...replacement)
          setArgs(node, args)
        }),
    })
  })
}

/** A python-home venv that is Python 2, or another Python than mod_wsgi's. */
function homePython(ctx: TransformContext, daemon: DaemonGroup, venv: string): void {
  const info = ctx.options.venvs?.get(venv)
  if (!info || info.pythons.length === 0) return
  const name = daemon.name
  if (info.pythons.every((p) => p.startsWith('2.'))) {
    ctx.report({ at: daemon, messageId: 'python2Venv', data: { name, venv, pythons: info.pythons.join(', ') } })
    return
  }
  const embedded = embeddedPython(ctx)
  const venvPython = info.pythons.find((p) => p.startsWith('3.'))
  if (embedded && venvPython && embedded.python !== venvPython) {
    ctx.report({ at: daemon, messageId: 'otherPython', data: { name, venv, venvPython, embedded: embedded.python, how: embedded.how } })
  }
}
