// buildModel: walk the server config as Apache reads it (walk.ts, handlers.ts), then answer what
// mod_wsgi would do with it: site names and daemon groups (daemons.ts), effective settings
// (precedence.ts), problems (checks.ts) and the run user (run-user.ts).
//
// Transforms never reason about raw trees alone: "does this WSGIScriptAlias run in a daemon?"
// depends on Includes, <VirtualHost> nesting, containers, Define/${VAR}, option precedence and
// ServerName pairing. The model answers those questions the way mod_wsgi does. It is a pure
// function of the trees: no I/O, no mutation, cheap enough to rebuild after every edit.
import { isEnvvarsPath, parseEnvvars } from '../load/envvars.js'
import { isMainConfigName } from '../load/paths.js'
import { includeGraph, type IncludeGraph } from '../load/include-graph.js'
import { createVariables } from '../load/variables.js'
import { toText } from '../syntax/print.js'
import type { Content, Directive, Root } from '../syntax/types.js'
import { aliasProblems, daemonProblems } from './checks.js'
import { indexDaemons, sitesOf, type DaemonIndex, type Sites } from './daemons.js'
import { createReading, readDirective, readSection, type Reading } from './handlers.js'
import { problem } from './problems.js'
import { createPrecedence, embeddedRestricted as restrictedBy, type Precedence } from './precedence.js'
import { runUserOf } from './run-user.js'
import type { DaemonGroup, Located, ModelFile, ModelOptions, WsgiModel } from './types.js'
import { createWalker } from './walk.js'
import { htaccessOverrides } from './htaccess.js'
import { createBranches, exclusive, rendersWith } from './branches.js'
import { pushTo } from '../util/multimap.js'
import { renderedGroup } from './rendered-groups.js'

/** The run's files sorted for the walk: config trees by path, the environment, the Include graph. */
interface Inputs {
  /** Every file's tree by path (the first file of a path), the envvars file too. */
  trees: Map<string, Root>
  envvars: Root | undefined
  /** Config files in run order (the envvars file is not one). */
  configPaths: string[]
  env: Record<string, string>
  graph: IncludeGraph
}

function inputsOf(files: readonly ModelFile[], options: ModelOptions): Inputs {
  const envvarsFile = files.find((f) => isEnvvarsPath(f.path))
  const env: Record<string, string> = {
    ...(envvarsFile ? parseEnvvars(toText(envvarsFile.tree)) : {}),
    ...(options.env ?? {}),
  }
  const configFiles = files.filter((f) => f !== envvarsFile)
  const trees = new Map<string, Root>()
  for (const f of files) if (!trees.has(f.path)) trees.set(f.path, f.tree)
  return {
    trees,
    envvars: envvarsFile?.tree,
    configPaths: configFiles.map((f) => f.path),
    env,
    graph: options.includes ?? includeGraph(configFiles, { env }),
  }
}

/** Read the server config: the roots in order, then (without `options.roots`) any file left unread. */
function read(inputs: Inputs, options: ModelOptions): { reading: Reading; files: string[]; unwalked: string[] } {
  const { trees, graph } = inputs
  // The envvars file is read for its variables, never as config (even when an Include names it).
  const targets = (node: Directive): string[] => graph.targets(node).filter((p) => trees.has(p) && trees.get(p) !== inputs.envvars)
  const reading = createReading(createVariables(inputs.env), targets, (node) => graph.unread(node), (node) => graph.missing(node))
  const walker = createWalker(trees, {
    section: (section, level) => readSection(reading, section, level),
    directive: (node, level) => readDirective(reading, node, level),
    cycle: (record, target, chain) => reading.problems.push(problem('include-cycle', record, { target, chain })),
    limit: (record, target, data) => reading.problems.push(problem('include-limit', record, { target, ...data })),
    depth: (record, target, data) => reading.problems.push(problem('include-depth', record, { target, ...data })),
  })
  // A top that is not the main config is read through an Include of it (Apache counts that one).
  for (const root of options.roots ?? graph.roots) walker.walk(root, !isMainConfigName(root))
  // Then any file only reachable through a cycle.
  if (options.roots === undefined) for (const path of inputs.configPaths) if (!walker.visited.has(path)) walker.walk(path, !isMainConfigName(path))
  return { reading, files: walker.files, unwalked: inputs.configPaths.filter((p) => !walker.visited.has(p)) }
}

/**
 * Walk the server config as Apache reads it (top-level files in order, Includes in place) and
 * answer what mod_wsgi would do with it. Pure: reads only the trees, never the disk.
 */
export function buildModel(files: ModelFile[], options: ModelOptions = {}): WsgiModel {
  const inputs = inputsOf(files, options)
  const { reading: r, files: walked, unwalked } = read(inputs, options)
  const sites = sitesOf(r.virtualHosts, r.globalServerName)
  const daemons = indexDaemons(r.daemons, sites)
  // Template branches: a definition or setting inside `{% if %}` holds in some renderings only.
  const branches = createBranches(inputs.trees)
  const definitions = new Map<string, DaemonGroup[]>()
  for (const d of r.daemons) pushTo(definitions, d.name, d)
  const byName = (name: string): readonly DaemonGroup[] => definitions.get(name) ?? []
  const problems = r.problems.concat(daemonProblems(r.daemons, byName, branches))
  const precedence = createPrecedence(r, daemons, (s, target) => {
    const app = target.alias ?? target.handler
    return app !== undefined && exclusive(branches.of(s), branches.of(app))
  })
  const restricted = restrictedBy(r.restrictEmbedded)
  const context = { daemons, sites, embeddedRestricted: restricted }
  for (const alias of r.scriptAliases) {
    const target = { scope: alias.scope, alias }
    alias.group = renderedGroup(precedence.processGroup(target), alias, branches, byName)
    alias.applicationGroup = precedence.applicationGroup(target)
    alias.passAuthorization = precedence.passAuthorization(target)
    aliasProblems(alias, context, problems)
  }
  for (const handler of r.handlerApps) {
    const target = { scope: handler.scope, handler }
    handler.group = renderedGroup(precedence.processGroup(target), handler, branches, byName)
    handler.passAuthorization = precedence.passAuthorization(target)
  }
  return {
    files: walked,
    unwalked,
    virtualHosts: r.virtualHosts,
    ...(r.globalServerName !== undefined ? { globalServerName: r.globalServerName } : {}),
    includes: r.includes,
    daemons: r.daemons,
    scriptAliases: r.scriptAliases,
    handlerApps: r.handlerApps,
    htaccess: htaccessOverrides(r.overrides, r.handlerApps, (setting, handler) => precedence.processGroup({ scope: setting.scope, handler })),
    processGroups: r.processGroups,
    applicationGroups: r.applicationGroups,
    passAuthorizations: r.passAuthorizations,
    restrictProcesses: r.restrictProcesses,
    pythonHomes: r.pythonHomes,
    pythonPaths: r.pythonPaths,
    restrictEmbedded: r.restrictEmbedded,
    embeddedRestricted: restricted,
    runUser: runUserOf(r.user, r.group, options.platformUser, inputs.env),
    problems,
    hasMacros: r.macros.length > 0,
    macros: r.macros,
    defines: Object.fromEntries(r.vars.defines),
    env: inputs.env,
    ...queries(r.byOrder, daemons, sites, precedence),
    rendersWith: (record, others) => rendersWith(branches, record, others),
  }
}

/** The model's questions about scopes and nodes. */
function queries(byOrder: readonly Located[], daemons: DaemonIndex, sites: Sites, precedence: Precedence) {
  let located: Map<Content, Located[]> | undefined
  const placesOf = (node: Content): readonly Located[] => {
    if (located === undefined) {
      located = new Map()
      for (const loc of byOrder) pushTo(located, loc.node, loc)
    }
    return located.get(node) ?? []
  }
  return {
    reachableDaemons: daemons.reachableDaemons,
    daemon: daemons.daemon,
    processGroup: (target) => ('node' in target ? target.group : precedence.processGroup({ scope: target })),
    passAuthorization: (target) => ('node' in target ? target.passAuthorization : precedence.passAuthorization({ scope: target })),
    sameSite: sites.sameSite,
    locate: (node) => placesOf(node)[0],
    places: (node) => placesOf(node),
  } satisfies Pick<WsgiModel, 'reachableDaemons' | 'daemon' | 'processGroup' | 'passAuthorization' | 'sameSite' | 'locate' | 'places'>
}
