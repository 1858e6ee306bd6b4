import { expect, test } from "bun:test"
import { Registry } from "prom-client"
import { formatAttemptsLabel, observeCrawlSummaryLag } from "./crawl-summary.ts"
import { registerAtlasWorkerMetrics } from "./metrics.ts"

test("attempts label: the attempt count up to 9, then 10+", () => {
  expect([0, 1, 2, 9, 10, 250].map(formatAttemptsLabel)).toEqual(["1", "1", "2", "9", "10+", "10+"])
})

test("the lag is now minus completion in seconds, labelled with the original's status codes", async () => {
  const registry = new Registry()
  const m = registerAtlasWorkerMetrics(registry)
  observeCrawlSummaryLag(m.crawlSummaryLag, "raid", 1, 1_000_000, 1_031_000)
  observeCrawlSummaryLag(m.crawlSummaryLag, "nonRaid", 3, 1_000_000, 1_004_000)
  observeCrawlSummaryLag(m.crawlSummaryLag, "nonRaid", 3, Number.NaN, 1_004_000)
  const text = await registry.metrics()
  expect(text).toContain('pgcr_crawl_summary_lag_seconds_sum{status="1",attempts="1"} 31')
  expect(text).toContain('pgcr_crawl_summary_lag_seconds_count{status="2",attempts="3"} 1')
  // 31 s falls in the 35 s bucket, not the 30 s one.
  expect(text).toContain('pgcr_crawl_summary_lag_seconds_bucket{le="30",status="1",attempts="1"} 0')
  expect(text).toContain('pgcr_crawl_summary_lag_seconds_bucket{le="35",status="1",attempts="1"} 1')
})
