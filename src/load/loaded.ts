// One file of a run as read: its bytes, how they decode, its parsed tree or script text.
import type { ApacheFile, ScriptFile, SourceFile } from '../runner/transform.js'
import { decode } from '../syntax/decode.js'
import { parse } from '../syntax/parse.js'
import { print, toText } from '../syntax/print.js'
import type { Encoding, Root } from '../syntax/types.js'
import { isEnvvarsPath, parseEnvvars } from './envvars.js'
import { compareBytes } from './paths.js'

/** One file of the run as read. */
export interface Loaded {
  file: SourceFile
  before: Buffer
  encoding: Encoding
  /** Never changed: parse errors, or not an Apache file at all (`envvars`). */
  frozen: boolean
  envvars: boolean
  /** Read from disk (so it may be written back); in-memory files never are. */
  onDisk: boolean
}

/** Decode and parse one file: a WSGI script (by `kind`, else by name) or Apache config. */
export function toLoaded(rel: string, abs: string, bytes: Buffer, kind?: 'apache' | 'wsgi'): Loaded {
  const { text, encoding } = decode(bytes)
  const isScript = kind === 'wsgi' || (kind === undefined && /\.(?:wsgi|py)$/.test(rel))
  const file: SourceFile = isScript
    ? ({ kind: 'wsgi', path: rel, absolutePath: abs, text, encoding } satisfies ScriptFile)
    : ({ kind: 'apache', path: rel, absolutePath: abs, tree: parse(bytes, { path: rel }) } satisfies ApacheFile)
  const envvars = !isScript && isEnvvarsPath(rel)
  return { file, before: bytes, encoding, frozen: envvars, envvars, onDisk: false }
}

/** A tree the caller parsed (and may hold on to): it is edited in place. */
export function fromTree(rel: string, abs: string, tree: Root): Loaded {
  const printed = print(tree)
  const before = typeof printed === 'string' ? Buffer.from(printed, 'utf8') : Buffer.from(printed)
  const file: ApacheFile = { kind: 'apache', path: rel, absolutePath: abs, tree }
  const envvars = isEnvvarsPath(rel)
  return { file, before, encoding: tree.data.encoding, frozen: envvars, envvars, onDisk: false }
}

/** Files in path order (byte order), as reports and the patch list them. */
export const compareLoaded = (a: Loaded, b: Loaded): number => compareBytes(a.file.path, b.file.path)

/** The run's envvars files (Debian: `export APACHE_RUN_USER=...`), in path order, then `env`. */
export function runEnv(files: readonly Loaded[], env: Record<string, string> = {}): Record<string, string> {
  let vars: Record<string, string> = {}
  for (const l of files) if (l.envvars) vars = parseEnvvars(l.file.kind === 'apache' ? toText(l.file.tree) : l.file.text, vars)
  return { ...vars, ...env }
}
