// Who Apache's children (and, by default, mod_wsgi daemon processes) run as: the last global
// `User`/`Group`, with `${APACHE_RUN_USER}` and the like resolved; without a `User` line, Debian's
// APACHE_RUN_USER from the environment (envvars); else the platform's default, which is a guess
// (`source: 'platform-default'`): nothing in the files says so.
import type { Directive } from '../syntax/types.js'
import type { UserRecord } from './handlers.js'
import type { RunUser } from './types.js'

/** Who Apache runs as when no `User`/`Group` says so (Debian). */
export const DEFAULT_PLATFORM_USER = { user: 'www-data', group: 'www-data' }

type Source = RunUser['source']

/** The value a `User` or `Group` record gives (or the environment's), and where it comes from. */
function pick(rec: UserRecord | undefined, fromEnv: string | undefined, fallback: string): { value: string; source: Source; node?: Directive } {
  if (rec === undefined) return fromEnv ? { value: fromEnv, source: 'env' } : { value: fallback, source: 'platform-default' }
  if (rec.subst.unresolved || rec.subst.value === '') return { value: fallback, source: 'platform-default', node: rec.loc.node }
  return { value: rec.subst.value, source: rec.subst.fromEnv ? 'env' : 'directive', node: rec.loc.node }
}

export function runUserOf(
  user: UserRecord | undefined,
  group: UserRecord | undefined,
  platform = DEFAULT_PLATFORM_USER,
  env: Readonly<Record<string, string>> = {},
): RunUser {
  const u = pick(user, env.APACHE_RUN_USER, platform.user)
  const g = pick(group, env.APACHE_RUN_GROUP, platform.group)
  return {
    user: u.value,
    group: g.value,
    source: u.source,
    ...(u.node ? { node: u.node } : {}),
    groupSource: g.source,
    ...(g.node ? { groupNode: g.node } : {}),
  }
}
