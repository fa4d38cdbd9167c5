// Define / UnDefine and `${VAR}` expansion, as Apache applies them while it reads the config:
// a Define holds from where it is read on; `${VAR}` is a Define, else a variable of the
// environment Apache starts with, else left as written (Apache warns and keeps it).
import type { Directive } from '../syntax/types.js'

/** A `${VAR}` reference. */
const VARIABLE = /\$\{([^}]*)\}/g

/** The outcome of expanding one value. */
export interface Expansion {
  value: string
  /** A variable came from the environment (not from a Define). */
  fromEnv: boolean
  /** A variable was neither defined nor in the environment: it is still in `value`. */
  unresolved: boolean
}

export interface Variables {
  /** Defines in effect, in the order they were made. */
  readonly defines: ReadonlyMap<string, string>
  readonly env: Readonly<Record<string, string>>
  /** `${VAR}` replaced by Defines, then by the environment. */
  expand(text: string): Expansion
  /** The expanded value alone. */
  resolve(text: string): string
  /** Apply a `Define name value` or `UnDefine name`; false for any other directive. */
  apply(node: Directive): boolean
}

/** Whether `text` holds a `${VAR}` reference (after expansion: one that stayed unresolved). */
export function hasVariable(text: string): boolean {
  return text.includes('${') && /\$\{[^}]*\}/.test(text)
}

/** Variables starting from `env` and no Defines. */
export function createVariables(env: Readonly<Record<string, string>> = {}): Variables {
  const defines = new Map<string, string>()
  const expand = (text: string): Expansion => {
    if (!text.includes('${')) return { value: text, fromEnv: false, unresolved: false }
    let fromEnv = false
    let unresolved = false
    const value = text.replace(VARIABLE, (whole, name: string) => {
      const defined = defines.get(name)
      if (defined !== undefined) return defined
      if (Object.prototype.hasOwnProperty.call(env, name)) {
        fromEnv = true
        return env[name] as string
      }
      unresolved = true
      return whole
    })
    return { value, fromEnv, unresolved }
  }
  const resolve = (text: string): string => (text.includes('${') ? expand(text).value : text)
  const apply = (node: Directive): boolean => {
    const name = node.name.toLowerCase()
    const [key, value] = node.args
    if (name === 'define') {
      if (key !== undefined && value !== undefined) defines.set(key, resolve(value))
    } else if (name === 'undefine') {
      if (key !== undefined) defines.delete(key)
    } else return false
    return true
  }
  return { defines, env, expand, resolve, apply }
}
