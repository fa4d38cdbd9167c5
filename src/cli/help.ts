// `wsgi-migrate --help`.
export const HELP = `Usage: wsgi-migrate [options] [paths...]

Find and fix Apache + mod_wsgi setups of Kallithea written from old docs, and take them to
the form of the Kallithea that is installed (read from the venv the daemon uses), one
documented step at a time.

Without paths: the live server, found the way \`apachectl -V\` reports it (else the usual
layouts: Debian, Red Hat, SUSE, Arch, FreeBSD, Homebrew). Every Include and WSGI script is
read wherever it is; patch paths are relative to /. Before writing, Apache's configtest must
pass; it runs again after writing, and if it fails every written file is put back. Backups go
to /var/backups/wsgi-migrate/<time>/.

With paths (a repository, a copy of a server): config files or folders. Nothing outside the
root is read or written: an Include or WSGI script leading outside is noted as not read.
Files Apache reads together are one server; any other file is a server of its own. Patch
paths are relative to the current folder when the paths are below it.

Without --dry-run or --check the changed files are written in place: atomically, all or
nothing, keeping their mode, and only if they did not change since they were read.

Options:
  -n, --dry-run          print the unified diff, write nothing
      --check            write nothing; exit 1 if changes are pending (with -n: and the diff)
      --to VERSION       apply the forms of Kallithea up to VERSION, or latest (default: the
                         installed Kallithea when its venv can be read, else 0.3.2)
      --from VERSION     only transforms for versions above VERSION
      --only ID[,ID]     run only these transforms (repeatable)
      --skip ID[,ID]     do not run these transforms (repeatable)
      --lang LOCALE      the UTF-8 locale lang= gives the Kallithea daemon (default C.UTF-8;
                         on the live server, a UTF-8 locale locale -a lists)
      --all-apps         also fix the other WSGI applications (process group, processes=1,
                         python-home, user=/group=; WSGIRestrictEmbedded On without Kallithea);
                         by default only Kallithea's applications and daemon groups change
      --mod-wsgi VER     mod_wsgi version in use: transforms needing a newer one only advise
                         (server mode reads it from the module the config loads)
  -t, --transform PATH   also run your own transform module (repeatable; same contract as
                         the built-in ones; limited by --to/--from only when those are given)
      --list             list every version and its steps (with --json: the steps as JSON)
      --json             print a JSON report on stdout instead of the diff
      --patch FILE       also write the patch to FILE (empty when nothing changes)
      --summary FILE     also write a Markdown summary (for a pull request body) to FILE
      --max-size SIZE    refuse files larger than SIZE (default 64M; e.g. 512k, 1G)
      --color, --no-color  force or disable colors (default: on a terminal, unless NO_COLOR)
  -q, --quiet            no progress, advisories or summary line on stderr (errors still)
  -h, --help             show this help
  -v, --version          show the version

Server mode (no paths):
      --config FILE      the server's main config (default: what apachectl -V reports)
      --apachectl PATH   the apachectl, apache2ctl or httpd to ask, and to run configtest with
      --backup-dir DIR   keep backups in DIR/<time>/ (default /var/backups/wsgi-migrate)
      --no-backup        keep no backups
      --reload           reload Apache gracefully once the new config passes configtest

Paths (repo mode):
      --root DIR         never read or write outside DIR (default: the one folder given, or
                         the folder holding all paths and --map folders)
      --map SERVERPATH=REPOPATH  read what the config names under SERVERPATH (Includes,
                         scripts) from REPOPATH (repeatable); a main config's ServerRoot
                         (/etc/apache2) is mapped to its own folder without asking
      --exclude GLOB     leave matching files and folders out of the scan (repeatable):
                         a name anywhere (*.j2, old), or a path from the current folder
      --backup[=SUFFIX]  keep each original beside it as FILE.orig (or FILE SUFFIX)

Exit codes: 0 nothing to do, changes applied, or shown by --dry-run; 1 changes pending
(--check); 2 errors (usage, no configuration found, parse errors, I/O, configtest): then
nothing is written. Interrupted (SIGINT, SIGTERM, SIGHUP) while writing: every file is put
back, then it ends by the same signal.

Examples:
  wsgi-migrate --dry-run                            the live server: what would change
  wsgi-migrate --reload                             apply it: configtest, backups, reload
  wsgi-migrate --dry-run infra/apache/              a repository: the diff, paths from here
  wsgi-migrate --to latest --dry-run                every step, to the newest form
  wsgi-migrate --check --json infra/ > report.json  CI gate, machine-readable report
  wsgi-migrate -n --map /opt/kallithea=web/docker infra/apache/
  wsgi-migrate -n --patch fix.patch --summary pr.md infra/apache/
  git apply fix.patch                               patch paths are relative to here
  wsgi-migrate --only process-group,pass-authorization --dry-run site.conf
  wsgi-migrate -t ./my-transform.mjs --list         your own transform, same contract
`
