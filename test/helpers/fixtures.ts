// The built-in transforms' fixture folders (transforms/<version>/<id>/fixtures), found by walking
// transforms/.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtinTransforms } from '../../transforms/index.js'
import type { Transform } from '../../src/runner/transform.js'
import { readFixtures, type FixtureCase } from '../../src/testing.js'

export const transformsDir = fileURLToPath(new URL('../../transforms/', import.meta.url))

/** Every built-in transform with its fixture folder: each must have one, and each folder a built-in. */
export function fixtureFolders(): Array<{ transform: Transform; dir: string }> {
  const out = builtinTransforms.map((transform) => {
    const dir = path.join(transformsDir, transform.meta.version, transform.meta.id, 'fixtures')
    if (!existsSync(dir)) throw new Error(`built-in transform ${transform.meta.id} has no fixtures folder (${dir})`)
    return { transform, dir }
  })
  for (const v of readdirSync(transformsDir, { withFileTypes: true })) {
    if (!v.isDirectory()) continue
    for (const t of readdirSync(path.join(transformsDir, v.name), { withFileTypes: true })) {
      const dir = path.join(transformsDir, v.name, t.name, 'fixtures')
      if (t.isDirectory() && existsSync(dir) && !out.some((f) => f.dir === dir)) throw new Error(`${dir}: no built-in transform has the id ${t.name} and version ${v.name}`)
    }
  }
  return out.sort((a, b) => (a.transform.meta.id < b.transform.meta.id ? -1 : 1))
}

export function fixtureCases(id: string): FixtureCase[] {
  const folder = fixtureFolders().find((f) => f.transform.meta.id === id)
  return folder ? readFixtures(folder.dir) : []
}
