// The exit codes of a run, in one place: the CLI exits with them, JSON reports carry them.

/** Nothing failed (and with --check: nothing pending). */
export const EXIT_OK = 0
/** --check only: changes are pending. */
export const EXIT_PENDING = 1
/** An error: usage, a file that cannot be read or parsed, a transform that failed, a failed write. */
export const EXIT_ERROR = 2

export type ExitCode = typeof EXIT_OK | typeof EXIT_PENDING | typeof EXIT_ERROR
