// Render the part of Jinja (as Ansible renders it: trim_blocks) and ERB (`-%>`) that the template
// fixtures use, so a test can boot what a template renders to: block statements alone on their
// line (`{% if x %}` / `{% else %}` / `{% endif %}`, `<% if @x -%>` / `<% else -%>` / `<% end -%>`)
// vanish with their line, an inline `{% if x %}A{% else %}B{% endif %}` keeps one branch,
// `{{ name ... }}` and `<%= @name %>` print a variable, `{# ... #}` disappears. A condition is the
// truth of its first name (`is defined`: whether it is set; `| default(true)`: true when unset).
// Anything else throws: a fixture that needs more should not be rendered wrong quietly.

export type Vars = Record<string, string | boolean>

const IF = /^(?:\{%-?\s*if\s+([^%]+?)\s*-?%\}|<%-?\s*if\s+([^%]+?)\s*-?%>)$/
const ELSE = /^(?:\{%-?\s*else\s*-?%\}|<%-?\s*else\s*-?%>)$/
const END = /^(?:\{%-?\s*endif\s*-?%\}|<%-?\s*end\s*-?%>)$/

function truth(condition: string, vars: Vars): boolean {
  const name = /^@?([A-Za-z_]\w*)/.exec(condition)?.[1]
  if (name === undefined) throw new Error(`cannot evaluate ${JSON.stringify(condition)}`)
  if (/\bis defined$/.test(condition)) return name in vars
  if (!(name in vars)) {
    if (/default\(true\)/.test(condition)) return true
    throw new Error(`${name} is not set`)
  }
  return vars[name] !== false && vars[name] !== ''
}

function value(name: string, vars: Vars): string {
  const v = vars[name]
  if (v === undefined || typeof v === 'boolean') throw new Error(`${name} is not a string variable`)
  return v
}

function renderLine(line: string, vars: Vars): string {
  const inline = line.replace(/\{%\s*if\s+(.+?)\s*%\}(.*?)(?:\{%\s*else\s*%\}(.*?))?\{%\s*endif\s*%\}/g, (_m, c: string, a: string, b = '') => (truth(c, vars) ? a : b))
  const out = inline
    .replace(/\{#.*?#\}/g, '')
    .replace(/\{\{\s*([A-Za-z_]\w*)[^}]*\}\}/g, (_m, n: string) => value(n, vars))
    .replace(/<%=\s*@([A-Za-z_]\w*)\s*-?%>/g, (_m, n: string) => value(n, vars))
  if (/\{[{%#]|<%/.test(out)) throw new Error(`cannot render ${JSON.stringify(line)}`)
  return out
}

/** The text `template` renders to with `vars`. */
export function render(template: string, vars: Vars): string {
  const out: string[] = []
  // For each open block: whether its current branch renders.
  const stack: boolean[] = []
  const on = (): boolean => stack.every(Boolean)
  for (const line of template.split(/(?<=\n)/)) {
    const body = line.trim()
    const cond = IF.exec(body)
    if (cond) stack.push(on() && truth(cond[1] ?? cond[2], vars))
    else if (ELSE.test(body)) stack.push(!stack.pop() && on())
    else if (END.test(body)) stack.pop()
    else if (on()) out.push(renderLine(line, vars))
  }
  if (stack.length > 0) throw new Error('a block is never closed')
  return out.join('')
}
