// `-t PATH`: a user's own transform modules, ESM or CommonJS, checked before they run.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { isTransform, transformsOf } from '../runner/define.js'
import type { Transform } from '../runner/transform.js'
import { UsageError } from './args.js'
import { errorMessage } from '../util/error-message.js'

/**
 * The transforms a module exports as `default`, `transform` or `transforms` (a preset gives its
 * steps). import() gives a CommonJS module's `module.exports` as `default`, so TypeScript's
 * compiled `export default` (`exports.default = ...`) is one level further down.
 */
function exportedTransforms(mod: Record<string, unknown>): Transform[] {
  const cjs = typeof mod.default === 'object' && mod.default !== null ? (mod.default as Record<string, unknown>).default : undefined
  const found = [mod.default, mod.transform, mod.transforms, cjs].flatMap((x) => (Array.isArray(x) ? x : [x]))
  return [...new Set(transformsOf(found).filter(isTransform))]
}

/**
 * Import a module, within `timeoutMs` (its top-level await may wait on anything). A wait on
 * something that can never happen (nothing left for the event loop to do) is told at once.
 */
async function importWithin(p: string, cwd: string, timeoutMs: number): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined
  let stalled: (() => void) | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`${p}: did not finish loading within ${timeoutMs / 1000} s (its top-level await?); fix it, or set WSGI_MIGRATE_LOAD_TIMEOUT (seconds)`)), timeoutMs)
    timer.unref()
    stalled = () => reject(new UsageError(`${p}: never finishes loading: its top-level await waits for something that never happens`))
    process.once('beforeExit', stalled)
  })
  try {
    return (await Promise.race([import(pathToFileURL(path.resolve(cwd, p)).href), deadline])) as Record<string, unknown>
  } catch (e) {
    if (e instanceof UsageError) throw e
    throw new UsageError(`${p}: cannot load transform module: ${errorMessage(e)}`)
  } finally {
    clearTimeout(timer)
    process.off('beforeExit', stalled!)
  }
}

/** The transforms of the modules at `paths`, checked; a UsageError names what is wrong. */
export async function loadTransforms(paths: string[], cwd: string, timeoutMs = 30_000): Promise<Transform[]> {
  const out: Transform[] = []
  for (const p of paths) {
    const mod = await importWithin(p, cwd, timeoutMs)
    const transforms = exportedTransforms(mod)
    if (transforms.length === 0) {
      throw new UsageError(`${p}: exports no transform; export default { meta: { id, version, title, description, rationale, messages }, create(context) { ... } } (module.exports = { ... } in CommonJS)`)
    }
    for (const t of transforms) {
      for (const key of ['id', 'version', 'title'] as const) {
        if (typeof t.meta[key] !== 'string' || t.meta[key] === '') throw new UsageError(`${p}: a transform has no meta.${key} (a non-empty string)`)
      }
      if (typeof t.meta.messages !== 'object' || t.meta.messages === null) throw new UsageError(`${p}: transform ${t.meta.id} has no meta.messages (an object of message templates)`)
      out.push(t)
    }
  }
  return out
}
