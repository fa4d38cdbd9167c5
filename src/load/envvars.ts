// Debian's /etc/apache2/envvars: the shell file apache2ctl sources before starting Apache, which
// sets APACHE_RUN_USER, APACHE_LOG_DIR and the other variables the config uses as `${VAR}`.

/** Whether a run path names an envvars file (`envvars`, `etc/apache2/envvars`). */
export function isEnvvarsPath(path: string): boolean {
  return /(?:^|[\\/])envvars$/.test(path)
}

/**
 * Variables a Debian-style `envvars` shell file exports (`export APACHE_RUN_USER=www-data`),
 * read line by line: quotes removed, `$VAR`/`${VAR}` expanded from earlier lines, `unset` honoured.
 * Shell logic (if/else) is not evaluated; the last assignment wins.
 */
export function parseEnvvars(text: string, base: Record<string, string> = {}): Record<string, string> {
  const vars: Record<string, string> = { ...base }
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const unset = /^unset\s+(.+)$/.exec(line)
    if (unset) {
      for (const name of (unset[1] as string).split(/\s+/)) delete vars[name]
      continue
    }
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (m) vars[m[1] as string] = shellWord(m[2] as string, vars)
  }
  return vars
}

/** The first shell word of `rest`: quotes removed, `$VAR` expanded outside single quotes. */
function shellWord(rest: string, vars: Record<string, string>): string {
  let value = ''
  let i = 0
  while (i < rest.length && !/\s/.test(rest[i] as string)) {
    const c = rest[i]
    if (c === "'") {
      const end = rest.indexOf("'", i + 1)
      const stop = end === -1 ? rest.length : end
      value += rest.slice(i + 1, stop)
      i = stop + 1
    } else if (c === '"') {
      let end = i + 1
      while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1
      value += expandShell(rest.slice(i + 1, Math.min(end, rest.length)).replace(/\\(["\\$`])/g, '$1'), vars)
      i = end + 1
    } else {
      let end = i
      while (end < rest.length && !/[\s'"]/.test(rest[end] as string)) end++
      value += expandShell(rest.slice(i, end), vars)
      i = end
    }
  }
  return value
}

function expandShell(s: string, vars: Record<string, string>): string {
  return s.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, a?: string, b?: string) => {
    const name = (a ?? b) as string
    return Object.prototype.hasOwnProperty.call(vars, name) ? (vars[name] as string) : whole
  })
}
