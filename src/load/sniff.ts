// Telling Apache configuration by its content, for files whose name could be anything
// (`vhost.j2`, `kallithea.conf.in`, `site.stpl`, `httpd.conf.sample`): a section tag or a
// directive Apache knows at the start of a line, templates or not.

/** Section tags of the core and the usual modules. */
const SECTION = /^<\/?(?:VirtualHost|Directory|DirectoryMatch|Location|LocationMatch|Files|FilesMatch|IfModule|IfDefine|IfVersion|IfFile|If|ElseIf|Else|Macro|Proxy|ProxyMatch|Limit|LimitExcept|RequireAll|RequireAny|RequireNone)[\s>]/i

/** Directives that only Apache configuration starts a line with (followed by an argument). */
const DIRECTIVE = new RegExp(
  '^(?:' +
    [
      'Server(?:Name|Alias|Admin|Root|Tokens|Signature)', 'DocumentRoot', 'Include', 'IncludeOptional',
      'LoadModule', 'LoadFile', 'Listen', 'NameVirtualHost', 'Alias', 'AliasMatch', 'ScriptAlias', 'Redirect',
      'RedirectMatch', 'ErrorLog', 'CustomLog', 'Log(?:Level|Format)', 'DirectoryIndex', 'AllowOverride', 'Options',
      'Require', 'Order', 'Allow', 'Deny', 'Rewrite[A-Za-z]+', 'Proxy[A-Za-z]+', 'SSL[A-Za-z]+', 'Header',
      'RequestHeader', 'SetEnv', 'SetEnvIf', 'SetHandler', 'Add(?:Type|Handler|Language|Charset|DefaultCharset|Encoding|OutputFilter)',
      'LanguagePriority', 'BrowserMatch', 'ErrorDocument', 'KeepAlive', 'Timeout', 'TraceEnable', 'PidFile', 'Mutex',
      'TypesConfig', 'StartServers', 'MaxRequestWorkers', 'Expires(?:Active|ByType|Default)', 'Auth[A-Za-z]+',
      'Define', 'WSGI[A-Za-z]+',
    ].join('|') +
    ')[ \\t]+\\S',
  'i',
)

/**
 * Whether `text` reads as Apache configuration: one section tag or known directive is enough
 * (a directive line ending in `;` or `{` is nginx's).
 */
export function looksLikeApache(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (SECTION.test(line) || (DIRECTIVE.test(line) && !/[;{]$/.test(line))) return true
  }
  return false
}
