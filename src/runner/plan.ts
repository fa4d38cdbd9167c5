// The plan of a run once its files are read: the installed Kallithea (read from the venvs the
// config names, through a reader confined to the root), the target version, the transforms that
// take the deployment there, and what the transforms are told of it.
import { rootedReader, type TreeReader, type VenvInfo } from '../load/installed-version.js'
import type { PathMap } from '../load/maps.js'
import { kallitheaVenvs } from '../model/kallithea-venvs.js'
import type { WsgiModel } from '../model/model.js'
import { pastInstalled, readVenvs, targetOf, type KallitheaVersions, type TargetFrom, type VenvReport } from './kallithea-version.js'
import { selectTransforms, type ErrorSink, type Selection } from './select.js'
import type { SourceFile, Transform, TransformOptions } from './transform.js'
import { compareVersions } from './versions.js'

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

/** One server's own plan: the Kallithea its venvs hold, its target, and its steps. */
export interface ServerPlan {
  selected: Transform[]
  installed: string | null
  target: string
  options: Pick<TransformOptions, 'venvs' | 'installedKallithea'>
}

export interface Plan {
  selected: Transform[]
  versions: KallitheaVersions
  /** For the transforms: the venvs read, and the installed version. */
  options: Pick<TransformOptions, 'venvs' | 'installedKallithea'>
  /** What each step past the installed version asks of it. */
  advisories: Array<{ transform: string; file: string; message: string }>
  /**
   * The plan of one server (its model and files): without --to, the target is the Kallithea that
   * server's own venvs hold (else 0.3.2), not the oldest of the run; with --to, the run's plan.
   */
  forServer(model: WsgiModel, files: readonly SourceFile[]): ServerPlan
}

export function planRun(input: PlanInput, errors: ErrorSink): Plan {
  const reader = input.reader ?? (input.onDisk ? rootedReader(input.root, input.maps, input.maxSize !== undefined ? { maxSize: input.maxSize } : {}) : undefined)
  let versions: KallitheaVersions = targetOf([], input.selection.to)
  let venvs = new Map<string, VenvInfo>()
  // The run's venv reports (the JSON report's): venvs read later for a server join them.
  let reports: VenvReport[] = []
  if (reader) {
    const read = readVenvs(kallitheaVenvs(input.model(), input.files), reader, input.root)
    versions = targetOf(read.reports, input.selection.to)
    venvs = read.infos
    reports = read.reports
  }
  const before = errors.length
  const selected = selectTransforms({ ...input.selection, target: versions.target }, errors)
  const from = input.selection.from
  // Each server goes to its own installed Kallithea: --from may still leave steps for a newer one.
  const newest = reports.map((r) => targetOf([r], undefined).target).sort(compareVersions).at(-1) ?? versions.target
  const leavesNone = from !== undefined && compareVersions(from, newest) >= 0
  if (from !== undefined && input.selection.to === undefined && selected.length === 0 && leavesNone && errors.length === before) {
    // The target came from the venvs or the default, and --from is not below it: say so, not nothing.
    const why: Record<TargetFrom, string> = { to: '--to', installed: 'the installed Kallithea', python: 'its Python 3 venv', default: 'the default' }
    errors.push({ code: 'usage', message: `--from ${from} is not below the target ${newest} (${why[versions.targetFrom]}${newest !== versions.target ? ', the newest of the servers' : ''}): nothing to apply; give --to to go further` })
  }
  const options = { venvs, ...(versions.installed !== null ? { installedKallithea: versions.installed } : {}) }
  const whole: ServerPlan = { selected, installed: versions.installed, target: versions.target, options }
  const forServer = (model: WsgiModel, files: readonly SourceFile[]): ServerPlan => {
    if (!reader || input.selection.to !== undefined) return whole
    const refs = kallitheaVenvs(model, files)
    const known = new Set(reports.map((r) => r.venv))
    // A venv the run's model did not name (the servers' models differ from the run's): read it now.
    const more = readVenvs(refs.filter((r) => !known.has(r.venv)), reader, input.root)
    for (const [venv, info] of more.infos) venvs.set(venv, info)
    reports.push(...more.reports)
    const own = new Set(refs.map((r) => r.venv))
    const mine = targetOf(reports.filter((r) => own.has(r.venv)), undefined)
    if (mine.target === versions.target && mine.installed === versions.installed) return whole
    return {
      selected: selectTransforms({ ...input.selection, target: mine.target }, []),
      installed: mine.installed,
      target: mine.target,
      options: { venvs, ...(mine.installed !== null ? { installedKallithea: mine.installed } : {}) },
    }
  }
  return { selected, versions, options, advisories: pastInstalled(selected, versions).map((a) => ({ ...a, file: '' })), forServer }
}
