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
import { aliasName, where } from '../../../src/model/describe.js'
import { isKallitheaAlias, kallitheaScripts, scriptFileOf } from '../../../src/model/kallithea.js'
import type { DaemonGroup, ScriptAlias, WsgiModel } from '../../../src/model/model.js'
import {
  analyzeDispatchScript,
  normalizeVenv,
  removeVenvActivation,
  scanPython,
  venvFromSitePackages,
  venvOfSitePackages,
  type DispatchAnalysis,
  type RemovalResult,
  type RemovedStatement,
} from '../../../src/python/index.js'
import { defineTransform } from '../../../src/runner/define.js'
import { otherPython } from '../../../src/runner/embedded-python.js'
import type { Fixer, MessageData, MessageRef, ScriptFile, TransformContext } from '../../../src/runner/transform.js'
import { modWsgiAtLeast } from '../../../src/runner/versions.js'
import { setOption } from '../../../src/syntax/edit.js'

const ACTIVATION =
  "Removed the virtualenv activation ({{code}}): python-home={{venv}} already makes the venv the daemon's sys.prefix, " +
  'and python3 -m venv creates no activate_this.py'

/** Whether the script holds virtualenv activation code at all. */
export function activates(a: DispatchAnalysis): boolean {
  return a.venvs.length > 0 || a.unresolved.length > 0
}

/** First line of a statement, shortened for an explanation. */
function snippet(text: string): string {
  const first = text.split(/\r\n|\n|\r/)[0].trim()
  return first.length > 72 ? `${first.slice(0, 69)}...` : first
}

/** The message of one removed statement: what went and why it is not needed. */
export function removalMessage(r: RemovedStatement, venv: string): { messageId: string; data: MessageData } {
  const data = { code: snippet(r.text), venv }
  switch (r.what) {
    case 'activate-exec':
      return { messageId: /\bexecfile\b/.test(r.text) ? 'removedExecfile' : 'removedExec', data }
    case 'activate-assignment':
      return { messageId: 'removedActivatePath', data }
    case 'addsitedir':
    case 'sys-path':
      return { messageId: 'removedSiteDir', data }
    case 'import-site':
      return { messageId: 'removedImportSite', data }
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

export const scriptActivation = defineTransform({
  meta: {
    id: 'script-activation',
    version: '0.3.2',
    title: 'No virtualenv activation in the dispatch script',
    description:
      "Removes the virtualenv activation (activate_this.py + execfile, site.addsitedir of the venv's site-packages) from Kallithea's " +
      'dispatch script when its daemon group has python-home=<that venv>; adds python-home to the group first when it has none.',
    rationale:
      "python-home makes the venv the daemon's sys.prefix, so activating it again in the script is dead code; on Python 3 it fails: " +
      'python3 -m venv creates no activate_this.py and execfile does not exist.',
    messages: {
      removedExecfile: ACTIVATION + ' (execfile does not exist on Python 3).',
      removedExec: ACTIVATION + ' for it to run.',
      removedActivatePath:
        'Removed the activate_this.py path ({{code}}): python-home={{venv}} already runs the daemon in that virtualenv, ' +
        'and python3 -m venv creates no activate_this.py.',
      removedSiteDir: "Removed {{code}}: python-home={{venv}} already puts that virtualenv's own site-packages on the daemon's sys.path.",
      removedImportSite: 'Removed {{code}}: the script no longer uses the site module once its site.addsitedir() call is gone.',
      addedHome:
        "Added python-home={{venv}} to WSGIDaemonProcess {{name}}: the daemon's Python now starts in that virtualenv " +
        '(sys.prefix {{venv}}, its site-packages on sys.path), so {{script}} no longer has to activate it.',
      leftInPlace:
        '{{code}} activates {{venv}}, which python-home={{venv}} already does, but it was left in place ' +
        '({{why}}): remove it by hand.',
      unresolved:
        '{{code}} looks like virtualenv activation but was not changed ({{why}}): ' +
        'python-home={{venv}} already sets the virtualenv up, so remove it by hand if it only activates that one.',
      severalVenvs:
        '{{script}} {{what}} ({{lines}}) and WSGIDaemonProcess {{names}} has no python-home: not changed. ' +
        'Add python-home=<the venv Kallithea is installed in> to the WSGIDaemonProcess and remove the activation code.',
      otherPython:
        '{{script}} activates {{venv}}, a Python {{venvPython}} virtualenv ({{venvHow}}), but mod_wsgi embeds Python {{embedded}} ({{how}}): ' +
        'python-home must name a virtualenv made by that Python, so WSGIDaemonProcess {{names}} was not given one and the activation stays.',
      oldModWsgi:
        '{{script}} activates {{venv}} itself; mod_wsgi {{modWsgi}} has no python-home option (3.4+), so the activation stays. ' +
        'After upgrading mod_wsgi, add python-home={{venv}} to WSGIDaemonProcess {{names}} and run again.',
      sharedDaemon:
        '{{script}} activates {{venv}}, but WSGIDaemonProcess {{name}} also runs {{apps}}: ' +
        "python-home={{venv}} would change that application's Python too, so nothing was changed. Give Kallithea its own daemon group with python-home={{venv}}.",
      otherPath:
        '{{script}} activates {{venv}} but WSGIDaemonProcess {{name}} has python-path into {{other}}: not changed. ' +
        'Decide which virtualenv Kallithea is installed in, set python-home=<it> (instead of python-path) and remove the activation from the script.',
      daemonParseErrors:
        '{{script}} activates {{venv}}; WSGIDaemonProcess {{name}} ({{where}}) should get python-home={{venv}}, but its file has parse errors: fix them and run again.',
      inexact:
        '{{alias}} ({{where}}) loads {{path}}, which is not a file of this run; {{script}}, the only ' +
        '{{base}} of the run, was taken for it: check that it is the same script.',
      pythonRejects: 'Python would reject this script ({{why}}); its virtualenv activation was not changed: fix it first.',
      notInDaemon:
        '{{script}} activates {{venvs}} ({{lines}}), and {{alias}} ({{where}}) {{how}}: ' +
        'first fix the process group (WSGIProcessGroup naming a WSGIDaemonProcess with python-home=<venv>), then run again to remove the activation.',
      differentHomes:
        '{{script}} is run by daemon groups with different python-home settings ({{homes}}): ' +
        'its virtualenv activation was not changed. Give every group that runs Kallithea the same python-home, then run again.',
      unresolvedHome: 'python-home={{venv}} of WSGIDaemonProcess {{name}} is not resolved here (Define/environment): {{script}} was not changed.',
      secondVenv:
        '{{script}} activates {{others}} ({{lines}}) but WSGIDaemonProcess {{names}} ' +
        'has python-home={{venv}}: the script loads a second virtualenv\'s packages on top, so nothing was changed. ' +
        'Point python-home at the virtualenv Kallithea is installed in, then remove the activation code from the script.',
    },
  },
  create(ctx) {
    const model = ctx.model()
    for (const [file, aliases] of kallitheaScripts(model, ctx.files)) handleScript(ctx, model, file, aliases)
  },
})

export default scriptActivation

/** One script and what is known of it while deciding. */
interface Script {
  ctx: TransformContext
  file: ScriptFile
  aliases: ScriptAlias[]
  analysis: DispatchAnalysis
  /** The line advisories about the activation point at. */
  line: number | undefined
  /** Said with any fix: the script was taken for the alias by its name alone. */
  inexact?: MessageRef
}

/** Report about the script (an advisory, or with a fix). */
function say(s: Script, messageId: string, data: MessageData, extra: { line?: number; fix?: (f: Fixer) => void } = {}): void {
  const line = 'line' in extra ? extra.line : undefined
  s.ctx.report({ file: s.file, ...(line !== undefined ? { line } : {}), reads: s.aliases, messageId, data: { script: s.file.path, ...data }, ...(extra.fix ? { fix: extra.fix } : {}) })
}

/** Handle one dispatch script of the run. */
function handleScript(ctx: TransformContext, model: WsgiModel, file: ScriptFile, aliases: ScriptAlias[]): void {
  const analysis = analyzeDispatchScript(file.text)
  if (!activates(analysis)) return
  const s: Script = { ctx, file, aliases, analysis, line: analysis.activateExecs[0]?.startLine ?? analysis.siteDirs[0]?.startLine }
  const first = aliases[0]
  if (scriptFileOf(first, ctx.files)?.exact === false) {
    const data = { script: file.path, alias: aliasName(first), where: where(first), path: first.script, base: posix.basename(first.script) }
    s.inexact = { messageId: 'inexact', data }
    // Said with the fix when there is one, else as it is.
    say(s, 'inexact', data)
  }
  if (analysis.errors.length > 0) {
    const e = analysis.errors[0]
    say(s, 'pythonRejects', { line: e.line, why: e.message }, { line: e.line })
    return
  }
  const notDaemon = aliases.filter((a) => a.group.mode !== 'daemon' || a.group.daemon === undefined)
  if (notDaemon.length > 0) {
    for (const a of notDaemon) {
      const how = a.group.mode === 'embedded'
        ? 'runs embedded in the Apache child processes (no WSGIProcessGroup applies)'
        : `does not run in a usable daemon group (${a.group.mode}${a.group.group ? ` ${a.group.group}` : ''})`
      say(s, 'notInDaemon', { venvs: analysis.venvs.join(', ') || 'a virtualenv', lines: activationLines(analysis), alias: aliasName(a), where: where(a), how }, { line: s.line })
    }
    return
  }
  const daemons = [...new Map(aliases.map((a) => [a.group.daemon!.node, a.group.daemon!])).values()]
  const homes = daemons.map((d) => {
    const h = pythonHome(d)
    return h === undefined ? undefined : normalizeVenv(h)
  })
  const defined = [...new Set(homes.filter((h): h is string => h !== undefined))]
  if (defined.length === 0) return addPythonHome(s, model, daemons)
  if (defined.length > 1 || homes.includes(undefined)) {
    say(s, 'differentHomes', { homes: daemons.map((d, i) => `${d.name}: ${homes[i] ?? 'none'}`).join('; ') })
    return
  }
  const venv = defined[0]
  if (venv.includes('${')) {
    say(s, 'unresolvedHome', { venv, name: daemons[0].name })
    return
  }
  const others = analysis.venvs.filter((v) => v !== venv)
  if (others.length > 0) {
    say(s, 'secondVenv', { others: others.join(', '), lines: activationLines(analysis), names: daemons.map((d) => d.name).join(', '), venv }, { line: s.line })
    return
  }
  removeActivation(s, venv, [])
}

/** Add python-home=<venv> to the daemons that run the script when that is safe, and remove the activation with it. */
function addPythonHome(s: Script, model: WsgiModel, daemons: DaemonGroup[]): void {
  const { ctx, analysis } = s
  const names = daemons.map((d) => d.name).join(', ')
  const at = { line: s.line }
  if (analysis.venvs.length !== 1 || analysis.venv === null) {
    const what = analysis.venvs.length > 1
      ? `activates several virtualenvs (${analysis.venvs.join(', ')})`
      : 'activates a virtualenv whose path is computed at run time'
    return say(s, 'severalVenvs', { what, lines: activationLines(analysis), names }, at)
  }
  const venv = analysis.venv
  if (!modWsgiAtLeast(ctx.options.modWsgiVersion, '3.4.0')) return say(s, 'oldModWsgi', { venv, modWsgi: ctx.options.modWsgiVersion ?? '', names }, at)
  // A venv of another Python than mod_wsgi's cannot be python-home: the daemon would not start Python.
  const { pythons, venvHow } = venvPythons(s, venv, daemons)
  const embedded = otherPython(ctx, pythons.length === 1 ? pythons[0] : undefined)
  if (embedded !== undefined) return say(s, 'otherPython', { venv, venvPython: pythons[0]!, venvHow, embedded: embedded.python, how: embedded.how, names }, at)
  for (const d of daemons) {
    const shared = model.scriptAliases.filter((a) => a.group.daemon?.node === d.node && !isKallitheaAlias(a, ctx.files))
    if (shared.length > 0) return say(s, 'sharedDaemon', { venv, name: d.name, apps: shared.map((a) => `${aliasName(a)} (${where(a)})`).join(', ') }, at)
    const other = d.options
      .filter((o) => o.key === 'python-path')
      .flatMap((o) => o.value.split(':'))
      .map(venvOfSitePackages)
      .find((v) => v !== null && v !== venv)
    if (other) return say(s, 'otherPath', { venv, name: d.name, other }, at)
    if (!ctx.editable(ctx.fileOf(d.node))) return say(s, 'daemonParseErrors', { venv, name: d.name, where: where(d) }, at)
  }
  removeActivation(s, venv, daemons)
}

/**
 * X.Y of the venv's Python: its `lib/pythonX.Y` folders when the run read it, else the
 * `lib/pythonX.Y` of the paths the script (`site.addsitedir`) and the daemons (`python-path=`) give.
 */
function venvPythons(s: Script, venv: string, daemons: readonly DaemonGroup[]): { pythons: string[]; venvHow: string } {
  const read = s.ctx.options.venvs?.get(venv)?.pythons ?? []
  if (read.length > 0) return { pythons: read, venvHow: `its lib/python${read.join(', lib/python')} folder, read` }
  const given = [
    ...s.analysis.siteDirs.filter((d) => d.venv === venv).map((d) => d.pythonVersion),
    ...daemons.flatMap((d) => d.options.filter((o) => o.key === 'python-path').flatMap((o) => o.value.split(':'))).map(venvFromSitePackages).filter((v) => v?.venv === venv).map((v) => v!.pythonVersion),
  ].filter((p): p is string => p !== null)
  const pythons = [...new Set(given)]
  return { pythons, venvHow: `not read: lib/python${pythons.join(', lib/python')} in the paths the script and config give` }
}

/**
 * Remove the activation of `venv` from the script (after adding python-home to `daemons`, in the
 * same fix); report what stays.
 */
function removeActivation(s: Script, venv: string, daemons: DaemonGroup[]): void {
  const { file, analysis } = s
  const result = dropOrphanBlankLines(file.text, removeVenvActivation(file.text, venv))
  const removals = result.removed.map((r) => ({ kind: 'remove' as const, lines: { start: r.startLine, end: r.endLine }, ...removalMessage(r, venv) }))
  const first = daemons.length > 0 ? { messageId: 'addedHome', data: { venv, name: daemons[0].name } } : removals[0]
  if (first !== undefined) {
    say(s, first.messageId, first.data, {
      fix: (f) => {
        if (s.inexact) f.note(s.inexact)
        for (const d of daemons) f.modify(d.node, (n) => setOption(n, 'python-home', venv), { messageId: 'addedHome', data: { venv, name: d.name, script: file.path } })
        if (removals.length > 0) f.editScript(file, result.text, removals)
      },
    })
  }
  for (const r of result.skipped) say(s, 'leftInPlace', { line: r.startLine, code: snippet(r.text), venv, why: r.message }, { line: r.startLine })
  for (const u of analysis.unresolved) say(s, 'unresolved', { line: u.startLine, code: snippet(u.text), venv, why: u.reason }, { line: u.startLine })
}

const pythonHome = (d: DaemonGroup): string | undefined => d.options.find((o) => o.key === 'python-home')?.value
