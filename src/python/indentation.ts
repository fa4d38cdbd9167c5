// Indentation as Python's tokenizer counts and checks it.
import type { LogicalLine, ScanError } from './types.js'

/** Indentation column: tabs to the next multiple of 8, a form feed resets. */
export function indentWidthOf(indent: string): number {
  let w = 0
  for (const ch of indent) {
    if (ch === ' ') w++
    else if (ch === '\t') w = (Math.floor(w / 8) + 1) * 8
    else if (ch === '\f') w = 0
  }
  return w
}

/** Python's tokenizer refuses a 100th level of indentation (MAXINDENT, Python 2.7 and 3). */
const MAX_INDENT = 100

/**
 * Python's indentation rules, as its tokenizer applies them: a file that breaks them does not
 * compile, and reasoning about its blocks (and so about which removals are safe) is moot.
 */
export function checkIndentation(logicalLines: LogicalLine[], errors: ScanError[]): void {
  const stack = [0]
  let expectIndent = false
  for (const l of logicalLines) {
    const w = l.indentWidth
    const top = stack[stack.length - 1]!
    if (w > top && stack.length >= MAX_INDENT) {
      // The tokenizer stops there (E_TOODEEP): nothing after it is read.
      errors.push({ line: l.startLine, message: 'too many levels of indentation' })
      return
    }
    if (expectIndent) {
      if (w <= top) errors.push({ line: l.startLine, message: 'expected an indented block' })
      else stack.push(w)
    } else if (w > top) {
      errors.push({ line: l.startLine, message: 'unexpected indent' })
      stack.push(w)
    } else if (w < top) {
      while (stack.length > 1 && stack[stack.length - 1]! > w) stack.pop()
      if (stack[stack.length - 1] !== w) {
        errors.push({ line: l.startLine, message: 'unindent does not match any outer indentation level' })
        stack.push(w)
      }
    }
    expectIndent = l.opensBlock
  }
  const last = logicalLines[logicalLines.length - 1]
  if (expectIndent && last) errors.push({ line: last.endLine, message: 'expected an indented block' })
}
