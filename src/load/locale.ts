// The UTF-8 locale the Kallithea daemon gets with `lang=` (the 0.4.1 form). Apache's default is
// C/ASCII, which breaks non-ASCII user names, paths and commit messages (Kallithea issue #340).
//
// `--lang` chooses it; else C.UTF-8, which glibc has built in (2.35 and later, and Debian's for
// longer). Server mode, which runs on the host itself, asks the host instead (`hostLocales`).
import { execFileSync } from 'node:child_process'

/** The locale taken when neither --lang nor the host says otherwise. */
export const DEFAULT_LANG = 'C.UTF-8'

/** A locale name whose codeset is UTF-8: `C.UTF-8`, `en_US.utf8`, `de_DE.UTF-8@euro`. */
export function isUtf8Locale(name: string): boolean {
  return /^[A-Za-z][\w-]*\.utf-?8(?:@\w+)?$/i.test(name)
}

/** Why a `--lang` value is refused, or null when it is fine (or not given). */
export function checkLang(lang: string | undefined): string | null {
  if (lang === undefined || isUtf8Locale(lang)) return null
  return `--lang ${lang}: not a UTF-8 locale name; use e.g. C.UTF-8 or en_US.UTF-8 (locale -a lists the host's)`
}

/**
 * The UTF-8 locale to use from `locale -a` output: C.UTF-8 when the host has it, else en_US's,
 * else the first UTF-8 one; undefined when the host lists none (then advise installing one).
 */
export function pickUtf8Locale(localeA: string): string | undefined {
  const names = localeNames(localeA).filter(isUtf8Locale)
  const c = names.find((n) => /^C\./i.test(n))
  return c ?? names.find((n) => /^en_US\./i.test(n)) ?? names[0]
}

/** The locale names of `locale -a` output, one a line. */
export function localeNames(localeA: string): string[] {
  return localeA.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
}

/**
 * The locale server mode gives `lang=`: the one the user chose with --lang, else the host's UTF-8
 * locale from a `locale -a` it ran (undefined: then DEFAULT_LANG).
 */
export function serverLocale(chosen: string | undefined, localeA: string | undefined): string | undefined {
  if (chosen !== undefined) return chosen
  return localeA === undefined ? undefined : pickUtf8Locale(localeA)
}

/** What `locale -a` lists on this host; undefined when it cannot be run. */
export function hostLocales(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return execFileSync('locale', ['-a'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 })
  } catch {
    return undefined
  }
}
