// The values of mod_wsgi directives: `key=value` options as mod_wsgi's wsgi_parse_option reads
// them, and On/Off flags.
import { isTemplated } from '../syntax/templates.js'
import type { WsgiOption } from './types.js'

/**
 * `key=value` options from `args[from..]`: the value may be quoted, so `python-home="/a b"` (split
 * by Apache's word rules into two args) is one option. `known` holds the names mod_wsgi accepts.
 */
export function parseOptions(
  args: readonly string[],
  from: number,
  resolve: (s: string) => string,
  known: ReadonlySet<string>,
): WsgiOption[] {
  const out: WsgiOption[] = []
  for (let i = from; i < args.length; i++) {
    const arg = args[i]
    if (isTemplated(arg)) {
      out.push({ key: arg, value: '', raw: '', index: i, lastIndex: i, known: false, templated: true })
      continue
    }
    const eq = arg.indexOf('=')
    if (eq <= 0 || /\s/.test(arg.slice(0, eq))) {
      out.push({ key: eq <= 0 ? arg : arg.slice(0, eq), value: '', raw: '', index: i, lastIndex: i, known: false })
      continue
    }
    const key = arg.slice(0, eq)
    let raw = arg.slice(eq + 1)
    let last = i
    let value = raw
    const q = raw[0]
    if (q === '"' || q === "'") {
      while (!(raw.length > 1 && raw.endsWith(q)) && last + 1 < args.length) raw += ' ' + args[++last]
      value = raw.length > 1 && raw.endsWith(q) ? raw.slice(1, -1) : raw.slice(1)
    }
    out.push({ key, value: resolve(value), raw, index: i, lastIndex: last, known: known.has(key) })
    i = last
  }
  return out
}

/** A flag as mod_wsgi reads it (any case), or undefined when it is neither On nor Off. */
export function onOff(value: string): 'On' | 'Off' | undefined {
  const v = value.toLowerCase()
  return v === 'on' ? 'On' : v === 'off' ? 'Off' : undefined
}
