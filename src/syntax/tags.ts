// Section tags as httpd reads them (server/config.c): a line starting with `<` + a letter is a tag,
// one per line; an open tag's name ends at white space or `>`, its arguments at the last `>`.
import { isSpaceCode } from './words.js'
import { GT, LT, PERCENT, SLASH } from './char-codes.js'


/**
 * Where the name of the tag on the trimmed line t[s, e) starts (after `<` or `</`), or -1 when
 * the line is no tag: `<` + a letter, not `<%` (a template).
 */
export function tagNameStart(t: string, s: number, e: number): number {
  if (t.charCodeAt(s) !== LT || s + 1 >= e || t.charCodeAt(s + 1) === PERCENT) return -1
  const nameStart = s + (t.charCodeAt(s + 1) === SLASH ? 2 : 1)
  return nameStart < e && isLetter(t.charCodeAt(nameStart)) ? nameStart : -1
}

/** True when the tag whose name starts at `nameStart` is a close tag (`</`). */
export function isCloseTag(t: string, nameStart: number): boolean {
  return t.charCodeAt(nameStart - 1) === SLASH
}

/** An open tag's name ends at white space or `>`. */
export function tagNameEnd(t: string, nameStart: number, e: number): number {
  let nameEnd = nameStart
  while (nameEnd < e && !isSpaceCode(t.charCodeAt(nameEnd)) && t.charCodeAt(nameEnd) !== GT) nameEnd++
  return nameEnd
}

/**
 * The last `>` of t[nameEnd, e), where Apache's section handlers cut the arguments (ignoring
 * what follows it); -1 when there is none (the tag is unterminated).
 */
export function lastGt(t: string, nameEnd: number, e: number): number {
  let gt = e - 1
  while (gt >= nameEnd && t.charCodeAt(gt) !== GT) gt--
  return gt < nameEnd ? -1 : gt
}

/** A close tag's word (`</Name>` or `</Name`) ends with its `>`. */
export function endsWithGt(word: string): boolean {
  return word.charCodeAt(word.length - 1) === GT
}

export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

export const isMacro = (name: string): boolean => name.length === 5 && name.toLowerCase() === 'macro'

/** Tag names match case-insensitively, as in Apache (the same case first: no new strings). */
export function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase()
}
