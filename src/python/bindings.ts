// Names and their bindings: which statements assign a variable, which read it, and which
// assignments may reach a given statement. Enough to know whether removing `x = ...` or
// `import site` leaves a later read of the name without a value.
import { KEYWORDS } from './grammar.js'
import { isName, isOp, parseSlice } from './expressions.js'
import type { Statement } from './types.js'
import { isActivateFile, mentionsActivate, venvFromActivate } from './venv-paths.js'
import { pushTo } from '../util/multimap.js'

/** A statement with its place in the file (statements of all logical lines, in order). */
export interface Stmt extends Statement {
  order: number
}

/** `name = value` at the start of a statement. */
export interface Binding {
  stmt: Stmt
  name: string
  /** The value is (or is about) an activate_this.py path. */
  activate: boolean
  path: string | null
  venv: string | null
}

export interface Bindings {
  /** By name, in file order. */
  byName: Map<string, Binding[]>
  /** The binding a statement makes, if any. */
  byStmt: Map<Stmt, Binding>
}

export const isImportStmt = (s: Statement): boolean => isName(s.tokens[0], 'import') || isName(s.tokens[0], 'from')

/** The binding `s` makes when it is `name = value`. */
function bindingOf(s: Stmt): Binding | undefined {
  const toks = s.tokens
  if (!(isName(toks[0]) && !KEYWORDS.has(toks[0]!.text) && isOp(toks[1], '=') && toks.length > 2)) return undefined
  const name = toks[0]!.text
  const valueToks = toks.slice(2)
  const value = parseSlice(valueToks)
  if (value.kind === 'str' && value.value !== null && isActivateFile(value.value)) {
    return { stmt: s, name, activate: true, path: value.value, venv: venvFromActivate(value.value) }
  }
  // `activate_this = None` (a reset) is not an activation path; anything else under that name is.
  const constant = valueToks.length === 1 && (valueToks[0]!.type === 'number' || KEYWORDS.has(valueToks[0]!.text))
  const activate = (name === 'activate_this' && !constant) || mentionsActivate(valueToks)
  return { stmt: s, name, activate, path: null, venv: null }
}

export function collectBindings(stmts: readonly Stmt[]): Bindings {
  const byName = new Map<string, Binding[]>()
  const byStmt = new Map<Stmt, Binding>()
  for (const s of stmts) {
    const b = bindingOf(s)
    if (!b) continue
    pushTo(byName, b.name, b)
    byStmt.set(s, b)
  }
  return { byName, byStmt }
}

/**
 * Does the statement read `name`? Attribute names (`x.name`), import targets and the target of
 * a plain `name = ...` are bindings or other names, not reads. Keyword arguments count as reads:
 * that keeps more code, which is the safe side.
 */
export function usesName(s: Statement, name: string): boolean {
  const toks = s.tokens
  const importing = isImportStmt(s)
  return toks.some((t, i) => {
    if (t.type !== 'name' || t.text !== name) return false
    const prev = toks[i - 1]
    if (isOp(prev, '.')) return false
    if (isName(prev, 'import') || isName(prev, 'from') || isName(prev, 'as')) return false
    if (importing && isOp(prev, ',')) return false
    if (i === 0 && isOp(toks[1], '=')) return false
    return true
  })
}

/**
 * Bindings of `name` that may reach statement `s`. At module level that is the nearest preceding
 * module-level binding plus any conditional ones after it; code in blocks (functions, loops) may
 * run at any time, so every binding may reach it.
 */
export function reaching(bindings: Bindings, name: string, s: Stmt): Binding[] {
  const all = bindings.byName.get(name) ?? []
  if (!s.topLevel) return all
  const before = all.filter((b) => b.stmt.order < s.order)
  let lastTop = -1
  before.forEach((b, i) => {
    if (b.stmt.topLevel) lastTop = i
  })
  return lastTop < 0 ? before : before.slice(lastTop)
}
