// The documented shape of the `--json` report, checked key by key (shared by the CLI tests).

/** The documented shape of `--json` (src/runner/report.ts JsonReport): every key, every type. */
export function validateReport(r: unknown): string[] {
  const problems: string[] = []
  // A string: types and literals joined by |; an array: a list of; an object: exactly these keys;
  // { $nullable: spec }: null, or spec.
  type Spec = string | Spec[] | { [k: string]: Spec }
  const check = (v: unknown, spec: Spec, at: string): void => {
    if (typeof spec === 'string') {
      const ok = spec.split('|').some((s) => {
        if (s === 'null') return v === null
        if (s === 'int') return Number.isInteger(v) && (v as number) >= 0
        if (s.startsWith("'")) return v === s.slice(1, -1)
        if (s.startsWith('#')) return v === Number(s.slice(1))
        return typeof v === s
      })
      if (!ok) problems.push(`${at}: ${JSON.stringify(v)} is not ${spec}`)
    } else if (Array.isArray(spec)) {
      if (!Array.isArray(v)) problems.push(`${at}: not an array`)
      else v.forEach((item, i) => check(item, spec[0] as Spec, `${at}[${i}]`))
    } else if ('$nullable' in spec) {
      if (v !== null) check(v, spec.$nullable as Spec, at)
    } else {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        problems.push(`${at}: not an object`)
        return
      }
      const keys = Object.keys(v).sort()
      const want = Object.keys(spec).sort()
      if (JSON.stringify(keys) !== JSON.stringify(want)) problems.push(`${at}: keys ${keys.join(',')} are not ${want.join(',')}`)
      for (const k of want) check((v as Record<string, unknown>)[k], spec[k] as Spec, `${at}.${k}`)
    }
  }
  const place = { file: 'string|null', line: 'int|null', column: 'int|null' }
  check(r, {
    format: '#1',
    tool: { name: "'wsgi-migrate'", version: 'string' },
    mode: "'write'|'dry-run'|'check'",
    exitCode: '#0|#1|#2',
    transforms: [{ id: 'string', version: 'string', title: 'string' }],
    kallithea: {
      installed: 'string|null',
      installedFrom: 'string|null',
      target: 'string',
      targetFrom: "'to'|'installed'|'python'|'default'",
      venvs: [{
        venv: 'string', namedBy: [{ via: "'python-home'|'python-path'|'activate_this'|'addsitedir'", at: 'string' }], pythons: ['string'],
        version: 'string|null', source: 'string|null', evidence: 'string|null', unread: "'outside-root'|'missing'|null",
      }],
    },
    summary: { scanned: 'int', changed: 'int', unchanged: 'int', failed: 'int', errors: 'int', advisories: 'int', changes: 'int', skipped: 'int', written: 'int' },
    files: [{ path: 'string', kind: "'apache'|'wsgi'", status: "'changed'|'unchanged'|'error'", changes: 'int' }],
    changes: [{ transform: 'string', file: 'string', kind: "'insert'|'modify'|'remove'", lines: { start: 'int', end: 'int' }, explanation: 'string' }],
    advisories: [{ transform: 'string', message: 'string', ...place }],
    errors: [{ code: "'usage'|'io'|'parse'|'outside-root'|'transform'|'write'|'configtest'|'config'", message: 'string', ...place }],
    skipped: [{ path: 'string', code: "'outside-root'|'excluded'|'backup'|'artifact'|'not-apache'|'variable'|'unreadable'", reason: 'string', ...place }],
    written: ['string'],
    backups: ['string'],
    patch: 'string',
    patchEncoding: "'utf8'|'latin1'",
    servers: [{ kind: "'main-config'|'include-folder'|'file'|'files'", name: 'string', files: ['string'] }],
    server: {
      $nullable: {
        config: 'string',
        found: 'string',
        apachectl: 'string|null',
        modWsgi: { $nullable: { module: 'string', version: 'string|null', python: 'string|null' } },
        configtest: { before: "'passed'|'failed'|null", after: "'passed'|'failed'|null", output: 'string|null' },
        backupDir: 'string|null',
        restored: ['string'],
        reloaded: 'boolean',
        reload: 'string',
      },
    },
  }, '$')
  return problems
}
