// The statements of a dispatch script as the version transforms edit them: `from X import ...`
// imports, statements that are one call (`fileConfig(ini)`, `execfile(f, g)`), and what a name
// holds where a statement reads it. Offsets point into the text as given.
import { collectBindings, reaching, type Bindings, type Stmt } from './bindings.js'
import { dotted, isName, isOp, parseSlice, splitTopLevel, type Arg } from './expressions.js'
import { scanPython } from './tokens.js'
import type { PythonScan, Token } from './types.js'

export type { Arg, Stmt }

export interface ScriptStatements {
  scan: PythonScan
  stmts: Stmt[]
  bindings: Bindings
}

/** Scan a script into its statements (all logical lines, in order) and their `name = value` bindings. */
export function readStatements(text: string): ScriptStatements {
  const scan = scanPython(text)
  const stmts: Stmt[] = []
  for (const ll of scan.logicalLines) for (const st of ll.statements) stmts.push({ ...st, order: stmts.length })
  return { scan, stmts, bindings: collectBindings(stmts) }
}

/** `from <module> import <names>`. */
export interface FromImport {
  stmt: Stmt
  /** Dotted module name as Python reads it (`paste.script.util.logging_config`). */
  module: string
  /** Offsets of the module name in the text (its first to its last token). */
  moduleStart: number
  moduleEnd: number
  /** Imported names; `star` for `import *`. */
  names: Array<{ name: string; alias: string | null }>
  star: boolean
}

/** Every `from X import ...` statement (relative imports and broken ones are left out). */
export function fromImports(stmts: readonly Stmt[]): FromImport[] {
  const out: FromImport[] = []
  for (const stmt of stmts) {
    const toks = stmt.tokens
    if (!isName(toks[0], 'from')) continue
    const at = toks.findIndex((t) => isName(t, 'import'))
    const mod = toks.slice(1, at)
    if (at < 2 || !isName(mod[0]) || !mod.every((t, i) => (i % 2 === 0 ? isName(t) : isOp(t, '.')))) continue
    let rest = toks.slice(at + 1)
    if (isOp(rest[0], '(') && isOp(rest[rest.length - 1], ')')) rest = rest.slice(1, -1)
    const star = rest.length === 1 && isOp(rest[0], '*')
    const names = star ? [] : splitTopLevel(rest, ',').filter((g) => g.length > 0).map(importedName)
    if (names.some((n) => n === null)) continue
    out.push({
      stmt,
      module: mod.map((t) => t.text).join(''),
      moduleStart: mod[0]!.start,
      moduleEnd: mod[mod.length - 1]!.end,
      names: names as FromImport['names'],
      star,
    })
  }
  return out
}

function importedName(g: Token[]): { name: string; alias: string | null } | null {
  if (g.length === 1 && isName(g[0])) return { name: g[0]!.text, alias: null }
  if (g.length === 3 && isName(g[0]) && isName(g[1], 'as') && isName(g[2])) return { name: g[0]!.text, alias: g[2]!.text }
  return null
}

/** The name a statement binds by importing (`import os`, `import os.path`, `from x import y as os`). */
export function importsName(stmt: Stmt, name: string): boolean {
  const toks = stmt.tokens
  if (isName(toks[0], 'import')) {
    return splitTopLevel(toks.slice(1), ',').some((g) => (g.length >= 3 && isName(g[g.length - 2], 'as') ? g[g.length - 1]?.text === name : g[0]?.text === name))
  }
  return fromImports([stmt]).some((f) => f.names.some((n) => (n.alias ?? n.name) === name))
}

/**
 * What the names a script's imports bind stand for, by dotted path, later imports winning:
 * `import logging.config as lc` → lc: logging.config; `import logging.config` → logging: logging;
 * `from logging import config` → config: logging.config; `from logging.config import fileConfig
 * as fc` → fc: logging.config.fileConfig. `from m import *` binds the names of m: `*` → m (the last).
 */
export function importBindings(stmts: readonly Stmt[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const stmt of stmts) {
    const toks = stmt.tokens
    if (isName(toks[0], 'import')) {
      for (const g of splitTopLevel(toks.slice(1), ',')) {
        const as = g.length >= 3 && isName(g[g.length - 2], 'as')
        const mod = (as ? g.slice(0, -2) : g).map((t) => t.text).join('')
        if (!/^[A-Za-z_][\w.]*$/.test(mod)) continue
        if (as) out.set(g[g.length - 1]!.text, mod)
        else out.set(mod.split('.')[0]!, mod.split('.')[0]!)
      }
    }
    for (const f of fromImports([stmt])) {
      if (f.star) out.set('*', f.module)
      for (const n of f.names) out.set(n.alias ?? n.name, `${f.module}.${n.name}`)
    }
  }
  return out
}

/**
 * The dotted path a callee stands for, given `importBindings`: its first name replaced by what an
 * import bound it to (a bare name may come from `from m import *`); null when no import binds it.
 */
export function qualifiedName(callee: string, imports: ReadonlyMap<string, string>): string | null {
  const [first, ...rest] = callee.split('.')
  const bound = imports.get(first!)
  if (bound !== undefined) return [bound, ...rest].join('.')
  const star = imports.get('*')
  return rest.length === 0 && star !== undefined ? `${star}.${first}` : null
}

/** A statement that is exactly one call: `callee(args)`. */
export interface CallStatement {
  stmt: Stmt
  /** Dotted callee: `fileConfig`, `logging.config.fileConfig`. */
  callee: string
  calleeTokens: Token[]
  args: Arg[]
  /** The closing `)`. */
  close: Token
}

/** The statements that are a single call whose callee `wanted` accepts. */
export function callStatements(stmts: readonly Stmt[], wanted: (callee: string) => boolean): CallStatement[] {
  const out: CallStatement[] = []
  for (const stmt of stmts) {
    const e = parseSlice(stmt.tokens)
    if (e.kind !== 'call') continue
    const callee = dotted(e.callee)
    if (callee === null || !wanted(callee)) continue
    const open = stmt.tokens.findIndex((t) => isOp(t, '('))
    out.push({ stmt, callee, calleeTokens: stmt.tokens.slice(0, open), args: e.args, close: stmt.tokens[stmt.tokens.length - 1]! })
  }
  return out
}

/** The string a name holds where `stmt` reads it: every binding that may reach it assigns the same literal. */
export function stringAt(bindings: Bindings, name: string, stmt: Stmt): string | null {
  const reach = reaching(bindings, name, stmt)
  const values = new Set(reach.map((b) => {
    const v = parseSlice(b.stmt.tokens.slice(2))
    return v.kind === 'str' ? v.value : null
  }))
  const [only] = values
  return values.size === 1 && typeof only === 'string' ? only : null
}

/** The text of tokens `first` to `last` as written (comments and line breaks between them included). */
export function sourceOf(text: string, toks: readonly Token[]): string {
  return toks.length === 0 ? '' : text.slice(toks[0]!.start, toks[toks.length - 1]!.end)
}

/** The whole physical lines of a statement's logical line, line ending included (after a BOM on line 1). */
export function linesOf(scan: PythonScan, stmt: Stmt): { start: number; end: number } {
  const l = scan.logicalLines[stmt.logical]!
  return { start: l.start === 0 && scan.bom ? 1 : l.start, end: l.end }
}
