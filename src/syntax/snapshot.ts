// Whether a directive's `raw` still spells its `name` and `args`, so that the printer can print
// `raw` as it is, without keeping a copy of every directive's words:
//
// - `args`: an array that `raw` spells is frozen (the parser's, and those the edit helpers set
//   after re-spelling `raw`). Editing means assigning a new array, which is not frozen; changing
//   the frozen one in place throws a TypeError (strict mode), rather than being lost.
// - `name`: compared with the first word of `raw` when that word is a plain one (no quote, no
//   backslash), which it almost always is; otherwise the name `raw` spells is kept aside.
import type { Directive } from './types.js'
import { isSpaceCode } from './words.js'
import { BACKSLASH, DOUBLE_QUOTE, SINGLE_QUOTE } from './char-codes.js'

/** The names `raw` spells, for the few directives whose first word is not plain. */
const spelledNames = new WeakMap<Directive, string>()


/** An args array that spells nothing to re-spell: shared, as it is frozen. */
export const NO_ARGS: readonly string[] = Object.freeze([])

/**
 * Record that `node.raw` spells `node.name` and `node.args` as they are now: freezes `args` (a
 * frozen copy when it is not frozen yet, so the caller's array stays theirs).
 */
export function markSpelled(node: Directive): void {
  if (!Object.isFrozen(node.args)) node.args = Object.freeze(node.args.slice())
  if (startsWithPlainWord(node.raw, node.name)) spelledNames.delete(node)
  else spelledNames.set(node, node.name)
}

/**
 * markSpelled for a directive the parser just made from `raw` with frozen args. `plainName`: the
 * parser read the name as the plain first word of `raw`, so there is nothing to keep.
 */
export function markParsed(node: Directive, plainName: boolean): void {
  if (!plainName && !startsWithPlainWord(node.raw, node.name)) spelledNames.set(node, node.name)
}

/** True when `node.raw` spells `node.name` and `node.args` (see markSpelled). */
export function isUnchanged(node: Directive): boolean {
  if (!Object.isFrozen(node.args)) return false
  const spelled = spelledNames.get(node)
  return spelled === undefined ? startsWithPlainWord(node.raw, node.name) : spelled === node.name
}

/**
 * True when splitWords reads `name` as the first word of `raw` for sure: `raw` has it right after
 * its indentation, followed by white space or the end, and it is a plain word (no quote to open,
 * no white space, no backslash that could escape or continue). False says "not sure".
 */
export function startsWithPlainWord(raw: string, name: string): boolean {
  let s = 0
  while (s < raw.length && isSpaceCode(raw.charCodeAt(s))) s++
  const end = s + name.length
  if (name.length === 0 || end > raw.length || !raw.startsWith(name, s)) return false
  if (end < raw.length && !isSpaceCode(raw.charCodeAt(end))) return false
  const first = name.charCodeAt(0)
  if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c === BACKSLASH || isSpaceCode(c)) return false
  }
  return true
}
