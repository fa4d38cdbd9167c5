// The parser: Apache httpd configuration text (or bytes) to a lossless syntax tree.
//
// Reading rules follow httpd's server/config.c and util.c: logical lines (see lines.ts), leading
// and trailing white space ignored, `#` starts a comment only as the first character of a
// logical line, a line starting with `<` + letter is a section tag (one tag per line: text after
// the first `>` belongs to the tag's arguments, and the last `>` ends it), words split as
// ap_getword_conf does. `<Macro>` bodies are read as mod_macro does: up to the matching
// `</Macro>`, so sections inside them need not balance before expansion. Templates are read as
// their engines write them: an expression is one word, a block's branches are alternatives
// (templates.ts, template-lines.ts, template-blocks.ts).
//
// Two steps. The scan (scan.ts) reads the whole text once, line by line, and keeps a line table
// (line-table.ts): where each logical line starts, its physical line number, what it is (blank,
// comment, directive, open or close tag) and, for an open tag, where its children end. The
// section matcher (sections.ts) matches sections as lines come and reports every structural
// problem, so `data.diagnostics` is complete when parse returns. The node builder (build.ts) makes
// the nodes from the table, every line read in full (line-reader.ts), when the root's `children`
// is first read (lazy-children.ts), or at once with `{ lazy: false }`. A node and its position
// take some 200 bytes, the table 13 bytes a line: a tree that is only printed (a file a run
// leaves alone) costs little more than its text.
import type { VFileMessage } from 'vfile-message'
import { NO_CHILDREN, NodeBuilder } from './build.js'
import { decode } from './decode.js'
import { deferChildren } from './lazy-children.js'
import { LineReader } from './line-reader.js'
import { Reporter } from './report.js'
import { scan } from './scan.js'
import { SectionMatcher } from './sections.js'
import type { ParseOptions, Root } from './types.js'

export function parse(input: string | Uint8Array, options: ParseOptions = {}): Root {
  const isString = typeof input === 'string'
  const { text, encoding } = isString ? { text: input, encoding: 'utf8' as const } : decode(input)
  const diagnostics: VFileMessage[] = []
  const reader = new LineReader(text)
  const reporter = new Reporter(diagnostics, options.path)
  const { end, eol } = scan(reader, new SectionMatcher(reader, reporter), reporter)
  const root: Root = {
    type: 'root',
    children: NO_CHILDREN,
    position: { start: { line: 1, column: 1, offset: 0 }, end },
    data: {
      ...(options.path !== undefined ? { path: options.path } : {}),
      input: isString ? 'string' : 'buffer',
      encoding,
      eol,
      diagnostics,
    },
  }
  const count = reader.table.count
  const build = (): Root['children'] => new NodeBuilder(reader).nodes(0, count)
  if (count === 0) root.children = []
  else if (options.lazy === false) root.children = build()
  else deferChildren(root, text, 0, text.length, build)
  return root
}
