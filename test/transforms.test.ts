// Every fixture case of every built-in transform, through the shared helper users get as
// `wsgi-migrate/testing`: the transform alone turns input into output exactly, explains each
// change, a second run changes nothing, and a real `apache2 -t` accepts every Apache output.
import test from 'ava'
import { apacheConfigtest, defineFixtureTests } from '../src/testing.js'
import { fixtureFolders } from './helpers/fixtures.js'

const configtest = apacheConfigtest()
for (const { transform, dir } of fixtureFolders()) {
  defineFixtureTests(test, transform, dir, { configtest })
}
