// fileconfig-here: the dispatch script gives fileConfig the defaults `__file__` and `here`, as the
// 0.5.1 docs do: `fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})`.
//
// Why (Kallithea commit 7d9ac9242): the .ini is also read by PasteDeploy's loadapp (and by
// gearbox/paster), which define %(here)s and %(__file__)s, so its logging sections may use them
// (Kallithea's own config template does). logging.config.fileConfig defines neither unless given:
// with `%(here)s` in a logging section it raises configparser's InterpolationMissingOptionError
// ("interpolation key 'here' which is not a valid option name") and the app does not load.
//
// Whatever the variable is called and however the path is written: a literal path (or a name
// bound to one) gives `here` as a literal, the folder of the file; a computed or relative path
// gives `os.path.dirname(os.path.abspath(<path>))` when the script imports os, as PasteDeploy
// computes it. Calls that already pass defaults are left alone.
import { posix } from 'node:path'
import { kallitheaScripts } from '../../../src/model/kallithea.js'
import type { ScriptAlias } from '../../../src/model/model.js'
import { callStatements, fromImports, importsName, readStatements, sourceOf, stringAt, type CallStatement, type ScriptStatements } from '../../../src/python/index.js'
import { defineTransform } from '../../../src/runner/define.js'
import { adviseScript, PYTHON_REJECTS, reportScriptChanges, type ScriptChange } from '../../../src/runner/script-fix.js'
import type { ScriptFile, TransformContext } from '../../../src/runner/transform.js'

/** Modules whose fileConfig takes `defaults` as its second argument. */
const FILECONFIG_MODULES = new Set(['logging.config', 'paste.script.util.logging_config'])

export const fileconfigHere = defineTransform({
  meta: {
    id: 'fileconfig-here',
    version: '0.5.1',
    title: "fileConfig(ini, {'__file__': ini, 'here': <the ini's folder>})",
    description:
      "Gives the fileConfig(ini) call of Kallithea's dispatch script the defaults __file__ and here (the ini's folder), whatever the " +
      'variable is called and however the path is written; calls that already pass defaults stay.',
    rationale:
      "The .ini's logging sections may use %(here)s, as PasteDeploy allows for the rest of the file; fileConfig without these " +
      "defaults raises configparser's InterpolationMissingOptionError on it and the app does not load.",
    messages: {
      added:
        "Gave fileConfig the defaults __file__ and here ({{here}}): the .ini's logging sections may use %(here)s and %(__file__)s, as " +
        "PasteDeploy's loadapp allows for the rest of the file; without them fileConfig raises configparser's InterpolationMissingOptionError " +
        "(interpolation key 'here') and the app does not load.",
      unknownFolder:
        "{{code}}: the ini's folder cannot be told here ({{why}}): not changed. Pass the defaults yourself: " +
        "fileConfig(ini, {'__file__': ini, 'here': <the folder of the ini>}).",
      pythonRejects: PYTHON_REJECTS,
    },
  },
  create(ctx) {
    for (const [file, aliases] of kallitheaScripts(ctx.model(), ctx.files)) migrateScript(ctx, file, aliases)
  },
})

export default fileconfigHere

function migrateScript(ctx: TransformContext, file: ScriptFile, aliases: ScriptAlias[]): void {
  const s = readStatements(file.text)
  const names = new Set(['logging.config.fileConfig'])
  for (const imp of fromImports(s.stmts)) {
    if (!FILECONFIG_MODULES.has(imp.module)) continue
    for (const n of imp.names) if (n.name === 'fileConfig') names.add(n.alias ?? n.name)
  }
  const changes: ScriptChange[] = []
  for (const call of callStatements(s.stmts, (c) => names.has(c))) {
    const args = call.args
    const ini = args[0]
    if (!ini || ini.keyword !== null || ini.star) continue
    if (args.some((a, i) => a.star || a.keyword === 'defaults' || (i > 0 && a.keyword === null))) continue
    const defaults = defaultsFor(s, call, file.text)
    if ('why' in defaults) {
      adviseScript(ctx, file, aliases, call.stmt.startLine, 'unknownFolder', { code: call.stmt.text.split(/\r\n|\n|\r/)[0]!.trim(), why: defaults.why })
      continue
    }
    const end = ini.tokens[ini.tokens.length - 1]!.end
    changes.push({ edit: { start: end, end, insert: `, ${defaults.text}` }, kind: 'modify', messageId: 'added', data: { here: defaults.here } })
  }
  if (changes.length === 0) return
  const error = s.scan.errors[0]
  if (error) return adviseScript(ctx, file, aliases, error.line, 'pythonRejects', { why: error.message })
  reportScriptChanges(ctx, file, aliases, changes)
}

/** The dict literal to pass, or why the ini's folder cannot be told. */
function defaultsFor(s: ScriptStatements, call: CallStatement, text: string): { text: string; here: string } | { why: string } {
  const ini = call.args[0]!
  const source = sourceOf(text, ini.tokens)
  const literal = ini.value.kind === 'str' ? ini.value.value : ini.value.kind === 'name' ? stringAt(s.bindings, ini.value.name, call.stmt) : null
  const quote = /^[A-Za-z]*(["'])/.exec(ini.tokens[0]!.type === 'string' ? ini.tokens[0]!.text : '')?.[1] ?? "'"
  const str = (v: string): string => pyString(v, quote)
  let here: string
  if (literal !== null && literal.startsWith('/')) here = str(posix.dirname(literal))
  else if (s.stmts.some((x) => x.order < call.stmt.order && x.topLevel && importsName(x, 'os'))) here = `os.path.dirname(os.path.abspath(${source}))`
  else return { why: literal !== null ? `'${literal}' is relative and the script does not import os` : 'the path is computed and the script does not import os' }
  return { text: `{${str('__file__')}: ${source}, ${str('here')}: ${here}}`, here }
}

/** A Python string literal of `value` in `quote`, readable the same by Python 2 and 3. */
function pyString(value: string, quote: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r')
  return quote + escaped + quote
}
