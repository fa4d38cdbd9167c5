// python3: Kallithea 0.6.0 runs on Python 3 only; no `execfile` and no Python 2 paths remain.
//
// Kallithea 0.6.0 (commit 350833b59) is Python 3 only. Its venvs are made with `python3 -m venv`,
// which creates no activate_this.py, and `execfile` does not exist on Python 3: the 0.6.0 docs'
// own "virtualenv activation" dispatch script fails with NameError. python-home (mod_wsgi 3.4+)
// is the working form, so:
//   - the activation goes where the daemon group has (or can be given) python-home=<venv>, as the
//     0.3.2 step script-activation does (its decision is reused here, with its messages);
//   - where activation must stay, it is the Python 3 form `exec(open(f).read(), g)`;
//   - a `lib/python2.7/site-packages` in python-path= or site.addsitedir() becomes the venv's own
//     lib/python3.X when the run could read the venv, else an advisory says what to do;
//   - a python-home venv that is Python 2, or another Python than mod_wsgi embeds, is named.
import { firstPlaces } from '../../../src/model/describe.js'
import { kallitheaScripts } from '../../../src/model/kallithea.js'
import { defineTransform } from '../../../src/runner/define.js'
import { PYTHON_REJECTS } from '../../../src/runner/script-fix.js'
import type { TransformContext } from '../../../src/runner/transform.js'
import { scriptActivation } from '../../0.3.2/script-activation/index.js'
import { migrateDaemon } from './daemon.js'
import { migrateScript } from './script.js'

const PY3 = 'Kallithea runs on Python 3 only from 0.6.0 on'

export const python3 = defineTransform({
  meta: {
    id: 'python3',
    version: '0.6.0',
    title: 'Python 3: no execfile, no Python 2 paths',
    description:
      "Removes the dispatch script's virtualenv activation where the daemon has (or gets) python-home; turns a remaining " +
      "execfile(f, g) into exec(open(f).read(), g); turns lib/python2.X paths of the venv in python-path= and site.addsitedir() " +
      "into the venv's own lib/python3.X; advises on Python 2 venvs and on a venv of another Python than mod_wsgi's.",
    rationale:
      'Kallithea 0.6.0 is Python 3 only: execfile does not exist there, python3 -m venv makes no activate_this.py, and a ' +
      'python-home venv must be made by the Python mod_wsgi embeds.',
    messages: {
      ...scriptActivation.meta.messages,
      execfile:
        `Replaced execfile({{arg}}, ...) with exec(open({{arg}}).read(), ...): execfile does not exist on Python 3 (NameError), and ${PY3}; ` +
        'this form runs the file the same way on Python 2 and 3. (Where the daemon can have python-home=<venv>, no activation is needed at all; ' +
        'python3 -m venv creates no activate_this.py.)',
      execStatement: `{{code}} is a Python 2 exec statement and ${PY3}: rewrite it as exec(code, globals).`,
      execfileElsewhere: `{{code}} uses execfile, which does not exist on Python 3, and ${PY3}: rewrite it as exec(open(f).read(), globals).`,
      sitePath:
        `Replaced {{old}} with python{{python}} in the venv path {{venv}}: the venv is Python {{python}} (it has lib/python{{python}}), and ${PY3}; ` +
        'a lib/{{old}} folder is not on its sys.path.',
      python2Path:
        `{{where}}: {{path}} is a Python 2 folder and ${PY3}: left as is ({{venv}}: {{why}}). Point it at the venv's lib/python3.X/site-packages, ` +
        'or better use python-home=<venv> (mod_wsgi 3.4+) and no path at all.',
      python2Venv:
        `python-home={{venv}} of WSGIDaemonProcess {{name}} is a Python 2 virtualenv (lib/python{{pythons}}), and ${PY3}: make a new venv ` +
        'with the python3 that mod_wsgi embeds (python3 -m venv), install Kallithea 0.6 there and point python-home at it.',
      otherPython:
        'python-home={{venv}} of WSGIDaemonProcess {{name}} is Python {{venvPython}}, but mod_wsgi embeds Python {{embedded}} ({{how}}): ' +
        'a python-home venv must be made by the Python mod_wsgi embeds, or its packages do not load. Make the venv with that python3, ' +
        'or install the mod_wsgi built for Python {{venvPython}}.',
      pythonRejects: PYTHON_REJECTS,
    },
  },
  create(ctx) {
    // The 0.3.2 decision, for runs that start after 0.3.2 (--from): only its fixes, since its
    // advisories are the 0.3.2 step's to give.
    scriptActivation.create({ ...ctx, report: (r) => (r.fix ? ctx.report(r) : undefined) } satisfies TransformContext)
    const model = ctx.model()
    for (const [file, aliases] of kallitheaScripts(model, ctx.files)) {
      if (ctx.editable(file)) migrateScript(ctx, file, aliases)
    }
    for (const daemon of firstPlaces(model.daemons)) {
      if (ctx.editable(ctx.fileOf(daemon.node))) migrateDaemon(ctx, model, daemon)
    }
  },
})

export default python3
