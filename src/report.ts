// Reports for machines (JSON, stable shape) and for pull request bodies (Markdown).
import type { Advisory, Change, MigrateError, MigrateResult } from './migrate.js'

/** Version of the JSON report's shape; bumped only on incompatible changes. */
export const REPORT_FORMAT = 1

export interface JsonReport {
  format: typeof REPORT_FORMAT
  tool: { name: 'wsgi-migrate'; version: string }
  /** 'write' when files were written, 'dry-run' when only reported. */
  mode: 'write' | 'dry-run'
  transforms: Array<{ id: string; version: string; title: string }>
  summary: { scanned: number; changed: number; unchanged: number; errors: number; advisories: number; changes: number }
  files: Array<{ path: string; kind: 'apache' | 'wsgi'; status: 'changed' | 'unchanged' | 'error' }>
  changes: Change[]
  advisories: Advisory[]
  errors: MigrateError[]
  /** Paths written (empty in dry-run mode). */
  written: string[]
  /** The unified diff; `patchEncoding` says how its bytes were turned into this string. */
  patch: string
  patchEncoding: 'utf8' | 'latin1'
}

function patchText(patch: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  const utf8 = patch.toString('utf8')
  return Buffer.from(utf8, 'utf8').equals(patch) ? { text: utf8, encoding: 'utf8' } : { text: patch.toString('latin1'), encoding: 'latin1' }
}

export function toJsonReport(result: MigrateResult, how: { write: boolean; version: string }): JsonReport {
  const count = (s: string): number => result.files.filter((f) => f.status === s).length
  const { text, encoding } = patchText(result.patch)
  return {
    format: REPORT_FORMAT,
    tool: { name: 'wsgi-migrate', version: how.version },
    mode: how.write ? 'write' : 'dry-run',
    transforms: result.transforms.map(({ id, version, title }) => ({ id, version, title })),
    summary: {
      scanned: result.files.length,
      changed: count('changed'),
      unchanged: count('unchanged'),
      errors: result.errors.length,
      advisories: result.advisories.length,
      changes: result.changes.length,
    },
    files: result.files.map((f) => ({ path: f.path, kind: f.kind, status: f.status })),
    changes: result.changes,
    advisories: result.advisories,
    errors: result.errors,
    written: result.written,
    patch: text,
    patchEncoding: encoding,
  }
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

/** A Markdown summary fit for a pull request body. */
export function toMarkdownSummary(result: MigrateResult, how: { write: boolean }): string {
  const changed = result.files.filter((f) => f.status === 'changed')
  const lines: string[] = []
  lines.push(`## wsgi-migrate: ${changed.length === 0 ? 'nothing to change' : `${changed.length} file${changed.length === 1 ? '' : 's'} ${how.write ? 'changed' : 'to change'}`}`)
  lines.push('')
  if (result.transforms.length > 0) {
    lines.push(`Transforms: ${result.transforms.map((t) => `\`${t.id}\` (${t.version})`).join(', ')}.`)
    lines.push('')
  }
  if (result.changes.length > 0) {
    lines.push('| File | Lines | Transform | Why |', '|---|---|---|---|')
    for (const c of result.changes) {
      const where = c.lines.start === c.lines.end ? `${c.lines.start}` : `${c.lines.start}-${c.lines.end}`
      lines.push(`| \`${cell(c.file)}\` | ${where} | \`${c.transform}\` | ${cell(c.explanation)} |`)
    }
    lines.push('')
  }
  if (result.advisories.length > 0) {
    lines.push('### Advisories (not changed)', '')
    for (const a of result.advisories) lines.push(`- \`${a.transform}\`${a.file ? ` \`${a.file}${a.line ? `:${a.line}` : ''}\`` : ''}: ${cell(a.message)}`)
    lines.push('')
  }
  if (result.errors.length > 0) {
    lines.push('### Errors', '')
    for (const e of result.errors) lines.push(`- ${cell(e.message)}`)
    lines.push('')
  }
  if (result.patch.length > 0) {
    lines.push('<details><summary>Patch</summary>', '', '```diff', patchText(result.patch).text.replace(/\n$/, ''), '```', '', '</details>', '')
  }
  return lines.join('\n')
}
