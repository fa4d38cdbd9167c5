// Removing a dispatch script's virtualenv activation: the statements that name exactly the venv
// python-home now sets up go, as whole physical lines; every other byte of the file stays.
import { findActivation, type Activation } from './activation.js'
import { keepWhatMustStay, live, skip, type Candidate, type Removal } from './keep-rules.js'
import { textStart } from './lines.js'
import type { ActivationKind, RemovalResult, RemovedStatement } from './types.js'
import { normalizeVenv } from './venv-paths.js'

/** The statements that activate `venv`, in file order. */
function candidatesOf(a: Activation, venv: string): Candidate[] {
  const cands: Candidate[] = []
  for (const x of a.assignments) {
    if (x.finding.venv === venv) cands.push({ stmt: x.stmt, what: 'activate-assignment', binding: x.binding, siteForm: null })
  }
  for (const x of a.execs) {
    if (x.finding.venv === venv) cands.push({ stmt: x.stmt, what: 'activate-exec', binding: null, siteForm: null })
  }
  for (const x of a.siteDirs) {
    if (x.finding.venv !== venv) continue
    const what: ActivationKind = x.finding.form.startsWith('sys.path') ? 'sys-path' : 'addsitedir'
    cands.push({ stmt: x.stmt, what, binding: null, siteForm: x.finding.form })
  }
  // `import site` is part of the boilerplate only where a `site.addsitedir` of this venv goes.
  if (cands.some((c) => c.siteForm === 'site.addsitedir')) {
    for (const x of a.siteImports) {
      if (x.finding.form === 'import site') cands.push({ stmt: x.stmt, what: 'import-site', binding: null, siteForm: null })
    }
  }
  return cands.sort((x, y) => x.stmt.order - y.stmt.order)
}

/** A file Python rejects is left alone, and so is a statement that shares its line. */
function skipUnsafe(r: Removal): void {
  const error = r.activation.scan.errors[0]
  for (const c of r.cands) {
    if (error) {
      skip(r, c, 'syntax-error', `Python would reject this file (line ${error.line}: ${error.message}); it is left alone`)
    } else if (c.stmt.sharedLine) {
      skip(r, c, 'shared-line', 'other statements share this line (separated by ;)')
    }
  }
}

/** The text without the logical lines of the candidates still going. */
function cut(r: Removal): { text: string; removed: RemovedStatement[] } {
  const { scan } = r.activation
  const removed: RemovedStatement[] = []
  let text = ''
  let at = 0
  for (const c of live(r)) {
    const l = scan.logicalLines[c.stmt.logical]!
    const start = textStart(l.start, scan.bom)
    text += r.text.slice(at, start)
    removed.push({ startLine: l.startLine, endLine: l.endLine, text: r.text.slice(start, l.end), what: c.what })
    at = l.end
  }
  return { text: text + r.text.slice(at), removed }
}

/**
 * Remove the virtualenv activation statements that refer to exactly `venv` (the one
 * `python-home` now sets up), as whole physical lines. Everything else stays byte for byte.
 * Statements it will not remove safely are listed in `skipped` with the reason.
 */
export function removeVenvActivation(text: string, venv: string): RemovalResult {
  const activation = findActivation(text)
  const r: Removal = { text, activation, cands: candidatesOf(activation, normalizeVenv(venv)), skipped: new Map() }
  skipUnsafe(r)
  keepWhatMustStay(r)
  return {
    ...cut(r),
    skipped: r.cands.flatMap((c) => {
      const s = r.skipped.get(c)
      return s
        ? [{ startLine: c.stmt.startLine, endLine: c.stmt.endLine, text: c.stmt.text, what: c.what, ...s }]
        : []
    }),
  }
}
