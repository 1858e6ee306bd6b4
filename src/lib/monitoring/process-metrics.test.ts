import { expect, test } from "bun:test"
import { Registry } from "prom-client"
import { startProcessMetrics } from "./process-metrics.ts"

test("process_resident_memory_bytes is set at once and follows the process's RSS until stopped", async () => {
  const registry = new Registry()
  let rss = 150 * 1_048_576
  const metrics = startProcessMetrics({ registry, intervalMs: 10, rss: () => rss })
  expect(await registry.metrics()).toContain(`process_resident_memory_bytes ${150 * 1_048_576}`)
  rss = 120 * 1_048_576
  await Bun.sleep(60)
  expect(await registry.metrics()).toContain(`process_resident_memory_bytes ${120 * 1_048_576}`)
  metrics.stop()
  rss = 1
  await Bun.sleep(40)
  expect(await registry.metrics()).toContain(`process_resident_memory_bytes ${120 * 1_048_576}`)
})

test("by default it reads this process's real RSS", async () => {
  const registry = new Registry()
  const metrics = startProcessMetrics({ registry })
  metrics.stop()
  const value = Number(/process_resident_memory_bytes (\d+)/.exec(await registry.metrics())?.[1])
  // A Bun process is tens of MB resident; far from 0 and from terabytes.
  expect(value).toBeGreaterThan(10 * 1_048_576)
  expect(value).toBeLessThan(16 * 1_073_741_824)
})
