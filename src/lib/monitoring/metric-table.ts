/**
 * Metrics as data: each app declares its series once in a table (name, help, labels, buckets and
 * the thread scope that records it), registers the table (or one scope of it) in a prom-client
 * Registry, and gets typed metric objects back. Dashboards and alert rules are checked against
 * these tables, so a renamed series cannot silently break a panel.
 *
 * Every series aggregates by "sum": a series recorded in several threads (snapshots merged by
 * worker-metrics.ts) adds up, and a gauge set in one thread and absent in the others keeps its value.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client"

interface BaseDef {
  name: string
  help: string
  labels: readonly string[]
  /** Which thread records it (apps with several threads); absent = any. */
  scope?: string
}
export interface CounterDef extends BaseDef {
  kind: "counter"
}
export interface GaugeDef extends BaseDef {
  kind: "gauge"
}
export interface HistogramDef extends BaseDef {
  kind: "histogram"
  buckets: readonly number[]
}
export type MetricDef = CounterDef | GaugeDef | HistogramDef
export type MetricTable = Record<string, MetricDef>

type MetricFor<D> = D extends { kind: "counter"; labels: readonly (infer L extends string)[] }
  ? Counter<L>
  : D extends { kind: "gauge"; labels: readonly (infer L extends string)[] }
    ? Gauge<L>
    : D extends { kind: "histogram"; labels: readonly (infer L extends string)[] }
      ? Histogram<L>
      : never

type KeysInScope<T extends MetricTable, S> = { [K in keyof T]: S extends undefined ? K : T[K]["scope"] extends S ? K : never }[keyof T]

/** The typed metric objects of a table, or of the entries of one scope. */
export type MetricsOf<T extends MetricTable, S extends string | undefined = undefined> = { [K in KeysInScope<T, S>]: MetricFor<T[K]> }

/** Registers the table's series (all, or those of `scope`) in `registry`. */
export function registerMetrics<T extends MetricTable, S extends string | undefined = undefined>(
  registry: Registry,
  table: T,
  scope?: S,
): MetricsOf<T, S> {
  const out: Record<string, Counter | Gauge | Histogram> = {}
  for (const [key, def] of Object.entries(table)) {
    if (scope !== undefined && def.scope !== scope) continue
    const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry], aggregator: "sum" as const }
    if (def.kind === "counter") out[key] = new Counter(common)
    else if (def.kind === "gauge") out[key] = new Gauge(common)
    else out[key] = new Histogram({ ...common, buckets: [...def.buckets] })
  }
  return out as unknown as MetricsOf<T, S>
}

/** The exposition names a table produces (histograms also expose _bucket, _sum and _count). */
export function listExposedNames(table: MetricTable): string[] {
  return Object.values(table).flatMap((def) =>
    def.kind === "histogram" ? [def.name, `${def.name}_bucket`, `${def.name}_sum`, `${def.name}_count`] : [def.name],
  )
}
