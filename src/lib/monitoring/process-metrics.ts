/**
 * The process's resident memory as a series, for the dashboards' memory panel: RSS of the whole
 * process (every thread's heap, the allocator's free pages, mapped code), which is what the
 * kernel's OOM killer and a container's memory limit count. Sampled every `intervalMs` rather
 * than at scrape time, so a scrape never waits on /proc.
 */
import type { Registry } from "prom-client"
import { type MetricTable, registerMetrics } from "./metric-table.ts"

export const PROCESS_METRICS = {
  rss: {
    kind: "gauge",
    name: "process_resident_memory_bytes",
    help: "Resident memory size of the whole process (all threads), bytes",
    labels: [],
  },
} as const satisfies MetricTable

export interface ProcessMetrics {
  stop(): void
}

export function startProcessMetrics(o: { registry: Registry; intervalMs?: number; rss?: () => number }): ProcessMetrics {
  const gauge = registerMetrics(o.registry, PROCESS_METRICS).rss
  const rss = o.rss ?? (() => process.memoryUsage.rss())
  const sample = () => gauge.set(rss())
  sample()
  const timer = setInterval(sample, o.intervalMs ?? 5_000)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
