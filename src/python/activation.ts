// Finding the virtualenv activation of a dispatch script, statement by statement: the
// `activate_this` assignments, the calls that run it, `site.addsitedir` and `sys.path` entries,
// and `import site`. Both the analysis and the removal read this.
//
// Old Kallithea docs activate the virtualenv from the WSGI script (`activate_this` + `execfile`,
// or `import site` + `site.addsitedir(...)`). Once `WSGIDaemonProcess ... python-home=<venv>` sets
// the interpreter up, that code is dead weight, and on Python 3 it is broken (`execfile` is gone,
// `python3 -m venv` makes no `activate_this.py`).
import { collectBindings, isImportStmt, type Binding, type Bindings, type Stmt } from './bindings.js'
import { execCode, execStatement, readExecPath } from './exec-calls.js'
import { dotted, isName, parseSlice, positional, splitTopLevel, type Arg, type Expr } from './expressions.js'
import { scanPython } from './tokens.js'
import type {
  ActivateAssignment, ActivateExec, ExecForm, FindingBase, PythonScan, SiteDirAddition, SiteDirForm, SiteImport,
  Token, Unresolved, UnresolvedKind,
} from './types.js'
import { mentionsActivate, mentionsSitePackages, venvFromSitePackages } from './venv-paths.js'

/** What a script holds, each finding with the statement it stands in. */
export interface Activation {
  scan: PythonScan
  stmts: Stmt[]
  bindings: Bindings
  assignments: Array<{ stmt: Stmt; finding: ActivateAssignment; binding: Binding }>
  execs: Array<{ stmt: Stmt; finding: ActivateExec }>
  siteDirs: Array<{ stmt: Stmt; finding: SiteDirAddition }>
  siteImports: Array<{ stmt: Stmt; finding: SiteImport }>
  unresolved: Unresolved[]
}

function base(s: Stmt): FindingBase {
  return { startLine: s.startLine, endLine: s.endLine, text: s.text, topLevel: s.topLevel, sharedLine: s.sharedLine }
}

const unresolved = (a: Activation, s: Stmt, kind: UnresolvedKind, reason: string): void => {
  a.unresolved.push({ ...base(s), kind, reason })
}

/** Record an exec/execfile of `p`; false when it does not run activate_this.py. */
function onExec(a: Activation, s: Stmt, form: ExecForm, p: Expr, argToks: Token[]): boolean {
  const r = readExecPath(a.bindings, s, p, argToks)
  if (r === null) return false
  if (r.exec) a.execs.push({ stmt: s, finding: { ...base(s), form, ...r.exec } })
  if (r.unresolved) unresolved(a, s, 'activate-exec', r.unresolved)
  return true
}

function onSiteDir(a: Activation, s: Stmt, form: SiteDirForm, arg: Arg): boolean {
  const p = arg.value
  if (p.kind === 'str' && p.value !== null) {
    const sp = venvFromSitePackages(p.value)
    a.siteDirs.push({
      stmt: s,
      finding: { ...base(s), form, path: p.value, venv: sp?.venv ?? null, pythonVersion: sp?.pythonVersion ?? null },
    })
    return true
  }
  // A computed sys.path entry is usually the app's own directory; flag only venv-looking ones.
  if (form.startsWith('sys.path') && !mentionsSitePackages(arg.tokens) && !mentionsActivate(arg.tokens)) return false
  unresolved(a, s, 'site-dir', p.kind === 'str' ? 'the path is built at run time' : 'the path is computed, not a string literal')
  return true
}

type CallHandler = (a: Activation, s: Stmt, args: Arg[]) => boolean

const siteDirCall = (form: 'site.addsitedir' | 'addsitedir'): CallHandler => (a, s, args) => {
  const dir = positional(args)[0] ?? args.find((x) => x.keyword === 'sitedir')
  return dir ? onSiteDir(a, s, form, dir) : false
}

/** The calls that may be activation, by dotted callee; each says whether the call was. */
const CALLS = new Map<string, CallHandler>([
  ['execfile', (a, s, args) => {
    const p = positional(args)[0]
    return p ? onExec(a, s, 'execfile', p.value, p.tokens) : false
  }],
  ['exec', (a, s, args) => {
    const p = positional(args)[0]
    const code = p ? execCode(p.value) : null
    return code ? onExec(a, s, code.form, code.path, p!.tokens) : false
  }],
  ['site.addsitedir', siteDirCall('site.addsitedir')],
  ['addsitedir', siteDirCall('addsitedir')],
  ['sys.path.insert', (a, s, args) => {
    const pos = positional(args)
    return pos.length === 2 ? onSiteDir(a, s, 'sys.path.insert', pos[1]!) : false
  }],
  ['sys.path.append', (a, s, args) => {
    const pos = positional(args)
    return pos.length === 1 ? onSiteDir(a, s, 'sys.path.append', pos[0]!) : false
  }],
])

/** `import site`, or an import that binds `site` among others or aliased. */
function onImport(a: Activation, s: Stmt): boolean {
  const toks = s.tokens
  if (toks.length === 2 && isName(toks[1], 'site')) {
    a.siteImports.push({ stmt: s, finding: { ...base(s), form: 'import site' } })
    return true
  }
  const groups = splitTopLevel(toks.slice(1), ',')
  if (groups.some((g) => isName(g[0], 'site') && (g.length === 1 || isName(g[1], 'as')))) {
    a.siteImports.push({ stmt: s, finding: { ...base(s), form: 'multi' } })
    return true
  }
  return false
}

/** `activate_this = '<venv>/bin/activate_this.py'`, or an activate_this path computed. */
function onBinding(a: Activation, s: Stmt, b: Binding): boolean {
  if (!b.activate) return false
  if (b.path === null) {
    unresolved(a, s, 'activate-assignment', 'the activate_this.py path is computed, not a string literal')
    return true
  }
  a.assignments.push({ stmt: s, finding: { ...base(s), name: b.name, path: b.path, venv: b.venv }, binding: b })
  if (b.venv === null) unresolved(a, s, 'activate-assignment', `'${b.path}' is not an absolute <venv>/bin/activate_this.py`)
  return true
}

/** Record `s` when it is activation code; false when it is not. */
function classify(a: Activation, s: Stmt): boolean {
  const toks = s.tokens
  if (isName(toks[0], 'import')) return onImport(a, s)
  if (isImportStmt(s)) return false
  const b = a.bindings.byStmt.get(s)
  if (b) return onBinding(a, s, b)
  const e = parseSlice(toks)
  if (e.kind === 'call') {
    const callee = dotted(e.callee)
    const handler = callee === null ? undefined : CALLS.get(callee)
    return handler ? handler(a, s, e.args) : false
  }
  const stmt = execStatement(toks)
  return stmt ? onExec(a, s, 'exec statement', stmt.path, stmt.codeToks) : false
}

/** Activation-looking code that no rule above reads is still worth a word to the user. */
function looksLikeActivation(s: Stmt): boolean {
  const names = new Set(s.tokens.filter((t) => t.type === 'name').map((t) => t.text))
  return names.has('execfile') || names.has('addsitedir') || (names.has('exec') && mentionsActivate(s.tokens))
}

/** Scan `text` and find its virtualenv activation. */
export function findActivation(text: string): Activation {
  const scan = scanPython(text)
  const stmts: Stmt[] = []
  for (const ll of scan.logicalLines) for (const st of ll.statements) stmts.push({ ...st, order: stmts.length })
  const a: Activation = {
    scan, stmts, bindings: collectBindings(stmts), assignments: [], execs: [], siteDirs: [], siteImports: [], unresolved: [],
  }
  for (const s of stmts) {
    if (classify(a, s) || isImportStmt(s)) continue
    if (looksLikeActivation(s)) unresolved(a, s, 'unrecognized', 'activation code in a shape this tool does not rewrite')
  }
  return a
}
