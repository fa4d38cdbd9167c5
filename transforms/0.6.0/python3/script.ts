// python3, the dispatch script: `execfile` becomes `exec(open(f).read(), ...)` and a Python 2
// site-packages path becomes the venv's own lib/python3.X (when the run could read the venv).
import type { ScriptAlias } from '../../../src/model/model.js'
import { analyzeDispatchScript, callStatements, normalizeVenv, readStatements, type ScriptStatements } from '../../../src/python/index.js'
import { adviseScript, reportScriptChanges, type ScriptChange } from '../../../src/runner/script-fix.js'
import type { ScriptFile, TransformContext } from '../../../src/runner/transform.js'
import { python3Of } from './venvs.js'

const firstLine = (text: string): string => text.split(/\r\n|\n|\r/)[0]!.trim()

/** Edits and advisories for one Kallithea dispatch script. */
export function migrateScript(ctx: TransformContext, file: ScriptFile, aliases: ScriptAlias[]): void {
  const s = readStatements(file.text)
  const changes = [...execfileCalls(ctx, file, aliases, s), ...sitePaths(ctx, file, aliases, s)]
  if (changes.length === 0) return
  const error = s.scan.errors[0]
  if (error) return adviseScript(ctx, file, aliases, error.line, 'pythonRejects', { why: error.message })
  reportScriptChanges(ctx, file, aliases, changes)
}

/** `execfile(f, g)` → `exec(open(f).read(), g)`; other uses of execfile and `exec ... in` are advised on. */
function execfileCalls(ctx: TransformContext, file: ScriptFile, aliases: ScriptAlias[], s: ScriptStatements): ScriptChange[] {
  const changes: ScriptChange[] = []
  const done = new Set<unknown>()
  for (const call of callStatements(s.stmts, (c) => c === 'execfile')) {
    const [path, ...rest] = call.args
    if (!path || path.keyword !== null || path.star || rest.some((a) => a.keyword !== null || a.star)) continue
    const first = path.tokens[0]!
    const last = path.tokens[path.tokens.length - 1]!
    const callee = call.calleeTokens[0]!
    const arg = file.text.slice(first.start, last.end)
    // One edit from the name to the end of the path: `execfile(` + f → `exec(` + `open(f).read()`.
    const insert = `exec${file.text.slice(callee.end, first.start)}open(${arg}).read()`
    changes.push({ edit: { start: callee.start, end: last.end, insert }, kind: 'modify', messageId: 'execfile', data: { code: firstLine(call.stmt.text), arg } })
    done.add(call.stmt)
  }
  for (const stmt of s.stmts) {
    if (done.has(stmt)) continue
    const [head, next] = stmt.tokens
    const execStatement = head?.type === 'name' && head.text === 'exec' && next?.text !== '('
    if (execStatement || stmt.tokens.some((t) => t.type === 'name' && t.text === 'execfile')) {
      adviseScript(ctx, file, aliases, stmt.startLine, execStatement ? 'execStatement' : 'execfileElsewhere', { code: firstLine(stmt.text) })
    }
  }
  return changes
}

/** `site.addsitedir('<venv>/lib/python2.7/site-packages')` → the venv's lib/python3.X, when it can be read. */
function sitePaths(ctx: TransformContext, file: ScriptFile, aliases: ScriptAlias[], s: ScriptStatements): ScriptChange[] {
  const changes: ScriptChange[] = []
  const a = analyzeDispatchScript(file.text)
  for (const dir of a.siteDirs) {
    if (dir.pythonVersion === null || !dir.pythonVersion.startsWith('2') || dir.venv === null) continue
    const venv = normalizeVenv(dir.venv)
    const target = python3Of(ctx, venv)
    const stmt = s.stmts.find((x) => x.startLine === dir.startLine && x.text === dir.text)
    const literal = stmt?.tokens.find((t) => t.type === 'string' && t.value === dir.path)
    const old = `python${dir.pythonVersion}`
    const at = literal ? literal.text.indexOf(`/${old}/`) : -1
    if ('why' in target || !literal || at < 0 || literal.text.indexOf(`/${old}/`, at + 1) >= 0) {
      const why = 'why' in target ? target.why : 'the path is not written plainly in one string'
      adviseScript(ctx, file, aliases, dir.startLine, 'python2Path', { where: `${file.path}:${dir.startLine}`, path: dir.path, venv, why })
      continue
    }
    const start = literal.start + at + 1
    changes.push({ edit: { start, end: start + old.length, insert: `python${target.python}` }, kind: 'modify', messageId: 'sitePath', data: { old, python: target.python, venv } })
  }
  return changes
}
