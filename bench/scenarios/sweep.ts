/**
 * `sweep`: `backfill` (default) or `frontier` (--sweep-of frontier, or --target real) over a grid
 * of fetcher threads × max concurrency × batch size; prints every point and the best setting.
 * Backfill points share one simulator, one ceiling measurement and one database (distinct id
 * ranges) and run without ClickHouse, so the ranking is about the fetch → Postgres path; the
 * score is PGCR/s (and its ratio to the ceiling). Frontier points start at the live frontier;
 * the score is the lowest p99 lag, then p50.
 */
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { type CrawlSettings, resolveCrawlSettings } from "../lib/defaults.ts"
import { buildGrid, computeWinningMargin, type GridPoint, pickBest } from "../lib/grid.ts"
import type { Row } from "../lib/report.ts"
import type { Scenario, ScenarioContext, ScenarioOutput } from "../lib/scenario.ts"
import { computeRatio } from "../lib/stats.ts"
import { BACKFILL_OFFSET, measureBackfill } from "./backfill.ts"
import { CEILING_OFFSET, measureCeiling, spawnBackfillSim } from "./ceiling.ts"
import { describeFrontierRow, measureFrontier, requireRealTarget, spawnFrontierSim } from "./frontier.ts"

function toSettings(base: CrawlSettings, p: GridPoint): CrawlSettings {
  return { ...base, fetchers: p.fetchers, maxConcurrency: p.maxConcurrency, batchSize: p.batchSize }
}

async function sweepBackfill(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const base = resolveCrawlSettings(ctx.args)
  const grid = ctx.quick
    ? buildGrid({ fetchers: [1, 2], concurrency: [32, 96], batch: [200, 1000] })
    : buildGrid({ fetchers: [1, 2, 3, 4], concurrency: [16, 32, 64, 128], batch: [100, 500, 2000] })
  const perPointSeconds = ctx.args.seconds ?? (ctx.quick ? 5 : 20)
  const sim = await spawnBackfillSim()
  const db = await createTestDatabase({ migrate: true, max: 4 })
  try {
    const ceiling = await measureCeiling(ctx, sim, sim.startId - CEILING_OFFSET, ctx.quick ? 6 : 15)
    const ids = Math.max(3_000, Math.round(ceiling.pgcrPerSecond * perPointSeconds))
    const rows: Row[] = []
    const scores: number[] = []
    const points = []
    let from = sim.startId - BACKFILL_OFFSET
    for (const [i, p] of grid.entries()) {
      const m = await measureBackfill(ctx, sim, toSettings(base, p), from, ids, {
        clickhouse: false,
        db,
        label: `sweep ${i + 1}/${grid.length}`,
      })
      from += BigInt(ids) + 1_000n
      scores.push(m.pgcrPerSecond)
      points.push(m)
      rows.push({
        fetchers: p.fetchers,
        concurrency: p.maxConcurrency,
        batch: p.batchSize,
        "PGCR/s": m.pgcrPerSecond,
        "ratio to ceiling": computeRatio(m.pgcrPerSecond, ceiling.pgcrPerSecond),
        "raids stored/s": m.raidsStoredPerSecond,
        "bench cores": m.cpu.benchCores,
        "sim cores": m.cpu.simCores,
      })
    }
    const best = pickBest(scores)
    const b = grid[best]
    return {
      title: `sweep of backfill — ${grid.length} settings, ${ids} ids each, ceiling ${ceiling.pgcrPerSecond.toFixed(0)} PGCR/s measured first`,
      tables: [{ rows }],
      result: { of: "backfill", ceiling, grid, points, best: b ?? null },
      notes: [
        b
          ? `best: --fetchers ${b.fetchers} --max-concurrency ${b.maxConcurrency} --batch-size ${b.batchSize} (${scores[best]!.toFixed(0)} PGCR/s, ${computeRatio(scores[best]!, ceiling.pgcrPerSecond).toFixed(2)} of ceiling)`
          : "best: none (no point finished)",
        describeMargin(scores),
      ],
    }
  } finally {
    await db.drop().catch(() => {})
    await sim.stop()
  }
}

/** Points run one after another on a shared box: a win under 15 % is within run-to-run noise. */
function describeMargin(scores: readonly number[]): string {
  const margin = computeWinningMargin(scores.map((s) => (s < 0 ? 1 / -s : s)))
  if (!Number.isFinite(margin)) return "margin: n/a"
  return margin < 0.15
    ? `the best beats the runner-up by ${(margin * 100).toFixed(0)} %: within run-to-run noise (15 %), so no setting is clearly better here`
    : `the best beats the runner-up by ${(margin * 100).toFixed(0)} %`
}

async function sweepFrontier(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const base = resolveCrawlSettings(ctx.args)
  const real = ctx.args.target === "real" ? requireRealTarget() : null
  const grid = ctx.quick
    ? buildGrid({ fetchers: [base.fetchers], concurrency: [base.maxConcurrency], batch: [50, 500] })
    : buildGrid({ fetchers: [1, 2], concurrency: real ? [8, 16] : [32, 64], batch: [50, 200, 1000] })
  const timing = ctx.quick
    ? { warmupSeconds: 10, measureSeconds: 35, tailSeconds: 15 }
    : { warmupSeconds: 20, measureSeconds: ctx.args.seconds ?? 120, tailSeconds: 40 }
  const sim = real ? null : await spawnFrontierSim()
  try {
    const rows: Row[] = []
    const scores: number[] = []
    const points = []
    for (const [i, p] of grid.entries()) {
      const m = await measureFrontier(ctx, toSettings(base, p), timing, sim ? { sim } : { real: real! }, `sweep ${i + 1}/${grid.length}`)
      points.push(m)
      rows.push(describeFrontierRow(m))
      // Against the sim, lag from each id's complete version: what the settings control (an
      // incomplete first version's minutes are the world's, not the crawler's). Lower p99 wins;
      // p50 breaks near-ties.
      const lag = m.publication?.lagFromCompleteSeconds ?? m.completionLagSeconds
      scores.push(-(lag.p99 + lag.p50 / 100))
    }
    const best = pickBest(scores)
    const b = grid[best]
    return {
      title: `sweep of frontier — ${grid.length} settings against ${real ? "Bungie" : "the live simulator"}`,
      tables: [{ rows }],
      result: { of: "frontier", grid, points, best: b ?? null },
      notes: [
        b
          ? `best: --fetchers ${b.fetchers} --max-concurrency ${b.maxConcurrency} --batch-size ${b.batchSize} (lowest p99 lag${sim ? " from the complete version" : ""})`
          : "best: none",
        describeMargin(scores),
        ...(sim
          ? [
              "points run one after another on the same live world, so each meets different late clumps and bursts: a single quick sweep ranks settings only roughly",
            ]
          : []),
      ],
    }
  } finally {
    await sim?.stop()
  }
}

export const sweepScenario: Scenario = {
  name: "sweep",
  summary: "backfill (or --sweep-of frontier) over fetcher threads × concurrency × batch size; prints the best setting",
  core: true,
  supportsReal: true,
  run: (ctx) => (ctx.args.sweepOf === "frontier" || ctx.args.target === "real" ? sweepFrontier(ctx) : sweepBackfill(ctx)),
}
