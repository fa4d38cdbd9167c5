// Faults outside the run's own calls: an error thrown from a timer or callback of a `-t` module,
// a promise it rejected that nothing handles, a report it gives after the run is over. Left to
// Node, the first two end the process wherever it is (a stack trace, exit 1, a write half done)
// and the last passes unseen. Here the first fault aborts an AbortSignal that the run checks
// after the transforms (then nothing is written) and between the files it writes (then all is
// put back, as on SIGINT); the error says what happened, in one line.
import { errorMessage } from '../util/error-message.js'

export interface Faults {
  /** Aborted at the first fault; its reason is a one-line message. */
  readonly signal: AbortSignal
  fault(reason: string): void
}

export function watchFaults(): Faults {
  const controller = new AbortController()
  return {
    signal: controller.signal,
    fault: (reason) => {
      if (!controller.signal.aborted) controller.abort(reason)
    },
  }
}


/**
 * Take the process's uncaught exceptions and unhandled rejections as faults, instead of a crash;
 * returns what undoes it.
 */
export function catchProcessFaults(faults: Faults, proc: NodeJS.Process = process): () => void {
  const thrown = (error: unknown): void =>
    faults.fault(`an error was thrown from a timer or callback (of a -t module?): ${errorMessage(error)}`)
  const rejected = (error: unknown): void =>
    faults.fault(`a promise was rejected and nothing handled it (in a -t module?): ${errorMessage(error)}`)
  proc.on('uncaughtException', thrown)
  proc.on('unhandledRejection', rejected)
  return () => {
    proc.off('uncaughtException', thrown)
    proc.off('unhandledRejection', rejected)
  }
}

/** One turn of the timers: a `setTimeout(f, 0)` or a rejection left by a transform has come by then. */
export const timerTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

/** The reason a fault gave, as a message. */
export const faultOf = (faults: Faults): string | null => (faults.signal.aborted ? String(faults.signal.reason) : null)
