import test from 'ava'
import { isEnvvarsPath, parseEnvvars } from '../src/load/envvars.js'

test('parseEnvvars reads exports, quotes, expansions and unset', (t) => {
  t.deepEqual(
    parseEnvvars(`# c\nexport A=www-data\nB="$A-x"\nC='$A'\nexport D=\${A}/y # comment\nexport E\nunset B\n`),
    { A: 'www-data', C: '$A', D: 'www-data/y' },
  )
})

test('parseEnvvars builds on a base, and reads a CRLF file as its lines', (t) => {
  t.deepEqual(parseEnvvars('export B=$A/x\r\nexport A=new\r\n', { A: 'old' }), { A: 'new', B: 'old/x' })
})

test('isEnvvarsPath: a file named envvars, wherever it sits', (t) => {
  t.true(isEnvvarsPath('envvars'))
  t.true(isEnvvarsPath('etc/apache2/envvars'))
  t.false(isEnvvarsPath('etc/apache2/envvars.orig'))
  t.false(isEnvvarsPath('etc/apache2/myenvvars'))
})
