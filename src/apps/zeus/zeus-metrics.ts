/**
 * Zeus's series, once. The first three keep the names (and labels) of the original zeus, which
 * its dashboards use; the rest show the parts the original did not have: the learned limits per
 * address, the fair queue, and the answers zeus gives itself.
 */
import type { Registry } from "prom-client"
import { type MetricsOf, type MetricTable, registerMetrics } from "../../lib/monitoring/metric-table.ts"

/** Milliseconds: a loopback hop (~1 ms) up to a request that waited out a whole deadline. */
export const DURATION_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 15000, 30000]

export const ZEUS_METRIC_DEFS = {
  requests: {
    kind: "counter",
    name: "zeus_requests_total",
    help: "Requests zeus sent to Bungie, by host type (stats|www) and Bungie's HTTP status (0 = no answer: connection failed or timed out)",
    labels: ["endpoint_type", "status"],
  },
  duration: {
    kind: "histogram",
    name: "zeus_request_duration_ms",
    help: "Receipt of a request to zeus's answer headers (queue wait included), for answers that came from Bungie",
    labels: ["endpoint_type"],
    buckets: DURATION_BUCKETS_MS,
  },
  limiterWait: {
    kind: "histogram",
    name: "zeus_rate_limiter_wait_ms",
    help: "Receipt of a request to its (last) dispatch to Bungie: time spent waiting for the limiter and the fair queue",
    labels: ["endpoint_type"],
    buckets: DURATION_BUCKETS_MS,
  },
  localAnswers: {
    kind: "counter",
    name: "zeus_local_answers_total",
    help: "Answers zeus gave itself without Bungie's (ZeusQueueTimeout, ZeusQueueFull, ZeusShuttingDown, ZeusUpstreamError, SystemDisabled during a maintenance pause)",
    labels: ["endpoint_type", "reason"],
  },
  outcomes: {
    kind: "counter",
    name: "zeus_limiter_outcomes_total",
    help: "What each request to Bungie told the limiter (ok, notFound, blocked, badFormat, throttled, serverThrottled, disabled, transient), by source address",
    labels: ["address", "outcome"],
  },
  throttleRetries: {
    kind: "counter",
    name: "zeus_throttle_retries_total",
    help: "Requests sent again from another address after a per-address throttle (the caller never saw that throttle)",
    labels: ["address"],
  },
  refused: {
    kind: "counter",
    name: "zeus_refused_requests_total",
    help: "Requests refused before queueing: network (caller outside ZEUS_ALLOWED_NETWORKS), path (not Bungie's), method, size",
    labels: ["reason"],
  },
  settings: {
    kind: "counter",
    name: "zeus_settings_requests_total",
    help: "Settings requests (served outside the queue), answered from the short cache or from Bungie",
    labels: ["source"],
  },
  clientDispatched: {
    kind: "counter",
    name: "zeus_client_dispatched_total",
    help: "Permits given to each caller (x-raidhub-client tag): its share of the egress",
    labels: ["client"],
  },
  clientQueued: {
    kind: "gauge",
    name: "zeus_client_queue_length",
    help: "Requests waiting per caller",
    labels: ["client"],
  },
  queueLength: { kind: "gauge", name: "zeus_queue_length", help: "Requests waiting in zeus's fair queue", labels: [] },
  inFlight: { kind: "gauge", name: "zeus_in_flight", help: "Requests zeus has in flight to Bungie", labels: [] },
  concurrencyLimit: {
    kind: "gauge",
    name: "zeus_concurrency_limit",
    help: "Most requests in flight the limiter allows now (follows latency)",
    labels: [],
  },
  paused: {
    kind: "gauge",
    name: "zeus_paused",
    help: "1 while every address is paused (reason: serverThrottled = 1672/503, disabled = maintenance, manual)",
    labels: ["reason"],
  },
  addressRate: {
    kind: "gauge",
    name: "zeus_address_rate",
    help: "Requests per second sent from each source address over the limiter's rolling window",
    labels: ["address"],
  },
  addressCeiling: {
    kind: "gauge",
    name: "zeus_address_ceiling",
    help: "Ceiling (req/s) the limiter holds each address under, learned from throttle answers",
    labels: ["address"],
  },
  addressLearnedLimit: {
    kind: "gauge",
    name: "zeus_address_learned_limit",
    help: "Rate (req/s) at which each address was last throttled (absent before its first throttle)",
    labels: ["address"],
  },
  addressPaused: {
    kind: "gauge",
    name: "zeus_address_paused",
    help: "1 while an address waits out a throttle (ThrottleSeconds)",
    labels: ["address"],
  },
} as const satisfies MetricTable

export type ZeusMetrics = MetricsOf<typeof ZEUS_METRIC_DEFS>

export function registerZeusMetrics(registry: Registry): ZeusMetrics {
  return registerMetrics(registry, ZEUS_METRIC_DEFS)
}
