// jscodeshift-style fixtures: fixtures/<transform-id>/<case>.input.<name> and .output.<name>.
// Files of one case form one run: `<case>.input.conf` is the file `<case>.conf`, and
// `<case>.input.dispatch.wsgi` the file `dispatch.wsgi` (a dotted rest is a file name of its own).
// `<case>.options.json` holds run options (modWsgi, env, lang; venvFiles: the files of the venvs
// the case names, by absolute path, read instead of the disk) and expected advisories (`advises`).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const transformsDir = fileURLToPath(new URL('../../transforms/', import.meta.url))

/** transforms/<version>/<id>/fixtures, by transform id. */
function fixtureDirs(): Map<string, string> {
  const out = new Map<string, string>()
  for (const v of readdirSync(transformsDir, { withFileTypes: true })) {
    if (!v.isDirectory()) continue
    for (const t of readdirSync(path.join(transformsDir, v.name), { withFileTypes: true })) {
      const dir = path.join(transformsDir, v.name, t.name, 'fixtures')
      if (t.isDirectory() && existsSync(dir)) out.set(t.name, dir)
    }
  }
  return out
}

export interface FixtureFile {
  /** Name the file has in the run. */
  name: string
  input: Buffer
  output: Buffer
  inputPath: string
  outputPath: string
}

export interface FixtureCase {
  transform: string
  name: string
  files: FixtureFile[]
  options: {
    modWsgi?: string
    env?: Record<string, string>
    lang?: string
    venvFiles?: Record<string, string>
    advises?: string[]
    [k: string]: unknown
  }
}

export function fixtureTransforms(): string[] {
  return [...fixtureDirs().keys()].sort()
}

export function fixtureCases(transform: string): FixtureCase[] {
  const dir = fixtureDirs().get(transform) as string
  const entries = readdirSync(dir).sort()
  const cases = new Map<string, FixtureCase>()
  const get = (name: string): FixtureCase => {
    let c = cases.get(name)
    if (!c) cases.set(name, (c = { transform, name, files: [], options: {} }))
    return c
  }
  for (const entry of entries) {
    const m = /^(.+?)\.input\.(.+)$/.exec(entry)
    if (m) {
      const [, name, rest] = m
      const outputName = `${name}.output.${rest}`
      if (!entries.includes(outputName)) throw new Error(`${transform}/${entry}: missing ${outputName}`)
      get(name).files.push({
        name: rest.includes('.') ? rest : `${name}.${rest}`,
        input: readFileSync(path.join(dir, entry)),
        output: readFileSync(path.join(dir, outputName)),
        inputPath: path.join(dir, entry),
        outputPath: path.join(dir, outputName),
      })
      continue
    }
    const o = /^(.+?)\.options\.json$/.exec(entry)
    if (o) get(o[1]).options = JSON.parse(readFileSync(path.join(dir, entry), 'utf8'))
    else if (!/\.output\./.test(entry)) throw new Error(`${transform}/${entry}: not a fixture file name`)
  }
  return [...cases.values()]
}
