// `wsgi-migrate --list`: every Kallithea version whose form changed, and its steps in the order
// they run (a user's own transforms under their version).
import { presets } from '../../transforms/index.js'
import type { Transform } from '../runner/transform.js'

/** The listing; `e` escapes what a transform module says (it may come from a user's `-t`). */
export function listSteps(all: readonly Transform[], extra: readonly Transform[], e: (text: string) => string = (t) => t): string {
  const width = Math.max(0, ...all.map((t) => e(t.meta.id).length))
  const lines: string[] = []
  let version: string | undefined
  for (const t of all) {
    const m = t.meta
    if (m.version !== version) {
      version = m.version
      const preset = presets.find((p) => p.version === version)
      lines.push(`${e(version)}  ${preset ? preset.title : 'your transforms'}`)
    }
    lines.push(`  ${e(m.id).padEnd(width)}  ${e(m.title)}${m.modWsgi ? ` (mod_wsgi ${e(m.modWsgi)})` : ''}${extra.includes(t) ? ' [user]' : ''}`)
  }
  return lines.map((l) => `${l}\n`).join('')
}
