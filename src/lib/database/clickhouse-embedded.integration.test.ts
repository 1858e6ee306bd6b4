/**
 * The embedded engine starts with our engine arguments (they are server configuration, given when
 * the data directory opens), whichever client opens it first, and gives back the library pages
 * its loader touched.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
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

test("opening the engine gives back the libchdb pages its loader touched (a fresh process: ~40 MB of them resident, not ~190)", async () => {
  if (process.platform !== "linux") return
  const dir = mkdtempSync(join(tmpdir(), "chdb-pages-"))
  // A process of its own: in this one the engine may have been open (and busy) for a while.
  const script = `
    import { readFileSync } from "node:fs"
    import { connectClickhouse } from ${JSON.stringify(new URL("./clickhouse.ts", import.meta.url).pathname)}
    import { droppableMappings, parseSmaps } from ${JSON.stringify(new URL("./library-pages.ts", import.meta.url).pathname)}
    const ch = await connectClickhouse({ dataDir: ${JSON.stringify(dir)} })
    await ch.client.query({ query: "SELECT count() FROM system.tables", format: "JSON" }).then((r) => r.json())
    const mappings = droppableMappings(parseSmaps(readFileSync("/proc/self/smaps", "utf8")), "libchdb.so")
    console.log(JSON.stringify({ mappings: mappings.length, residentKib: mappings.reduce((n, m) => n + m.rssKib, 0) }))
    await ch.close()
  `
  try {
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" })
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
    expect(code, err).toBe(0)
    const { mappings, residentKib } = JSON.parse(out.trim().split("\n").at(-1)!) as { mappings: number; residentKib: number }
    expect(mappings).toBe(2)
    expect(residentKib / 1024).toBeLessThan(100)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
