// The report on a dispatch script's virtualenv activation: what it holds, line by line, and
// which venv (or venvs) it names.
import { findActivation, type Activation } from './activation.js'
import { usesName, type Stmt } from './bindings.js'
import type { DispatchAnalysis, FindingBase } from './types.js'

/** The start lines of the resolved findings, by venv, in order of first appearance. */
function linesByVenv(a: Activation): Map<string, number[]> {
  const byVenv = new Map<string, number[]>()
  const located: Array<FindingBase & { venv: string | null }> = [
    ...a.assignments.map((x) => x.finding),
    ...a.execs.map((x) => x.finding),
    ...a.siteDirs.map((x) => x.finding),
  ].sort((x, y) => x.startLine - y.startLine)
  for (const f of located) {
    if (f.venv === null) continue
    const lines = byVenv.get(f.venv) ?? []
    if (!lines.includes(f.startLine)) lines.push(f.startLine)
    byVenv.set(f.venv, lines)
  }
  return byVenv
}

/** `site` is read by something other than imports and the `site.addsitedir` calls of a venv. */
function siteUsedElsewhere(a: Activation): boolean {
  const boilerplate = new Set<Stmt>(
    a.siteDirs.filter((x) => x.finding.form === 'site.addsitedir' && x.finding.venv !== null).map((x) => x.stmt),
  )
  return a.stmts.some((s) => !boilerplate.has(s) && usesName(s, 'site'))
}

/** Report the virtualenv activation code of a WSGI dispatch script, with 1-based line ranges. */
export function analyzeDispatchScript(text: string): DispatchAnalysis {
  const a = findActivation(text)
  const byVenv = linesByVenv(a)
  const venvs = [...byVenv.keys()]
  return {
    lineCount: a.scan.lines.length,
    activateAssignments: a.assignments.map((x) => x.finding),
    activateExecs: a.execs.map((x) => x.finding),
    siteDirs: a.siteDirs.map((x) => x.finding),
    siteImports: a.siteImports.map((x) => x.finding),
    siteUsedElsewhere: siteUsedElsewhere(a),
    unresolved: a.unresolved,
    venv: venvs.length === 1 ? venvs[0]! : null,
    venvs,
    conflicts: venvs.length > 1 ? venvs.map((venv) => ({ venv, lines: byVenv.get(venv)! })) : [],
    errors: a.scan.errors,
  }
}
