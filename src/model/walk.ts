// Apache's reading order: a file's directives and sections in order, each Include's files read in
// place. A loop over an explicit stack, not recursion, both into sections and into included
// files: a config (hostile or generated) may nest sections or Includes thousands deep. The files
// read are counted: 8 files each including the next 10 times make 10^7 reads, so the walk stops
// at MAX_FILE_VISITS and says which Include went over.
import type { Content, Directive, Root, Section } from '../syntax/types.js'
import { Level } from './scope.js'
import type { IncludeInfo } from './types.js'

/** An Include read: its record and the files it pulls in, in Apache's order. */
export interface IncludeRead {
  record: IncludeInfo
  targets: readonly string[]
}

export interface WalkVisitor {
  /** The level to read a section's children in, or undefined to leave them unread (`<Macro>`). */
  section(section: Section, level: Level): Level | undefined
  /** A directive; for an Include, what it pulls in. */
  directive(node: Directive, level: Level): IncludeRead | undefined
  /** An Include of `target`, which is being read already; `chain` runs from the outermost file to it. */
  cycle(include: IncludeInfo, target: string, chain: string[]): void
  /** The walk read `limit` files and this Include would read `target` once more (`times` so far): it stops. */
  limit(include: IncludeInfo, target: string, data: { limit: number; times: number }): void
  /** This Include of `target` is nested `depth` Includes deep, past `limit`: Apache stops there, and so does the walk. */
  depth(include: IncludeInfo, target: string, data: { limit: number; depth: number }): void
}

/**
 * Files one walk reads at most, a file included N times counting N times: far above any real
 * server (a host with 10,000 vhost files reads each once), far below an Include fan-out.
 */
export const MAX_FILE_VISITS = 50_000

/** Includes nested in Includes that Apache follows (AP_MAX_INCLUDE_DEPTH): the main config's own count one. */
export const MAX_INCLUDE_DEPTH = 128

/** Children of a level being read, up to `index`. */
interface ReadFrame {
  kind: 'read'
  level: Level
  children: readonly Content[]
  index: number
  /** Set at a file's top: the file stops being read when the frame ends. */
  file?: string
}

/** The files of an Include being read, one after the other, up to `index`. */
interface IncludeFrame {
  kind: 'include'
  include: IncludeInfo
  level: Level
  targets: readonly string[]
  index: number
}

type Frame = ReadFrame | IncludeFrame

export interface Walker {
  /**
   * Read `path` (a file of the set) as the start of the server config, to the end; `included`:
   * it is not Apache's main config, so an Include of the main config reads it (its depth counts).
   */
  walk(path: string, included?: boolean): void
  /** Files read so far, in first-visit order. */
  readonly files: string[]
  readonly visited: ReadonlySet<string>
}

export function createWalker(trees: ReadonlyMap<string, Root>, visitor: WalkVisitor, maxVisits = MAX_FILE_VISITS): Walker {
  const files: string[] = []
  const visited = new Set<string>()
  /** Files being read, outermost first (an Include of one of them closes a cycle). */
  const reading: string[] = []
  const readingSet = new Set<string>()
  const stack: Frame[] = []
  /** Times each file was read, and in all: the walk stops past maxVisits. */
  const times = new Map<string, number>()
  let visits = 0
  let stopped = false
  /** Includes above the top file: 1 when it is not the main config. */
  let above = 0

  const open = (path: string, level: (tree: Root) => Level): void => {
    const tree = trees.get(path)
    if (tree === undefined) return
    visits++
    times.set(path, (times.get(path) ?? 0) + 1)
    if (!visited.has(path)) {
      visited.add(path)
      files.push(path)
    }
    reading.push(path)
    readingSet.add(path)
    stack.push({ kind: 'read', level: level(tree), children: tree.children, index: 0, file: path })
  }

  const close = (frame: ReadFrame): void => {
    if (frame.file === undefined) return
    reading.pop()
    readingSet.delete(frame.file)
  }

  const step = (frame: Frame): void => {
    if (frame.kind === 'include') {
      if (frame.index >= frame.targets.length) {
        stack.pop()
        return
      }
      const target = frame.targets[frame.index++]
      if (readingSet.has(target)) visitor.cycle(frame.include, target, [...reading, target])
      else if (above + reading.length > MAX_INCLUDE_DEPTH && trees.has(target)) tooDeep(frame.include, target)
      else if (visits >= maxVisits && trees.has(target)) stop(frame.include, target)
      else open(target, (tree) => frame.level.included(target, tree, { node: frame.include.node, file: frame.level.file }))
      return
    }
    if (frame.index >= frame.children.length) {
      stack.pop()
      close(frame)
      return
    }
    const child = frame.children[frame.index++]
    if (child.type === 'section') {
      const level = visitor.section(child, frame.level)
      if (level !== undefined) stack.push({ kind: 'read', level, children: child.children, index: 0, file: undefined })
    } else if (child.type === 'directive') {
      const read = visitor.directive(child, frame.level)
      if (read !== undefined && read.targets.length > 0) stack.push({ kind: 'include', include: read.record, level: frame.level, targets: read.targets, index: 0 })
    }
  }

  const stop = (include: IncludeInfo, target: string): void => {
    visitor.limit(include, target, { limit: maxVisits, times: times.get(target) ?? 0 })
    halt()
  }

  // Apache gives up at the first Include nested too deep ("Exceeded maximum include depth").
  const tooDeep = (include: IncludeInfo, target: string): void => {
    visitor.depth(include, target, { limit: MAX_INCLUDE_DEPTH, depth: above + reading.length })
    halt()
  }

  const halt = (): void => {
    stopped = true
    stack.length = 0
    reading.length = 0
    readingSet.clear()
  }

  const walk = (path: string, included = false): void => {
    if (stopped) return
    above = included ? 1 : 0
    open(path, (tree) => Level.root(path, tree))
    while (stack.length > 0) step(stack[stack.length - 1])
  }

  return { walk, files, visited }
}
