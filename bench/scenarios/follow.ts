/**
 * `follow`: Atlas following the live `calm` simulator from an empty database (it searches the
 * frontier and starts 2,000 ids behind it, as a newcomer's run does), then stopped. Gap honesty
 * and completeness, from the simulator's truth (issue 13):
 *
 * - gap ranges covering a published id: must be 0 (a gap is never fetched again: such an id
 *   would be lost silently);
 * - published raid/Pantheon ids below the low-water mark that are stored or in the missed
 *   ledger, against all of them: must be all;
 * - what a restart would fetch again: the ids the resume state lists as unresolved, against the
 *   ids between the low-water and high-water marks (everything a restart refetched before).
 *
 * `bun run bench follow --minutes 30`; --quick follows for 30 s (under a minute with the set-up).
 */

import { loadCheckpoint } from "../../src/apps/atlas/coordinator/checkpoint.ts"
import { countRestoredIds } from "../../src/apps/atlas/coordinator/resume-state.ts"
import { startBenchAtlas } from "../lib/atlas-run.ts"
import { resolveCrawlSettings, SIM_API_KEY } from "../lib/defaults.ts"
import type { Scenario } from "../lib/scenario.ts"
import type { TruthId } from "../lib/sim-process.ts"
import { checkTarget } from "../lib/targets.ts"
import { spawnFrontierSim } from "./frontier.ts"
import { listSourceAddresses } from "./limiter.ts"

export const followScenario: Scenario = {
  name: "follow",
  summary: "Atlas following the live sim from an empty database: gaps covering published ids (0), raids below the mark stored or ledgered",
  core: false,
  async run(ctx) {
    const s = resolveCrawlSettings(ctx.args)
    const seconds = ctx.args.seconds ?? (ctx.quick ? 30 : 30 * 60)
    const sim = await spawnFrontierSim()
    const addresses = listSourceAddresses(ctx.args.addresses ?? 4)
    const crawler = `bench-follow-${Date.now()}`
    const run = await startBenchAtlas({
      crawler,
      from: null,
      to: null,
      baseUrl: sim.url,
      apiKey: SIM_API_KEY,
      fetchers: s.fetchers,
      maxConcurrency: s.maxConcurrency,
      batchSize: s.batchSize,
      batchMs: s.batchMs,
      heapTrimMs: s.heapTrimMs,
      target404Share: s.target404Share,
      sourceAddresses: addresses,
      frontierHint: sim.startId - 1n,
      clickhouse: false,
    })
    try {
      const start = run.atlas.start.start
      ctx.progress(`following from ${start} (${run.atlas.start.source}) for ${seconds}s, ${addresses.length} addresses`)
      for (let elapsed = 0; elapsed < seconds; elapsed += 10) {
        await Bun.sleep(Math.min(10, seconds - elapsed) * 1000)
        const st = run.atlas.status()
        ctx.progress(
          `t=${Math.min(seconds, elapsed + 10)}s low-water ${st.lowWater} cursor ${st.cursor} raids stored ${st.raidsStored} missed ${st.missed}`,
        )
      }
      const result = await run.atlas.stop()
      const checkpoint = (await loadCheckpoint(run.db.sql, crawler))!
      const lowWater = checkpoint.lowWater
      const highWater = checkpoint.resume?.highWater ?? checkpoint.highWater ?? lowWater

      const ids: TruthId[] = []
      for (let a = start; a < highWater; a += 200_000n) {
        const end = a + 200_000n < highWater ? a + 200_000n : highWater
        ids.push(...(await sim.truth(a, end)).ids)
      }
      const gaps = (
        await run.db.sql<
          { s: string; e: string }[]
        >`SELECT start_id::text AS s, end_id::text AS e FROM crawl.gap_range WHERE crawler = ${crawler}`
      ).map((g) => ({ from: BigInt(g.s), to: BigInt(g.e) }))
      const stored = new Set((await run.db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM core.instance`).map((r) => r.id))
      const ledger = new Set((await run.db.sql<{ id: string }[]>`SELECT instance_id::text AS id FROM crawl.missed_pgcr`).map((r) => r.id))
      let publishedInGaps = 0
      let raidsBelow = 0
      let raidsAccounted = 0
      let raidsStoredBelow = 0
      for (const t of ids) {
        const id = BigInt(t.id)
        const published = t.state === "published"
        if (published && gaps.some((g) => id >= g.from && id < g.to)) publishedInGaps++
        if (published && (t.kind === "raid" || t.kind === "pantheon") && id < lowWater) {
          raidsBelow++
          if (stored.has(t.id)) raidsStoredBelow++
          if (stored.has(t.id) || ledger.has(t.id)) raidsAccounted++
        }
      }
      const gapIds = gaps.reduce((n, g) => n + Number(g.to - g.from), 0)
      const between = Number(highWater - lowWater)
      const refetch = checkpoint.resume ? countRestoredIds(checkpoint.resume) : between
      const row = {
        seconds,
        "ids crawled": Number(highWater - start),
        "gap ranges": gaps.length,
        "ids in gaps": gapIds,
        "published ids in gaps": publishedInGaps,
        "raids below mark": raidsBelow,
        "stored or ledgered": raidsAccounted,
        stored: raidsStoredBelow,
        "ids between marks": between,
        "restart refetches": refetch,
      }
      const notes = [
        checkTarget("followPublishedInGaps", publishedInGaps),
        checkTarget("followRaidsAccounted", raidsBelow === 0 ? 1 : raidsAccounted / raidsBelow, `${raidsAccounted} of ${raidsBelow}`),
        `a restart now would fetch ${refetch} ids again (the unresolved ones) instead of the ${between} between the marks [${lowWater}, ${highWater})`,
        `raids stored ${result.status.raidsStored}, ledgered ${result.status.missed}; requests by result: ${JSON.stringify(result.status.requests)}`,
      ]
      return {
        title: `follow — Atlas following the live simulator (calm) for ${seconds}s from an empty database`,
        tables: [{ rows: [row] }],
        result: {
          ...row,
          lowWater: lowWater.toString(),
          highWater: highWater.toString(),
          gaps: gaps.map((g) => [g.from.toString(), g.to.toString()]),
        },
        notes,
      }
    } finally {
      await run.close()
      await sim.stop()
    }
  },
}
