// single-threaded: Kallithea's daemon group runs single-threaded processes, as the 0.3.3 docs say
// (`WSGIDaemonProcess kallithea processes=5 threads=1 maximum-requests=100`).
//
// Why (Kallithea commit dabefb88b, "config: clarify that we only recommend and support single
// threaded operation"): Kallithea does not promise thread safety (it reuses Repository instances
// between threads), so it scales with processes instead of threads. With `processes=` written,
// mod_wsgi reports `wsgi.multiprocess` True, which is now the truth. With one thread, recycling
// after `maximum-requests` never cuts a request: the one that reaches the limit has finished.
//
// A larger process count the user chose stays, and so does their maximum-requests. The three
// options are written together right after the group name, as the docs write them.
import { firstPlaces } from '../../../src/model/describe.js'
import { servesKallithea } from '../../../src/model/kallithea.js'
import type { DaemonGroup } from '../../../src/model/model.js'
import { defineTransform } from '../../../src/runner/define.js'
import type { TransformContext } from '../../../src/runner/transform.js'
import { setArgs } from '../../../src/syntax/edit.js'

/** The 0.3.3 docs' values. */
const PROCESSES = 5
const MAXIMUM_REQUESTS = 100
/** mod_wsgi's defaults when the options are not written. */
const DEFAULT_THREADS = 15
const DEFAULT_PROCESSES = 1

const SCALING = ['processes', 'threads', 'maximum-requests']

export const singleThreaded = defineTransform({
  meta: {
    id: 'single-threaded',
    version: '0.3.3',
    title: 'Single-threaded Kallithea daemon: processes=5 threads=1 maximum-requests=100',
    description:
      'Gives the WSGIDaemonProcess that serves Kallithea threads=1, processes=5 (or the larger count it had) and ' +
      'maximum-requests=100 (or the value it had), written after the group name as the 0.3.3 docs do.',
    rationale:
      'Kallithea does not promise thread safety (it reuses Repository instances between threads); from 0.3.3 it ' +
      'is run single-threaded and scales with processes.',
    messages: {
      changed:
        'WSGIDaemonProcess {{name}} now runs {{processes}} single-threaded processes, each recycled after {{max}} requests ' +
        '(it had {{before}}): Kallithea does not promise thread safety (it reuses Repository instances between threads), so ' +
        'from 0.3.3 it scales with processes instead; processes= makes wsgi.multiprocess True, which is now the truth, and with ' +
        'one thread a recycle never cuts a request.',
      capacity:
        'WSGIDaemonProcess {{name}} served up to {{before}} requests at once and now serves {{after}}: raise processes= if the ' +
        'host has the memory (each process holds a whole Kallithea).',
      alreadySingle:
        'WSGIDaemonProcess {{name}} already runs single-threaded (threads=1), with {{processes}}: left as is. The 0.3.3 ' +
        'docs write processes=5 threads=1 maximum-requests=100; {{advice}}.',
      fromVariable:
        'WSGIDaemonProcess {{name}} sets {{option}} from a variable ({{raw}}): left as is. Kallithea from 0.3.3 runs ' +
        'single-threaded: make it processes=5 threads=1 maximum-requests=100.',
    },
  },
  create(ctx) {
    const model = ctx.model()
    for (const daemon of firstPlaces(model.daemons)) {
      if (ctx.editable(ctx.fileOf(daemon.node)) && servesKallithea(daemon, model, ctx.files)) migrateDaemon(ctx, daemon)
    }
  },
})

export default singleThreaded

const last = (d: DaemonGroup, key: string) => d.options.filter((o) => o.key === key).at(-1)
const count = (value: string | undefined, fallback: number): number | null =>
  value === undefined ? fallback : /^\s*\d+\s*$/.test(value) ? Number(value) : null

function migrateDaemon(ctx: TransformContext, daemon: DaemonGroup): void {
  const name = daemon.name
  const written = daemon.options.filter((o) => SCALING.includes(o.key))
  const variable = written.find((o) => o.raw.includes('${'))
  const threads = count(last(daemon, 'threads')?.value, DEFAULT_THREADS)
  const processes = count(last(daemon, 'processes')?.value, DEFAULT_PROCESSES)
  if (threads === 1) {
    adviseSingle(ctx, daemon, processes)
    return
  }
  if (variable || threads === null || processes === null) {
    const o = variable ?? written[0]!
    ctx.report({ at: daemon, messageId: 'fromVariable', data: { name, option: `${o.key}=`, raw: o.raw } })
    return
  }
  const max = last(daemon, 'maximum-requests')?.value.trim() ?? String(MAXIMUM_REQUESTS)
  const now = Math.max(PROCESSES, processes)
  const before = `${processes} process${processes === 1 ? '' : 'es'} of ${threads} threads${last(daemon, 'threads') ? '' : ' (the default)'}`
  ctx.report({
    at: daemon,
    messageId: 'changed',
    data: { name, processes: now, max, before },
    fix: (fixer) => {
      fixer.modify(daemon.node, (node) => {
        // Remove first, then insert after the name: a removed word alone on a continued line
        // takes its line along, and the new words join the name's line.
        setArgs(node, node.args.filter((a) => !SCALING.some((k) => a.startsWith(`${k}=`))))
        setArgs(node, [node.args[0]!, `processes=${now}`, 'threads=1', `maximum-requests=${max}`, ...node.args.slice(1)])
      })
      if (processes * threads > now) fixer.note({ messageId: 'capacity', data: { name, before: processes * threads, after: now } })
    },
  })
}

/**
 * A daemon that already has threads=1: what the step does is done, but it may serve one request
 * at a time (no processes=) and never recycle (no maximum-requests): say so, change nothing.
 */
function adviseSingle(ctx: TransformContext, daemon: DaemonGroup, processes: number | null): void {
  const written = last(daemon, 'processes') !== undefined
  const hasMax = last(daemon, 'maximum-requests') !== undefined
  const few = processes !== null && processes < PROCESSES
  if (!few && hasMax) return
  const advice = [
    ...(few ? [`raise processes= to ${PROCESSES} or more if the host has the memory: each process serves one request at a time, so a long clone blocks ${processes === 1 ? 'every other request' : 'one of the few'}`] : []),
    ...(!hasMax ? [`add maximum-requests=${MAXIMUM_REQUESTS} to recycle each process (with one thread a recycle cuts no request)`] : []),
  ].join('; ')
  const count = processes === null ? 'a process count from a variable' : `${processes} process${processes === 1 ? '' : 'es'}${written ? '' : ' (the default)'}`
  ctx.report({ at: daemon, messageId: 'alreadySingle', data: { name: daemon.name, processes: count, advice } })
}
