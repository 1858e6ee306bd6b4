/**
 * What Prometheus can hold, from the code: every exposition name of every metric table in
 * src/apps/metric-tables.ts with its labels (plus the target labels job and instance, and le on
 * histogram buckets), and the series Prometheus makes itself.
 */
import { listMetricDefs, PROMETHEUS_SERIES } from "../../apps/metric-tables.ts"
import type { MetricDef } from "../../lib/monitoring/metric-table.ts"
import type { Selector } from "../promql-selectors.ts"

export interface KnownSeries {
  /** Label names a selector on it may match; null = any (Prometheus's own series). */
  labels: ReadonlySet<string> | null
  jobs: string[]
}

const TARGET_LABELS = ["job", "instance"]

function exposedSeries(def: MetricDef): { name: string; labels: string[] }[] {
  const labels = [...def.labels, ...TARGET_LABELS]
  if (def.kind !== "histogram") return [{ name: def.name, labels }]
  // A classic histogram has no series under its bare name.
  return [
    { name: `${def.name}_bucket`, labels: [...labels, "le"] },
    { name: `${def.name}_sum`, labels },
    { name: `${def.name}_count`, labels },
  ]
}

export function buildKnownSeries(extra: Readonly<Record<string, readonly string[]>> = {}): Map<string, KnownSeries> {
  const known = new Map<string, KnownSeries>()
  for (const name of PROMETHEUS_SERIES) known.set(name, { labels: null, jobs: [] })
  for (const { job, def } of listMetricDefs()) {
    for (const series of exposedSeries(def)) {
      const entry = known.get(series.name)
      if (entry) entry.jobs.push(job)
      else known.set(series.name, { labels: new Set(series.labels), jobs: [job] })
    }
  }
  for (const [name, labels] of Object.entries(extra)) {
    if (!known.has(name)) known.set(name, { labels: new Set([...labels, ...TARGET_LABELS]), jobs: [] })
  }
  return known
}

/** Problems of one selector: an unknown metric, or a matcher on a label it does not have. */
export function checkSelector(known: ReadonlyMap<string, KnownSeries>, selector: Selector): string[] {
  const entry = known.get(selector.metric)
  if (!entry) return [`${selector.metric}: no app exports it`]
  if (entry.labels === null) return []
  return selector.labels.filter((l) => l !== "__name__" && !entry.labels!.has(l)).map((l) => `${selector.metric}: has no label ${l}`)
}
