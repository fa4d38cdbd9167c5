/**
 * The real-Apache harness (test/helpers/apache.ts) and the mod_wsgi facts the transforms rest
 * on, checked with real requests to a real Apache httpd + mod_wsgi on 127.0.0.1.
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type ApacheSiteConfig,
  type RunningApache,
  INSTALL_HINT,
  applyReplacements,
  assertApacheInstalled,
  configtest,
  isProcessRunning,
  makeVenv,
  rewriteSiteConfig,
  startApache,
  venvSitePackages,
} from './helpers/apache.js';

const SITE = 'sites-enabled/kallithea.conf';

/** A site config written for /srv/kallithea, served from the temp ServerRoot with the probe. */
function site(text: string, venv: string): ApacheSiteConfig {
  return {
    files: { [SITE]: text },
    include: [SITE],
    replace: { '/srv/kallithea/venv': venv, '/srv/kallithea': 'srv/kallithea' },
    probe: ['srv/kallithea/dispatch.wsgi'],
  };
}

/** Start Apache; stop it by pid in teardown and make sure it is really gone. */
async function serve(t: ExecutionContext, conf: ApacheSiteConfig): Promise<RunningApache> {
  const apache = await startApache(conf);
  t.teardown(async () => {
    await apache.stop();
    if (isProcessRunning(apache.pid)) throw new Error(`apache2 pid ${apache.pid} still running after stop()`);
  });
  return apache;
}

/** The Kallithea 0.3.1 docs form (python-path, processes=1, no WSGIProcessGroup). */
function docs031(venv: string): string {
  const pyDir = path.basename(path.dirname(venvSitePackages(venv))); // e.g. python3.11
  return `<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea \\
        processes=1 threads=4 \\
        python-path=/srv/kallithea/venv/lib/${pyDir}/site-packages
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
    WSGIPassAuthorization On
</VirtualHost>
`;
}

/** The Kallithea 0.3.2 docs form; `extra` options for WSGIDaemonProcess, optional pass-auth. */
function docs032({ daemonExtra = '', passAuth = true } = {}): string {
  return `WSGIRestrictEmbedded On

<VirtualHost *:80>
    ServerName kallithea.example.com
    WSGIDaemonProcess kallithea \\
        ${daemonExtra}threads=4 \\
        python-home=/srv/kallithea/venv
    WSGIProcessGroup kallithea
    WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
${passAuth ? '    WSGIPassAuthorization On\n' : ''}</VirtualHost>
`;
}

const BASIC = { Authorization: 'Basic ' + Buffer.from('admin:secret').toString('base64') };

// ---------------------------------------------------------------------------------------------
// Pure parts of the harness (no Apache)
// ---------------------------------------------------------------------------------------------

test('rewriteSiteConfig moves vhosts to the test ports and neutralizes host-specific paths', (t) => {
  const input = [
    'Listen 80',
    '<VirtualHost *:80>',
    '  ErrorLog ${APACHE_LOG_DIR}/kallithea-error.log',
    '  CustomLog ${APACHE_LOG_DIR}/kallithea-access.log combined',
    '</VirtualHost>',
    '<IfModule mod_ssl.c>',
    '  listen 443 https',
    '  <VirtualHost _default_:443>',
    '    sslcertificatefile /etc/letsencrypt/live/x/fullchain.pem',
    '    SSLCertificateKeyFile "/etc/letsencrypt/live/x/privkey.pem"',
    '    # SSLCertificateChainFile /untouched/comment.pem',
    '  </VirtualHost>',
    '</IfModule>',
    '<VirtualHost *>',
    '</VirtualHost>',
    '<VirtualHost kallithea.example.com:8080 *:443 [::1]:80>',
    '</VirtualHost>',
  ].join('\n');
  const { text, usesHttpsPort } = rewriteSiteConfig(input, {
    httpPort: 1111,
    httpsPort: 2222,
    certFile: '/c.pem',
    keyFile: '/k.pem',
    errorLog: '/e.log',
    accessLog: '/a.log',
  });
  t.true(usesHttpsPort);
  t.regex(text, /^# \[wsgi-migrate test harness\] Listen 80$/m);
  t.regex(text, /^ {2}# \[wsgi-migrate test harness\] listen 443 https$/m);
  t.regex(text, /^<VirtualHost 127\.0\.0\.1:1111>$/m);
  t.regex(text, /^ {2}<VirtualHost 127\.0\.0\.1:2222>$/m);
  t.regex(text, /^<VirtualHost 127\.0\.0\.1:1111 127\.0\.0\.1:2222>$/m);
  t.regex(text, /^ {2}ErrorLog "\/e\.log"$/m);
  t.regex(text, /^ {2}CustomLog "\/a\.log" combined$/m);
  t.regex(text, /^ {4}sslcertificatefile "\/c\.pem"$/m);
  t.regex(text, /^ {4}SSLCertificateKeyFile "\/k\.pem"$/m);
  t.regex(text, /# SSLCertificateChainFile \/untouched\/comment\.pem/);
  t.false(rewriteSiteConfig('<VirtualHost *:80>\n</VirtualHost>\n', { httpPort: 1 }).usesHttpsPort);
});

test('applyReplacements: longest key first, one pass, relative values resolved', (t) => {
  const out = applyReplacements(
    'python-home=/srv/kallithea/venv\nWSGIScriptAlias / /srv/kallithea/dispatch.wsgi\n',
    { '/srv/kallithea': 'srv/kallithea', '/srv/kallithea/venv': '/opt/venv' },
    (v) => `/tmp/root/${v}`,
  );
  t.is(out, 'python-home=/opt/venv\nWSGIScriptAlias / /tmp/root/srv/kallithea/dispatch.wsgi\n');
});

test('a missing Apache is a clear error naming the packages, not a skip', (t) => {
  const err = t.throws(() => assertApacheInstalled('/nonexistent/apache2', '/nonexistent/modules'));
  t.true(err?.message.includes(INSTALL_HINT));
  t.notThrows(() => assertApacheInstalled());
});

// ---------------------------------------------------------------------------------------------
// configtest
// ---------------------------------------------------------------------------------------------

test('configtest passes for the 0.3.2 docs form', async (t) => {
  const venv = await makeVenv();
  const r = await configtest(site(docs032(), venv));
  t.true(r.ok, r.output);
  t.regex(r.output, /Syntax OK/);
});

test('configtest fails for the misspelled WSGIRestrictedEmbedded', async (t) => {
  const venv = await makeVenv();
  const r = await configtest(site(docs032().replace('WSGIRestrictEmbedded', 'WSGIRestrictedEmbedded'), venv));
  t.false(r.ok);
  t.regex(r.output, /Invalid command 'WSGIRestrictedEmbedded', perhaps misspelled/);
});

test('configtest fails for WSGIRestrictEmbedded inside a VirtualHost', async (t) => {
  const venv = await makeVenv();
  const text = docs032()
    .replace('WSGIRestrictEmbedded On\n', '')
    .replace('    ServerName kallithea.example.com\n', '    ServerName kallithea.example.com\n    WSGIRestrictEmbedded On\n');
  const r = await configtest(site(text, venv));
  t.false(r.ok);
  t.regex(r.output, /WSGIRestrictEmbedded cannot occur within <VirtualHost> section/);
});

/** Debian-style :80 + :443 pair, same ServerName, daemon group defined in the :80 vhost. */
function sslPair(): string {
  return `Listen 80
${docs032().replace('WSGIRestrictEmbedded On\n', '')}
<IfModule mod_ssl.c>
    Listen 443
    <VirtualHost _default_:443>
        ServerName kallithea.example.com
        SSLEngine on
        SSLCertificateFile /etc/letsencrypt/live/kallithea.example.com/fullchain.pem
        SSLCertificateKeyFile /etc/letsencrypt/live/kallithea.example.com/privkey.pem
        WSGIProcessGroup kallithea
        WSGIScriptAlias / /srv/kallithea/dispatch.wsgi
        WSGIPassAuthorization On
    </VirtualHost>
</IfModule>
`;
}

test('configtest passes for a Debian-style :80/:443 pair with certificate paths that do not exist here', async (t) => {
  const venv = await makeVenv();
  const r = await configtest(site(sslPair(), venv));
  t.true(r.ok, `${r.output}\n${r.rewritten[SITE]}`);
});

// ---------------------------------------------------------------------------------------------
// Live server: the facts
// ---------------------------------------------------------------------------------------------

test('0.3.1 docs form runs embedded: process_group "" and the system Python', async (t) => {
  const venv = await makeVenv();
  const apache = await serve(t, site(docs031(venv), venv));
  const res = await apache.get('/');
  t.is(res.status, 200, apache.errorLog());
  t.is(res.json?.process_group, '');
  t.is(res.json?.sys_prefix, '/usr');
  t.not(res.json?.pid, apache.pid);
  // The daemon group is started anyway, and idles.
  t.regex(apache.errorLog(), /Starting process 'kallithea'/);
});

test('0.3.2 docs form runs in daemon group "kallithea" with the venv, single process', async (t) => {
  const venv = await makeVenv();
  const apache = await serve(t, site(docs032(), venv));
  const res = await apache.get('/');
  t.is(res.status, 200, apache.errorLog());
  t.is(res.json?.process_group, 'kallithea');
  t.is(res.json?.sys_prefix, venv);
  t.false(res.json?.multiprocess);
  t.true(res.json?.multithread);
  t.false(res.json?.http_authorization);

  const authed = await apache.get('/', BASIC);
  t.is(authed.status, 200);
  t.true(authed.json?.http_authorization);
});

test('without WSGIPassAuthorization the app never sees the Authorization header', async (t) => {
  const venv = await makeVenv();
  const apache = await serve(t, site(docs032({ passAuth: false }), venv));
  const res = await apache.get('/', BASIC);
  t.is(res.status, 200, apache.errorLog());
  t.is(res.json?.process_group, 'kallithea');
  t.false(res.json?.http_authorization);
});

test('processes=1 flags the daemon group multiprocess', async (t) => {
  const venv = await makeVenv();
  const apache = await serve(t, site(docs032({ daemonExtra: 'processes=1 ' }), venv));
  const res = await apache.get('/');
  t.is(res.status, 200, apache.errorLog());
  t.is(res.json?.process_group, 'kallithea');
  t.true(res.json?.multiprocess);
});

test('a :80/:443 pair is served on two ports, both vhosts reach the group of the :80 one', async (t) => {
  const venv = await makeVenv();
  const apache = await serve(t, site(sslPair(), venv));
  t.not(apache.httpsPort, undefined);
  const plain = await apache.get('/');
  const secure = await apache.get('/', { Host: 'kallithea.example.com' }, { https: true });
  t.is(plain.status, 200, apache.errorLog());
  t.is(secure.status, 200, apache.errorLog());
  t.is(plain.json?.url_scheme, 'http');
  t.is(secure.json?.url_scheme, 'https');
  t.is(secure.json?.process_group, 'kallithea');
  t.is(secure.json?.pid, plain.json?.pid); // the same daemon process
});

test('stop() ends Apache by its pid, mod_wsgi daemons included, and removes the ServerRoot', async (t) => {
  const venv = await makeVenv();
  const apache = await startApache(site(docs032(), venv));
  let stopped = false;
  t.teardown(() => (stopped ? undefined : apache.stop()));
  const res = await apache.get('/');
  t.is(res.status, 200, apache.errorLog());
  const daemonPid = res.json!.pid;
  t.true(isProcessRunning(apache.pid));
  t.true(isProcessRunning(daemonPid));
  t.is(Number(fs.readFileSync(path.join(apache.root, '.httpd', 'httpd.pid'), 'utf8')), apache.pid);

  await apache.stop();
  stopped = true;
  t.false(isProcessRunning(apache.pid));
  t.false(isProcessRunning(daemonPid));
  t.false(fs.existsSync(apache.root));
  await t.notThrowsAsync(apache.stop()); // idempotent
});
