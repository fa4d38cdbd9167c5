import test from 'ava'
import { createVariables, hasVariable } from '../src/load/variables.js'
import { parse } from '../src/syntax/parse.js'
import type { Directive } from '../src/syntax/types.js'

const directive = (text: string): Directive => parse(text).children[0] as Directive

test('expand: Defines first, then the environment; says where a value came from', (t) => {
  const vars = createVariables({ USER: 'www-data', SITE: 'from-env' })
  t.true(vars.apply(directive('Define SITE kallithea')))
  t.deepEqual(vars.expand('${SITE}'), { value: 'kallithea', fromEnv: false, unresolved: false })
  t.deepEqual(vars.expand('${USER}'), { value: 'www-data', fromEnv: true, unresolved: false })
  t.deepEqual(vars.expand('${NOPE}/x'), { value: '${NOPE}/x', fromEnv: false, unresolved: true })
  t.deepEqual(vars.expand('plain'), { value: 'plain', fromEnv: false, unresolved: false })
  t.is(vars.resolve('/srv/${SITE}/${USER}'), '/srv/kallithea/www-data')
})

test('apply: Define takes the value expanded where it is read; UnDefine removes it; others are not for it', (t) => {
  const vars = createVariables({ BASE: '/srv' })
  vars.apply(directive('Define ROOT ${BASE}/app'))
  vars.apply(directive('Define BASE /elsewhere'))
  t.is(vars.resolve('${ROOT}'), '/srv/app')
  t.true(vars.apply(directive('UnDefine ROOT')))
  t.is(vars.resolve('${ROOT}'), '${ROOT}')
  t.true(vars.apply(directive('Define ONLYNAME')), 'a Define without a value sets no variable')
  t.is(vars.resolve('${ONLYNAME}'), '${ONLYNAME}')
  t.false(vars.apply(directive('ServerName x')))
  t.deepEqual([...vars.defines], [['BASE', '/elsewhere']])
})

test('hasVariable finds a ${VAR} left in a value', (t) => {
  t.true(hasVariable('${X}/a.conf'))
  t.false(hasVariable('$X/a.conf'))
  t.false(hasVariable('${unclosed'))
})
