// The statements that run activate_this.py: `execfile(p)`, `exec(open(p).read())`,
// `exec(compile(open(p).read(), ...))` and Python 2's `exec open(p).read() in ...`, and what
// their path `p` resolves to (a literal, or a variable bound to one).
import { reaching, type Bindings, type Stmt } from './bindings.js'
import { dotted, isName, parseSlice, positional, type Expr } from './expressions.js'
import { CLOSERS, OPENERS } from './grammar.js'
import type { ActivateExec, ExecForm, Token } from './types.js'
import { isActivateFile, mentionsActivate, venvFromActivate } from './venv-paths.js'

const OPENERS_OF_FILES = new Set(['open', 'file', 'io.open', 'codecs.open'])

/** `open(P).read()` => P. */
function readOfOpen(e: Expr): { path: Expr } | null {
  if (e.kind !== 'call' || e.args.length !== 0 || e.callee.kind !== 'attr' || e.callee.name !== 'read') {
    return null
  }
  const opener = e.callee.object
  if (opener.kind !== 'call') return null
  const name = dotted(opener.callee)
  const first = positional(opener.args)[0]
  if (name === null || !OPENERS_OF_FILES.has(name) || !first) return null
  return { path: first.value }
}

/** The code argument of `exec`: `open(P).read()` or `compile(open(P).read(), ...)`. */
export function execCode(e: Expr): { form: ExecForm; path: Expr } | null {
  const direct = readOfOpen(e)
  if (direct) return { form: 'exec(open().read())', path: direct.path }
  if (e.kind === 'call' && dotted(e.callee) === 'compile') {
    const src = positional(e.args)[0]
    const inner = src ? readOfOpen(src.value) : null
    if (inner) return { form: 'exec(compile())', path: inner.path }
  }
  return null
}

/** Python 2's `exec <code> in <globals>`: the code's tokens and the path of the file it runs. */
export function execStatement(toks: Token[]): { codeToks: Token[]; path: Expr } | null {
  if (!isName(toks[0], 'exec')) return null
  let depth = 0
  let inAt = -1
  for (let i = 1; i < toks.length && inAt < 0; i++) {
    const t = toks[i]!
    if (t.type === 'op' && t.text in OPENERS) depth++
    else if (t.type === 'op' && CLOSERS.has(t.text)) depth--
    else if (depth === 0 && isName(t, 'in')) inAt = i
  }
  const codeToks = toks.slice(1, inAt < 0 ? toks.length : inAt)
  const code = execCode(parseSlice(codeToks))
  return code ? { codeToks, path: code.path } : null
}

/** What the exec call's path says about the venv it activates. */
export type ExecPath = Pick<ActivateExec, 'via' | 'name' | 'path' | 'venv' | 'assignmentLine'>

/**
 * What running the file at `p` is: `null` when it is not virtualenv activation; otherwise the
 * path it resolves to (`exec`), why it cannot be rewritten (`unresolved`), or both.
 */
export interface ExecReading {
  exec?: ExecPath
  unresolved?: string
}

function literalPath(p: Extract<Expr, { kind: 'str' }>, argToks: Token[]): ExecReading | null {
  if (p.value === null) {
    return mentionsActivate(argToks) ? { unresolved: 'the activate_this.py path is built at run time' } : null
  }
  if (!isActivateFile(p.value)) return null
  const venv = venvFromActivate(p.value)
  return {
    exec: { via: 'literal', name: null, path: p.value, venv, assignmentLine: null },
    unresolved: venv === null ? `'${p.value}' is not an absolute <venv>/bin/activate_this.py` : undefined,
  }
}

function variablePath(bindings: Bindings, name: string, s: Stmt): ExecReading | null {
  const reach = reaching(bindings, name, s)
  if (!reach.some((b) => b.activate) && name !== 'activate_this') return null
  const venvs = new Set(reach.map((b) => b.venv))
  const nearest = reach[reach.length - 1]
  if (reach.length > 0 && reach.every((b) => b.activate && b.venv !== null) && venvs.size === 1 && nearest) {
    return {
      exec: { via: 'variable', name, path: nearest.path!, venv: nearest.venv, assignmentLine: nearest.stmt.startLine },
    }
  }
  const reason = reach.length === 0
    ? `no assignment to ${name} found that reaches this line`
    : reach.some((b) => b.path === null)
      ? `${name} is not assigned a plain string literal`
      : reach.some((b) => b.venv === null)
        ? `${name} is not an absolute <venv>/bin/activate_this.py`
        : `${name} may hold different paths here`
  return { unresolved: reason }
}

/** Read the path argument `p` (tokens `argToks`) of an exec/execfile in statement `s`. */
export function readExecPath(bindings: Bindings, s: Stmt, p: Expr, argToks: Token[]): ExecReading | null {
  if (p.kind === 'str') return literalPath(p, argToks)
  if (p.kind === 'name') return variablePath(bindings, p.name, s)
  return mentionsActivate(argToks) ? { unresolved: 'the activate_this.py path is computed' } : null
}
