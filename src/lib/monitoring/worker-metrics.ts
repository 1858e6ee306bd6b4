/**
 * Worker-thread metrics into the main thread's /metrics.
 *
 * prom-client's AggregatorRegistry serves node:cluster (processes), not Worker threads, but its
 * static `aggregate()` merges any list of `getMetricsAsJSON()` snapshots using each metric's
 * aggregator. So each Worker keeps an ordinary Registry and posts its snapshot every
 * `intervalMs` (and once more when it stops); the main thread keeps the newest snapshot per
 * worker and merges them with its own registry at scrape time. Counters and histograms are
 * cumulative per worker, so "newest snapshot per worker" is exact, however many snapshots were
 * lost or coalesced; a scrape is at most one interval stale.
 *
 * Why not counters in a SharedArrayBuffer: label sets (result x address, writer, queue) are
 * open-ended and histograms need buckets per label set; a SAB would need a fixed schema and a
 * second exposition path. A snapshot of a few KB per worker per second costs nothing.
 */
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, Registry } from "prom-client"

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[]

export interface WorkerMetricsReporter {
  /** Post a snapshot now. */
  flush(): Promise<void>
  /** Stop the timer and post a final snapshot. */
  stop(): Promise<void>
}

/** Worker side: post `registry` snapshots through `post` every `intervalMs`. */
export function startWorkerMetricsReporter(options: {
  registry: Registry
  post: (snapshot: MetricsSnapshot) => void
  intervalMs?: number
}): WorkerMetricsReporter {
  let stopped = false
  const flush = async () => {
    options.post((await options.registry.getMetricsAsJSON()) as MetricsSnapshot)
  }
  const timer = setInterval(() => {
    if (!stopped) void flush()
  }, options.intervalMs ?? 1_000)
  return {
    flush,
    async stop() {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      await flush()
    },
  }
}

export interface WorkerMetricsAggregator {
  /** Keep the newest snapshot of `workerId` (replaces the previous one). */
  accept(workerId: string, snapshot: MetricsSnapshot): void
  /** Drop a worker's snapshot (e.g. its series should disappear after it was replaced). */
  forget(workerId: string): void
  /** Prometheus text of the main registry merged with every worker snapshot. */
  metrics(): Promise<string>
  readonly contentType: string
}

/** Main side. A worker that exits keeps its last snapshot so counters never go backwards. */
export function createWorkerMetricsAggregator(main: Registry): WorkerMetricsAggregator {
  const snapshots = new Map<string, MetricsSnapshot>()
  return {
    accept(workerId, snapshot) {
      snapshots.set(workerId, snapshot)
    },
    forget(workerId) {
      snapshots.delete(workerId)
    },
    async metrics() {
      const all = [(await main.getMetricsAsJSON()) as MetricsSnapshot, ...snapshots.values()]
      return AggregatorRegistry.aggregate(all).metrics()
    },
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
  }
}

/**
 * Snapshots of a thread that outlives the aggregators it reports to (Atlas's relay thread runs
 * across a fleet's successive crawls, each with its own /metrics): keeps each thread's newest
 * snapshot and hands it to whichever aggregator is attached, the held ones at once on attach.
 */
export interface HeldSnapshots {
  accept(workerId: string, snapshot: MetricsSnapshot): void
  /** Forwards to `target` from now on, the newest held snapshots first; returns the detach function. */
  attach(target: Pick<WorkerMetricsAggregator, "accept">): () => void
}

export function createHeldSnapshots(): HeldSnapshots {
  const newest = new Map<string, MetricsSnapshot>()
  let target: Pick<WorkerMetricsAggregator, "accept"> | null = null
  return {
    accept(workerId, snapshot) {
      newest.set(workerId, snapshot)
      target?.accept(workerId, snapshot)
    },
    attach(next) {
      target = next
      for (const [workerId, snapshot] of newest) next.accept(workerId, snapshot)
      return () => {
        if (target === next) target = null
      }
    },
  }
}
