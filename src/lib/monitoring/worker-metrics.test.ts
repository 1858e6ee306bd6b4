import { expect, test } from "bun:test"
import { Counter, Registry } from "prom-client"
import { createHeldSnapshots, createWorkerMetricsAggregator, type MetricsSnapshot } from "./worker-metrics.ts"

async function snapshotWith(count: number): Promise<MetricsSnapshot> {
  const registry = new Registry()
  new Counter({ name: "relay_things_total", help: "things", registers: [registry] }).inc(count)
  return (await registry.getMetricsAsJSON()) as MetricsSnapshot
}

test("held snapshots reach an aggregator attached later, then each newer one; a detached one stops receiving", async () => {
  const held = createHeldSnapshots()
  held.accept("relay", await snapshotWith(1))
  held.accept("relay", await snapshotWith(3))

  const first = createWorkerMetricsAggregator(new Registry())
  const detach = held.attach(first)
  expect(await first.metrics()).toContain("relay_things_total 3")
  held.accept("relay", await snapshotWith(5))
  expect(await first.metrics()).toContain("relay_things_total 5")

  // A fleet's next crawl attaches its own aggregator; the previous one keeps its last value.
  const second = createWorkerMetricsAggregator(new Registry())
  held.attach(second)
  detach()
  held.accept("relay", await snapshotWith(8))
  expect(await second.metrics()).toContain("relay_things_total 8")
  expect(await first.metrics()).toContain("relay_things_total 5")
})
