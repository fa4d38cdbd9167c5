// The dispatch scripts of the Kallithea docs, as published (Kallithea is GPLv3; see
// fixtures/kallithea-docs/README.md), shared by the tests of src/python.

export const VENV = '/srv/kallithea/venv'

export const DOCS_031_SITE = `import os
os.environ["HGENCODING"] = "UTF-8"
os.environ['PYTHON_EGG_CACHE'] = '/srv/kallithea/.egg-cache'

# sometimes it's needed to set the curent dir
os.chdir('/srv/kallithea/')

import site
site.addsitedir("/srv/kallithea/venv/lib/python2.7/site-packages")

from paste.deploy import loadapp
from paste.script.util.logging_config import fileConfig

fileConfig('/srv/kallithea/my.ini')
application = loadapp('config:/srv/kallithea/my.ini')
`

export const DOCS_031_ACTIVATE = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

export const DOCS_060_SITE = `import os
os.environ['PYTHON_EGG_CACHE'] = '/srv/kallithea/.egg-cache'

# sometimes it's needed to set the current dir
os.chdir('/srv/kallithea/')

import site
site.addsitedir("/srv/kallithea/venv/lib/python3.7/site-packages")

ini = '/srv/kallithea/my.ini'
from logging.config import fileConfig
fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

export const DOCS_060_ACTIVATE = `activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from logging.config import fileConfig
fileConfig(ini, {'__file__': ini, 'here': '/srv/kallithea'})
from paste.deploy import loadapp
application = loadapp('config:' + ini)
`

export const DOCS_03_PYENV = `import os
os.environ["HGENCODING"] = "UTF-8"

import site
site.addsitedir("/srv/kallithea/pyenv/lib/python2.7/site-packages")

from paste.deploy import loadapp
application = loadapp('config:/srv/kallithea/my.ini')
`
