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
 * collection plus recompiling the hot code afterwards: small for a thread that is mostly
 * waiting (Atlas following the head: ~0.12-0.16 of a core for all its threads at 10 s), large for
 * one running hot code flat out (a backfill at full speed: +40-60 % CPU per PGCR), because the
 * code runs in the slow tiers again until the JIT has recompiled it (bench/README.md, "Seventh part").
 * So a thread skips its trim while it is busy: when it used more than `busyCores` of a core since
 * its previous turn, read from /proc/thread-self/stat (Linux; elsewhere the whole process's CPU
 * stands in, a stricter test). The histogram and the skip counter below record both.
 *
 * JSC runs the shrink when no JS is left on the thread's stack, i.e. right after the timer callback
 * that asks for it returns; the duration is therefore taken at the next setImmediate, and may include
 * I/O callbacks that were ready at the same moment (an upper bound).
 *
 * The timer is unref'd: a trim never keeps a thread or a process alive.
 */
import type { Registry } from "prom-client"
import { type MetricTable, registerMetrics } from "../monitoring/metric-table.ts"
import { readStatCpuSeconds } from "./proc-stat.ts"

export const HEAP_TRIM_METRICS = {
  trim: {
    kind: "histogram",
    name: "runtime_heap_trim_seconds",
    help: "Heap trims (Bun.shrink: full collection, compiled code dropped, free memory returned to the system), by app and thread",
    labels: ["app", "thread"],
    // Up to 1 s: a trim of the main thread with `--sim`'s world took ~0.25 s on a loaded box.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  },
  skipped: {
    kind: "counter",
    name: "runtime_heap_trims_skipped_total",
    help: "Heap trims skipped because the thread was busy (more than the busy threshold of a core since its previous turn)",
    labels: ["app", "thread"],
  },
} as const satisfies MetricTable

/**
 * A thread using more than this share of a core over a trim period is busy and skips the trim.
 * Following the head, Atlas's threads use 0.01-0.1 each; a backfill's fetcher 0.3 and more.
 */
export const DEFAULT_BUSY_CORES = 0.2

export interface HeapTrimOptions {
  /** Mean wait between trims (ms); each wait is drawn from ±10 % of it. Must be > 0. */
  intervalMs: number
  /** Skip the trim when the thread used more than this share of a core since its previous turn. */
  busyCores?: number
  /** Called after each trim with its duration (seconds; an upper bound, see above). */
  onTrim?(seconds: number): void
  /** Called for each turn skipped because the thread was busy. */
  onSkip?(): void
  /** This thread's CPU seconds so far; injectable for tests. */
  cpuSeconds?: () => number
  /** Injectable for tests; defaults to Bun.shrink. */
  shrink?: () => void
  random?: () => number
  now?: () => number
}

export interface HeapTrim {
  /** Trims done so far. */
  readonly count: number
  /** Turns skipped because the thread was busy. */
  readonly skipped: number
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
  const cpuSeconds = o.cpuSeconds ?? threadCpuSeconds
  const busyCores = o.busyCores ?? DEFAULT_BUSY_CORES
  let count = 0
  let skipped = 0
  let lastTurnMs = now()
  let lastCpu = cpuSeconds()
  let timer: ReturnType<typeof setTimeout> | null = null
  const schedule = () => {
    timer = setTimeout(trim, trimDelayMs(o.intervalMs, random()))
    timer.unref()
  }
  let stopped = false
  const trim = () => {
    const started = now()
    const cpu = cpuSeconds()
    const cores = (cpu - lastCpu) / Math.max(0.001, (started - lastTurnMs) / 1000)
    lastTurnMs = started
    lastCpu = cpu
    if (cores > busyCores) {
      skipped++
      o.onSkip?.()
      schedule()
      return
    }
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
    get skipped() {
      return skipped
    },
    stop() {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
    },
  }
}

let threadStatReadable = true

/**
 * The calling thread's CPU seconds (user + system) from /proc/thread-self/stat; where that cannot
 * be read, the whole process's.
 */
export function threadCpuSeconds(): number {
  if (threadStatReadable) {
    try {
      return readStatCpuSeconds("/proc/thread-self/stat")
    } catch {
      threadStatReadable = false
    }
  }
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

/** startHeapTrim that records its trims and skips in `registry` (HEAP_TRIM_METRICS, by app and thread). */
export function startRecordedHeapTrim(
  o: { intervalMs: number; registry: Registry; app: string; thread: string } & Pick<HeapTrimOptions, "shrink" | "cpuSeconds">,
): HeapTrim {
  const metrics = registerMetrics(o.registry, HEAP_TRIM_METRICS)
  const labels = { app: o.app, thread: o.thread }
  return startHeapTrim({
    intervalMs: o.intervalMs,
    ...(o.shrink === undefined ? {} : { shrink: o.shrink }),
    ...(o.cpuSeconds === undefined ? {} : { cpuSeconds: o.cpuSeconds }),
    onTrim: (seconds) => metrics.trim.observe(labels, seconds),
    onSkip: () => metrics.skipped.inc(labels),
  })
}
