// drop-processes-1: remove `processes=1` from WSGIDaemonProcess, as the 0.3.2 docs did.
//
// Why: mod_wsgi flags a daemon group as multi-process (`wsgi.multiprocess == True`) as soon as
// `processes=` is written at all, even `processes=1`. Without it the group still runs exactly one
// process (1 is the default) and `wsgi.multiprocess` becomes False, the accurate value for one
// process. `processes=2` and more mean what they say and stay.
//
// While looking at each daemon it also advises (no edit) about `maximum-requests` on a
// multi-threaded Kallithea daemon: the recycle cuts long hg/git clones running in other threads.
// Not when the run also takes the 0.3.3 step, which makes that daemon single-threaded.
import { servesKallithea } from '../../../src/model/kallithea.js'
import type { DaemonGroup, WsgiModel } from '../../../src/model/model.js'
import { defineTransform } from '../../../src/runner/define.js'
import { fixableDaemons } from '../../../src/runner/fixable.js'
import type { TransformContext } from '../../../src/runner/transform.js'
import { removeOption } from '../../../src/syntax/edit.js'

/** mod_wsgi's default `threads=` of a daemon group. */
const DEFAULT_THREADS = 15
/** mod_wsgi's default `shutdown-timeout=` (seconds). */
const DEFAULT_SHUTDOWN_TIMEOUT = 5

export const dropProcessesOne = defineTransform({
  meta: {
    id: 'drop-processes-1',
    version: '0.3.2',
    title: 'Drop processes=1 from WSGIDaemonProcess',
    description:
      'Removes the processes=1 option of the WSGIDaemonProcess that serves Kallithea (of every one with --all-apps; processes=2 and more stay); advises about ' +
      'maximum-requests on multi-threaded daemons that serve Kallithea.',
    rationale:
      'mod_wsgi sets wsgi.multiprocess True whenever processes= is given, even processes=1; without it the group ' +
      'still runs one process and wsgi.multiprocess is False, the accurate value.',
    messages: {
      removed:
        'Removed processes=1 from WSGIDaemonProcess {{name}}: mod_wsgi sets wsgi.multiprocess True whenever processes= is ' +
        'given at all, so without it the group still runs one process (the default) and wsgi.multiprocess becomes False, the accurate value for one process.',
      fromVariable:
        'WSGIDaemonProcess {{name}} sets processes={{raw}}, which resolves to 1: left as is because the value comes from a variable; ' +
        'drop the option (one process is the default) so wsgi.multiprocess is False, the accurate value for one process.',
      maximumRequests:
        'WSGIDaemonProcess {{name}} serves Kallithea with maximum-requests={{max}} and threads={{threads}}: when one request ' +
        'reaches the limit the process is recycled, and a long hg/git clone still running in another thread is cut {{cut}}. ' +
        'Remove maximum-requests from this group, or set graceful-timeout (mod_wsgi 4.1.0+) longer than your longest clone; ' +
        'note that an Apache graceful restart still ends daemon processes within about 3 seconds.',
    },
  },
  create(ctx) {
    const model = ctx.model()
    for (const daemon of fixableDaemons(ctx, model)) {
      dropProcessesOption(ctx, daemon)
      adviseMaximumRequests(ctx, daemon, model)
    }
  },
})

export default dropProcessesOne

/** `processes=1` (also `processes=01`): the value mod_wsgi reads as one process. */
function isOne(value: string): boolean {
  return /^\s*\d+\s*$/.test(value) && Number(value) === 1
}

function dropProcessesOption(ctx: TransformContext, daemon: DaemonGroup): void {
  const processes = daemon.options.filter((o) => o.key === 'processes')
  if (processes.length === 0 || !processes.every((o) => isOne(o.value))) return
  if (processes.some((o) => o.raw.includes('${'))) {
    ctx.report({ at: daemon, messageId: 'fromVariable', data: { name: daemon.name, raw: processes[0].raw } })
    return
  }
  ctx.report({ at: daemon, messageId: 'removed', data: { name: daemon.name }, fix: (fixer) => fixer.modify(daemon.node, (n) => removeOption(n, 'processes')) })
}

function adviseMaximumRequests(ctx: TransformContext, daemon: DaemonGroup, model: WsgiModel): void {
  const max = lastOption(daemon, 'maximum-requests')
  if (max === undefined || !servesKallithea(daemon, model, ctx.files)) return
  // single-threaded (0.3.3) runs later in this run and gives the daemon threads=1 (or says why not).
  if (ctx.options.steps?.includes('single-threaded')) return
  const threadsValue = lastOption(daemon, 'threads')
  // With one thread the request that reaches the limit has finished and nothing else is running.
  if (threadsValue !== undefined && Number(threadsValue) === 1) return
  const threads = threadsValue === undefined ? `${DEFAULT_THREADS} (the default)` : threadsValue
  const graceful = lastOption(daemon, 'graceful-timeout')
  const shutdown = lastOption(daemon, 'shutdown-timeout') ?? String(DEFAULT_SHUTDOWN_TIMEOUT)
  const cut = graceful !== undefined
    ? `after graceful-timeout=${graceful} and shutdown-timeout=${shutdown} seconds`
    : `after shutdown-timeout (${shutdown} s)`
  ctx.report({ at: daemon, messageId: 'maximumRequests', data: { name: daemon.name, max, threads, cut } })
}

/** The effective value of a daemon option (mod_wsgi keeps the last one written). */
function lastOption(daemon: DaemonGroup, key: string): string | undefined {
  return daemon.options.filter((o) => o.key === key).at(-1)?.value
}
