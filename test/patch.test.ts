import test from 'ava'
import fc from 'fast-check'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { colorizePatch, createPatch, quotePath, type FileChange } from '../src/runner/patch.js'

// ---------------------------------------------------------------------------------------------
// Helpers

const bin = (s: string) => Buffer.from(s, 'latin1')
const change = (path: string, before: string, after: string): FileChange => ({
  path,
  before: bin(before),
  after: bin(after),
})
const patchText = (changes: FileChange[], context?: number) =>
  createPatch(changes, context === undefined ? {} : { context }).toString('latin1')

/** git with no user/system configuration, so e.g. core.autocrlf or apply.whitespace cannot interfere. */
const gitEnv = (home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
})

const hasPatch = spawnSync('patch', ['--version']).status === 0

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsgi-migrate-patch-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function writeTree(dir: string, files: ReadonlyArray<{ path: string; content: Buffer }>): void {
  for (const file of files) {
    const full = join(dir, file.path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, file.content)
  }
}

/**
 * Applies the patch of `changes` with `git apply --check`, `git apply`, and (when installed)
 * `patch -p1 --dry-run` and `patch -p1`, each in a fresh copy of the `before` tree, and
 * returns the resulting files' bytes per tool.
 */
function applyWithTools(
  root: string,
  changes: readonly FileChange[],
  context?: number,
): { git: Buffer[]; patch: Buffer[] | null; patchBytes: Buffer } {
  const patchBytes = createPatch(changes, context === undefined ? {} : { context })
  const patchFile = join(root, 'changes.patch')
  writeFileSync(patchFile, patchBytes)
  const before = changes.map((c) => ({ path: c.path, content: c.before }))

  const gitDir = join(root, 'git')
  mkdirSync(gitDir)
  const env = gitEnv(root)
  execFileSync('git', ['init', '-q'], { cwd: gitDir, env })
  writeTree(gitDir, before)
  // git apply wants at least one line of context unless told otherwise.
  const zero = context === 0 ? ['--unidiff-zero'] : []
  execFileSync('git', ['apply', '--check', ...zero, patchFile], { cwd: gitDir, env, stdio: 'pipe' })
  execFileSync('git', ['apply', ...zero, patchFile], { cwd: gitDir, env, stdio: 'pipe' })
  const git = changes.map((c) => readFileSync(join(gitDir, c.path)))

  let patched: Buffer[] | null = null
  if (hasPatch) {
    const patchDir = join(root, 'patch')
    mkdirSync(patchDir)
    writeTree(patchDir, before)
    const args = ['-p1', '--batch', '--no-backup-if-mismatch', '-i', patchFile]
    execFileSync('patch', ['--dry-run', ...args], { cwd: patchDir, stdio: 'pipe' })
    execFileSync('patch', args, { cwd: patchDir, stdio: 'pipe' })
    patched = changes.map((c) => readFileSync(join(patchDir, c.path)))
  }
  return { git, patch: patched, patchBytes }
}

/**
 * A strict applier for the property test: every hunk must match exactly at the position its
 * header states, counts must agree with the lines, and hunks must be in order.
 */
function applyStrict(before: string, patch: string): string {
  const lines = patch.split('\n')
  if (lines.pop() !== '') throw new Error('patch does not end with a newline')
  const file = splitKeep(before)
  const out: string[] = []
  let consumed = 0 // lines of `file` already copied or replaced
  let i = 0
  while (i < lines.length && !lines[i]!.startsWith('@@')) i++
  while (i < lines.length) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(?: .*)?$/s.exec(lines[i]!)
    if (!m) throw new Error(`bad hunk header ${lines[i]}`)
    i++
    const oldCount = m[2] === undefined ? 1 : Number(m[2])
    const newCount = m[4] === undefined ? 1 : Number(m[4])
    const oldStart = oldCount === 0 ? Number(m[1]) : Number(m[1]) - 1 // 0-based index
    const oldSide: string[] = []
    const newSide: string[] = []
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const line = lines[i]!
      const noEol = lines[i + 1] === '\\ No newline at end of file'
      const text = line.slice(1) + (noEol ? '' : '\n')
      if (line[0] === ' ') {
        oldSide.push(text)
        newSide.push(text)
      } else if (line[0] === '-') oldSide.push(text)
      else if (line[0] === '+') newSide.push(text)
      else throw new Error(`bad hunk line ${JSON.stringify(line)}`)
      i += noEol ? 2 : 1
    }
    if (oldSide.length !== oldCount || newSide.length !== newCount) throw new Error('counts disagree')
    if (oldStart < consumed) throw new Error('hunks overlap or are out of order')
    out.push(...file.slice(consumed, oldStart))
    const actual = file.slice(oldStart, oldStart + oldCount)
    if (actual.join('\x00') !== oldSide.join('\x00') || actual.length !== oldCount) {
      throw new Error(`hunk does not match at line ${oldStart + 1}`)
    }
    out.push(...newSide)
    consumed = oldStart + oldCount
  }
  out.push(...file.slice(consumed))
  return out.join('')
}

function splitKeep(text: string): string[] {
  const lines = text.split('\n').map((line) => line + '\n')
  const last = lines.pop()!.slice(0, -1)
  if (last !== '') lines.push(last)
  return lines
}

// ---------------------------------------------------------------------------------------------
// Exact output

test('no changes give an empty buffer', (t) => {
  t.deepEqual(createPatch([]), Buffer.alloc(0))
  t.deepEqual(createPatch([change('a.conf', 'same\n', 'same\n')]), Buffer.alloc(0))
})

test('a one-line change in an LF file', (t) => {
  t.is(
    patchText([change('kallithea.conf', 'a\nb\nc\nd\ne\n', 'a\nb\nC\nd\ne\n')]),
    'diff --git a/kallithea.conf b/kallithea.conf\n' +
      'index 940532533944dd159bfd11136fac2ee35872de38..d7ec9f78e2a9b5a023cabe84d203726c50e2f343\n' +
      '--- a/kallithea.conf\n' +
      '+++ b/kallithea.conf\n' +
      '@@ -1,5 +1,5 @@\n' +
      ' a\n' +
      ' b\n' +
      '-c\n' +
      '+C\n' +
      ' d\n' +
      ' e\n',
  )
})

test('CRLF lines keep their \\r in the patch', (t) => {
  t.is(
    patchText([change('w.conf', 'a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n')]),
    'diff --git a/w.conf b/w.conf\n' +
      'index b5eff5721aa4f9468960ecd78cd2764deab97b55..d5a6cc6abcf2268e05671de39c071470e30d5228\n' +
      '--- a/w.conf\n' +
      '+++ b/w.conf\n' +
      '@@ -1,3 +1,3 @@\n' +
      ' a\r\n' +
      '-b\r\n' +
      '+B\r\n' +
      ' c\r\n',
  )
})

test('no newline at end of file: before, after and both', (t) => {
  const header = (from: string, to: string) =>
    `diff --git a/f b/f\nindex ${from}..${to}\n--- a/f\n+++ b/f\n`
  // The final newline is added.
  t.is(
    patchText([change('f', 'a\nb', 'a\nb\n')]),
    header('0a207c060e61f3b88eaee0a8cd0696f46fb155eb', '422c2b7ab3b3c668038da977e4e93a5fc623169c') +
      '@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n',
  )
  // The final newline is removed.
  t.is(
    patchText([change('f', 'a\nb\n', 'a\nb')]),
    header('422c2b7ab3b3c668038da977e4e93a5fc623169c', '0a207c060e61f3b88eaee0a8cd0696f46fb155eb') +
      '@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n',
  )
  // Neither side ends with a newline; the last line is only context.
  t.is(
    patchText([change('f', 'x\ny', 'z\ny')]),
    header('1b322989b6eea65102d4f5921ccb7df5dc613fe7', '2ff7d1e17448689feccab21d3ffe41e053fec73b') +
      '@@ -1,2 +1,2 @@\n-x\n+z\n y\n\\ No newline at end of file\n',
  )
  // Neither side ends with a newline and the last line changes.
  t.is(
    patchText([change('f', 'x\ny', 'x\nz')]),
    header('1b322989b6eea65102d4f5921ccb7df5dc613fe7', '6e94b48a25b2d007f60512ad1ec38050aefc9fef') +
      '@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n',
  )
})

test('removing the first and the last line; hunk ranges like git', (t) => {
  t.is(
    patchText([change('f', '1\n2\n3\n4\n5\n6\n7\n8\n9\n', '2\n3\n4\n5\n6\n7\n8\n')]),
    'diff --git a/f b/f\n' +
      'index 07193989308c972f8a2d0f1b3a15c29ea4ac565b..de7f795989730b3f0bc01297005b78ff9118ad47\n' +
      '--- a/f\n' +
      '+++ b/f\n' +
      '@@ -1,4 +1,3 @@\n' +
      '-1\n' +
      ' 2\n' +
      ' 3\n' +
      ' 4\n' +
      '@@ -6,4 +5,3 @@\n' +
      ' 6\n' +
      ' 7\n' +
      ' 8\n' +
      '-9\n',
  )
  // Single-line ranges drop ",1"; empty ranges start one lower, as in git.
  t.is(
    patchText([change('g', 'only\n', '')]),
    'diff --git a/g b/g\n' +
      'index 6c542ab1f03bc83117fabc794b04f903d97cbc6f..e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\n' +
      '--- a/g\n' +
      '+++ b/g\n' +
      '@@ -1 +0,0 @@\n' +
      '-only\n',
  )
  t.is(
    patchText([change('g', '', 'new\n')]),
    'diff --git a/g b/g\n' +
      'index e69de29bb2d1d6434b8b29ae775ad8c2e48c5391..3e757656cf36eca53338e520d134963a44f793f8\n' +
      '--- a/g\n' +
      '+++ b/g\n' +
      '@@ -0,0 +1 @@\n' +
      '+new\n',
  )
})

test('hunks far apart stay separate; close ones merge (gap <= 2 * context)', (t) => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`)
  const before = lines(20).join('')
  const far = lines(20)
  far[1] = 'two\n'
  far[17] = 'eighteen\n'
  t.is(
    patchText([change('f', before, far.join(''))]).split('\n').filter((l) => l.startsWith('@@')).join('|'),
    '@@ -1,5 +1,5 @@|@@ -15,6 +15,6 @@',
  )
  const near = lines(20)
  near[1] = 'two\n'
  near[8] = 'nine\n' // 6 unchanged lines in between = 2 * 3: one hunk
  t.is(
    patchText([change('f', before, near.join(''))]).split('\n').filter((l) => l.startsWith('@@')).join('|'),
    '@@ -1,12 +1,12 @@',
  )
  near[8] = '9\n'
  near[9] = 'ten\n' // 7 lines in between: two hunks
  t.is(
    patchText([change('f', before, near.join(''))]).split('\n').filter((l) => l.startsWith('@@')).join('|'),
    '@@ -1,5 +1,5 @@|@@ -7,7 +7,7 @@',
  )
  t.is(
    patchText([change('f', before, near.join(''))], 0).split('\n').filter((l) => l.startsWith('@@')).join('|'),
    '@@ -2 +2 @@|@@ -10 +10 @@',
  )
})

test('removed lines come before added lines in a change block', (t) => {
  t.is(
    patchText([change('f', 'keep\nold1\nold2\nkeep2\n', 'keep\nnew1\nnew2\nnew3\nkeep2\n')]),
    'diff --git a/f b/f\n' +
      'index 6f9fa7f52498caa1a4bf0e7af118dc416666e391..2416cfbf6d623f7d5dcb2c2adf95b983e9a0ec3e\n' +
      '--- a/f\n' +
      '+++ b/f\n' +
      '@@ -1,4 +1,5 @@\n' +
      ' keep\n' +
      '-old1\n' +
      '-old2\n' +
      '+new1\n' +
      '+new2\n' +
      '+new3\n' +
      ' keep2\n',
  )
})

test('several files come out sorted by path (byte order)', (t) => {
  const text = patchText([
    change('sites-available/z.conf', 'z\n', 'Z\n'),
    change('a.conf', 'a\n', 'A\n'),
    change('conf.d/b.conf', 'b\n', 'B\n'),
    change('a-b.conf', 'c\n', 'C\n'), // '-' (0x2d) sorts before '.' (0x2e)
  ])
  t.deepEqual(
    text.split('\n').filter((l) => l.startsWith('diff --git')),
    [
      'diff --git a/a-b.conf b/a-b.conf',
      'diff --git a/a.conf b/a.conf',
      'diff --git a/conf.d/b.conf b/conf.d/b.conf',
      'diff --git a/sites-available/z.conf b/sites-available/z.conf',
    ],
  )
  // Input order does not matter.
  t.is(
    text,
    patchText([
      change('a-b.conf', 'c\n', 'C\n'),
      change('conf.d/b.conf', 'b\n', 'B\n'),
      change('a.conf', 'a\n', 'A\n'),
      change('sites-available/z.conf', 'z\n', 'Z\n'),
    ]),
  )
})

test('paths are quoted like git: spaces plain (with a tab on ---/+++), specials C-quoted', (t) => {
  t.is(quotePath('a/plain.conf'), 'a/plain.conf')
  t.is(quotePath('a/with space.conf'), 'a/with space.conf')
  t.is(quotePath('a/caf\u00e9"q.conf'), '"a/caf\\303\\251\\"q.conf"')
  t.is(quotePath('a/tab\tx'), '"a/tab\\tx"')
  t.is(quotePath('a/back\\slash'), '"a/back\\\\slash"')
  t.is(quotePath('a/\x01\x7f\r\n'), '"a/\\001\\177\\r\\n"')
  t.is(
    patchText([change('with space.conf', 'a\nb\n', 'a\nc\n')]),
    'diff --git a/with space.conf b/with space.conf\n' +
      'index 422c2b7ab3b3c668038da977e4e93a5fc623169c..0f7bc766052a5a0ee28a393d51d2370f96d8ceb8\n' +
      '--- a/with space.conf\t\n' +
      '+++ b/with space.conf\t\n' +
      '@@ -1,2 +1,2 @@\n' +
      ' a\n' +
      '-b\n' +
      '+c\n',
  )
  t.is(
    patchText([change('caf\u00e9"q.conf', 'x\n', 'z\n')]),
    'diff --git "a/caf\\303\\251\\"q.conf" "b/caf\\303\\251\\"q.conf"\n' +
      'index 587be6b4c3f93f93c489c0111bba5596147a26cb..b68025345d5301abad4d9ec9166f455243a0d746\n' +
      '--- "a/caf\\303\\251\\"q.conf"\n' +
      '+++ "b/caf\\303\\251\\"q.conf"\n' +
      '@@ -1 +1 @@\n' +
      '-x\n' +
      '+z\n',
  )
})

test('bad input is refused', (t) => {
  t.throws(() => createPatch([change('/etc/apache2/a.conf', 'a', 'b')]), { message: /must be relative/ })
  t.throws(() => createPatch([change('a/../b', 'a', 'b')]), { message: /normalized/ })
  t.throws(() => createPatch([change('a//b', 'a', 'b')]), { message: /normalized/ })
  t.throws(() => createPatch([change('', 'a', 'b')]), { message: /empty/ })
  t.throws(() => createPatch([change('a', 'a', 'b'), change('a', 'c', 'd')]), { message: /duplicate/ })
  t.throws(() => createPatch([change('a', 'a', 'b')], { context: -1 }), { instanceOf: RangeError })
})

test('output is the same as git diff --full-index for the same changes', (t) => {
  const root = tempDir(t)
  const env = gitEnv(root)
  const tail = (last: string) => '\n1\n2\n3\n4\n5\n6\n7\n8\n' + last + '\n'
  // Hunk headers carry git's "function name": the nearest line above the hunk that starts with a
  // letter, `_` or `$`, cut to 80 bytes and before the first byte that is not valid UTF-8.
  const funcNames = [
    'caf\xe9',
    'caf x\xe9',
    'caf x \xe9',
    'a\xf0\x9f\x98\x80b',
    'a\xed\xa0\x80b',
    'a\xef\xbf\xbeb',
    'a\xef\xbf\xbdb',
    'a\xc0\x80',
    'A' + 'a'.repeat(78) + '\xc3\xa9xyz',
    'B' + 'b'.repeat(85),
    'x \t\r',
    '<VirtualHost *:80>',
    '$var',
    '_under',
    '9digit',
  ]
  const changes = [
    change('conf.d/kallithea.conf', 'a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n'),
    change('sites-available/with space', 'x\ny', 'x\ny\nz\n'),
    change(
      'sites-available/two-hunks.conf',
      'WSGIDaemonProcess k\n' + Array.from({ length: 30 }, (_, i) => `  l${i}\n`).join('') + 'Alias /x\n  a\n  b\n  c\n  d\n  e\n  f\n  g\n  h\n',
      'WSGIDaemonProcess k\n' + Array.from({ length: 30 }, (_, i) => (i === 10 || i === 20 ? `  L${i}\n` : `  l${i}\n`)).join('') + 'Alias /x\n  a\n  b\n  c\n  d\n  e\n  f\n  g\n  H\n',
    ),
    ...funcNames.map((name, i) => change(`func/${String(i).padStart(2, '0')}.conf`, name + tail('9'), name + tail('nine'))),
  ]
  execFileSync('git', ['init', '-q'], { cwd: root, env })
  writeTree(root, changes.map((c) => ({ path: c.path, content: c.before })))
  execFileSync('git', ['add', '-A'], { cwd: root, env })
  writeTree(root, changes.map((c) => ({ path: c.path, content: c.after })))
  const gitDiff = execFileSync('git', ['diff', '--full-index'], { cwd: root, env })
    .toString('latin1')
    .replace(/^(index [0-9a-f]+\.\.[0-9a-f]+) 100644$/gm, '$1')
  t.is(patchText(changes), gitDiff)
  // The function names do show up (so the comparison above tests something).
  t.regex(gitDiff, /^@@ -7,4 \+7,4 @@ caf x$/m)
  t.regex(gitDiff, /^@@ -19,7 \+19,7 @@ WSGIDaemonProcess k$/m)
  t.regex(gitDiff, /^@@ -37,4 \+37,4 @@ Alias \/x$/m)
})

// ---------------------------------------------------------------------------------------------
// Applying with git and patch

const applyCases: Array<{ title: string; changes: FileChange[]; context?: number }> = [
  { title: 'LF', changes: [change('a.conf', 'one\ntwo\nthree\n', 'one\n2\nthree\n')] },
  {
    title: 'CRLF',
    changes: [
      change('a.conf', '<VirtualHost *:80>\r\n  WSGIDaemonProcess k\r\n</VirtualHost>\r\n', '<VirtualHost *:80>\r\n  WSGIDaemonProcess k threads=1\r\n</VirtualHost>\r\n'),
    ],
  },
  {
    title: 'mixed line endings',
    changes: [change('a.conf', 'a\r\nb\nc\r\nd\re\n', 'a\nb\r\nc\r\nD\re\r\n')],
  },
  {
    title: 'Latin-1 bytes',
    changes: [change('a.conf', '# caf\xe9\nServerName \xff\xfe\n', '# caf\xe9 cr\xe8me\nServerName \xff\xfe\n\x80\n')],
  },
  { title: 'no final newline, unchanged last line', changes: [change('a.conf', 'a\nb\nc', 'A\nb\nc')] },
  { title: 'no final newline, changed last line', changes: [change('a.conf', 'a\nb\nc', 'a\nb\nC')] },
  { title: 'adding the final newline', changes: [change('a.conf', 'a\nb\nc', 'a\nb\nc\n')] },
  { title: 'removing the final newline', changes: [change('a.conf', 'a\nb\nc\n', 'a\nb\nc')] },
  { title: 'CRLF file without final newline', changes: [change('a.conf', 'a\r\nb\r\nc', 'a\r\nb\r\nc\r\n')] },
  { title: 'removing the first line', changes: [change('a.conf', '1\n2\n3\n4\n5\n', '2\n3\n4\n5\n')] },
  { title: 'removing the last line', changes: [change('a.conf', '1\n2\n3\n4\n5\n', '1\n2\n3\n4\n')] },
  { title: 'emptying a file', changes: [change('a.conf', '1\n2\n', '')] },
  { title: 'filling an empty file', changes: [change('a.conf', '', 'x\ny')] },
  {
    title: 'multiple hunks far apart',
    changes: [
      change(
        'a.conf',
        Array.from({ length: 60 }, (_, i) => `line ${i}\n`).join(''),
        Array.from({ length: 60 }, (_, i) => (i % 20 === 5 ? `LINE ${i}\n` : `line ${i}\n`)).join(''),
      ),
    ],
  },
  {
    title: 'multiple files, subdirectories, odd names',
    changes: [
      change('sites-available/kallithea.conf', 'a\nb\n', 'a\nB\n'),
      change('conf.d/deep/er/x.conf', 'x\r\n', 'y\r\n'),
      change('with space.conf', 'a\n', 'b\n'),
      change('caf\u00e9 "q".conf', 'a\n', 'b\n'),
      change('tab\tand\\back.conf', 'a\n', 'b\n'),
    ],
  },
  { title: 'zero context', context: 0, changes: [change('a.conf', '1\n2\n3\n4\n5\n6\n7\n8\n', '1\nX\n3\n4\n5\n6\nY\n8')] },
]

for (const { title, changes, context } of applyCases) {
  test(`git apply${hasPatch ? ' and patch -p1' : ''} reproduce after: ${title}`, (t) => {
    const result = applyWithTools(tempDir(t), changes, context)
    t.true(result.patchBytes.length > 0)
    changes.forEach((c, i) => {
      t.deepEqual(result.git[i], c.after, `git apply: ${c.path}`)
      if (result.patch) t.deepEqual(result.patch[i], c.after, `patch -p1: ${c.path}`)
    })
  })
}

test('patch -p1 is installed (otherwise the patch(1) checks above were skipped)', (t) => {
  if (!hasPatch) t.log('patch(1) not installed: only git apply was checked')
  t.pass()
})

// ---------------------------------------------------------------------------------------------
// Properties

const byteChar = fc.constantFrom('a', 'b', ' ', '\t', '\r', '#', '\x80', '\xe9', '\xff')
const line = fc.array(byteChar, { maxLength: 4 }).map((chars) => chars.join(''))
/** Small alphabets so before and after share lines and the diff has context. */
const fileText = fc
  .record({ lines: fc.array(line, { maxLength: 14 }), finalNewline: fc.boolean() })
  .map(({ lines, finalNewline }) => lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : ''))

/** `after` as an edit of `before`, so hunks mix context, removals and additions. */
const beforeAfter = fc
  .tuple(fileText, fc.array(fc.tuple(fc.nat(20), fc.nat(3), line), { maxLength: 4 }), fc.boolean())
  .map(([before, edits, finalNewline]) => {
    const lines = before.split('\n')
    for (const [at, remove, insert] of edits) lines.splice(at % (lines.length + 1), remove, insert)
    let after = lines.join('\n')
    if (finalNewline && !after.endsWith('\n')) after += '\n'
    return { before, after }
  })

test('property: the strict applier reproduces after (many runs, in process)', (t) => {
  fc.assert(
    fc.property(beforeAfter, fc.integer({ min: 0, max: 4 }), ({ before, after }, context) => {
      const patch = patchText([change('f', before, after)], context)
      if (before === after) return patch === ''
      return applyStrict(before, patch) === after
    }),
    { numRuns: 3000 },
  )
  t.pass()
})

test('property: git apply reproduces after byte for byte (50 runs)', (t) => {
  const root = tempDir(t)
  const env = gitEnv(root)
  const repo = join(root, 'repo')
  mkdirSync(repo)
  execFileSync('git', ['init', '-q'], { cwd: repo, env })
  const patchFile = join(root, 'p.patch')
  fc.assert(
    fc.property(fc.array(beforeAfter, { minLength: 1, maxLength: 3 }), (pairs) => {
      const changes = pairs.map(({ before, after }, i) => change(`d${i}/f${i}.conf`, before, after))
      rmSync(repo + '/d0', { recursive: true, force: true })
      rmSync(repo + '/d1', { recursive: true, force: true })
      rmSync(repo + '/d2', { recursive: true, force: true })
      writeTree(repo, changes.map((c) => ({ path: c.path, content: c.before })))
      const patch = createPatch(changes)
      if (patch.length === 0) return changes.every((c) => c.before.equals(c.after))
      writeFileSync(patchFile, patch)
      const result = spawnSync('git', ['apply', patchFile], { cwd: repo, env })
      if (result.status !== 0) throw new Error(`git apply failed: ${result.stderr.toString()}`)
      return changes.every((c) => readFileSync(join(repo, c.path)).equals(c.after))
    }),
    { numRuns: 50 },
  )
  t.pass()
})

// ---------------------------------------------------------------------------------------------
// Colors

test('colorizePatch colors like git', (t) => {
  const patch = patchText([change('f', 'a\r\n--x\nk\n', 'b\r\n---y\nk\n')])
  t.is(
    colorizePatch(patch),
    '\x1b[1mdiff --git a/f b/f\x1b[m\n' +
      '\x1b[1mindex 9120d4761295cd7dbbc2e92a3e222d76a724aac9..42d7ef31a73e141c50d0667fabace9594eabdcf8\x1b[m\n' +
      '\x1b[1m--- a/f\x1b[m\n' +
      '\x1b[1m+++ b/f\x1b[m\n' +
      '\x1b[36m@@ -1,3 +1,3 @@\x1b[m\n' +
      '\x1b[31m-a\x1b[m\r\n' +
      '\x1b[31m---x\x1b[m\n' +
      '\x1b[32m+b\x1b[m\r\n' +
      '\x1b[32m+---y\x1b[m\n' +
      ' k\n',
  )
})

test('colorizePatch: no-newline markers, hunk function context, several files', (t) => {
  const patch =
    'diff --git a/f b/f\n' +
    '--- a/f\n' +
    '+++ b/f\n' +
    '@@ -1 +1 @@ <VirtualHost *:80>\n' +
    '-x\n' +
    '\\ No newline at end of file\n' +
    '+y\n' +
    '\\ No newline at end of file\n' +
    'diff --git a/g b/g\n' +
    '--- a/g\n' +
    '+++ b/g\n' +
    '@@ -0,0 +1,2 @@\n' +
    '++a\n' +
    '+\n'
  t.is(
    colorizePatch(patch),
    '\x1b[1mdiff --git a/f b/f\x1b[m\n' +
      '\x1b[1m--- a/f\x1b[m\n' +
      '\x1b[1m+++ b/f\x1b[m\n' +
      '\x1b[36m@@ -1 +1 @@\x1b[m <VirtualHost *:80>\n' +
      '\x1b[31m-x\x1b[m\n' +
      '\\ No newline at end of file\n' +
      '\x1b[32m+y\x1b[m\n' +
      '\\ No newline at end of file\n' +
      '\x1b[1mdiff --git a/g b/g\x1b[m\n' +
      '\x1b[1m--- a/g\x1b[m\n' +
      '\x1b[1m+++ b/g\x1b[m\n' +
      '\x1b[36m@@ -0,0 +1,2 @@\x1b[m\n' +
      '\x1b[32m++a\x1b[m\n' +
      '\x1b[32m+\x1b[m\n',
  )
  t.is(colorizePatch(''), '')
})

test('colorizePatch on bytes keeps every byte of the patch', (t) => {
  const patch = createPatch([change('f', 'caf\xe9\n', 'caf\xc3\xa9\n')])
  const colored = colorizePatch(patch)
  t.true(Buffer.isBuffer(colored))
  t.deepEqual(
    colored.toString('latin1').split('\n').slice(-3),
    ['\x1b[31m-caf\xe9\x1b[m', '\x1b[32m+caf\xc3\xa9\x1b[m', ''],
  )
  // Without the escape codes, the bytes are the patch's.
  t.deepEqual(Buffer.from(colored.toString('latin1').replace(/\x1b\[[0-9;]*m/g, ''), 'latin1'), patch)
})
