// An application's group as every rendering of a template has it. The walk reads a template as if
// every branch rendered; a group decided by a WSGIProcessGroup (or a daemon group) that stands in
// an `{% if %}` the application is outside of holds only in some renderings, and then the group is
// 'templated': transforms advise rather than restrict embedded mode or copy the group. So is a
// group whose daemon a loop defines under a literal name (a duplicate once there are two items).
import { isTemplated } from '../syntax/templates.js'
import { alwaysWith, loopOf, outside, rendersApart, type Branches, type BranchStep } from './branches.js'
import type { DaemonGroup, GroupResolution, Located, TemplateBranchRef } from './types.js'

/** Every definition of a daemon group name, in reading order. */
export type Definitions = (name: string) => readonly DaemonGroup[]

/** `g` for `app`, or a 'templated' group when what decides it is not in every rendering of the app. */
export function renderedGroup(g: GroupResolution, app: Located, branches: Branches, definitions: Definitions): GroupResolution {
  if (g.mode === 'templated') return g
  const mine = branches.of(app)
  const setting = g.setting
  if (setting !== undefined) {
    if (rendersApart(setting.node)) return templated(g, setting.raw, { statement: '', node: setting.node, file: setting.file, inline: true })
    const step = outside(branches.of(setting), mine)
    if (step !== undefined) return templated(g, setting.value, refOf(step, branches))
  }
  if (g.daemon === undefined) return g
  // A literal name in a loop is defined once per item: Apache refuses the second (a duplicate).
  const loop = isTemplated(g.daemon.name) ? undefined : loopOf(branches.of(g.daemon))
  if (loop !== undefined) return templated(g, g.group ?? '', { ...refOf(loop, branches), loop: true })
  const defs = definitions(g.daemon.name).filter((d) => !rendersApart(d.node))
  if (alwaysWith(defs.map((d) => branches.of(d)), mine)) return g
  const step = outside(branches.of(g.daemon), mine)
  if (step !== undefined) return templated(g, g.group ?? '', refOf(step, branches))
  return templated(g, g.group ?? '', { statement: '', node: g.daemon.node, file: g.daemon.file, inline: true })
}

function refOf(step: BranchStep, branches: Branches): TemplateBranchRef {
  const branch = step.block.branches[step.branch]
  return { statement: branch.statement, node: branch.control, file: branches.fileOf(step) }
}

function templated(g: GroupResolution, group: string, branch: TemplateBranchRef): GroupResolution {
  const { via, partial, directive, setting } = g
  return {
    mode: 'templated', group, via, partial, branch,
    ...(g.daemon ? { daemon: g.daemon } : {}),
    ...(directive ? { directive } : {}),
    ...(setting ? { setting } : {}),
  }
}
