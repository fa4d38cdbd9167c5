// The records the walk makes of directives: one class per kind, each a Located. Classes give every
// record of a kind one shape (fast), and let `wrappers` be made from the walk's level on first
// read: 20,000 nested `<IfModule>` with a directive in each cost 20,000 records, not 20,000 ever
// longer arrays.
import type { Directive, ParentNode, Section } from '../syntax/types.js'
import { wrappersOf, type Level } from './scope.js'
import type {
  DaemonGroup,
  Effective,
  GroupResolution,
  HandlerApp,
  IncludeInfo,
  Located,
  PassAuthorization,
  RestrictEmbedded,
  ScriptAlias,
  ScriptAliasOptions,
  Scope,
  Setting,
  WsgiOption,
} from './types.js'

/** One visit of a directive: where it is read, and in which order. */
export class Place implements Located {
  declare node: Directive
  declare file: string
  declare scope: Scope
  declare parent: ParentNode
  declare order: number

  constructor(node: Directive, level: Level, order: number) {
    this.node = node
    this.file = level.file
    this.scope = level.scope()
    this.parent = level.parent
    this.order = order
  }

  get wrappers(): Section[] {
    return wrappersOf(this.scope)
  }
}

export class SettingRecord extends Place implements Setting {
  declare value: string
  declare raw: string
  declare values: string[]

  constructor(place: Place, level: Level, values: string[]) {
    super(place.node, level, place.order)
    this.value = values[0] ?? ''
    this.raw = place.node.args[0] ?? ''
    this.values = values
  }
}

export class RestrictEmbeddedRecord extends SettingRecord implements RestrictEmbedded {
  declare misspelled: boolean
  declare inVirtualHost: boolean
  declare inContainer: boolean

  constructor(place: Place, level: Level, values: string[], misspelled: boolean) {
    super(place, level, values)
    this.misspelled = misspelled
    this.inVirtualHost = this.scope.kind === 'vhost'
    this.inContainer = this.scope.container !== undefined
  }
}

export class IncludeRecord extends Place implements IncludeInfo {
  declare optional: boolean
  declare pattern: string
  declare rawPattern: string
  declare targets: string[]
  declare unread: readonly string[]

  constructor(place: Place, level: Level, fields: Pick<IncludeInfo, 'optional' | 'pattern' | 'rawPattern' | 'targets' | 'unread'>) {
    super(place.node, level, place.order)
    this.optional = fields.optional
    this.pattern = fields.pattern
    this.rawPattern = fields.rawPattern
    this.targets = fields.targets
    this.unread = fields.unread
  }
}

export class DaemonRecord extends Place implements DaemonGroup {
  declare name: string
  declare rawName: string
  declare options: WsgiOption[]

  constructor(place: Place, level: Level, name: string, rawName: string, options: WsgiOption[]) {
    super(place.node, level, place.order)
    this.name = name
    this.rawName = rawName
    this.options = options
  }
}

export class AliasRecord extends Place implements ScriptAlias {
  declare directive: ScriptAlias['directive']
  declare url: string
  declare rawUrl: string
  declare script: string
  declare rawScript: string
  declare options: ScriptAliasOptions
  declare invalidOptions: WsgiOption[]
  declare group: GroupResolution
  declare applicationGroup: Effective
  declare passAuthorization: PassAuthorization

  constructor(
    place: Place,
    level: Level,
    fields: Pick<ScriptAlias, 'directive' | 'url' | 'rawUrl' | 'script' | 'rawScript' | 'options' | 'invalidOptions'>,
  ) {
    super(place.node, level, place.order)
    this.directive = fields.directive
    this.url = fields.url
    this.rawUrl = fields.rawUrl
    this.script = fields.script
    this.rawScript = fields.rawScript
    this.options = fields.options
    this.invalidOptions = fields.invalidOptions
    // Decided once the whole server config is known (build.ts).
    this.group = { mode: 'embedded', via: 'default', partial: [] }
    this.applicationGroup = { via: 'default' }
    this.passAuthorization = { value: undefined, via: 'default' }
  }
}

export class HandlerRecord extends Place implements HandlerApp {
  declare directive: HandlerApp['directive']
  declare extensions: string[]
  declare group: GroupResolution
  declare passAuthorization: PassAuthorization

  constructor(place: Place, level: Level, directive: HandlerApp['directive'], extensions: string[]) {
    super(place.node, level, place.order)
    this.directive = directive
    this.extensions = extensions
    // Decided once the whole server config is known (build.ts).
    this.group = { mode: 'embedded', via: 'default', partial: [] }
    this.passAuthorization = { value: undefined, via: 'default' }
  }
}
