// Where a deployment is and where the run takes it, as `ng update` knows the installed version:
// the Kallithea installed in the venvs the config names, the target version (--to, else the
// installed one, else 0.3.2), and what each step past the installed version asks of it.
import path from 'node:path'
import { presets } from '../../transforms/index.js'
import { inspectVenv, type TreeReader, type VenvInfo } from '../load/installed-version.js'
import { isInside } from '../load/paths.js'
import type { VenvRef, VenvVia } from '../model/kallithea-venvs.js'
import { DEFAULT_TO } from './select.js'
import type { Transform } from './transform.js'
import { compareVersions, versionOf } from './versions.js'

/** One venv the config names, and what the run read in it. */
export interface VenvReport {
  venv: string
  /** Where the config or a dispatch script names it. */
  namedBy: Array<{ via: VenvVia; at: string }>
  /** X.Y of its `lib/pythonX.Y` folders. */
  pythons: string[]
  /** The Kallithea version found, the file it was read from (relative to the root when inside it) and what that says. */
  version: string | null
  source: string | null
  evidence: string | null
  /** Why it was not read: `outside-root`, `missing`, `unreadable` (permission denied); null when it was. */
  unread: 'outside-root' | 'missing' | 'unreadable' | null
}

export type TargetFrom = 'to' | 'installed' | 'python' | 'default'

export interface KallitheaVersions {
  /** The installed Kallithea the run goes by (the oldest when venvs disagree), or null. */
  installed: string | null
  /** The file it was read from (relative to the root when inside it). */
  installedFrom: string | null
  /** The Kallithea version whose form the run produces. */
  target: string
  /** Why: `--to`, the installed version, the venv's Python 3 (0.6.0 or later), or the default. */
  targetFrom: TargetFrom
  venvs: VenvReport[]
}

/** The newest form there is. */
export const LATEST = presets[presets.length - 1]!.version

export const NO_VERSIONS: KallitheaVersions = { installed: null, installedFrom: null, target: DEFAULT_TO, targetFrom: 'default', venvs: [] }

/** Read every venv once (through `reader`, confined to the root) and report them with where they are named. */
export function readVenvs(refs: readonly VenvRef[], reader: TreeReader, root: string): { reports: VenvReport[]; infos: Map<string, VenvInfo> } {
  const infos = new Map<string, VenvInfo>()
  const reports: VenvReport[] = []
  // On the live server (root /) a venv keeps its absolute path.
  const shown = (p: string): string => (root !== path.sep && isInside(root, p) ? path.relative(root, p).split(path.sep).join('/') : p)
  for (const ref of refs) {
    let report = reports.find((r) => r.venv === ref.venv)
    if (!report) {
      const info = inspectVenv(ref.venv, reader)
      infos.set(ref.venv, info)
      const k = info.kallithea
      report = {
        venv: ref.venv, namedBy: [], pythons: info.pythons,
        version: k?.version ?? null, source: k ? shown(k.source) : null, evidence: k?.evidence ?? null, unread: info.unread ?? null,
      }
      reports.push(report)
    }
    report.namedBy.push({ via: ref.via, at: ref.at })
  }
  return { reports, infos }
}

/** The installed version and the target of a run. */
export function targetOf(venvs: VenvReport[], to: string | undefined): KallitheaVersions {
  const found = venvs.filter((v) => v.version !== null && versionOf(v.version) !== null)
  const oldest = found.sort((a, b) => compareVersions(a.version!, b.version!))[0]
  const base = { installed: oldest?.version ?? null, installedFrom: oldest?.source ?? null, venvs }
  if (to !== undefined) return { ...base, target: to === 'latest' ? LATEST : to, targetFrom: 'to' }
  if (oldest) {
    // Forms older than 0.3.2 are wrong for every release: the 0.3.2 form is the floor.
    const v = versionOf(oldest.version!)!
    return { ...base, target: compareVersions(v, DEFAULT_TO) < 0 ? DEFAULT_TO : `${v.major}.${v.minor}.${v.patch}`, targetFrom: 'installed' }
  }
  // Kallithea runs on Python 3 from 0.6.0 on: a Python 3 venv without a readable version is that.
  if (venvs.length > 0 && venvs.every((v) => v.pythons.length > 0 && v.pythons.every((p) => p.startsWith('3.')))) {
    return { ...base, target: LATEST, targetFrom: 'python' }
  }
  return { ...base, target: DEFAULT_TO, targetFrom: 'default' }
}

/** For each step the run takes past the installed Kallithea (asked for with --to): what it asks of it. */
export function pastInstalled(selected: readonly Transform[], versions: KallitheaVersions): Array<{ transform: string; message: string }> {
  const installed = versions.installed
  if (installed === null || versionOf(installed) === null || versions.targetFrom !== 'to') return []
  const out: Array<{ transform: string; message: string }> = []
  for (const t of selected) {
    const preset = presets.find((p) => p.transforms.includes(t))
    if (!preset || compareVersions(preset.version, installed) <= 0) continue
    out.push({
      transform: t.meta.id,
      message:
        `${t.meta.title}: a step of the Kallithea ${preset.version} form, past the installed Kallithea ${installed} ` +
        `(${versions.installedFrom}); applied because --to ${versions.target} asks for it. ${preset.needs}`,
    })
  }
  return out
}

const VIA: Record<VenvVia, string> = {
  'python-home': 'python-home', 'python-path': 'python-path', WSGIPythonHome: 'WSGIPythonHome', WSGIPythonPath: 'WSGIPythonPath',
  activate_this: 'activate_this', addsitedir: 'site.addsitedir',
}

/** A server of the run and the form it was taken to (MigrateResult.servers). */
export interface ServerTarget {
  name: string
  kallithea: { installed: string | null; target: string }
}

/**
 * Lines for people: what was found where, and the target with its reason (one line per server
 * when the servers' targets differ). Venvs not read are listed together.
 */
export function describeVersions(v: KallitheaVersions, servers: readonly ServerTarget[] = []): string[] {
  const named = (r: VenvReport): string => r.namedBy.map((n) => `${VIA[n.via]} at ${n.at}`).join(', ')
  const lines: string[] = []
  for (const r of v.venvs) {
    if (r.unread !== null) continue
    const python = r.pythons.length > 0 ? `, Python ${r.pythons.join(', ')}` : ''
    lines.push(r.version === null
      ? `venv ${r.venv} (${named(r)}${python}): no Kallithea version found in it`
      : `venv ${r.venv} (${named(r)}${python}): Kallithea ${r.version} (${r.source}: ${r.evidence})`)
  }
  const unread: Array<[VenvReport['unread'], string]> = [
    ['outside-root', 'outside the root, not read (map it into the repository with --map SERVERPATH=REPOPATH, or run with a --root that holds it, to detect the installed Kallithea)'],
    ['missing', 'not there'],
    ['unreadable', 'cannot be read (permission denied on a folder on the way): check the permissions to detect the installed Kallithea'],
  ]
  for (const [reason, what] of unread) {
    const these = v.venvs.filter((r) => r.unread === reason)
    if (these.length === 0) continue
    const shown = these.slice(0, 3).map((r) => `${r.venv} (${named(r)})`).join('; ')
    const more = these.length > 3 ? `; and ${these.length - 3} more` : ''
    lines.push(`${these.length === 1 ? 'venv' : `${these.length} venvs`} ${what.replace('them', these.length === 1 ? 'it' : 'them')}: ${shown}${more}`)
  }
  const why: Record<TargetFrom, string> = {
    to: '--to',
    installed: v.installed !== null && v.target !== v.installed ? `the installed ${v.installed}; the 0.3.2 form is the oldest there is` : 'the installed version',
    python: 'its venv is Python 3, so Kallithea 0.6.0 or later',
    default: v.venvs.length === 0 ? 'no venv named: the default' : 'no installed version found: the default',
  }
  if (new Set(servers.map((s) => s.kallithea.target)).size > 1) {
    // Each server goes to the form of the Kallithea its own venvs hold.
    for (const s of servers) {
      const k = s.kallithea
      lines.push(`target of ${s.name}: the Kallithea ${k.target} form (${k.installed !== null ? `its venv holds ${k.installed}` : 'no installed version found in its venvs: the default'})`)
    }
    return lines
  }
  lines.push(`target: the Kallithea ${v.target} form (${why[v.targetFrom]})`)
  return lines
}
