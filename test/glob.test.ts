// One wildcard engine (apr_fnmatch) for Include patterns on disk, Include patterns over an
// in-memory set of paths, and <Directory>/<Files> globs: the cases the two engines it replaced
// were tested with, and a check against the regular expressions the in-memory one used.
import test from 'ava'
import fc from 'fast-check'
import { fnmatch, globMatcher, hasWildcard } from '../src/load/glob.js'

test('hasWildcard follows apr_fnmatch_test', (t) => {
  t.true(hasWildcard('conf.d/*.conf'))
  t.true(hasWildcard('a?c'))
  t.true(hasWildcard('[ab]'))
  t.true(hasWildcard('x/[ab]/y'))
  t.false(hasWildcard('[ab'))
  t.false(hasWildcard('ab]'))
  t.false(hasWildcard('a\\*b'))
  t.false(hasWildcard('plain/path.conf'))
  t.false(hasWildcard('trailing\\'))
})

test('fnmatch follows apr_fnmatch with APR_FNM_PERIOD', (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['*.conf', 'a.conf', true],
    ['*.conf', 'a.conf.orig', false],
    ['*.conf', '.hidden.conf', false],
    ['.*.conf', '.hidden.conf', true],
    ['\\.*', '.x', true],
    ['?', '.', false],
    ['[.]x', '.x', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['a*b', 'abab', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['[abc]x', 'bx', true],
    ['[abc]x', 'dx', false],
    ['[a-c]', 'b', true],
    ['[a-c]', 'd', false],
    ['[!a-c]', 'd', true],
    ['[^a-c]', 'a', false],
    ['[]]', ']', true],
    ['[!]]', 'a', true],
    ['[!]]', ']', false],
    ['[a-]', '-', true],
    ['[a-]', 'a', true],
    ['[ab', '[ab', true], // not closed: literal
    ['[ab', 'a', false],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['[\\]]', ']', true],
    ['*.CONF', 'a.conf', false],
    ['0[0-9][0-9]-*', '000-default.conf', true],
  ]
  for (const [pattern, name, expected] of cases) t.is(fnmatch(pattern, name, { period: true }), expected, `${pattern} vs ${name}`)
})

const paths = { pathname: true, period: true }

test('pathname: wildcards stay within a segment, hidden segments need a literal dot', (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['/srv/*', '/srv/kallithea', true],
    ['/srv/*', '/srv/kallithea/venv', false],
    ['/srv/*/venv', '/srv/kallithea/venv', true],
    ['/srv/*/venv', '/srv/.cache/venv', false],
    ['/srv/.*/venv', '/srv/.cache/venv', true],
    ['/srv/k?/x', '/srv/k1/x', true],
    ['/srv/k?/x', '/srv/k/x', false],
    ['/srv/[ab]*', '/srv/app', true],
    ['/srv/[!a]*', '/srv/app', false],
    ['/srv/[^a]*', '/srv/big', true],
    ['/srv/a\\*', '/srv/a*', true],
    ['/srv/a\\*', '/srv/ab', false],
    ['/srv/a[/]b', '/srv/a/b', false],
    ['/srv\\/x', '/srv/x', true],
    ['/srv//x', '/srv/x', false],
    ['/srv/x/', '/srv/x', false],
    ['/srv/x', '/srv/x/', false],
    ['*.wsgi', 'dispatch.wsgi', true],
    ['*.wsgi', '.dispatch.wsgi', false],
    ['[z-a]', 'm', false],
    ['', '', true],
  ]
  for (const [pattern, name, expected] of cases) t.is(fnmatch(pattern, name, paths), expected, `${pattern} vs ${name}`)
})

test('without pathname, * and ? match a slash; a leading dot counts only at the start', (t) => {
  t.true(fnmatch('/srv/*', '/srv/a/b'))
  t.true(fnmatch('a?b', 'a/b'))
  t.true(fnmatch('*', '.x'))
  t.false(fnmatch('*', '.x', { period: true }))
  t.true(fnmatch('a/*', 'a/.x', { period: true }))
  t.false(fnmatch('a/*', 'a/.x', paths))
})

test('leadingDir: a pattern naming a directory matches everything below it, hidden files too', (t) => {
  const dir = { ...paths, leadingDir: true }
  t.true(fnmatch('conf.d', 'conf.d/x/y.conf', dir))
  t.true(fnmatch('conf.d', 'conf.d/.hidden', dir))
  t.true(fnmatch('conf.d', 'conf.d', dir))
  t.false(fnmatch('conf.d', 'conf.dx/y.conf', dir))
  t.true(fnmatch('sites-*', 'sites-enabled/a.conf', dir))
  t.false(fnmatch('sites-enabled/*.conf', 'sites-enabled/a.conf/x', paths))
  t.true(fnmatch('sites-enabled/*.conf', 'sites-enabled/a.conf/x', dir))
})

test('globMatcher has the shape of a RegExp', (t) => {
  const m = globMatcher('*.wsgi', paths)
  t.true(m.test('dispatch.wsgi'))
  t.false(m.test('dispatch.py'))
})

/** The regular expression the in-memory Include resolver and the model used before (kept as a reference). */
function referenceRegExp(pattern: string): RegExp {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    const segmentStart = i === 0 || pattern[i - 1] === '/'
    if (c === '*') out += segmentStart ? '(?!\\.)[^/]*' : '[^/]*'
    else if (c === '?') out += segmentStart ? '(?!\\.)[^/]' : '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      out += '[' + pattern.slice(i + 1, end) + ']'
      i = end
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp('^' + out + '$')
}

test('pathname + period agrees with the regular expressions the model used, on plain globs', (t) => {
  const token = fc.constantFrom('a', 'b', '.', '/', '*', '?', '[ab]', 'ab')
  const char = fc.constantFrom('a', 'b', '.', '/')
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), fc.array(char, { maxLength: 10 }), (p, s) => {
      const pattern = p.join('')
      const string = s.join('')
      t.is(fnmatch(pattern, string, paths), referenceRegExp(pattern).test(string), `${pattern} vs ${string}`)
    }),
    { numRuns: 5000 },
  )
})
