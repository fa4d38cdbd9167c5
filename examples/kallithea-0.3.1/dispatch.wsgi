activate_this = '/srv/kallithea/venv/bin/activate_this.py'
execfile(activate_this, dict(__file__=activate_this))

import os
os.environ['HOME'] = '/srv/kallithea'

ini = '/srv/kallithea/kallithea.ini'
from paste.script.util.logging_config import fileConfig
fileConfig(ini)
from paste.deploy import loadapp
application = loadapp('config:' + ini)
