// The plan of a run once its files are read: the installed Kallithea (read from the venvs the
// config names, through a reader confined to the root), the target version, the transforms that
// take the deployment there, and what the transforms are told of it.
import { rootedReader, type TreeReader, type VenvInfo } from '../load/installed-version.js'
import type { PathMap } from '../load/maps.js'
import { kallitheaVenvs } from '../model/kallithea-venvs.js'
import type { WsgiModel } from '../model/model.js'
import { pastInstalled, readVenvs, targetOf, type KallitheaVersions } from './kallithea-version.js'
import { selectTransforms, type ErrorSink, type Selection } from './select.js'
import type { SourceFile, Transform, TransformOptions } from './transform.js'

export interface PlanInput {
  selection: Selection
  files: readonly SourceFile[]
  /** The model of the files as read (built only when a venv is to be read). */
  model: () => WsgiModel
  root: string
  /** Given: read through it; else the disk inside `root` when `onDisk`, else nothing. */
  reader?: TreeReader
  onDisk: boolean
  /** Server paths read from elsewhere (`--map`, a main config's ServerRoot): venvs under them too. */
  maps?: readonly PathMap[]
  /** Size limit of a venv file read from disk (the run's `maxSize`). */
  maxSize?: number
}

export interface Plan {
  selected: Transform[]
  versions: KallitheaVersions
  /** For the transforms: the venvs read, and the installed version. */
  options: Pick<TransformOptions, 'venvs' | 'installedKallithea'>
  /** What each step past the installed version asks of it. */
  advisories: Array<{ transform: string; file: string; message: string }>
}

export function planRun(input: PlanInput, errors: ErrorSink): Plan {
  const reader = input.reader ?? (input.onDisk ? rootedReader(input.root, input.maps, input.maxSize !== undefined ? { maxSize: input.maxSize } : {}) : undefined)
  let versions: KallitheaVersions = targetOf([], input.selection.to)
  let venvs = new Map<string, VenvInfo>()
  if (reader) {
    const read = readVenvs(kallitheaVenvs(input.model(), input.files), reader, input.root)
    versions = targetOf(read.reports, input.selection.to)
    venvs = read.infos
  }
  const selected = selectTransforms({ ...input.selection, target: versions.target }, errors)
  return {
    selected,
    versions,
    options: { venvs, ...(versions.installed !== null ? { installedKallithea: versions.installed } : {}) },
    advisories: pastInstalled(selected, versions).map((a) => ({ ...a, file: '' })),
  }
}
