// The package as users get it: the README's Install commands as printed, `npm pack` on a copy of
// the project (prepack builds from a clean dist/), then the tarball installed in an empty folder
// from the npm registry: the bin through npx, the library through `import` and `require`, and
// `npm install --global` of the tarball.
import test from 'ava'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { commandsOf, readmeBlock, shell } from './helpers/readme.js'
import { EVERY_STEP, cliPath, debianTree, ensureBuilt, projectDir, snapshot, treeMaker } from './helpers/tree.js'

const tree = treeMaker(test.after)
const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { name: string; version: string }

// `npm test` exports npm_config_* and npm_package_* (the project's own prefix among them): a child
// npm must not see them, or it installs into the project instead of the empty folder.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120_000 })
}

const shown = (r: SpawnSyncReturns<string>): string => `exit ${r.status}\n${r.stdout}\n${r.stderr}`

interface Packed {
  /** The copy of the checkout the tarball was made in. */
  copy: string
  tarball: string
  files: string[]
  /** The empty folder the tarball was installed in. */
  app: string
  install: SpawnSyncReturns<string>
}

/** The README's install from a checkout: clone, `npm ci && npm pack`, install it, `wsgi-migrate --version`. */
const fromCheckout = commandsOf(readmeBlock('## Install', 1))

/**
 * Pack a copy (prepack wipes dist/, which the other tests run) as the README says, install the
 * tarball. The copy, with this checkout's node_modules linked, stands for `git clone` and `npm ci`.
 */
async function packAndInstall(): Promise<Packed> {
  const [clone, build] = fromCheckout as [string, string]
  if (!clone.startsWith('git clone ') || !build.startsWith('npm ci && ')) throw new Error(`README.md's Install commands changed: ${fromCheckout.join('; ')}`)
  const copy = tree({})
  cpSync(projectDir, copy, {
    recursive: true,
    filter: (src) => !['node_modules', 'dist', '.git', 'fixtures'].includes(path.relative(projectDir, src).split(path.sep)[0]!),
  })
  symlinkSync(path.join(projectDir, 'node_modules'), path.join(copy, 'node_modules'))
  const pack = await shell(build.slice('npm ci && '.length), { cwd: copy })
  if (pack.status !== 0) throw new Error(`npm pack failed: exit ${pack.status}\n${pack.stdout}\n${pack.stderr}`)
  const tarball = path.join(copy, pack.stdout.trim().split('\n').pop()!)
  const listing = run('tar', ['-tzf', tarball], copy)
  const files = listing.stdout.split('\n').filter((f) => f !== '').map((f) => f.replace(/^package\//, '')).sort()
  const app = tree({})
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app)
  return { copy, tarball, files, app, install }
}

let packed: Packed
test.before(async () => {
  ensureBuilt()
  packed = await packAndInstall()
})

test('the tarball holds the build, README and CHANGELOG, and no tests, fixtures or sources', (t) => {
  const { files } = packed
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'dist/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts']) t.true(files.includes(f), f)
  t.deepEqual(files.filter((f) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE)/.test(f)), [])
  t.deepEqual(files.filter((f) => /\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts')), [])
})

test('no source map points at a file the package lacks', (t) => {
  const root = path.join(packed.app, 'node_modules', pkg.name)
  const missing: string[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name)
      if (e.isDirectory()) walk(full)
      else if (/\.[cm]?js$|\.d\.ts$/.test(e.name)) {
        for (const [, url] of readFileSync(full, 'utf8').matchAll(/^\/\/# sourceMappingURL=(\S+)$/gm)) {
          const map = path.resolve(dir, url!)
          if (!existsSync(map)) {
            missing.push(`${path.relative(root, full)} -> ${url}`)
            continue
          }
          const { sources = [], sourcesContent = [] } = JSON.parse(readFileSync(map, 'utf8')) as { sources?: string[]; sourcesContent?: unknown[] }
          sources.forEach((s, i) => {
            if (sourcesContent[i] == null && !existsSync(path.resolve(path.dirname(map), s))) missing.push(`${path.relative(root, map)} -> ${s}`)
          })
        }
      }
    }
  }
  walk(root)
  t.deepEqual(missing, [])
})

test('installing the tarball runs no install script and warns about none', (t) => {
  const { install } = packed
  t.is(install.status, 0, shown(install))
  t.notRegex(install.stderr, /install.?scripts|prepare|prepack|postinstall/i)
})

test('npx wsgi-migrate --version, and a dry run on the bundled example like the built CLI', (t) => {
  const { app } = packed
  // --yes=false (npx's --no): never install a package of that name from the registry.
  const npx = ['--yes=false', 'wsgi-migrate']
  const version = run('npx', [...npx, '--version'], app)
  t.is(version.status, 0, shown(version))
  t.is(version.stdout, `${pkg.version}\n`)

  cpSync(path.join(projectDir, 'examples'), path.join(app, 'examples'), { recursive: true })
  const args = ['--dry-run', 'examples/kallithea-0.3.1']
  const installed = run('npx', [...npx, ...args], app)
  const built = run(process.execPath, [cliPath, ...args], app)
  t.not(installed.status, 2, shown(installed))
  t.regex(installed.stdout, /^\+ {4}WSGIProcessGroup kallithea$/m)
  t.deepEqual([installed.status, installed.stdout], [built.status, built.stdout])
})

test("the README's npx command as printed, on a server (a private Debian tree through APACHE_CONFDIR)", async (t) => {
  const [npx] = commandsOf(readmeBlock('## Install'))
  t.regex(npx ?? '', /^npx wsgi-migrate --dry-run$/)
  const server = tree(debianTree())
  const before = snapshot(server)
  // npm_config_yes=false (npx's --no): never install a package of that name from the registry.
  const r = await shell(npx!, { cwd: packed.app, bin: path.join(packed.app, 'node_modules/.bin'), env: { APACHE_CONFDIR: path.join(server, 'etc/apache2'), npm_config_yes: 'false' } })
  t.is(r.status, 0, `${r.stdout}\n${r.stderr}`)
  t.regex(r.stdout, new RegExp(`^diff --git a/${server.slice(1)}/etc/apache2/sites-available/kallithea\\.conf `, 'm'), 'patch paths relative to /')
  t.regex(r.stderr, /^server: .*\/etc\/apache2\/apache2\.conf \(APACHE_CONFDIR\)/m)
  t.deepEqual([...snapshot(server).keys()], [...before.keys()], 'a dry run writes nothing')
})

const USE = (load: string): string => `${load}
const tree = parse('Listen 80\\r\\n<VirtualHost *:80>\\n</VirtualHost>')
console.log(JSON.stringify({ same: print(tree) === 'Listen 80\\r\\n<VirtualHost *:80>\\n</VirtualHost>', transforms: transforms.map((t) => t.meta.id).sort() }))
`

test('import and require both load the library', (t) => {
  const { app } = packed
  writeFileSync(path.join(app, 'esm.mjs'), USE(`import { parse, print, transforms } from '${pkg.name}'`))
  writeFileSync(path.join(app, 'cjs.cjs'), USE(`const { parse, print, transforms } = require('${pkg.name}')`))
  const expected = { same: true, transforms: EVERY_STEP }
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const r = run(process.execPath, [file], app)
    t.is(r.status, 0, `${file}: ${shown(r)}`)
    t.deepEqual(JSON.parse(r.stdout), expected, file)
    t.is(r.stderr, '', `${file} prints no warning`)
  }
})

test('each transform, each version preset and the fixture helper have their own export path', (t) => {
  const { app } = packed
  writeFileSync(path.join(app, 'paths.mjs'), `import { processGroup } from '${pkg.name}/transforms/0.3.2/process-group'
import preset from '${pkg.name}/transforms/0.3.2'
import { latest, builtinTransforms } from '${pkg.name}/transforms'
import { defineFixtureTests, readFixtures } from '${pkg.name}/testing'
import { applyTransforms } from '${pkg.name}'
const r = applyTransforms(processGroup, '<VirtualHost *:80>\\n WSGIDaemonProcess k\\n WSGIScriptAlias / /k.wsgi\\n</VirtualHost>\\n', { allApps: true })
console.log(JSON.stringify({
  id: processGroup.meta.id, preset: preset.version, steps: preset.transforms.length, latest: latest.version,
  all: builtinTransforms.length, helpers: [typeof defineFixtureTests, typeof readFixtures], changes: r.changes.map((c) => c.messageId),
}))
`)
  const r = run(process.execPath, ['paths.mjs'], app)
  t.is(r.status, 0, shown(r))
  t.like(JSON.parse(r.stdout), { id: 'process-group', preset: '0.3.2', helpers: ['function', 'function'], changes: ['added'] })
})

test('where Node cannot require ES modules, require says the package is one', (t) => {
  const flag = '--no-experimental-require-module'
  if (!process.allowedNodeEnvironmentFlags.has(flag)) {
    t.pass(`${flag} is gone from this Node: require(esm) cannot be turned off`)
    return
  }
  writeFileSync(path.join(packed.app, 'old.cjs'), `require('${pkg.name}')\n`)
  const r = run(process.execPath, [flag, 'old.cjs'], packed.app)
  t.not(r.status, 0)
  t.regex(r.stderr, /ERR_REQUIRE_ESM|require\(\) of ES Module/)
})

test("the README's global install of the tarball, as printed, puts wsgi-migrate on the PATH", async (t) => {
  const [, , install, version] = fromCheckout as [string, string, string, string]
  t.regex(install, /^npm install --global \.\/wsgi-migrate-\*\.tgz$/)
  const prefix = tree({})
  const bin = path.join(prefix, 'bin')
  const npmConfig = { npm_config_prefix: prefix, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_prefer_offline: 'true' }
  const r = await shell(install, { cwd: packed.copy, bin, env: npmConfig })
  t.is(r.status, 0, `${r.stdout}\n${r.stderr}`)
  t.true(statSync(path.join(bin, 'wsgi-migrate')).isFile())
  t.is(version, 'wsgi-migrate --version')
  const v = await shell(version, { cwd: prefix, bin })
  t.is(v.stdout, `${pkg.version}\n`, v.stderr)
})
