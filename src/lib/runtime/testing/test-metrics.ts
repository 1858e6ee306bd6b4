/** A small metric table for the runtime's tests (apps have their own tables). */
import type { MetricTable } from "../../monitoring/metric-table.ts"

export const TEST_METRICS = {
  requests: { kind: "counter", name: "test_requests_total", help: "requests", labels: ["result", "address"], scope: "worker" },
  lag: { kind: "histogram", name: "test_lag_seconds", help: "lag", labels: [], buckets: [1, 2, 5, 10], scope: "worker" },
  depth: { kind: "gauge", name: "test_queue_depth", help: "depth", labels: ["queue"], scope: "worker" },
  lowWater: { kind: "gauge", name: "test_low_water_mark", help: "low water", labels: [], scope: "main" },
} as const satisfies MetricTable

export interface TestWorkerInit {
  requests: number
  lagSeconds: number
  /** Throw from setup with this message. */
  failSetup?: string
}
export type TestWorkerIn = { type: "echo"; value: string } | { type: "explode" }
export type TestWorkerOut = { type: "echoed"; value: string } | { type: "finished"; requests: number }
