// Diagnostics of a parse: VFileMessages with a place, a rule id and a level. `fatal: true` is an
// error (Apache refuses the file, or the tool cannot read its structure); `fatal: false` a warning
// (Apache reads it, but not as it looks).
import type { Point, Position } from 'unist'
import { VFileMessage } from 'vfile-message'

export class Reporter {
  constructor(
    readonly diagnostics: VFileMessage[],
    private readonly path: string | undefined,
  ) {}

  report(reason: string, place: Position | Point, ruleId: string, fatal: boolean): void {
    const message = new VFileMessage(reason, { place, ruleId, source: 'wsgi-migrate' })
    message.fatal = fatal
    if (this.path !== undefined) message.file = this.path
    this.diagnostics.push(message)
  }
}
