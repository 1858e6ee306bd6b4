/**
 * Heap trim: every `intervalMs` (±10 % jitter) a thread runs `Bun.shrink()`, which makes its JSC VM
 * drop compiled code, collect everything synchronously and hand free allocator pages back to the
 * system.
 *
 * Why: a Bun process with several JS threads holds, beyond its live objects, whatever garbage
 * each thread's collector has not yet reclaimed and the free pages the allocator keeps for reuse.
 * Each collector runs on its own schedule, so the resident size is a sawtooth 20–40 MB high on
 * a ~150 MB Atlas. Neither the sawtooth nor a slow rise under it can be told apart from a leak.
 * A trim every few seconds keeps each thread near its live size. The cost is one full
 * collection of a small heap plus recompiling the hot code, a few ms per trim (bench/README.md,
 * "heap trim"). The histogram below records every trim's duration.
 *
 * JSC runs the shrink when no JS is left on the thread's stack, i.e. right after the timer callback
 * that asks for it returns; the duration is therefore taken at the next setImmediate, and may include
 * I/O callbacks that were ready at the same moment (an upper bound).
 *
 * The timer is unref'd: a trim never keeps a thread or a process alive.
 */
import type { Histogram, Registry } from "prom-client"
import { type MetricTable, registerMetrics } from "../monitoring/metric-table.ts"

export const HEAP_TRIM_METRICS = {
  trim: {
    kind: "histogram",
    name: "runtime_heap_trim_seconds",
    help: "Heap trims (Bun.shrink: full collection, compiled code dropped, free memory returned to the system), by app and thread",
    labels: ["app", "thread"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  },
} as const satisfies MetricTable

export interface HeapTrimOptions {
  /** Mean wait between trims (ms); each wait is drawn from ±10 % of it. Must be > 0. */
  intervalMs: number
  /** Called after each trim with its duration (seconds; an upper bound, see above). */
  onTrim?(seconds: number): void
  /** Injectable for tests; defaults to Bun.shrink. */
  shrink?: () => void
  random?: () => number
  now?: () => number
}

export interface HeapTrim {
  /** Trims done so far. */
  readonly count: number
  stop(): void
}

/** The wait before the next trim: `intervalMs` × [0.9, 1.1). */
export function trimDelayMs(intervalMs: number, random: number): number {
  return intervalMs * (0.9 + 0.2 * random)
}

/** Starts trimming this thread's heap on a jittered timer. */
export function startHeapTrim(o: HeapTrimOptions): HeapTrim {
  if (!(o.intervalMs > 0)) throw new RangeError(`heap trim interval must be > 0 ms, got ${o.intervalMs}`)
  const shrink = o.shrink ?? (() => Bun.shrink())
  const random = o.random ?? Math.random
  const now = o.now ?? (() => performance.now())
  let count = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  const schedule = () => {
    timer = setTimeout(trim, trimDelayMs(o.intervalMs, random()))
    timer.unref()
  }
  let stopped = false
  const trim = () => {
    const started = now()
    shrink()
    count++
    setImmediate(() => {
      o.onTrim?.((now() - started) / 1000)
      if (!stopped) schedule()
    })
  }
  schedule()
  return {
    get count() {
      return count
    },
    stop() {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
    },
  }
}

/** startHeapTrim that records each trim in `registry` as runtime_heap_trim_seconds{app, thread}. */
export function startRecordedHeapTrim(
  o: { intervalMs: number; registry: Registry; app: string; thread: string } & Pick<HeapTrimOptions, "shrink">,
): HeapTrim {
  const histogram: Histogram<"app" | "thread"> = registerMetrics(o.registry, HEAP_TRIM_METRICS).trim
  const labels = { app: o.app, thread: o.thread }
  return startHeapTrim({
    intervalMs: o.intervalMs,
    ...(o.shrink === undefined ? {} : { shrink: o.shrink }),
    onTrim: (seconds) => histogram.observe(labels, seconds),
  })
}
