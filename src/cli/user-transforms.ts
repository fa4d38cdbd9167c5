// `-t PATH`: a user's own transform modules, ESM or CommonJS, checked before they run.
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { isTransform, transformsOf } from '../runner/define.js'
import type { Transform } from '../runner/transform.js'
import { UsageError } from './args.js'

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

export async function loadTransforms(paths: string[], cwd: string): Promise<Transform[]> {
  const out: Transform[] = []
  for (const p of paths) {
    let mod: Record<string, unknown>
    try {
      mod = (await import(pathToFileURL(path.resolve(cwd, p)).href)) as Record<string, unknown>
    } catch (e) {
      throw new UsageError(`${p}: cannot load transform module: ${(e as Error)?.message ?? String(e)}`)
    }
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
