// fileconfig-here: the dispatch script gives fileConfig the defaults `__file__` and `here`, as the
// 0.5.1 docs do: `fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})`.
//
// Why (Kallithea commit 7d9ac9242): the .ini is also read by PasteDeploy's loadapp (and by
// gearbox/paster), which define %(here)s and %(__file__)s, so its logging sections may use them
// (Kallithea's own config template does). logging.config.fileConfig defines neither unless given:
// with `%(here)s` in a logging section it raises configparser's InterpolationMissingOptionError
// ("interpolation key 'here' which is not a valid option name") and the app does not load.
//
// Whatever fileConfig is imported as (`import logging.config as lc`, `from logging import config`),
// the ini passed first or as `fname=`, and whatever the variable is called and however the path is written: a literal path (or a name
// bound to one) gives `here` as a literal, the folder of the file; a computed or relative path
// gives `os.path.dirname(os.path.abspath(<path>))` when the script imports os, as PasteDeploy
// computes it. Calls that already pass defaults are left alone.
import { posix } from 'node:path'
import { kallitheaScripts } from '../../../src/model/kallithea.js'
import type { ScriptAlias } from '../../../src/model/model.js'
import {
  callStatements, importBindings, importsName, qualifiedName, readStatements, sourceOf, stringAt, type Arg, type CallStatement, type ScriptStatements,
} from '../../../src/python/index.js'
import { defineTransform } from '../../../src/runner/define.js'
import { adviseScript, PYTHON_REJECTS, reportScriptChanges, type ScriptChange } from '../../../src/runner/script-fix.js'
import type { ScriptFile, TransformContext } from '../../../src/runner/transform.js'

/** The fileConfig functions that take `defaults` as their second argument, by dotted path. */
const FILECONFIG_FUNCTIONS = new Set(['logging.config.fileConfig', 'paste.script.util.logging_config.fileConfig'])

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
      unsure:
        "{{code}}: {{callee}} is not a name the script imports, so this may not be logging's fileConfig: not changed. If it is, " +
        "pass the defaults: fileConfig(ini, {'__file__': ini, 'here': <the folder of the ini>}).",
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
  const imports = importBindings(s.stmts)
  const changes: ScriptChange[] = []
  const named = (callee: string): boolean => (qualifiedName(callee, imports) ?? callee).split('.').at(-1) === 'fileConfig'
  for (const call of callStatements(s.stmts, named)) {
    // `logging.config.fileConfig` works once anything imported logging.config (Kallithea does).
    const meant = qualifiedName(call.callee, imports) ?? (call.callee === 'logging.config.fileConfig' ? call.callee : null)
    if (meant === null && call.callee.includes('.')) {
      adviseScript(ctx, file, aliases, call.stmt.startLine, 'unsure', { code: firstLine(call), callee: call.callee })
      continue
    }
    if (meant === null || !FILECONFIG_FUNCTIONS.has(meant)) continue
    const change = addDefaults(s, call, file.text)
    if (change === null) continue
    if ('why' in change) adviseScript(ctx, file, aliases, call.stmt.startLine, 'unknownFolder', { code: firstLine(call), why: change.why })
    else changes.push(change)
  }
  if (changes.length === 0) return
  const error = s.scan.errors[0]
  if (error) return adviseScript(ctx, file, aliases, error.line, 'pythonRejects', { why: error.message })
  reportScriptChanges(ctx, file, aliases, changes)
}

const firstLine = (call: CallStatement): string => call.stmt.text.split(/\r\n|\n|\r/)[0]!.trim()

/**
 * The edit that gives a fileConfig call its defaults: after the ini when it is passed first, as
 * `defaults=` at the end when it is passed as `fname=`; null when the call passes defaults already
 * (or passes what cannot be read: `*args`, `**kwargs`).
 */
function addDefaults(s: ScriptStatements, call: CallStatement, text: string): ScriptChange | { why: string } | null {
  const args = call.args
  const first = args[0]
  const positional = first !== undefined && first.keyword === null && !first.star
  const ini = positional ? first : args.find((a) => a.keyword === 'fname')
  if (!ini || args.some((a) => a.star || a.keyword === 'defaults' || (a !== ini && a.keyword === null))) return null
  // A keyword argument's tokens start with `fname =`.
  const defaults = defaultsFor(s, call, ini, positional ? ini.tokens : ini.tokens.slice(2), text)
  if ('why' in defaults) return defaults
  const after = positional ? ini : args[args.length - 1]!
  const end = after.tokens[after.tokens.length - 1]!.end
  const insert = positional ? `, ${defaults.text}` : `, defaults=${defaults.text}`
  return { edit: { start: end, end, insert }, kind: 'modify', messageId: 'added', data: { here: defaults.here } }
}

/** The dict literal to pass, or why the ini's folder cannot be told. */
function defaultsFor(s: ScriptStatements, call: CallStatement, ini: Arg, tokens: Arg['tokens'], text: string): { text: string; here: string } | { why: string } {
  const source = sourceOf(text, tokens)
  const literal = ini.value.kind === 'str' ? ini.value.value : ini.value.kind === 'name' ? stringAt(s.bindings, ini.value.name, call.stmt) : null
  const quote = /^[A-Za-z]*(["'])/.exec(tokens[0]!.type === 'string' ? tokens[0]!.text : '')?.[1] ?? "'"
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
