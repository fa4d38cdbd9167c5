// script-activation: with python-home, Kallithea's dispatch script must not activate the venv.
//
// The 0.3.1 docs activate the virtualenv from the WSGI script: `activate_this` + `execfile(...)`,
// or `import site` + `site.addsitedir('<venv>/lib/python2.7/site-packages')`. Issue #203 (0.3.2):
// `WSGIDaemonProcess ... python-home=<venv>` makes the venv the daemon's sys.prefix, which
// "negates the need to do Python virtual environment activate in the WSGI script file". The old
// code is then dead weight, and on Python 3 it breaks: `python3 -m venv` creates no
// activate_this.py and `execfile` does not exist.
//
// For each Kallithea dispatch script among the run's files (src/model/kallithea.ts):
//   - every daemon group that runs it has python-home=<venv>: the activation of exactly that venv
//     goes (src/python/remove.ts removes whole statements, never text in strings or comments);
//   - no group has python-home and the script activates exactly one venv: python-home=<venv> is
//     added to the WSGIDaemonProcess (mod_wsgi >= 3.4) and the activation goes in the same run;
//   - the script runs embedded, in several groups that disagree, or activates another venv than
//     python-home, or its code is computed: advisories say what to do; nothing is edited.
import { posix } from 'node:path'
import { setOption } from '../../../src/syntax/edit.js'
import type { DaemonGroup, ScriptAlias, WsgiModel } from '../../../src/model/model.js'
import {
  analyzeDispatchScript,
  normalizeVenv,
  removeVenvActivation,
  scanPython,
  venvOfSitePackages,
  type DispatchAnalysis,
  type RemovalResult,
  type RemovedStatement,
} from '../../../src/python/index.js'
import type { ApacheFile, ScriptFile, Transform, TransformContext } from '../../../src/runner/transform.js'
import type { Directive } from '../../../src/syntax/types.js'
import { coerceVersion, compareVersions, type Version } from '../../../src/runner/version.js'
import { isKallitheaAlias, scriptFileOf } from '../../../src/model/kallithea.js'
import { apacheFile } from '../../files.js'

const label = (a: ScriptAlias): string => `${a.node.name} ${a.rawUrl}`
const where = (a: { file: string; node: { position?: { start: { line: number } } } }): string =>
  `${a.file}:${a.node.position?.start.line ?? '?'}`

/** Whether the script holds virtualenv activation code at all. */
export function activates(a: DispatchAnalysis): boolean {
  return a.venvs.length > 0 || a.unresolved.length > 0
}

/** First line of a statement, shortened for an explanation. */
function snippet(text: string): string {
  const first = text.split(/\r\n|\n|\r/)[0].trim()
  return first.length > 72 ? `${first.slice(0, 69)}...` : first
}

/** One sentence per removed statement: what went and why it is not needed. */
export function removalExplanation(r: RemovedStatement, venv: string): string {
  const code = snippet(r.text)
  switch (r.what) {
    case 'activate-exec':
      return /\bexecfile\b/.test(r.text)
        ? `Removed the virtualenv activation (${code}): python-home=${venv} already makes the venv the daemon's sys.prefix, ` +
            'and python3 -m venv creates no activate_this.py (execfile does not exist on Python 3).'
        : `Removed the virtualenv activation (${code}): python-home=${venv} already makes the venv the daemon's sys.prefix, ` +
            'and python3 -m venv creates no activate_this.py for it to run.'
    case 'activate-assignment':
      return `Removed the activate_this.py path (${code}): python-home=${venv} already runs the daemon in that virtualenv, ` +
        'and python3 -m venv creates no activate_this.py.'
    case 'addsitedir':
    case 'sys-path':
      return `Removed ${code}: python-home=${venv} already puts that virtualenv's own site-packages on the daemon's sys.path.`
    case 'import-site':
      return `Removed ${code}: the script no longer uses the site module once its site.addsitedir() call is gone.`
  }
}

/** Lines where the script names a venv or holds activation code it cannot read. */
function activationLines(a: DispatchAnalysis): string {
  const lines = [
    ...a.activateAssignments, ...a.activateExecs, ...a.siteDirs.filter((s) => s.venv !== null), ...a.unresolved,
  ].map((f) => f.startLine)
  const sorted = [...new Set(lines)].sort((x, y) => x - y)
  return `${sorted.length === 1 ? 'line' : 'lines'} ${sorted.join(', ')}`
}


/** mod_wsgi older than `min`, when the user said which one runs. */
function olderThan(ctx: TransformContext, min: Version): boolean {
  const v = ctx.options.modWsgiVersion
  const c = v === undefined ? null : coerceVersion(v)
  return c !== null && compareVersions(c, min) < 0
}

const pythonHome = (d: DaemonGroup): string | undefined => d.options.find((o) => o.key === 'python-home')?.value

/**
 * What the run reads its scripts against: one model for all of them, plus the python-home= this
 * transform added to daemons since that model was built (addPythonHome): a later script run by
 * the same daemon must see it, and it is the only edit of the Apache files made here.
 */
interface Seen {
  model: WsgiModel
  /** Daemon node → the python-home value added to it (as the model would read it back). */
  added: Map<Directive, string>
  /** The model's aliases by the script file of the run they load (in model order). */
  byScript: Map<ScriptFile, ScriptAlias[]>
  /** An added value holds a variable: only a fresh model reads it back as mod_wsgi would. */
  stale: boolean
}

function see(ctx: TransformContext): Seen {
  const model = ctx.model()
  const byScript = new Map<ScriptFile, ScriptAlias[]>()
  for (const a of model.scriptAliases) {
    const match = scriptFileOf(a, ctx.files)
    if (!match) continue
    const list = byScript.get(match.file)
    if (list) list.push(a)
    else byScript.set(match.file, [a])
  }
  return { model, added: new Map(), byScript, stale: false }
}

/** The python-home of `d` as the files are now. */
const homeOf = (seen: Seen, d: DaemonGroup): string | undefined => seen.added.get(d.node) ?? pythonHome(d)

/** The Kallithea aliases of the model that load `file` (by the script's text as it is now). */
function aliasesOf(seen: Seen, ctx: TransformContext, file: ScriptFile): ScriptAlias[] {
  return (seen.byScript.get(file) ?? []).filter((a) => isKallitheaAlias(a, ctx.files))
}

const CODING = /^[ \t\f]*#.*?coding[:=]/

/**
 * The activation block usually stands in a paragraph of its own. Once its statements are gone,
 * the blank line after it would lead the file or double the blank line before it: drop that one
 * blank line too (it joins the range of the run's last statement). A blank physical line right
 * after a complete statement is never inside a string. Nothing happens when a coding declaration
 * sits near the top (moving it could change the file's encoding) or when the module's result
 * cannot be rebuilt from the original lines.
 */
export function dropOrphanBlankLines(before: string, result: RemovalResult): RemovalResult {
  if (result.removed.length === 0) return result
  const scan = scanPython(before)
  const lines = scan.lines
  const gone = new Set<number>()
  for (const r of result.removed) for (let n = r.startLine; n <= r.endLine; n++) gone.add(n)
  const rebuild = (skip: Set<number>): string => {
    let out = ''
    for (const l of lines) {
      if (!skip.has(l.line)) out += before.slice(l.start, l.end)
      else if (l.line === 1 && scan.bom) out += '\uFEFF'
    }
    return out
  }
  if (rebuild(gone) !== result.text) return result
  const firstLines = result.text.split(/\r\n|\n|\r/).slice(0, 3)
  if (firstLines.some((l) => CODING.test(l))) return result
  const isBlank = (n: number): boolean => lines[n - 1]?.role === 'blank' && !gone.has(n)

  const removed = [...result.removed].sort((x, y) => x.startLine - y.startLine).map((r) => ({ ...r }))
  const extra = new Set<number>()
  for (let i = 0; i < removed.length; i++) {
    const first = removed[i].startLine
    let j = i
    while (j + 1 < removed.length && removed[j + 1].startLine === removed[j].endLine + 1) j++
    const last = removed[j]
    const next = last.endLine + 1
    if ((first === 1 || isBlank(first - 1)) && isBlank(next) && next <= lines.length) {
      extra.add(next)
      last.text += before.slice(lines[next - 1].start, lines[next - 1].end)
      last.endLine = next
    }
    i = j
  }
  if (extra.size === 0) return result
  return { ...result, text: rebuild(new Set([...gone, ...extra])), removed }
}

/** Remove the activation of `venv` from the script; report what stays. */
function removeActivation(ctx: TransformContext, file: ScriptFile, venv: string, analysis: DispatchAnalysis): void {
  const result = dropOrphanBlankLines(file.text, removeVenvActivation(file.text, venv))
  if (result.removed.length > 0) {
    file.text = result.text
    for (const r of result.removed) {
      ctx.change({ file, lines: { start: r.startLine, end: r.endLine }, kind: 'remove', explanation: removalExplanation(r, venv) })
    }
  }
  for (const s of result.skipped) {
    ctx.advise({
      file,
      line: s.startLine,
      message:
        `${file.path}:${s.startLine}: ${snippet(s.text)} activates ${venv}, which python-home=${venv} already does, but it was left in place ` +
        `(${s.message}): remove it by hand.`,
    })
  }
  for (const u of analysis.unresolved) {
    ctx.advise({
      file,
      line: u.startLine,
      message:
        `${file.path}:${u.startLine}: ${snippet(u.text)} looks like virtualenv activation but was not changed (${u.reason}): ` +
        `python-home=${venv} already sets the virtualenv up, so remove it by hand if it only activates that one.`,
    })
  }
}

/** Add python-home=<venv> to the daemons that run the script when that is safe; returns the venv, or undefined after advising. */
function addPythonHome(
  ctx: TransformContext,
  model: WsgiModel,
  file: ScriptFile,
  daemons: DaemonGroup[],
  analysis: DispatchAnalysis,
  seen: Seen,
): string | undefined {
  const names = daemons.map((d) => d.name).join(', ')
  const advise = (message: string): undefined => {
    ctx.advise({ file, line: analysis.activateExecs[0]?.startLine ?? analysis.siteDirs[0]?.startLine, message })
    return undefined
  }
  if (analysis.venvs.length !== 1 || analysis.venv === null) {
    const what = analysis.venvs.length > 1
      ? `activates several virtualenvs (${analysis.venvs.join(', ')})`
      : 'activates a virtualenv whose path is computed at run time'
    return advise(
      `${file.path} ${what} (${activationLines(analysis)}) and WSGIDaemonProcess ${names} has no python-home: not changed. ` +
        'Add python-home=<the venv Kallithea is installed in> to the WSGIDaemonProcess and remove the activation code.',
    )
  }
  const venv = analysis.venv
  if (olderThan(ctx, [3, 4, 0])) {
    return advise(
      `${file.path} activates ${venv} itself; mod_wsgi ${ctx.options.modWsgiVersion} has no python-home option (3.4+), so the activation stays. ` +
        `After upgrading mod_wsgi, add python-home=${venv} to WSGIDaemonProcess ${names} and run again.`,
    )
  }
  for (const d of daemons) {
    const shared = model.scriptAliases.filter((a) => a.group.daemon?.node === d.node && !isKallitheaAlias(a, ctx.files))
    if (shared.length > 0) {
      return advise(
        `${file.path} activates ${venv}, but WSGIDaemonProcess ${d.name} also runs ${shared.map((a) => `${label(a)} (${where(a)})`).join(', ')}: ` +
          `python-home=${venv} would change that application's Python too, so nothing was changed. Give Kallithea its own daemon group with python-home=${venv}.`,
      )
    }
    const other = d.options
      .filter((o) => o.key === 'python-path')
      .flatMap((o) => o.value.split(':'))
      .map(venvOfSitePackages)
      .find((v) => v !== null && v !== venv)
    if (other) {
      return advise(
        `${file.path} activates ${venv} but WSGIDaemonProcess ${d.name} has python-path into ${other}: not changed. ` +
          'Decide which virtualenv Kallithea is installed in, set python-home=<it> (instead of python-path) and remove the activation from the script.',
      )
    }
    const f = apacheFile(ctx, d.file)
    if (!f || f.tree.data.diagnostics.length > 0) {
      return advise(`${file.path} activates ${venv}; WSGIDaemonProcess ${d.name} (${where(d)}) should get python-home=${venv}, but its file has parse errors: fix them and run again.`)
    }
  }
  for (const d of daemons) {
    setOption(d.node, 'python-home', venv)
    seen.added.set(d.node, venv)
    if (venv.includes('$')) seen.stale = true
    ctx.change({
      file: apacheFile(ctx, d.file) as ApacheFile,
      node: d.node,
      kind: 'modify',
      explanation:
        `Added python-home=${venv} to WSGIDaemonProcess ${d.name}: the daemon's Python now starts in that virtualenv ` +
        `(sys.prefix ${venv}, its site-packages on sys.path), so ${file.path} no longer has to activate it.`,
    })
  }
  return venv
}

/** Handle one dispatch script of the run. */
function handleScript(ctx: TransformContext, seen: Seen, file: ScriptFile): void {
  const model = seen.model
  const aliases = aliasesOf(seen, ctx, file)
  if (aliases.length === 0) return
  const analysis = analyzeDispatchScript(file.text)
  if (!activates(analysis)) return
  const first = aliases[0]
  const match = scriptFileOf(first, ctx.files)
  if (match && !match.exact) {
    ctx.advise({
      file,
      message:
        `${label(first)} (${where(first)}) loads ${first.script}, which is not a file of this run; ${file.path}, the only ` +
        `${posix.basename(first.script)} of the run, was taken for it: check that it is the same script.`,
    })
  }
  if (analysis.errors.length > 0) {
    const e = analysis.errors[0]
    ctx.advise({ file, line: e.line, message: `${file.path}:${e.line}: Python would reject this script (${e.message}); its virtualenv activation was not changed: fix it first.` })
    return
  }
  const notDaemon = aliases.filter((a) => a.group.mode !== 'daemon' || a.group.daemon === undefined)
  if (notDaemon.length > 0) {
    for (const a of notDaemon) {
      const how = a.group.mode === 'embedded'
        ? 'runs embedded in the Apache child processes (no WSGIProcessGroup applies)'
        : `does not run in a usable daemon group (${a.group.mode}${a.group.group ? ` ${a.group.group}` : ''})`
      ctx.advise({
        file,
        line: analysis.activateExecs[0]?.startLine ?? analysis.siteDirs[0]?.startLine,
        message:
          `${file.path} activates ${analysis.venvs.join(', ') || 'a virtualenv'} (${activationLines(analysis)}), and ${label(a)} (${where(a)}) ${how}: ` +
          'first fix the process group (WSGIProcessGroup naming a WSGIDaemonProcess with python-home=<venv>), then run again to remove the activation.',
      })
    }
    return
  }
  const daemons = [...new Map(aliases.map((a) => [a.group.daemon!.node, a.group.daemon!])).values()]
  const homes = daemons.map((d) => {
    const h = homeOf(seen, d)
    return h === undefined ? undefined : normalizeVenv(h)
  })
  const defined = [...new Set(homes.filter((h): h is string => h !== undefined))]
  let venv: string | undefined
  if (defined.length === 0) {
    venv = addPythonHome(ctx, model, file, daemons, analysis, seen)
    if (venv === undefined) return
  } else if (defined.length > 1 || homes.includes(undefined)) {
    ctx.advise({
      file,
      message:
        `${file.path} is run by daemon groups with different python-home settings (${daemons.map((d, i) => `${d.name}: ${homes[i] ?? 'none'}`).join('; ')}): ` +
        'its virtualenv activation was not changed. Give every group that runs Kallithea the same python-home, then run again.',
    })
    return
  } else {
    venv = defined[0]
    if (venv.includes('${')) {
      ctx.advise({ file, message: `python-home=${venv} of WSGIDaemonProcess ${daemons[0].name} is not resolved here (Define/environment): ${file.path} was not changed.` })
      return
    }
    const others = analysis.venvs.filter((v) => v !== venv)
    if (others.length > 0) {
      ctx.advise({
        file,
        line: analysis.activateExecs[0]?.startLine ?? analysis.siteDirs[0]?.startLine,
        message:
          `${file.path} activates ${others.join(', ')} (${activationLines(analysis)}) but WSGIDaemonProcess ${daemons.map((d) => d.name).join(', ')} ` +
          `has python-home=${venv}: the script loads a second virtualenv's packages on top, so nothing was changed. ` +
          'Point python-home at the virtualenv Kallithea is installed in, then remove the activation code from the script.',
      })
      return
    }
  }
  removeActivation(ctx, file, venv, analysis)
}

function apply(ctx: TransformContext): void {
  const scripts = ctx.files.filter((f): f is ScriptFile => f.kind === 'wsgi')
  // One model for every script: removing a script's activation changes no Apache file, and the
  // python-home= added to a daemon is carried in `added` (aliases, groups and other options stay
  // as the model has them). A value with a variable in it is read back by a fresh model instead.
  let seen: Seen | undefined
  for (const file of scripts) {
    seen ??= see(ctx)
    handleScript(ctx, seen, file)
    if (seen.stale) seen = undefined
  }
}

export const scriptActivation: Transform = {
  id: 'script-activation',
  version: '0.3.2',
  title: 'No virtualenv activation in the dispatch script',
  description:
    "Removes the virtualenv activation (activate_this.py + execfile, site.addsitedir of the venv's site-packages) from Kallithea's " +
    'dispatch script when its daemon group has python-home=<that venv>; adds python-home to the group first when it has none.',
  rationale:
    "python-home makes the venv the daemon's sys.prefix, so activating it again in the script is dead code; on Python 3 it fails: " +
    'python3 -m venv creates no activate_this.py and execfile does not exist.',
  apply,
}
