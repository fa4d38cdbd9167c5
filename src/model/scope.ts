// The levels of the walk and the Scope of what each holds. A level is a file's top or the inside
// of a section, linked to the level around it (across Includes). Each level keeps only what it
// adds; the arrays of a Scope (ancestors, containers, includes) and of a record's wrappers
// (records.ts) are made when first read, and shared with the level around when it adds nothing.
// So 20,000 nested sections, each with a directive, cost 20,000 small levels, not 20,000 ever
// longer arrays.
import type { ParentNode, Section } from '../syntax/types.js'
import type { ContainerInfo, IncludeStep, Scope, VirtualHostInfo } from './types.js'

/** What a level adds to the one around it. */
type Adds = 'file' | 'wrapper' | 'vhost' | 'container' | 'section'

export class Level {
  /** The level around this one; for a file's top, the level of the Include that read it. */
  declare readonly up: Level | undefined
  declare readonly adds: Adds
  /** The section whose inside this is (undefined at a file's top). */
  declare readonly section: Section | undefined
  declare readonly file: string
  /** The node whose children are read at this level. */
  declare readonly parent: ParentNode
  declare readonly vhost: VirtualHostInfo | undefined
  declare readonly container: ContainerInfo | undefined
  declare readonly conditional: Section | undefined
  /** For a file read through an Include: that Include. */
  declare readonly step: IncludeStep | undefined
  private declare scopeMemo: Scope | undefined
  private declare ancestorsMemo: Section[] | undefined
  private declare containersMemo: ContainerInfo[] | undefined
  private declare includesMemo: IncludeStep[] | undefined
  private declare wrappersMemo: Section[] | undefined

  // Fields assigned here, all of them and in one order, not declared with initializers: a level
  // is made for every section, and class field initializers cost a call each time.
  private constructor(
    up: Level | undefined,
    adds: Adds,
    section: Section | undefined,
    file: string,
    parent: ParentNode,
    vhost: VirtualHostInfo | undefined,
    container: ContainerInfo | undefined,
    conditional: Section | undefined,
    step: IncludeStep | undefined,
  ) {
    this.up = up
    this.adds = adds
    this.section = section
    this.file = file
    this.parent = parent
    this.vhost = vhost
    this.container = container
    this.conditional = conditional
    this.step = step
    this.scopeMemo = undefined
    this.ancestorsMemo = undefined
    this.containersMemo = undefined
    this.includesMemo = undefined
    this.wrappersMemo = undefined
  }

  /** The top of a file read as the start of the server config. */
  static root(file: string, tree: ParentNode): Level {
    return new Level(undefined, 'file', undefined, file, tree, undefined, undefined, undefined, undefined)
  }

  /** The top of a file this level's Include `step` reads. */
  included(file: string, tree: ParentNode, step: IncludeStep): Level {
    return new Level(this, 'file', undefined, file, tree, this.vhost, this.container, this.conditional, step)
  }

  /** Inside an `<IfModule>`-like section (assumed true). */
  wrapper(section: Section): Level {
    return new Level(this, 'wrapper', section, this.file, section, this.vhost, this.container, this.conditional, undefined)
  }

  /** Inside a `<VirtualHost>`: a scope of its own, outside any container. */
  virtualHost(section: Section, vhost: VirtualHostInfo): Level {
    return new Level(this, 'vhost', section, this.file, section, vhost, undefined, undefined, undefined)
  }

  /** Inside a per-directory container. */
  inContainer(section: Section, container: ContainerInfo): Level {
    return new Level(this, 'container', section, this.file, section, this.vhost, container, this.conditional, undefined)
  }

  /** Inside an `<If>`/`<ElseIf>`/`<Else>`, or (conditional unset) any other section. */
  inSection(section: Section, conditional = this.conditional): Level {
    return new Level(this, 'section', section, this.file, section, this.vhost, this.container, conditional, undefined)
  }

  /** The scope of the directives of this level (one object, shared by all of them). */
  scope(): Scope {
    return (this.scopeMemo ??= new LevelScope(this) as Scope)
  }

  /** Enclosing sections, outermost first, across Includes. */
  ancestors(): Section[] {
    return (this.ancestorsMemo ??= Level.collect(this, 'ancestorsMemo', (l) => l.section, () => false))
  }

  /** Enclosing containers, outermost first, up to the `<VirtualHost>` (which starts with none). */
  containers(): ContainerInfo[] {
    return (this.containersMemo ??= Level.collect(this, 'containersMemo', (l) => (l.adds === 'container' ? l.container : undefined), (l) => l.adds === 'vhost'))
  }

  /** The Include steps that led to this level's file, outermost first. */
  includes(): IncludeStep[] {
    return (this.includesMemo ??= Level.collect(this, 'includesMemo', (l) => l.step, () => false))
  }

  /** Wrapper sections around this level in its own file, outermost first. */
  wrappers(): Section[] {
    return (this.wrappersMemo ??= Level.collect(this, 'wrappersMemo', (l) => (l.adds === 'wrapper' ? l.section : undefined), (l) => l.adds === 'file'))
  }

  /**
   * What `item` gives along the levels from `start` outwards, outermost first, on top of the
   * nearest level that has the list already. A level where `stops` holds is the last one read
   * (its own item counts; what is around it does not). A loop: levels nest without bound.
   */
  private static collect<T>(start: Level, memo: Memo, item: (l: Level) => T | undefined, stops: (l: Level) => boolean): T[] {
    const found: T[] = []
    let base: T[] = []
    for (let l: Level | undefined = start; l !== undefined; l = l.up) {
      const known = l === start ? undefined : (l[memo] as T[] | undefined)
      if (known !== undefined) {
        base = known
        break
      }
      const x = item(l)
      if (x !== undefined) found.push(x)
      if (stops(l)) break
    }
    if (found.length === 0) return base
    const out = base.slice()
    for (let i = found.length - 1; i >= 0; i--) out.push(found[i])
    return out
  }
}

type Memo = 'ancestorsMemo' | 'containersMemo' | 'includesMemo' | 'wrappersMemo'

/**
 * A level's Scope: plain fields, and the arrays as getters on the class, made on first read.
 * (`{ ...scope }` copies the plain fields only; JSON.stringify as well.)
 */
class LevelScope {
  readonly kind: Scope['kind']
  readonly file: string
  readonly vhost: Scope['vhost']
  readonly container: ContainerInfo | undefined
  readonly conditional: Section | undefined
  readonly #level: Level

  constructor(level: Level) {
    this.kind = level.vhost === undefined ? 'global' : 'vhost'
    this.file = level.file
    this.vhost = level.vhost
    this.container = level.container
    this.conditional = level.conditional
    this.#level = level
  }

  get ancestors(): Section[] {
    return this.#level.ancestors()
  }

  get containers(): ContainerInfo[] {
    return this.#level.containers()
  }

  get includes(): IncludeStep[] {
    return this.#level.includes()
  }

  /** The wrappers of the directives of a scope the walk made ([] for any other). */
  static wrappersOf(scope: Scope): Section[] {
    return scope instanceof LevelScope ? scope.#level.wrappers() : []
  }
}

/** The wrappers (`<IfModule>`...) around the directives of `scope` in their file, outermost first. */
export const wrappersOf = (scope: Scope): Section[] => LevelScope.wrappersOf(scope)
