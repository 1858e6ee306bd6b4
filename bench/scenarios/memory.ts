/**
 * `memory`: Atlas' resident memory at full speed, ClickHouse aside.
 * Atlas runs alone in a child process (scenarios/memory-child.ts: coordinator, fetchers,
 * pg-writer; no ch-writer, no benchmark workers) over a bounded range of the unthrottled sim
 * (its own process), sampling its RSS every 250 ms. The baseline is the child's RSS before Atlas
 * starts (Bun + modules), reported so the number can be read either way.
 */
import { join } from "node:path"
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { describeHeapTrim, resolveCrawlSettings, SIM_API_KEY } from "../lib/defaults.ts"
import type { Scenario } from "../lib/scenario.ts"
import { checkTarget } from "../lib/targets.ts"
import { BACKFILL_OFFSET } from "./backfill.ts"
import { spawnBackfillSim } from "./ceiling.ts"

interface MemoryChildResult {
  baselineMb: number
  peakMb: number
  p50Mb: number
  seconds: number
  pgcrPerSecond: number
  exit: string
}

export const memoryScenario: Scenario = {
  name: "memory",
  summary: "Atlas alone in a child process at full speed (no ClickHouse): peak and median RSS",
  core: true,
  async run(ctx) {
    const s = resolveCrawlSettings(ctx.args)
    const ids = (ctx.args.seconds ?? (ctx.quick ? 25 : 90)) * 2_000
    const sim = await spawnBackfillSim()
    const db = await createTestDatabase({ migrate: true, max: 1 })
    try {
      const from = sim.startId - BACKFILL_OFFSET
      const args = {
        url: sim.url,
        apiKey: SIM_API_KEY,
        databaseUrl: db.url,
        from: from.toString(),
        to: (from + BigInt(ids) - 1n).toString(),
        fetchers: s.fetchers,
        maxConcurrency: s.maxConcurrency,
        batchSize: s.batchSize,
        batchMs: s.batchMs,
        heapTrimMs: s.heapTrimMs,
        frontierHint: (sim.startId - 1n).toString(),
      }
      ctx.progress(
        `Atlas alone in a child process over ${ids} ids (${s.fetchers} fetchers, concurrency ${s.maxConcurrency}, batch ${s.batchSize}, ${describeHeapTrim(s.heapTrimMs)})`,
      )
      const child = Bun.spawn([process.execPath, join(import.meta.dir, "memory-child.ts"), JSON.stringify(args)], {
        stdout: "pipe",
        stderr: "inherit",
      })
      const out = await new Response(child.stdout).text()
      if ((await child.exited) !== 0) throw new Error("memory child failed")
      const r = JSON.parse(out.trim().split("\n").at(-1)!) as MemoryChildResult
      return {
        title: "memory — Atlas alone (coordinator, fetchers, pg-writer; ClickHouse aside) at full speed",
        tables: [
          {
            rows: [
              {
                ids,
                seconds: r.seconds,
                "PGCR/s": r.pgcrPerSecond,
                "baseline MB": r.baselineMb,
                "RSS p50 MB": r.p50Mb,
                "peak RSS MB": r.peakMb,
                exit: r.exit,
              },
            ],
          },
        ],
        result: { settings: s, ids, ...r },
        notes: [
          checkTarget("memoryPeakMb", r.peakMb),
          `baseline ${r.baselineMb.toFixed(0)} MB is the child before Atlas starts (Bun runtime and modules)`,
        ],
      }
    } finally {
      await db.drop().catch(() => {})
      await sim.stop()
    }
  },
}
