// The rules that keep an activation statement the removal would otherwise take: a block must
// keep a statement, a name still read must stay bound, a later coding declaration must not move
// into effect. Keeping one statement can change what the others need, so the rules run again
// from the start after each one that keeps something; they only ever shrink the set.
import type { Activation } from './activation.js'
import { reaching, usesName, type Binding, type Stmt } from './bindings.js'
import { textStart } from './lines.js'
import type { ActivationKind, LogicalLine, SiteDirForm, SkipReason } from './types.js'

/** A statement the removal would take. */
export interface Candidate {
  stmt: Stmt
  what: ActivationKind
  binding: Binding | null
  siteForm: SiteDirForm | null
}

/** The candidates of one removal and why those that stay are kept (first reason wins). */
export interface Removal {
  text: string
  activation: Activation
  cands: Candidate[]
  skipped: Map<Candidate, { reason: SkipReason; message: string }>
}

export function skip(r: Removal, c: Candidate, reason: SkipReason, message: string): void {
  if (!r.skipped.has(c)) r.skipped.set(c, { reason, message })
}

/** The candidates still going. */
export const live = (r: Removal): Candidate[] => r.cands.filter((c) => !r.skipped.has(c))

/**
 * Keep enough of `group` to hold a line in place. An `import site` is enough on its own, and
 * keeping it rather than the activation makes a second run agree: once its `site.addsitedir`
 * partner is gone, it is no longer a candidate, and the rest would go then.
 */
function skipPreferringImports(r: Removal, group: Candidate[], reason: SkipReason, message: string): boolean {
  const imports = group.filter((c) => c.what === 'import-site')
  for (const c of imports.length > 0 ? imports : group) skip(r, c, reason, message)
  return group.length > 0
}

/** The block header above logical line `li` (-1 if none) and the logical lines at `li`'s level in it. */
function blockOf(ll: LogicalLine[], li: number): { header: number; children: number[] } {
  const w = ll[li]!.indentWidth
  let header = li - 1
  while (header >= 0 && ll[header]!.indentWidth >= w) header--
  const children: number[] = []
  for (let j = header + 1; j < ll.length && ll[j]!.indentWidth >= w; j++) {
    if (ll[j]!.indentWidth === w) children.push(j)
  }
  return { header, children }
}

/** A block must keep at least one statement, or Python rejects the file. */
function keepBlocksNonEmpty(r: Removal): boolean {
  const ll = r.activation.scan.logicalLines
  const removedLogical = new Set(live(r).map((c) => c.stmt.logical))
  for (const c of live(r)) {
    if (ll[c.stmt.logical]!.indentWidth === 0) continue
    const { header, children } = blockOf(ll, c.stmt.logical)
    if (header < 0 || !ll[header]!.opensBlock) {
      skip(r, c, 'unexpected-indent', 'indented without a block header above it')
      return true
    }
    if (children.every((j) => removedLogical.has(j))) {
      const inBlock = live(r).filter((d) => children.includes(d.stmt.logical))
      const message = `removing it would leave the block opened on line ${ll[header]!.startLine} empty`
      if (skipPreferringImports(r, inBlock, 'empty-block', message)) return true
    }
  }
  return false
}

/** A variable or `site` still read by code that stays must stay bound. */
function keepBoundNames(r: Removal): boolean {
  const a = r.activation
  const removing = new Set(live(r).map((c) => c.stmt))
  const remaining = a.stmts.filter((s) => !removing.has(s))
  for (const c of live(r)) {
    let user: Stmt | undefined
    let name = 'site'
    if (c.what === 'activate-assignment' && c.binding) {
      const b = c.binding
      name = b.name
      user = remaining.find((s) => usesName(s, b.name) && reaching(a.bindings, b.name, s).includes(b))
    } else if (c.what === 'import-site') {
      user = remaining.find((s) => usesName(s, 'site'))
    }
    if (user) {
      skip(r, c, 'name-used', `${name} is still used on line ${user.startLine}`)
      return true
    }
  }
  return false
}

/** A coding declaration only counts on line 1, or on line 2 after a comment or blank line 1. */
const COOKIE_RE = /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/
function cookieLine(lineNumbers: number[], content: (line: number) => string): number | null {
  const first = lineNumbers[0]
  if (first === undefined) return null
  const c1 = content(first)
  if (COOKIE_RE.test(c1)) return first
  if (!/^[ \t\f]*(?:#.*)?$/.test(c1)) return null
  const second = lineNumbers[1]
  return second !== undefined && COOKIE_RE.test(content(second)) ? second : null
}

/** Removing lines above a later `coding:` comment could make it the file's declared encoding. */
function keepCodingCookie(r: Removal): boolean {
  const { scan } = r.activation
  const removedLines = new Set<number>()
  for (const c of live(r)) {
    const l = scan.logicalLines[c.stmt.logical]!
    for (let n = l.startLine; n <= l.endLine; n++) removedLines.add(n)
  }
  const content = (n: number): string => {
    const pl = scan.lines[n - 1]!
    return r.text.slice(textStart(pl.start, scan.bom), pl.contentEnd)
  }
  const all = scan.lines.map((l) => l.line)
  const before = cookieLine(all, content)
  const after = cookieLine(all.filter((n) => !removedLines.has(n)), content)
  if (after === null || after === before) return false
  const above = live(r).filter((c) => c.stmt.startLine < after)
  const message = `removing it would make the coding declaration on line ${after} take effect`
  return skipPreferringImports(r, above, 'coding-cookie', message)
}

/** In order: each pass applies the first rule that keeps something, then starts over. */
const KEEP_RULES: Array<(r: Removal) => boolean> = [keepBlocksNonEmpty, keepBoundNames, keepCodingCookie]

/** Apply the rules until none keeps anything more. */
export function keepWhatMustStay(r: Removal): void {
  let kept = true
  while (kept) kept = KEEP_RULES.some((rule) => rule(r))
}
