/**
 * `player-crawl`: the player_crawl worker in the hermes runtime against the throttled simulator
 * (25 req/s per source address over a rolling 10 s, realistic latency) with N source addresses
 * (`--addresses`, default 2), a real broker (private vhost) and Postgres.
 *
 * Two phases on the same (warm) limiter, each fed more players than it can crawl:
 *   known type:   players stored with their membership type (as the store's outbox sends them):
 *                 profile, first raid-history page, groups = 3 requests each (target <= 3)
 *   unknown type: players never seen (as the public API sends them): the first guess (Steam) is
 *                 wrong for ~45 % of them and costs one call more (target <= 4)
 * Per phase, from the simulator's own accounting over the measured window: profiles crawled per
 * second, Bungie requests per crawled player, and the accepted request rate as a share of the
 * allowed rate (the crawl spends what the addresses allow: target >= 0.9) with the throttled
 * share (target <= 0.5 %).
 */
import { startHermes } from "../../src/apps/hermes/runtime/hermes.ts"
import { createRateLimitedBungie } from "../../src/lib/bungie/rate-limited.ts"
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { connectRabbit } from "../../src/lib/messaging/rabbit-connection.ts"
import { createTestVhost } from "../../src/lib/messaging/testing/test-vhost.ts"
import { declareQueueTopology } from "../../src/lib/messaging/topology.ts"
import { createLogger } from "../../src/lib/monitoring/logger.ts"
import { createSharedLimiter } from "../../src/lib/ratelimit/index.ts"
import { createPlayerCrawlWorker } from "../../src/queues/players/player-crawl.ts"
import { SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import type { Scenario } from "../lib/scenario.ts"
import { spawnSim } from "../lib/sim-process.ts"
import { computeRatio } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"
import { listSourceAddresses } from "./limiter.ts"

const LIMIT_PER_SECOND = 25
const WINDOW_MS = 10_000
const WORKERS = 48
const log = createLogger({ level: "warn", fields: { app: "bench-player-crawl" } })

interface PhaseResult {
  phase: string
  measuredSeconds: number
  crawled: number
  requests: number
  throttled: number
  profilesPerSecond: number
  requestsPerPlayer: number
  acceptedShare: number
  throttledShare: number
}

export const playerCrawlScenario: Scenario = {
  name: "player-crawl",
  summary: "player_crawl profiles/s against the throttled sim (25 req/s per address) with N addresses; Bungie requests per crawled player",
  core: false,
  async run(ctx) {
    const addresses = listSourceAddresses(ctx.args.addresses ?? 2)
    const allowed = LIMIT_PER_SECOND * addresses.length
    const warmupSeconds = ctx.quick ? 8 : 10
    const knownSeconds = ctx.args.seconds ?? (ctx.quick ? 20 : 90)
    const unknownSeconds = ctx.args.seconds ?? (ctx.quick ? 12 : 60)
    // Enough players that the queue never runs dry (3 requests each at the allowed rate, doubled).
    const perPhase = (seconds: number) => Math.ceil(((allowed / 3) * seconds + 50) * 2)
    const knownCount = perPhase(warmupSeconds + knownSeconds)
    const unknownCount = perPhase(unknownSeconds + 3)

    const sim = await spawnSim({
      scenario: "calm",
      seed: SIM_SEED,
      throttle: { enabled: true, limitPerSecond: LIMIT_PER_SECOND, windowMs: WINDOW_MS, throttleSeconds: 10, countRejected: true },
    })
    const db = await createTestDatabase({ migrate: true })
    const vhost = await createTestVhost("bench_players")
    const rabbit = connectRabbit(vhost.url, { name: "bench-player-crawl", onError: () => {} })
    const { limiter } = createSharedLimiter({ addresses: addresses.length, maxConcurrency: 32, initialConcurrency: 16 })
    const bungie = createRateLimitedBungie({
      limiter,
      baseUrl: sim.url,
      apiKey: SIM_API_KEY,
      timeoutMs: 15_000,
      sourceAddresses: addresses,
    })
    const phases: PhaseResult[] = []
    try {
      await rabbit.onConnect(10_000, true)
      for (const queue of ["player_crawl", "clan_crawl"]) await declareQueueTopology(rabbit, queue)
      const players = await sim.players({ exists: true, unknown: false, limit: knownCount + unknownCount })
      const known = players.slice(0, knownCount)
      const unknown = players.slice(knownCount)
      ctx.progress(
        `${addresses.length} addresses, ${allowed} req/s allowed; ${known.length} known-type + ${unknown.length} unknown players`,
      )
      await db.sql`
        insert into core.player (membership_id, membership_type, first_seen, last_seen)
        select * from unnest(${known.map((p) => p.membershipId)}::bigint[], ${known.map((p) => p.membershipType)}::int[]) as t(id, type)
          cross join lateral (select now() - interval '30 days', now() - interval '30 days') s`
      const publisher = rabbit.createPublisher({ confirm: true })
      const publish = (ids: string[]) =>
        Promise.all(ids.map((id) => publisher.send({ routingKey: "player_crawl", contentType: "text/plain" }, Buffer.from(id))))
      await publish(known.map((p) => p.membershipId))

      const hermes = await startHermes({
        connection: rabbit,
        queues: ["player_crawl"],
        createWorker: (_queue, pub) => createPlayerCrawlWorker({ sql: db.sql, bungie, publisher: pub, log }),
        specOverrides: { player_crawl: { workers: { min: WORKERS, max: WORKERS, initial: WORKERS } } },
        getSettings: null,
        metricsPort: null,
        scaleIntervalMs: 60_000,
        log,
      })
      const crawled = async () => Number((await db.sql`select count(*)::int as n from core.player where last_crawled is not null`)[0]!.n)

      async function measure(phase: string, seconds: number): Promise<PhaseResult> {
        await sim.resetStats()
        const before = await crawled()
        const started = performance.now()
        const ticker = setInterval(async () => ctx.progress(`${phase}: ${(await crawled()) - before} crawled`), 5_000)
        await Bun.sleep(seconds * 1000)
        clearInterval(ticker)
        const measured = (performance.now() - started) / 1000
        const done = (await crawled()) - before
        const t = (await sim.stats()).totals
        const result: PhaseResult = {
          phase,
          measuredSeconds: measured,
          crawled: done,
          requests: t.requests,
          throttled: t.throttled,
          profilesPerSecond: done / measured,
          requestsPerPlayer: computeRatio(t.requests, done),
          acceptedShare: computeRatio((t.requests - t.throttled) / measured, allowed),
          throttledShare: computeRatio(t.throttled, t.requests),
        }
        ctx.progress(`${phase}: ${JSON.stringify(result)}`)
        return result
      }

      await Bun.sleep(warmupSeconds * 1000)
      phases.push(await measure("known type", knownSeconds))
      // Switch: drop what is left of the known players, let the crawls in flight finish.
      await rabbit.queuePurge({ queue: "player_crawl" })
      await Bun.sleep(3_000)
      await publish(unknown.map((p) => p.membershipId))
      phases.push(await measure("unknown type", unknownSeconds))
      await publisher.close()
      await hermes.stop()
    } finally {
      bungie.close()
      await rabbit.close().catch(() => {})
      await vhost.drop().catch(() => {})
      await db.drop().catch(() => {})
      await sim.stop()
    }
    const [k, u] = phases as [PhaseResult, PhaseResult]
    return {
      title: `player-crawl — ${addresses.length} source addresses × ${LIMIT_PER_SECOND} req/s allowed (rolling ${WINDOW_MS / 1000} s), ${WORKERS} workers`,
      tables: [
        {
          rows: phases.map((p) => ({
            phase: p.phase,
            "measured s": p.measuredSeconds.toFixed(0),
            crawled: p.crawled,
            "profiles/s": p.profilesPerSecond.toFixed(1),
            "requests/player": p.requestsPerPlayer.toFixed(2),
            "accepted req/s ÷ allowed": p.acceptedShare.toFixed(3),
            "throttled share": p.throttledShare.toFixed(4),
          })),
        },
      ],
      result: { addresses, allowedPerSecond: allowed, warmupSeconds, workers: WORKERS, phases },
      notes: [
        checkTarget("playerCrawlAccepted", k.acceptedShare, "known type"),
        checkTarget("playerCrawlThrottled", k.throttledShare, "known type"),
        checkTarget("playerCrawlRequestsKnown", k.requestsPerPlayer),
        checkTarget("playerCrawlRequestsResolved", u.requestsPerPlayer),
        `profiles/s ÷ allowed req/s: ${computeRatio(k.profilesPerSecond, allowed).toFixed(3)} (type known) — a crawl costs 3 requests, so 0.333 is the ceiling`,
        "requests/player counts every request in the window (a crawl in flight at its edges is counted on one side only).",
      ],
    }
  },
}
