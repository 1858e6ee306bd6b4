/**
 * Every series our apps export, as the apps declare them: one entry per Prometheus scrape job
 * (ops/prometheus.yml) with the metric tables its process registers. The dashboards in
 * ops/grafana/dashboards and the rules in ops/alerts.yml are checked against this list
 * (src/ops/ops-config.test.ts), so a renamed or dropped series fails a test instead of a panel.
 *
 * An app that registers a table adds it here.
 */
import { OUTBOX_METRICS } from "../lib/messaging/outbox-monitor.ts"
import type { MetricDef, MetricTable } from "../lib/monitoring/metric-table.ts"
import { PROCESS_METRICS } from "../lib/monitoring/process-metrics.ts"
import { HEAP_TRIM_METRICS } from "../lib/runtime/heap-trim.ts"
import { SUBSCRIPTION_METRICS } from "../queues/subscriptions/subscription-metrics.ts"
import { ATLAS_METRIC_DEFS } from "./atlas/shared/metrics.ts"
import { HERMES_METRICS } from "./hermes/runtime/hermes-metrics.ts"
import { SCHEDULER_METRICS } from "./scheduler/scheduler-metrics.ts"
import { ZEUS_METRIC_DEFS } from "./zeus/zeus-metrics.ts"

export interface AppMetrics {
  /** The Prometheus job that scrapes the app (ops/prometheus.yml). */
  job: string
  tables: readonly MetricTable[]
}

export const APP_METRICS: readonly AppMetrics[] = [
  // Atlas also reports the outbox backlog of what it writes, its resident memory and its threads' heap trims.
  { job: "atlas", tables: [ATLAS_METRIC_DEFS, OUTBOX_METRICS, PROCESS_METRICS, HEAP_TRIM_METRICS] },
  // Every long-running app reports its resident memory (the overview's memory panel).
  { job: "hermes", tables: [HERMES_METRICS, SUBSCRIPTION_METRICS, PROCESS_METRICS] },
  { job: "zeus", tables: [ZEUS_METRIC_DEFS, PROCESS_METRICS] },
  { job: "scheduler", tables: [SCHEDULER_METRICS, PROCESS_METRICS] },
  // The standalone relay (`bun run relay`, not in compose: atlas and hermes host the relays)
  // exports OUTBOX_METRICS too.
]

/**
 * RabbitMQ's own series (its rabbitmq_prometheus plugin, on in the official image, port 15692,
 * path /metrics/detailed?family=queue_coarse_metrics&family=queue_metrics): per queue, including
 * the .retry and .dead queues no app samples. Names, types and labels checked against RabbitMQ
 * 3.10.8's plugin on this machine (docs/operations.md). The head message timestamp is the AMQP
 * `timestamp` property, which rabbitmq-client (relay, hermes) sets on every publish; the public
 * API's publishes lack it (NaN while such a message is at the head).
 */
export const RABBITMQ_METRICS = {
  ready: {
    kind: "gauge",
    name: "rabbitmq_detailed_queue_messages_ready",
    help: "Messages ready to be delivered to consumers",
    labels: ["vhost", "queue"],
  },
  unacked: {
    kind: "gauge",
    name: "rabbitmq_detailed_queue_messages_unacked",
    help: "Messages delivered to consumers but not yet acknowledged",
    labels: ["vhost", "queue"],
  },
  messages: {
    kind: "gauge",
    name: "rabbitmq_detailed_queue_messages",
    help: "Sum of ready and unacknowledged messages - total queue depth",
    labels: ["vhost", "queue"],
  },
  consumers: { kind: "gauge", name: "rabbitmq_detailed_queue_consumers", help: "Consumers on a queue", labels: ["vhost", "queue"] },
  headTimestamp: {
    kind: "gauge",
    name: "rabbitmq_detailed_queue_head_message_timestamp",
    help: "Timestamp of the first message in the queue, if any",
    labels: ["vhost", "queue"],
  },
} as const satisfies MetricTable

/** Scrape jobs of services that are not ours, with the series our dashboards and rules read. */
export const SERVICE_METRICS: readonly AppMetrics[] = [{ job: "rabbitmq", tables: [RABBITMQ_METRICS] }]

/**
 * Series Prometheus makes itself for every target and rule: `up` and the scrape_* series per
 * scrape, ALERTS / ALERTS_FOR_STATE per alerting rule.
 */
export const PROMETHEUS_SERIES: readonly string[] = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
  "ALERTS",
  "ALERTS_FOR_STATE",
]

/** Every metric definition (apps' and services'), with the jobs that export it. */
export function listMetricDefs(): { job: string; def: MetricDef }[] {
  return [...APP_METRICS, ...SERVICE_METRICS].flatMap(({ job, tables }) =>
    tables.flatMap((table) => Object.values(table).map((def) => ({ job, def }))),
  )
}
