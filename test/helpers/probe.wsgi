# Probe WSGI application for the Apache + mod_wsgi test harness (test/helpers/apache.ts).
#
# It answers every request with a JSON object describing where and how it runs, so a test can
# tell embedded mode from daemon mode, which Python/venv is in use, and whether the
# Authorization header reaches the application. Standard library only: it must run under the
# system Python embedded in Apache as well as in a bare `python3 -m venv --without-pip` venv.
import json
import os
import sys


def application(environ, start_response):
    body = {
        # '' in embedded mode, the daemon group name in daemon mode.
        "process_group": environ.get("mod_wsgi.process_group"),
        "application_group": environ.get("mod_wsgi.application_group"),
        "multiprocess": bool(environ.get("wsgi.multiprocess")),
        "multithread": bool(environ.get("wsgi.multithread")),
        "sys_prefix": sys.prefix,
        "sys_path": list(sys.path),
        # Only whether it is there: never echo credentials.
        "http_authorization": "HTTP_AUTHORIZATION" in environ,
        "pid": os.getpid(),
        # Extras, handy when a test fails.
        "python_version": "%d.%d.%d" % tuple(sys.version_info[:3]),
        "url_scheme": environ.get("wsgi.url_scheme"),
        "server_name": environ.get("SERVER_NAME"),
        "script_name": environ.get("SCRIPT_NAME"),
        "path_info": environ.get("PATH_INFO"),
        "script_filename": environ.get("SCRIPT_FILENAME"),
        "mod_wsgi_version": ".".join(str(p) for p in environ.get("mod_wsgi.version", ())),
    }
    data = (json.dumps(body, sort_keys=True) + "\n").encode("utf-8")
    start_response("200 OK", [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(data))),
        ("Cache-Control", "no-store"),
    ])
    return [data]
