/**
 * `frontier`: Atlas following a live simulator (`calm`: 50 new ids/s with noise, bursts, late
 * batches, skipped/lost ids, incomplete first versions, realistic latency, 25 req/s per source
 * address) from the moment the sim starts. Lag = stored (raw.pgcr.date_crawled, the writer
 * transaction's start) − publication (the sim's truth), for every raid/Pantheon id published
 * inside the measurement window. Targets: bench/lib/targets.ts.
 *
 * --target real: the same crawl against Bungie (BUNGIE_API_KEY required; read-only, the limiter
 * at its default polite ceiling); without truth, lag is measured from completion
 * (date_crawled − date_completed), which includes Bungie's own publication delay.
 */

import { DEFAULT_RETRY_POLICY } from "../../src/apps/atlas/shared/retry-policy.ts"
import { loadConfig } from "../../src/lib/config/load-config.ts"
import { startBenchAtlas } from "../lib/atlas-run.ts"
import { type CpuShare, startCpuWindow } from "../lib/cpu.ts"
import { type CrawlSettings, resolveCrawlSettings, SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import { computeFrontierFloor, type FloorId, type FloorReport } from "../lib/frontier-floor.ts"
import { computePublicationLag, type LagReport } from "../lib/lag.ts"
import type { Row } from "../lib/report.ts"
import { RefusedError, type Scenario, type ScenarioContext } from "../lib/scenario.ts"
import { type SimProcess, spawnSim, type TruthId } from "../lib/sim-process.ts"
import { type Distribution, summarize } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"
import { listSourceAddresses } from "./limiter.ts"

/** Limiter settings for --target real. */
export const REAL_LIMITER = { initialCeiling: 15, maxCeiling: 20 } as const

export interface FrontierTiming {
  warmupSeconds: number
  measureSeconds: number
  /** After the window: time for the window's ids to be stored before Atlas stops. */
  tailSeconds: number
}

export interface FrontierMeasurement {
  settings: CrawlSettings
  addresses: string[]
  timing: FrontierTiming
  /** null with --target real (no truth). */
  publication: LagReport | null
  /** The discovery floor of the same window at the same 404 target (frontier-floor.ts); null without truth. */
  floor: FloorReport | null
  /** The floor at larger 404 shares: what a looser target would buy. */
  floorByShare: { share404: number; p50: number; p90: number }[]
  completionLagSeconds: Distribution
  raidsStored: number
  requests: Record<string, number>
  cpu: CpuShare
  timeline: Record<string, string | number | null>[]
}

/** Refuses --target real without a key, with the reason. */
export function requireRealTarget(): { baseUrl: string; apiKey: string; sourceAddresses: string[] } {
  const apiKey = process.env.BUNGIE_API_KEY
  if (!apiKey) {
    throw new RefusedError(
      "--target real needs BUNGIE_API_KEY (a Bungie application key; the benchmark only reads PGCRs, politely rate-limited). Set it, or use --target sim.",
    )
  }
  const config = loadConfig(["shared", "atlas"], process.env)
  return { baseUrl: config.BUNGIE_BASE_URL, apiKey, sourceAddresses: [...config.ATLAS_SOURCE_ADDRESSES] }
}

export function spawnFrontierSim(): Promise<SimProcess> {
  return spawnSim({ scenario: "calm", seed: SIM_SEED })
}

export async function measureFrontier(
  ctx: ScenarioContext,
  s: CrawlSettings,
  timing: FrontierTiming,
  target: { sim: SimProcess } | { real: ReturnType<typeof requireRealTarget> },
  label = "frontier",
): Promise<FrontierMeasurement> {
  const sim = "sim" in target ? target.sim : null
  const real = "real" in target ? target.real : null
  const addresses = sim ? listSourceAddresses(ctx.args.addresses ?? 4) : real!.sourceAddresses
  // Start at the live frontier (a sweep's later points find the sim long past its start id).
  const from = sim ? BigInt((await sim.truth(sim.startId, sim.startId + 1n)).frontier.newestPublishedId ?? sim.startId.toString()) : null
  const cpuWindow = startCpuWindow(sim?.pid ?? null)
  const t0 = Date.now()
  const run = await startBenchAtlas({
    crawler: `bench-frontier-${t0}`,
    from,
    to: null,
    baseUrl: sim ? sim.url : real!.baseUrl,
    apiKey: sim ? SIM_API_KEY : real!.apiKey,
    fetchers: s.fetchers,
    maxConcurrency: sim ? s.maxConcurrency : Math.min(16, s.maxConcurrency),
    batchSize: s.batchSize,
    batchMs: s.batchMs,
    heapTrimMs: s.heapTrimMs,
    target404Share: s.target404Share,
    sourceAddresses: addresses,
    frontierHint: sim ? sim.startId - 1n : null,
    clickhouse: false,
    // Polite against Bungie: well under its ~25 req/s per address, never probing above 20.
    limiterOptions: sim ? undefined : REAL_LIMITER,
  })
  try {
    const total = timing.warmupSeconds + timing.measureSeconds + timing.tailSeconds
    ctx.progress(
      `${label}: ${s.fetchers} fetchers, concurrency ${s.maxConcurrency}, batch ${s.batchSize}/${s.batchMs} ms, ${addresses.length} addresses; ${timing.warmupSeconds}s warm-up + ${timing.measureSeconds}s window + ${timing.tailSeconds}s tail`,
    )
    // A timeline every second (progress printed every 10 s): how far the claim cursor trails the
    // sim's newest published id, and the controller's view (ceiling, estimate, lead, 404 share)
    // — the story behind the lag, at the resolution the controller acts on.
    const timeline: Record<string, string | number | null>[] = []
    for (let elapsed = 0; elapsed < total; elapsed += 1) {
      await Bun.sleep(Math.min(1, total - elapsed) * 1000)
      const st = run.atlas.status()
      const newest = sim ? (await sim.truth(sim.startId, sim.startId + 1n)).frontier.newestPublishedId : null
      const d = st.decision
      const point = {
        t: Math.min(total, elapsed + 1),
        newestPublished: newest,
        cursor: st.cursor.toString(),
        behind: newest === null ? null : Number(BigInt(newest) - st.cursor),
        ceiling: st.ceiling.toString(),
        estimate: d?.frontierEstimate?.toString() ?? null,
        leadSec: d ? Math.round(d.leadSec * 100) / 100 : null,
        share404: d ? Math.round(d.share404 * 1000) / 1000 : null,
        raidsStored: st.raidsStored,
      }
      timeline.push(point)
      if (point.t % 10 === 0 || point.t === total) {
        ctx.progress(
          `${label}: t=${point.t}s cursor ${point.cursor}${newest ? ` (${point.behind} behind newest published)` : ""} ceiling ${point.ceiling} estimate ${point.estimate} lead ${point.leadSec}s 404 share ${point.share404} raids stored ${point.raidsStored}`,
        )
      }
    }
    const stoppedAt = Date.now()
    const result = await run.atlas.stop()
    const cpu = cpuWindow.stop()
    const windowFrom = t0 + timing.warmupSeconds * 1000
    const windowTo = windowFrom + timing.measureSeconds * 1000
    const rows = await run.db.sql.unsafe<{ id: string; crawled: string; completed: string | null }[]>(
      `select p.instance_id::text as id, (extract(epoch from p.date_crawled) * 1000)::float8::text as crawled,
              (extract(epoch from i.date_completed) * 1000)::float8::text as completed
       from raw.pgcr p left join core.instance i using (instance_id)`,
    )
    const storedAt = new Map(rows.map((r) => [r.id, Number(r.crawled)]))
    const completionLag = rows
      .filter((r) => r.completed !== null && Number(r.crawled) >= windowFrom && Number(r.crawled) < windowTo)
      .map((r) => (Number(r.crawled) - Number(r.completed)) / 1000)
    let publication: LagReport | null = null
    let floor: FloorReport | null = null
    const floorByShare: FrontierMeasurement["floorByShare"] = []
    if (sim) {
      // The truth endpoint answers at most 200,000 ids per call: walk up to the sim's counter.
      const ids: TruthId[] = []
      for (let a = from!; ; a += 200_000n) {
        const chunk = await sim.truth(a, a + 200_000n)
        ids.push(...chunk.ids)
        if (a + 200_000n >= BigInt(chunk.frontier.nextId)) break
      }
      const published = ids
        .filter((t) => (t.kind === "raid" || t.kind === "pantheon") && t.publishedAt !== null && t.state === "published")
        .map((t) => ({ id: t.id, publishedAt: t.publishedAt!, incompleteUntil: t.incompleteUntil }))
      publication = computePublicationLag(published, storedAt, { from: windowFrom, to: windowTo }, stoppedAt)
      const window = floorIds(ids, windowFrom, windowTo)
      const floorAt = (share404: number) =>
        computeFrontierFloor(window, { share404, retryScheduleMs: DEFAULT_RETRY_POLICY.notFoundScheduleMs })
      floor = floorAt(s.target404Share)
      for (const share404 of [0.05, 0.1, 0.2]) {
        const f = floorAt(share404)
        floorByShare.push({ share404, p50: f.lagSeconds.p50, p90: f.lagSeconds.p90 })
      }
    }
    return {
      settings: s,
      addresses,
      timing,
      publication,
      floor,
      floorByShare,
      completionLagSeconds: summarize(completionLag),
      raidsStored: result.status.raidsStored,
      requests: result.status.requests,
      cpu,
      timeline,
    }
  } finally {
    await run.close()
  }
}

/**
 * The window's ids in id order for the floor: from the first created 15 s before the window (the
 * predictor's fit) to the last created in it; measured: the raid and Pantheon ids published in
 * the window, as the lag counts them.
 */
function floorIds(ids: readonly TruthId[], windowFrom: number, windowTo: number): FloorId[] {
  const sorted = [...ids].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
  const first = sorted.findIndex((t) => t.createdAt !== null && t.createdAt >= windowFrom - 15_000)
  const last = sorted.findLastIndex((t) => t.createdAt !== null && t.createdAt < windowTo)
  if (first < 0 || last < first) return []
  // Skipped, lost and dead ids between them are tried and answer 404 like Bungie's: never published.
  return sorted.slice(first, last + 1).map((t) => {
    const publishedAt = t.state === "published" || t.state === "pending" ? t.publishedAt : null
    return {
      publishedAt,
      measured: (t.kind === "raid" || t.kind === "pantheon") && publishedAt !== null && publishedAt >= windowFrom && publishedAt < windowTo,
    }
  })
}

export function describeFrontierRow(m: FrontierMeasurement): Row {
  const p = m.publication
  return {
    fetchers: m.settings.fetchers,
    concurrency: m.settings.maxConcurrency,
    batch: m.settings.batchSize,
    "batch ms": m.settings.batchMs,
    "404 target": m.settings.target404Share,
    ...(p
      ? {
          "raids in window": p.published,
          unstored: p.unstored,
          "lag p50 s": p.lagSeconds.p50,
          "lag p90 s": p.lagSeconds.p90,
          "lag p99 s": p.lagSeconds.p99,
          "lag max s": p.lagSeconds.max,
          "p99 w/o incomplete s": p.lagCompleteSeconds.p99,
          "from complete p50 s": p.lagFromCompleteSeconds.p50,
          "from complete p99 s": p.lagFromCompleteSeconds.p99,
        }
      : {}),
    "from completion p50 s": m.completionLagSeconds.p50,
    "from completion p99 s": m.completionLagSeconds.p99,
  }
}

export function describeTiming(quick: boolean, seconds: number | null): FrontierTiming {
  return { warmupSeconds: quick ? 45 : 180, measureSeconds: seconds ?? (quick ? 75 : 240), tailSeconds: quick ? 20 : 60 }
}

function describeFloor(floor: FloorReport, p: LagReport, target: number): string {
  const f = floor.lagSeconds
  return (
    `discovery floor at the ${target} 404 target (frontier-floor.ts: each id tried at a time predicted from the exact publication ` +
    `times of the ids below it, 404s retried on Atlas's schedule): p50 ${f.p50.toFixed(2)} s, p90 ${f.p90.toFixed(2)} s, ` +
    `p99 ${f.p99.toFixed(2)} s over ${f.count} ids, first tries ${(floor.offsetMs / 1000).toFixed(2)} s after the prediction, ` +
    `404 share ${floor.share404.toFixed(3)} (never-published ids alone ${floor.neverPublishedShare.toFixed(3)}); ` +
    `measured p50 ÷ floor p50 = ${(p.lagSeconds.p50 / f.p50).toFixed(2)}`
  )
}

export const frontierScenario: Scenario = {
  name: "frontier",
  summary: "Atlas following a live sim (50 ids/s, batches, delays, throttle); lag publication → stored p50/p99",
  core: true,
  supportsReal: true,
  async run(ctx) {
    const s = resolveCrawlSettings(ctx.args)
    const timing = describeTiming(ctx.quick, ctx.args.seconds)
    const real = ctx.args.target === "real" ? requireRealTarget() : null
    const sim = real ? null : await spawnFrontierSim()
    try {
      const m = await measureFrontier(ctx, s, timing, sim ? { sim } : { real: real! })
      const p = m.publication
      const notes = p
        ? [
            checkTarget("frontierP50", p.lagSeconds.p50),
            checkTarget("frontierP99", p.lagSeconds.p99),
            checkTarget("frontierCompleteP99", p.lagFromCompleteSeconds.p99),
            ...(m.floor ? [describeFloor(m.floor, p, m.settings.target404Share)] : []),
            ...(m.floorByShare.length > 0
              ? [
                  `discovery floor at looser 404 targets: ${m.floorByShare.map((f) => `${f.share404}: p50 ${f.p50.toFixed(2)} s, p90 ${f.p90.toFixed(2)} s`).join("; ")}`,
                ]
              : []),
            `${p.published} raid/Pantheon ids published in the ${timing.measureSeconds}s window, ${p.unstored} not stored when Atlas stopped (counted with their lag at stop); p99 without ids whose first version was incomplete: ${p.lagCompleteSeconds.p99.toFixed(1)} s; from the complete version (publication, or the end of an incomplete first version) p50 ${p.lagFromCompleteSeconds.p50.toFixed(1)} s, p99 ${p.lagFromCompleteSeconds.p99.toFixed(1)} s`,
          ]
        : [
            `--target real: lag from completion (includes Bungie's publication delay); ${m.completionLagSeconds.count} raids stored in the window`,
          ]
      notes.push(`requests by result: ${JSON.stringify(m.requests)}; addresses ${m.addresses.join(", ") || "(default route)"}`)
      notes.push(
        `cores: bench process ${m.cpu.benchCores}${sim ? `, simulator ${m.cpu.simCores}` : ""}, postgres ${m.cpu.postgresCores} (of 2)`,
      )
      return {
        title: `frontier — Atlas following a live ${sim ? "simulator (calm, 50 ids/s)" : "Bungie API"}`,
        tables: [{ rows: [describeFrontierRow(m)] }],
        result: { ...m },
        notes,
      }
    } finally {
      await sim?.stop()
    }
  },
}
