// The Python mod_wsgi embeds, as far as a run knows it: given (server mode reads the module; a
// caller may say), or read from the path of a `LoadModule wsgi_module` line. A python-home venv
// must be made by that same Python: another one's venv makes the daemon fail to start Python.
import type { TransformContext } from './transform.js'

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

type Embedded = { python: string; how: string } | undefined

/** Per transform context (one pass): a transform asks once per daemon, and a run may have thousands. */
const known = new WeakMap<TransformContext, { found: Embedded }>()

/** The Python mod_wsgi embeds and how the run knows it: given to the run, or read from the LoadModule line of mod_wsgi. */
export function embeddedPython(ctx: TransformContext): Embedded {
  let entry = known.get(ctx)
  if (entry === undefined) known.set(ctx, (entry = { found: findEmbeddedPython(ctx) }))
  return entry.found
}

function findEmbeddedPython(ctx: TransformContext): Embedded {
  if (ctx.options.embeddedPython) return { python: ctx.options.embeddedPython, how: ctx.options.embeddedPythonFrom ?? 'as the embeddedPython option says' }
  for (const file of ctx.files) {
    if (file.kind !== 'apache') continue
    for (const node of ctx.config(file).findDirectives('LoadModule').nodes()) {
      const [module, path] = node.args
      const python = module === 'wsgi_module' && path ? pythonOfModule(path) : undefined
      if (python) return { python, how: `LoadModule wsgi_module ${path} in ${file.path}` }
    }
  }
  return undefined
}

/**
 * mod_wsgi's Python, when the run knows it and it is not `venvPython` (X.Y): python-home=<that
 * venv> would make the daemon fail to start Python. Undefined when they agree or either is unknown.
 */
export function otherPython(ctx: TransformContext, venvPython: string | undefined): Embedded {
  if (venvPython === undefined || !/^\d+\.\d+$/.test(venvPython)) return undefined
  const embedded = embeddedPython(ctx)
  return embedded !== undefined && embedded.python !== venvPython ? embedded : undefined
}
