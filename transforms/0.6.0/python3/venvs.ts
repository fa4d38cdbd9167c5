// python3, what the run knows of the Python of a venv and of the one mod_wsgi embeds.
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

/**
 * X.Y of the Python a `LoadModule wsgi_module <path>` was built for, when the path says it:
 * Debian `mod_wsgi.so-3.11`, pip/mod_wsgi-express `mod_wsgi-py311.cpython-311-...so`,
 * `.../python3.11/site-packages/mod_wsgi/...`, Red Hat `mod_wsgi_python3.11.so`.
 */
export function pythonOfModule(modulePath: string): string | undefined {
  const base = modulePath.split('/').pop() ?? ''
  const dotted = /(?:\.so-|python)(\d\.\d+)/.exec(base) ?? /\/python(\d\.\d+)\//.exec(modulePath)
  if (dotted) return dotted[1]
  const packed = /-py(\d)(\d+)\b|cpython-(\d)(\d+)/.exec(base)
  return packed ? `${packed[1] ?? packed[3]}.${packed[2] ?? packed[4]}` : undefined
}
