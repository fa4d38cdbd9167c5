// Each server of a run (src/load/servers.ts) as the engine takes it: its config files, the WSGI
// scripts its applications load, its own environment and main config, and its model.
import type { LoadResult } from '../load/load.js'
import { scriptFileOf } from '../model/kallithea.js'
import { buildModel, type WsgiModel } from '../model/model.js'
import type { ServerInput } from './run-transforms.js'
import type { ApacheFile, ScriptFile, SourceFile, TransformOptions } from './transform.js'

/**
 * One input per server, made when its turn comes: the scripts a server's aliases load are found
 * from its first model (scripts do not change a model), which the engine then starts from. A run
 * with no config file at all is one server of everything, as before servers were told apart.
 */
export function serverInputs(
  loaded: LoadResult,
  common: Omit<TransformOptions, 'env' | 'mainConfig'>,
  /** A model of every file already built for the run (a run of one server starts from it). */
  built: () => WsgiModel | undefined = () => undefined,
  /** A server's own steps and options (its installed Kallithea), from its first model and files. */
  plan?: (model: WsgiModel, files: readonly SourceFile[]) => Pick<ServerInput, 'selected'> & { options?: Partial<TransformOptions> },
): Array<() => ServerInput> {
  const all = loaded.files.map((l) => l.file)
  const byPath = new Map(all.map((f) => [f.path, f]))
  const scripts = all.filter((f): f is ScriptFile => f.kind === 'wsgi')
  const options = (env: Record<string, string>, mainConfig: string | undefined): TransformOptions => ({
    ...common,
    env,
    ...(mainConfig !== undefined ? { mainConfig } : {}),
  })
  if (loaded.servers.length === 0) {
    const apache = all.filter((f): f is ApacheFile => f.kind === 'apache')
    const buildModel_ = (): WsgiModel => built() ?? buildModel(apache, { env: loaded.env, includes: loaded.graph })
    return [() => ({ files: all, options: options(loaded.env, loaded.mainConfig), buildModel: buildModel_ })]
  }
  return loaded.servers.map((server) => () => {
    const apache = server.files.map((p) => byPath.get(p)).filter((f): f is ApacheFile => f?.kind === 'apache')
    const build = (): WsgiModel => buildModel(apache, { env: server.env, includes: loaded.graph })
    let first: WsgiModel | undefined = build()
    const members = new Set<SourceFile>(apache)
    for (const alias of first.scriptAliases) {
      const match = scriptFileOf(alias, scripts)
      if (match !== undefined) members.add(match.file)
    }
    // In the run's order (by path), as one server's files always were.
    const files = all.filter((f) => members.has(f))
    const own = plan?.(first, files)
    return {
      files,
      options: { ...options(server.env, server.mainConfig), ...own?.options },
      ...(own?.selected !== undefined ? { selected: own.selected } : {}),
      buildModel: () => {
        const model = first ?? build()
        first = undefined
        return model
      },
    }
  })
}
