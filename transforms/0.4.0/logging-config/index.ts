// logging-config: the dispatch script of Kallithea 0.4 (Pylons → TurboGears2) has no PasteScript.
//
// Kallithea 0.4.0 no longer installs PasteScript, so the 0.3 docs' `from
// paste.script.util.logging_config import fileConfig` raises ImportError and the app never
// loads. The standard library's `logging.config` has the same fileConfig (0.4.0's docs use it);
// it works on Kallithea 0.3.x too. Mercurial's encoding is UTF-8 in Kallithea from 0.4.0 (commit
// d8d125bcd), so `os.environ["HGENCODING"] = "UTF-8"` goes; other environment lines stay, and it
// stays while the installed Kallithea is older than 0.4.0 (Mercurial takes it from there).
import { kallitheaScripts } from '../../../src/model/kallithea.js'
import type { ScriptAlias } from '../../../src/model/model.js'
import { callStatements, fromImports, linesOf, readStatements, type ScriptStatements } from '../../../src/python/index.js'
import type { Stmt } from '../../../src/python/statements.js'
import { defineTransform } from '../../../src/runner/define.js'
import { adviseScript, PYTHON_REJECTS, reportScriptChanges, type ScriptChange } from '../../../src/runner/script-fix.js'
import type { ScriptFile, TransformContext } from '../../../src/runner/transform.js'
import { compareVersions } from '../../../src/runner/versions.js'

const PASTE_LOGGING = 'paste.script.util.logging_config'
/** What PasteScript's logging_config offered that logging.config has too. */
const ALSO_IN_LOGGING = new Set(['fileConfig', 'listen', 'stopListening'])

export const loggingConfig = defineTransform({
  meta: {
    id: 'logging-config',
    version: '0.4.0',
    title: 'Dispatch script without PasteScript: logging.config, no HGENCODING',
    description:
      "Turns `from paste.script.util.logging_config import fileConfig` into `from logging.config import fileConfig` in Kallithea's " +
      'dispatch script and drops `os.environ["HGENCODING"] = "UTF-8"`; other environment lines stay.',
    rationale:
      'Kallithea 0.4.0 no longer installs PasteScript: its logging import raises ImportError; Mercurial runs in UTF-8 in ' +
      'Kallithea from 0.4.0, so HGENCODING is not needed.',
    messages: {
      import:
        'Replaced {{module}} with logging.config in the fileConfig import: Kallithea 0.4.0 no longer installs PasteScript, so the old ' +
        'import raises ImportError and the app does not load; the standard library has the same fileConfig (on Kallithea 0.3.x too).',
      hgencoding:
        'Removed {{code}}: Kallithea runs Mercurial in UTF-8 from 0.4.0 on, so the variable is not needed.',
      keepHgencoding:
        '{{code}} stays: the installed Kallithea is {{installed}}, older than 0.4.0, and its Mercurial takes the encoding from it. ' +
        'Remove it after upgrading to 0.4.0 or later.',
      otherEncoding:
        '{{code}} sets Mercurial to {{value}}; Kallithea from 0.4.0 on runs it in UTF-8: left as is, check that you still need it.',
      notTopLevel: '{{code}} is inside a block or shares its line: left as is; {{why}}',
      pasteScript:
        '{{code}} imports from PasteScript, which Kallithea 0.4.0 no longer installs: left as is (ImportError on 0.4 and later). ' +
        'Use logging.config for logging, or drop the import.',
      pythonRejects: PYTHON_REJECTS,
    },
  },
  create(ctx) {
    for (const [file, aliases] of kallitheaScripts(ctx.model(), ctx.files)) migrateScript(ctx, file, aliases)
  },
})

export default loggingConfig

function migrateScript(ctx: TransformContext, file: ScriptFile, aliases: ScriptAlias[]): void {
  const s = readStatements(file.text)
  const changes: ScriptChange[] = []
  const advise = (stmt: Stmt, messageId: string, data: Record<string, string>): void =>
    adviseScript(ctx, file, aliases, stmt.startLine, messageId, { code: oneLine(stmt.text), ...data })
  for (const imp of fromImports(s.stmts)) {
    if (imp.module !== PASTE_LOGGING && !imp.module.startsWith('paste.script')) continue
    if (imp.module === PASTE_LOGGING && !imp.star && imp.names.every((n) => ALSO_IN_LOGGING.has(n.name))) {
      changes.push({ edit: { start: imp.moduleStart, end: imp.moduleEnd, insert: 'logging.config' }, kind: 'modify', messageId: 'import', data: { module: imp.module } })
    } else advise(imp.stmt, 'pasteScript', {})
  }
  for (const stmt of s.stmts) {
    const [imp, paste, dot, script] = stmt.tokens
    if (imp?.text === 'import' && paste?.text === 'paste' && dot?.text === '.' && script?.text === 'script') advise(stmt, 'pasteScript', {})
  }
  for (const { stmt, value } of hgEncodings(s)) {
    const utf8 = /^utf-?8$/i.test(value)
    if (!utf8) advise(stmt, 'otherEncoding', { value })
    else if (ctx.options.installedKallithea !== undefined && compareVersions(ctx.options.installedKallithea, '0.4.0') < 0) {
      advise(stmt, 'keepHgencoding', { installed: ctx.options.installedKallithea })
    } else if (!stmt.topLevel || stmt.sharedLine) {
      advise(stmt, 'notTopLevel', { why: 'remove it by hand: Kallithea runs Mercurial in UTF-8 from 0.4.0 on.' })
    } else changes.push({ edit: { ...linesOf(s.scan, stmt), insert: '' }, kind: 'remove', messageId: 'hgencoding', data: { code: oneLine(stmt.text) } })
  }
  if (changes.length === 0) return
  const error = s.scan.errors[0]
  if (error) return adviseScript(ctx, file, aliases, error.line, 'pythonRejects', { why: error.message })
  reportScriptChanges(ctx, file, aliases, changes)
}

const oneLine = (text: string): string => text.split(/\r\n|\n|\r/).map((l) => l.trim()).join(' ')

/** `os.environ['HGENCODING'] = '<value>'` and `os.environ.setdefault('HGENCODING', '<value>')`. */
function hgEncodings(s: ScriptStatements): Array<{ stmt: Stmt; value: string }> {
  const out: Array<{ stmt: Stmt; value: string }> = []
  for (const stmt of s.stmts) {
    const t = stmt.tokens
    const shape = t.length === 8 && t.slice(0, 4).map((x) => x.text).join('') === 'os.environ[' && t[5]!.text === ']' && t[6]!.text === '='
    if (shape && t[4]!.value === 'HGENCODING' && t[7]!.type === 'string' && typeof t[7]!.value === 'string') out.push({ stmt, value: t[7]!.value })
  }
  for (const call of callStatements(s.stmts, (c) => c === 'os.environ.setdefault')) {
    const [key, value] = call.args
    if (call.args.length === 2 && key!.value.kind === 'str' && key!.value.value === 'HGENCODING' && value!.value.kind === 'str' && value!.value.value !== null) {
      out.push({ stmt: call.stmt, value: value!.value.value })
    }
  }
  return out.sort((a, b) => a.stmt.order - b.stmt.order)
}
