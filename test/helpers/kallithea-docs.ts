// The Kallithea docs of each release (fixtures/kallithea-docs/, GPLv3: see its NOTICE.md), cut
// into their code blocks: the Apache excerpts and the dispatch scripts, dedented.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DOCS = fileURLToPath(new URL('../../fixtures/kallithea-docs/', import.meta.url))

/** The releases whose form changed after 0.3.1, oldest first. */
export const VERSIONS = ['0.3.2', '0.3.3', '0.4.0', '0.4.1', '0.5.1', '0.6.0']

export interface Release {
  version: string
  /** The `WSGIRestrictEmbedded On` the docs tell to add at global scope, when they do. */
  global: string
  /** The Apache code blocks in order: 1 with python-home (or python-path), 2 for a script that activates the venv. */
  apache: string[]
  /** The dispatch scripts in the same order: 1 with site.addsitedir, 2 with activate_this. */
  python: string[]
}

/** Literal blocks of an .rst file: `.. code-block:: <lang>` and `::` paragraphs (lang ''), dedented. */
function literalBlocks(rst: string): Array<{ lang: string; text: string }> {
  const lines = rst.split('\n')
  const out: Array<{ lang: string; text: string }> = []
  lines.forEach((line, i) => {
    const lang = /^\s*\.\. code-block:: (\w+)\s*$/.exec(line)?.[1] ?? (/::\s*$/.test(line) ? '' : undefined)
    if (lang === undefined) return
    const base = /^\s*/.exec(line)![0].length
    const body: string[] = []
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!
      if (l.trim() !== '' && /^\s*/.exec(l)![0].length <= base) break
      body.push(l)
    }
    while (body.length && body[0]!.trim() === '') body.shift()
    while (body.length && body[body.length - 1]!.trim() === '') body.pop()
    const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length))
    out.push({ lang, text: body.map((l) => l.slice(indent)).join('\n') + '\n' })
  })
  return out
}

export function releases(): Release[] {
  return readdirSync(DOCS)
    .filter((f) => f.endsWith('-apache-mod_wsgi.rst'))
    .map((f) => {
      const blocks = literalBlocks(readFileSync(DOCS + f, 'utf8'))
      return {
        version: f.replace('-apache-mod_wsgi.rst', ''),
        global: blocks.find((b) => b.lang === '' && /^WSGIRestrictEmbedded On\n$/.test(b.text))?.text ?? '',
        apache: blocks.filter((b) => b.lang === 'apache').map((b) => b.text),
        python: blocks.filter((b) => b.lang === 'python').map((b) => b.text),
      }
    })
}

export const release = (v: string): Release => {
  const r = releases().find((x) => x.version === v)
  if (!r) throw new Error(`no docs of Kallithea ${v} in ${DOCS}`)
  return r
}
