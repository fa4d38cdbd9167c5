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
  return new IncludeWalker(trees, visitor, maxVisits)
}

class IncludeWalker implements Walker {
  readonly files: string[] = []
  readonly visited = new Set<string>()
  /** Files being read, outermost first (an Include of one of them closes a cycle). */
  private readonly reading: string[] = []
  private readonly readingSet = new Set<string>()
  private readonly stack: Frame[] = []
  /** Times each file was read, and in all: the walk stops past maxVisits. */
  private readonly times = new Map<string, number>()
  private visits = 0
  private stopped = false
  /** Includes above the top file: 1 when it is not the main config. */
  private above = 0

  constructor(
    private readonly trees: ReadonlyMap<string, Root>,
    private readonly visitor: WalkVisitor,
    private readonly maxVisits: number,
  ) {}

  walk(path: string, included = false): void {
    if (this.stopped) return
    this.above = included ? 1 : 0
    this.open(path, (tree) => Level.root(path, tree))
    while (this.stack.length > 0) this.step(this.stack[this.stack.length - 1])
  }

  private open(path: string, level: (tree: Root) => Level): void {
    const tree = this.trees.get(path)
    if (tree === undefined) return
    this.visits++
    this.times.set(path, (this.times.get(path) ?? 0) + 1)
    if (!this.visited.has(path)) {
      this.visited.add(path)
      this.files.push(path)
    }
    this.reading.push(path)
    this.readingSet.add(path)
    this.stack.push({ kind: 'read', level: level(tree), children: tree.children, index: 0, file: path })
  }

  private step(frame: Frame): void {
    if (frame.kind === 'include') this.stepInclude(frame)
    else this.stepRead(frame)
  }

  private stepInclude(frame: IncludeFrame): void {
    if (frame.index >= frame.targets.length) {
      this.stack.pop()
      return
    }
    const target = frame.targets[frame.index++]
    const depth = this.above + this.reading.length
    if (this.readingSet.has(target)) this.visitor.cycle(frame.include, target, [...this.reading, target])
    else if (depth > MAX_INCLUDE_DEPTH && this.trees.has(target)) {
      // Apache gives up at the first Include nested too deep ("Exceeded maximum include depth").
      this.visitor.depth(frame.include, target, { limit: MAX_INCLUDE_DEPTH, depth })
      this.halt()
    } else if (this.visits >= this.maxVisits && this.trees.has(target)) {
      this.visitor.limit(frame.include, target, { limit: this.maxVisits, times: this.times.get(target) ?? 0 })
      this.halt()
    } else this.open(target, (tree) => frame.level.included(target, tree, { node: frame.include.node, file: frame.level.file }))
  }

  private stepRead(frame: ReadFrame): void {
    if (frame.index >= frame.children.length) {
      this.stack.pop()
      if (frame.file !== undefined) {
        this.reading.pop()
        this.readingSet.delete(frame.file)
      }
      return
    }
    const child = frame.children[frame.index++]
    if (child.type === 'section') {
      const level = this.visitor.section(child, frame.level)
      if (level !== undefined) this.stack.push({ kind: 'read', level, children: child.children, index: 0, file: undefined })
    } else if (child.type === 'directive') {
      const read = this.visitor.directive(child, frame.level)
      if (read !== undefined && read.targets.length > 0) this.stack.push({ kind: 'include', include: read.record, level: frame.level, targets: read.targets, index: 0 })
    }
  }

  private halt(): void {
    this.stopped = true
    this.stack.length = 0
    this.reading.length = 0
    this.readingSet.clear()
  }
}
