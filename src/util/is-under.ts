// Path containment by whole segments: `/srv` holds `/srv` and `/srv/a`, not `/srvx`.

/** Whether `child` is `parent` or below it; `sep` is the separator (posix `/` unless given). */
export function isUnder(parent: string, child: string, sep = '/'): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep)
}
