// The built-in transforms' fixture folders (transforms/<version>/<id>/fixtures), found by walking
// transforms/, and the configtest every Apache output must pass.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { builtinTransforms } from '../../transforms/index.js'
import type { Transform } from '../../src/runner/transform.js'
import { readFixtures, type FixtureCase, type FixtureFile } from '../../src/testing.js'
import { configtest } from './apache.js'

export const transformsDir = fileURLToPath(new URL('../../transforms/', import.meta.url))

/** Every built-in transform with its fixture folder. */
export function fixtureFolders(): Array<{ transform: Transform; dir: string }> {
  const out: Array<{ transform: Transform; dir: string }> = []
  for (const v of readdirSync(transformsDir, { withFileTypes: true })) {
    if (!v.isDirectory()) continue
    for (const t of readdirSync(path.join(transformsDir, v.name), { withFileTypes: true })) {
      const dir = path.join(transformsDir, v.name, t.name, 'fixtures')
      if (!t.isDirectory() || !existsSync(dir)) continue
      const transform = builtinTransforms.find((x) => x.meta.id === t.name)
      if (!transform) throw new Error(`${dir}: no built-in transform has the id ${t.name}`)
      out.push({ transform, dir })
    }
  }
  return out.sort((a, b) => (a.transform.meta.id < b.transform.meta.id ? -1 : 1))
}

export function fixtureTransforms(): string[] {
  return fixtureFolders().map((f) => f.transform.meta.id)
}

export function fixtureCases(id: string): FixtureCase[] {
  const folder = fixtureFolders().find((f) => f.transform.meta.id === id)
  return folder ? readFixtures(folder.dir) : []
}

/** `apache2 -t` on a case's Apache outputs, in a private ServerRoot; throws with Apache's words. */
export async function apacheAccepts(confs: FixtureFile[]): Promise<void> {
  // As text, so the harness can move vhosts to its port (a Latin-1 comment stays a comment).
  const files: Record<string, string> = {}
  for (const f of confs) files[f.name] = f.output.toString('latin1')
  // Files another file of the case includes are read through that Include.
  const included = (name: string) => confs.some((o) => o.name !== name && o.output.toString('latin1').includes(name))
  const result = await configtest({ files, include: confs.map((f) => f.name).filter((n) => !included(n)) })
  if (!result.ok) throw new Error(`apache2 -t refused it:\n${result.output}\n--- main config:\n${result.mainConfig}`)
}
