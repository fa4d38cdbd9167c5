// python3, what the run knows of the Python of a venv (the one mod_wsgi embeds: src/runner/embedded-python.ts).
import type { TransformContext } from '../../../src/runner/transform.js'

/** The one Python 3 X.Y a venv holds (`lib/python3.X`), or why it is not known. */
export function python3Of(ctx: TransformContext, venv: string): { python: string } | { why: string } {
  const info = ctx.options.venvs?.get(venv)
  if (!info) return { why: 'the run did not read it: give a --root that holds it' }
  if (info.unread === 'outside-root') return { why: 'it lies outside the root, so it was not read' }
  if (info.unread === 'missing') return { why: 'it is not there' }
  const threes = info.pythons.filter((p) => p.startsWith('3.'))
  if (threes.length === 1) return { python: threes[0]! }
  return { why: threes.length === 0 ? `it holds no lib/python3.X (only ${info.pythons.map((p) => `python${p}`).join(', ') || 'no lib/pythonX.Y'})` : `it holds several (${threes.join(', ')})` }
}
