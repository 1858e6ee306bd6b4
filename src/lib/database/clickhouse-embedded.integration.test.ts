/**
 * The embedded engine starts with our engine arguments (they are server configuration, given when
 * the data directory opens), whichever client opens it first.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import { EMBEDDED_ENGINE_ARGS } from "./clickhouse.ts"
import { createTestClickhouse, type TestClickhouse } from "./testing.ts"

let ch: TestClickhouse
beforeAll(async () => {
  ch = await createTestClickhouse({ migrate: false })
})
afterAll(async () => {
  await ch?.drop()
})

test("the embedded engine keeps at most 8 idle pool threads (max_thread_pool_free_size), not ClickHouse's 1,000", async () => {
  expect(EMBEDDED_ENGINE_ARGS).toContain("--max_thread_pool_free_size=8")
  const result = await ch.client.query({
    query: "SELECT value FROM system.server_settings WHERE name = 'max_thread_pool_free_size'",
    format: "JSONEachRow",
  })
  expect(await result.json()).toEqual([{ value: "8" }])
})
