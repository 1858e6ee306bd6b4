/**
 * Metrics of the subscription delivery stage (registered in hermes's registry next to its queue
 * metrics, which cover the three stages per queue). Labels are closed sets: never a URL, a
 * destination id or anything a user typed, so no secret can reach a label.
 */
import type { Registry } from "prom-client"
import { type MetricsOf, type MetricTable, registerMetrics } from "../../lib/monitoring/metric-table.ts"

export const SUBSCRIPTION_METRICS = {
  sends: {
    kind: "counter",
    name: "subscription_delivery_sends_total",
    help: "POSTs to subscription destinations by channel (discord_webhook, http_callback) and result: success, rate_limited, rejected (permanent 4xx), error (5xx, network, timeout).",
    labels: ["channel_type", "status"],
  },
  outcomes: {
    kind: "counter",
    name: "subscription_deliveries_total",
    help: "Deliveries settled by the delivery stage: sent, failed, retry, duplicate (already sent), abandoned (an attempt died mid-POST), skipped (destination inactive).",
    labels: ["channel_type", "outcome"],
  },
  deactivations: {
    kind: "counter",
    name: "subscription_destination_deactivations_total",
    help: "Destinations deactivated after consecutive delivery failures.",
    labels: ["channel_type"],
  },
} as const satisfies MetricTable

export type SubscriptionMetrics = MetricsOf<typeof SUBSCRIPTION_METRICS>

export function registerSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  return registerMetrics(registry, SUBSCRIPTION_METRICS)
}

export type SendStatus = "success" | "rate_limited" | "rejected" | "error"
export type DeliveryOutcome = "sent" | "failed" | "retry" | "duplicate" | "abandoned" | "skipped"
