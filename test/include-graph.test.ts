// The Include graph: one walk in Apache's order, each Include statement resolved once; in memory
// (a set of paths) and on disk (the load step).
import test from 'ava'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { directives, includeGraph, setResolver, type IncludeGraph } from '../src/load/include-graph.js'
import { diskInclude, includeReads } from '../src/load/include-pattern.js'
import { load } from '../src/load/load.js'
import { buildModel } from '../src/model/model.js'
import { parse } from '../src/syntax/parse.js'
import type { Directive, Root } from '../src/syntax/types.js'

type Files = Array<{ path: string; tree: Root }>

const set = (files: Record<string, string>): Files => Object.entries(files).map(([path, text]) => ({ path, tree: parse(text, { path }) }))

/** The Include statements of a file, in order. */
const includesOf = (files: Files, path: string): Directive[] =>
  [...directives(files.find((f) => f.path === path)!.tree)].filter((d) => /^include/i.test(d.name))

/** The graph, and each resolver call as `from: pattern`. */
function counted(files: Files): { graph: IncludeGraph; calls: string[] } {
  const calls: string[] = []
  const resolve = setResolver(files.map((f) => f.path))
  const graph = includeGraph(files, {
    resolve: (pattern, from) => {
      calls.push(`${from}: ${pattern}`)
      return resolve(pattern, from)
    },
  })
  return { graph, calls }
}

test('setResolver: relative, absolute, directory and glob patterns', (t) => {
  const r = setResolver([
    'apache2.conf',
    'sites-enabled/b.conf',
    'sites-enabled/a.conf',
    'sites-enabled/.hidden.conf',
    'conf.d/x/y.conf',
    'ports.conf',
  ])
  t.deepEqual(r('sites-enabled/*.conf', 'apache2.conf'), ['sites-enabled/a.conf', 'sites-enabled/b.conf'])
  t.deepEqual(r('/etc/apache2/sites-enabled/*.conf', 'apache2.conf'), ['sites-enabled/a.conf', 'sites-enabled/b.conf'])
  t.deepEqual(r('/etc/apache2/ports.conf', 'apache2.conf'), ['ports.conf'])
  t.deepEqual(r('conf.d', 'apache2.conf'), ['conf.d/x/y.conf'])
  t.deepEqual(r('/etc/apache2/*.load', 'apache2.conf'), [])
  t.deepEqual(r('${X}/a.conf', 'apache2.conf'), [])
})

test('a file included in two places: each Include statement is resolved once', (t) => {
  const files = set({
    'main.conf': '<VirtualHost *:80>\n  Include common.conf\n</VirtualHost>\n<VirtualHost *:443>\n  Include common.conf\n</VirtualHost>\n',
    'common.conf': 'Include app/*.conf\n',
    'app/k.conf': 'WSGIDaemonProcess k threads=1\n',
  })
  const { graph, calls } = counted(files)
  t.deepEqual(calls, ['main.conf: common.conf', 'common.conf: app/*.conf', 'main.conf: common.conf'])
  t.deepEqual(includesOf(files, 'main.conf').map((d) => graph.targets(d)), [['common.conf'], ['common.conf']])
  t.deepEqual(graph.targets(includesOf(files, 'common.conf')[0]!), ['app/k.conf'])
  t.deepEqual(graph.roots, ['main.conf'])
  // The model reads common.conf twice, with the one recorded answer.
  const m = buildModel(files, { includes: graph })
  t.deepEqual(m.includes.map((i) => [i.file, i.targets]), [
    ['main.conf', ['common.conf']],
    ['common.conf', ['app/k.conf']],
    ['main.conf', ['common.conf']],
    ['common.conf', ['app/k.conf']],
  ])
  t.is(m.daemons.length, 2)
})

test('an Include cycle: the walk ends, every statement is recorded once, the cycle is no root', (t) => {
  const files = set({ 'main.conf': 'Include a.conf\n', 'a.conf': 'Include b.conf\n', 'b.conf': 'Include a.conf\n' })
  const { graph, calls } = counted(files)
  t.deepEqual(calls, ['main.conf: a.conf', 'a.conf: b.conf', 'b.conf: a.conf'])
  t.deepEqual(graph.targets(includesOf(files, 'b.conf')[0]!), ['a.conf'])
  t.deepEqual(graph.roots, ['main.conf'])
  // Without main.conf each file of the cycle is included by the other: no roots at all.
  t.deepEqual(includeGraph(files.slice(1)).roots, [])
  // A file that includes itself is still a top.
  t.deepEqual(includeGraph(set({ 'x.conf': 'Include x.conf\n' })).roots, ['x.conf'])
})

test('Define in an Include pattern: applied in Apache order, main config first, UnDefine honoured', (t) => {
  const files = set({
    'sites-enabled/a.conf': 'Include ${CONF}/k.conf\n',
    'apache2.conf': 'Define SITES sites-enabled\nDefine CONF conf.d\nIncludeOptional ${SITES}/*.conf\nUnDefine SITES\nInclude ${SITES}/late.conf\n',
    'conf.d/k.conf': 'WSGIDaemonProcess k threads=1\n',
  })
  const graph = includeGraph(files)
  t.deepEqual(includesOf(files, 'apache2.conf').map((d) => graph.targets(d)), [['sites-enabled/a.conf'], []])
  // a.conf is walked at apache2.conf's Include, where CONF is defined.
  t.deepEqual(graph.targets(includesOf(files, 'sites-enabled/a.conf')[0]!), ['conf.d/k.conf'])
  t.deepEqual(graph.roots, ['apache2.conf'])
})

test('envvars variables in Include patterns; options.env wins over the envvars file', (t) => {
  const files = [
    { path: 'envvars', content: 'export APACHE_SITES=sites-enabled\n' },
    { path: 'apache2.conf', content: 'IncludeOptional ${APACHE_SITES}/*.conf\n' },
    { path: 'sites-enabled/a.conf', content: 'WSGIDaemonProcess a threads=1\n' },
  ]
  const loaded = load({ files })
  const main = loaded.files.find((l) => l.file.path === 'apache2.conf')!.file as { tree: Root }
  const include = [...directives(main.tree)][0]!
  t.deepEqual(loaded.graph.targets(include), ['sites-enabled/a.conf'])
  t.deepEqual(loaded.graph.roots, ['apache2.conf'])
  t.is(loaded.env.APACHE_SITES, 'sites-enabled')
  t.is(loaded.mainConfig, 'apache2.conf')
  const overridden = load({ files, env: { APACHE_SITES: 'elsewhere' } })
  const main2 = overridden.files.find((l) => l.file.path === 'apache2.conf')!.file as { tree: Root }
  t.deepEqual(overridden.graph.targets([...directives(main2.tree)][0]!), [])
  t.deepEqual(overridden.graph.roots, ['apache2.conf', 'sites-enabled/a.conf'])
})

test('on disk: one walk reads what the Includes lead to, with envvars and Defines, and records the graph', (t) => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'wsgi-migrate-graph-')))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(base, path)), { recursive: true })
    writeFileSync(join(base, path), text)
  }
  write('envvars', 'export SITES=sites-enabled\n')
  write('apache2.conf', 'Define CONF conf.d\nIncludeOptional ${SITES}/*.conf\nInclude ${NOPE}/x.conf\n')
  write('sites-enabled/a.conf', 'Include ${CONF}/k.conf\nInclude ${CONF}/k.conf\n')
  write('conf.d/k.conf', 'WSGIDaemonProcess k threads=1\n')
  write('conf.d/unused.conf', 'WSGIDaemonProcess unused threads=1\n')
  const loaded = load({ paths: [join(base, 'apache2.conf')], root: base })
  t.deepEqual(loaded.files.map((l) => l.file.path), ['apache2.conf', 'conf.d/k.conf', 'envvars', 'sites-enabled/a.conf'])
  t.deepEqual(loaded.errors, [])
  t.deepEqual(loaded.skipped, [
    { path: '${NOPE}/x.conf', code: 'variable', reason: 'Include uses a variable that is not defined here; not followed', file: 'apache2.conf', line: 3, column: 1 },
  ])
  const tree = (path: string): Root => (loaded.files.find((l) => l.file.path === path)!.file as { tree: Root }).tree
  const targets = (path: string): Array<readonly string[]> =>
    [...directives(tree(path))].filter((d) => /^include/i.test(d.name)).map((d) => loaded.graph.targets(d))
  t.deepEqual(targets('apache2.conf'), [['sites-enabled/a.conf'], []])
  t.deepEqual(targets('sites-enabled/a.conf'), [['conf.d/k.conf'], ['conf.d/k.conf']])
  t.deepEqual(loaded.graph.roots, ['apache2.conf'])
  t.is(loaded.env.SITES, 'sites-enabled')
})

test('what an Include reads, as a pattern on disk: wildcards per folder, hidden names only whole folders give, the folder before a wildcard made real', (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wsgi-migrate-reads-')))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'real-sites'))
  symlinkSync(join(dir, 'real-sites'), join(dir, 'sites'))
  const glob = diskInclude('sites/*.conf', dir)
  t.deepEqual(glob, { pattern: join(dir, 'real-sites/*.conf'), base: join(dir, 'real-sites') })
  t.true(includeReads(glob, join(dir, 'real-sites/kallithea.conf.conf')))
  t.false(includeReads(glob, join(dir, 'real-sites/kallithea.conf.orig')))
  t.false(includeReads(glob, join(dir, 'real-sites/.kallithea.conf.wsgi-migrate-1-0123456789ab.tmp')), '* does not match a leading dot')
  t.false(includeReads(glob, join(dir, 'sites/kallithea.conf.conf')), 'files are named by real path')
  const whole = diskInclude(join(dir, 'conf.d'), '/elsewhere')
  t.deepEqual(whole, { pattern: join(dir, 'conf.d'), base: join(dir, 'conf.d') })
  t.true(includeReads(whole, join(dir, 'conf.d/.x.conf.wsgi-migrate-1-0123456789ab.tmp')), 'a folder included whole: every file below it')
  t.true(includeReads(whole, join(dir, 'conf.d/deeper/x.conf.orig')))
  t.false(includeReads(whole, join(dir, 'conf.dx/a.conf')))
})

test('directives(): reading order, <Macro> bodies left out, 20,000 sections deep without running out of stack', (t) => {
  const flat = parse('A 1\n<Macro M $x>\nInclude $x.conf\n</Macro>\n<IfModule x>\nB 2\n<Location />\nC 3\n</Location>\n</IfModule>\nD 4\n')
  t.deepEqual(directives(flat).map((d) => d.name), ['A', 'B', 'C', 'D'])
  const depth = 20_000
  const deep = parse(`${'<IfModule x>\nX 1\n'.repeat(depth)}${'</IfModule>\n'.repeat(depth)}Include last.conf\n`)
  const found = directives(deep)
  t.is(found.length, depth + 1)
  t.is(found.at(-1)!.name, 'Include')
})
