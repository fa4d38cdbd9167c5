// What a directive's `raw` says, so the printer can tell whether `name`/`args` were edited.
import type { Directive } from './types.js'

interface Snapshot {
  name: string
  args: readonly string[]
}

const snapshots = new WeakMap<Directive, Snapshot>()

/** Record that `node.raw` spells `node.name` and `node.args` as they are now. */
export function remember(node: Directive): void {
  snapshots.set(node, { name: node.name, args: node.args.slice() })
}

/** The name and args `node.raw` spells, or undefined for a node built by hand. */
export function recalled(node: Directive): Snapshot | undefined {
  return snapshots.get(node)
}

export function isUnchanged(node: Directive): boolean {
  const s = snapshots.get(node)
  if (s === undefined || s.name !== node.name || s.args.length !== node.args.length) return false
  for (let i = 0; i < s.args.length; i++) if (s.args[i] !== node.args[i]) return false
  return true
}
