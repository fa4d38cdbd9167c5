// What a run gives back per file (bytes before and after, status, its share of the reports) and
// the changes with the lines they stand on in the new file, in the order they were made.
import { decode, encode } from '../syntax/decode.js'
import { lineRanges, type LineRange } from '../syntax/locate.js'
import { toText } from '../syntax/print.js'
import type { Content } from '../syntax/types.js'
import type { RecordedChange } from './engine.js'
import type { Loaded } from '../load/loaded.js'
import type { Advisory, Change, FileResult, MigrateError } from './migrate.js'
import type { SourceFile } from './transform.js'
import { pushTo } from '../util/multimap.js'

/** One FileResult per loaded file; a changed file that must not change becomes an error. */
export function fileResults(loaded: readonly Loaded[], errors: MigrateError[], advisories: readonly Advisory[]): FileResult[] {
  const errorsOf = groupBy(errors, (e) => e.file)
  const advisoriesOf = groupBy(advisories, (a) => a.file)
  return loaded.map((l) => {
    const text = l.file.kind === 'apache' ? toText(l.file.tree) : l.file.text
    let after = encode(text, l.encoding)
    let status: FileResult['status'] = after.equals(l.before) ? 'unchanged' : 'changed'
    const fileErrors = errorsOf.get(l.file.path) ?? []
    if (status === 'changed' && l.frozen) {
      after = l.before
      status = 'error'
      const why = l.envvars ? 'envvars is a shell file; it is read for the environment only' : 'fix the parse errors above first, then run again'
      const e: MigrateError = { code: l.envvars ? 'transform' : 'parse', file: l.file.path, message: `${l.file.path}: not changed: ${why}` }
      errors.push(e)
      fileErrors.push(e)
    } else if (fileErrors.length > 0) {
      // A file with its own error (an Include leading outside the root...) is left as it is.
      after = l.before
      status = 'error'
    }
    return {
      path: l.file.path,
      ...(l.onDisk ? { absolutePath: l.file.absolutePath } : {}),
      kind: l.file.kind,
      status,
      encoding: l.encoding,
      before: l.before,
      after,
      text: status === 'error' ? decode(l.before).text : text,
      changes: [],
      advisories: advisoriesOf.get(l.file.path) ?? [],
      errors: fileErrors,
    }
  })
}

/**
 * The changes of the files that changed, with their lines: in the new file for an insert or a
 * modify, in the original for a removal (a removed node is gone from the new file).
 */
export function changesWithLines(recorded: readonly RecordedChange[], results: readonly FileResult[]): Change[] {
  const byPath = new Map(results.map((r) => [r.path, r]))
  const ranges = new Map<SourceFile, Map<Content, LineRange>>()
  const changes: Change[] = []
  for (const r of recorded) {
    const result = byPath.get(r.file.path)
    if (!result || result.status !== 'changed') continue
    let lines = r.lines ?? { start: 0, end: 0 }
    if (r.node && r.kind !== 'remove' && r.file.kind === 'apache') {
      let map = ranges.get(r.file)
      if (!map) ranges.set(r.file, (map = lineRanges(r.file.tree)))
      lines = map.get(r.node) ?? lines
    }
    const c: Change = { transform: r.transform, file: r.file.path, kind: r.kind, lines, explanation: r.message.text }
    if (r.message.messageId !== undefined) Object.assign(c, { messageId: r.message.messageId, data: r.message.data ?? {} })
    changes.push(c)
    result.changes.push(c)
  }
  return changes
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    if (k !== undefined) pushTo(out, k, item)
  }
  return out
}
