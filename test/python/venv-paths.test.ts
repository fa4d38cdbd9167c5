// normalizeVenv and venvOfSitePackages: one reading of venv paths for the scripts and the
// python-path entries of WSGIDaemonProcess.
import test from 'ava'
import { analyzeDispatchScript, normalizeVenv, venvOfSitePackages } from '../../src/python/index.js'

test('normalizeVenv and venvOfSitePackages compare venvs the way the script analysis does', (t) => {
  t.is(normalizeVenv('/srv/kallithea/venv/'), '/srv/kallithea/venv')
  t.is(normalizeVenv('/srv//kallithea/./venv'), '/srv/kallithea/venv')
  t.is(normalizeVenv('/'), '/')
  t.is(venvOfSitePackages('/srv/kallithea/venv/lib/python2.7/site-packages'), '/srv/kallithea/venv')
  t.is(venvOfSitePackages('/srv/kallithea/venv/lib64/python3.11/site-packages/'), '/srv/kallithea/venv')
  t.is(venvOfSitePackages('/srv/kallithea'), null)
})

test('a site-packages path reads to the same venv in a script and in python-path', (t) => {
  for (const path of [
    '/srv/kallithea/venv/lib/python2.7/site-packages',
    '/srv//kallithea/./venv/lib64/python3.11/site-packages/',
    '/srv/kallithea/lib/python/site-packages',
    '/lib/python3/site-packages',
  ]) {
    const a = analyzeDispatchScript(`import site\nsite.addsitedir('${path}')\n`)
    t.is(a.siteDirs[0]!.venv, venvOfSitePackages(path), path)
  }
})
