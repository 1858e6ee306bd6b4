/**
 * `zeus`: the Bungie egress proxy (src/apps/zeus), each party in its own process — the simulator,
 * zeus (bench/lib/zeus-child.ts) and the callers (this process, Bun fetch with keep-alive).
 *
 * 1. Overhead, limits off (the unthrottled `backfill` sim, no latency; zeus with its limiter's
 *    ceiling and concurrency lifted, one bound source address): added latency of one request at
 *    a time, p50 and p99, via zeus minus direct; throughput at 32 in flight, via ÷ direct. Rounds
 *    alternate direct and via, so both see the machine's load of the moment.
 * 2. Sharing: the sim throttles each source address like Bungie (25 req/s over a rolling 10 s,
 *    refused requests count too); zeus sends from 4 addresses with its default limiter; three
 *    callers ask 150, 100 and 50 req/s (3x the 100 allowed) with a 0.5 s queue deadline. After a
 *    warm-up long enough for the limiter to learn the limit (~60 s: ceilings grow from 24 to 25
 *    req/s and meet Bungie's limit once; then ThrottleSeconds and the climb back), measured: accepted ÷ allowed and throttles from the
 *    sim's own counters, the throttles callers saw, and each caller's share of zeus's permits
 *    (fair: a third each; first-come-first-served would give 1/2, 1/3, 1/6).
 */
import { SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import type { Row } from "../lib/report.ts"
import type { Scenario, ScenarioContext } from "../lib/scenario.ts"
import { type SimProcess, spawnSim } from "../lib/sim-process.ts"
import { computePairedRatio, computeRatio, type Distribution, summarize } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"
import type { ZeusChildOptions } from "../lib/zeus-child.ts"
import { readSeries, spawnZeus, type ZeusProcess } from "../lib/zeus-process.ts"

const LIMIT_PER_SECOND = 25
const WINDOW_MS = 10_000
const ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
const CALLERS = [
  { client: "hermes/player_crawl", rate: 150 },
  { client: "hermes/activity_history", rate: 100 },
  { client: "hades", rate: 50 },
]
const DEADLINE_MS = 500
const THROUGHPUT_CONCURRENCY = 32

function baseZeusOptions(sim: SimProcess): ZeusChildOptions {
  return {
    port: 0,
    listenAddress: "127.0.0.1",
    metricsPort: 0,
    statsBaseUrl: sim.url,
    wwwBaseUrl: sim.url,
    apiKey: SIM_API_KEY,
    sourceAddresses: ["127.0.0.2"],
    allowedNetworks: "127.0.0.0/8",
    queueDeadlineMs: 10_000,
    maxQueue: 100_000,
    maxConcurrency: 64,
    upstreamTimeoutMs: 15_000,
    throttleRetries: 2,
  }
}

export const zeusScenario: Scenario = {
  name: "zeus",
  summary: "zeus proxy: added latency and throughput vs direct (limits off); 3 callers at 3x the allowed rate through 4 addresses",
  core: true,
  async run(ctx) {
    const overhead = await measureOverhead(ctx)
    const sharing = await measureSharing(ctx)
    const notes = [
      checkTarget("zeusAddedP50Ms", overhead.addedP50Ms),
      checkTarget("zeusAddedP99Ms", overhead.addedP99Ms),
      checkTarget("zeusThroughputRatio", overhead.throughputRatio),
      checkTarget("zeusAccepted", sharing.acceptedShare),
      checkTarget("zeusThrottledToCallers", sharing.throttledToCallersShare),
      checkTarget("zeusWorstShare", sharing.worstShareDeviation),
      `learning (warm-up, ${sharing.warmupSeconds} s from a cold start): accepted / allowed ${sharing.warmupAcceptedShare.toFixed(3)}, sim throttled ${sharing.warmupThrottled}; learned ceilings ${sharing.ceilings}`,
      `cores during the throughput rounds: bench ${overhead.cores.bench.toFixed(2)}, zeus ${overhead.cores.zeus.toFixed(2)}, sim ${overhead.cores.sim.toFixed(2)} (2 in all, shared with whatever else runs); zeus CPU per forwarded request ${overhead.zeusCpuPerRequestUs.toFixed(0)} µs (one core: ~${(1e6 / overhead.zeusCpuPerRequestUs).toFixed(0)} req/s)`,
    ]
    return {
      title: "zeus — the egress proxy: overhead with limits off, and sharing 4 throttled addresses between 3 callers",
      tables: [
        { title: "one request at a time (ms), limits off", rows: overhead.latencyRows },
        { title: `throughput at ${THROUGHPUT_CONCURRENCY} in flight (req/s), limits off`, rows: overhead.throughputRows },
        {
          title: `3 callers asking ${CALLERS.map((c) => c.rate).join("/")} req/s, 4 addresses × ${LIMIT_PER_SECOND} req/s allowed`,
          rows: sharing.rows,
        },
      ],
      result: { overhead, sharing },
      notes,
    }
  },
}

interface Overhead {
  direct: Distribution
  via: Distribution
  addedP50Ms: number
  addedP99Ms: number
  latencyRows: Row[]
  throughputRows: Row[]
  throughputRatio: number
  zeusCpuPerRequestUs: number
  cores: { bench: number; zeus: number; sim: number }
}

async function measureOverhead(ctx: ScenarioContext): Promise<Overhead> {
  const sim = await spawnSim({ scenario: "backfill", seed: SIM_SEED })
  let zeus: ZeusProcess | null = null
  try {
    zeus = await spawnZeus({
      ...baseZeusOptions(sim),
      maxConcurrency: 256,
      limiterOptions: { initialCeiling: 1e6, maxCeiling: 1e6, minConcurrency: 256, initialConcurrency: 256, maxConcurrency: 256 },
    })
    // Published ids the sim renders once and then serves from its cache: the sim's cost is the same both ways.
    const ids = Array.from({ length: 100 }, (_, i) => sim.startId - 2_000_000n + BigInt(i))
    const path = (n: number) => `/Platform/Destiny2/Stats/PostGameCarnageReport/${ids[n % ids.length]}/`
    // The same request both ways, as a Bungie client sends it; zeus replaces the key and the agent.
    const headers = { "x-api-key": SIM_API_KEY, "user-agent": "RaidHub-Services/bench", "x-raidhub-client": "bench" }
    const direct = (n: number) => timeGet(`${sim.url}${path(n)}`, headers)
    const via = (n: number) => timeGet(`${zeus!.url}${path(n)}`, headers)
    for (let n = 0; n < 300; n++) {
      await direct(n)
      await via(n)
    }
    const rounds = ctx.quick ? 4 : 8
    const perRound = ctx.quick ? 300 : 600
    const directMs: number[] = []
    const viaMs: number[] = []
    ctx.progress(`overhead: ${rounds} rounds × ${perRound} sequential requests each way`)
    for (let round = 0; round < rounds; round++) {
      const first = round % 2 === 0 ? direct : via
      const second = round % 2 === 0 ? via : direct
      const a: number[] = []
      const b: number[] = []
      for (let n = 0; n < perRound; n++) a.push(await first(n))
      for (let n = 0; n < perRound; n++) b.push(await second(n))
      directMs.push(...(round % 2 === 0 ? a : b))
      viaMs.push(...(round % 2 === 0 ? b : a))
    }
    const d = summarize(directMs)
    const v = summarize(viaMs)
    const seconds = ctx.quick ? 2 : 4
    const directRps: number[] = []
    const viaRps: number[] = []
    const cpuStart = { bench: process.cpuUsage(), zeus: zeus.cpuSeconds(), sim: sim.cpuSeconds(), at: performance.now() }
    ctx.progress(`throughput: ${rounds} rounds × ${seconds} s each way at ${THROUGHPUT_CONCURRENCY} in flight`)
    let zeusCpu = 0
    for (let round = 0; round < rounds; round++) {
      directRps.push(await runClosedLoop((n) => direct(n), seconds))
      const zeusBefore = zeus.cpuSeconds()
      viaRps.push(await runClosedLoop((n) => via(n), seconds))
      zeusCpu += zeus.cpuSeconds() - zeusBefore
    }
    // Zeus's own CPU per forwarded request: what bounds it on a box, whoever else runs there.
    const zeusCpuPerRequestUs = (zeusCpu / (summarize(viaRps).mean * seconds * rounds)) * 1e6
    const wall = (performance.now() - cpuStart.at) / 1000
    const benchCpu = process.cpuUsage(cpuStart.bench)
    const cores = {
      bench: (benchCpu.user + benchCpu.system) / 1e6 / wall,
      zeus: (zeus.cpuSeconds() - cpuStart.zeus) / wall,
      sim: (sim.cpuSeconds() - cpuStart.sim) / wall,
    }
    const row = (label: string, x: Distribution): Row => ({
      path: label,
      n: x.count,
      p50: x.p50,
      p90: x.p90,
      p99: x.p99,
      max: x.max,
      mean: x.mean,
    })
    return {
      direct: d,
      via: v,
      addedP50Ms: v.p50 - d.p50,
      addedP99Ms: v.p99 - d.p99,
      latencyRows: [row("direct", d), row("via zeus", v), { path: "added", p50: v.p50 - d.p50, p90: v.p90 - d.p90, p99: v.p99 - d.p99 }],
      throughputRows: [
        { path: "direct", ...describeRps(directRps) },
        { path: "via zeus", ...describeRps(viaRps) },
        { path: "via / direct (paired median)", median: computePairedRatio(viaRps, directRps) },
      ],
      throughputRatio: computePairedRatio(viaRps, directRps),
      zeusCpuPerRequestUs,
      cores,
    }
  } finally {
    await zeus?.stop()
    await sim.stop()
  }
}

interface Sharing {
  rows: Row[]
  acceptedShare: number
  simThrottledShare: number
  throttledToCallersShare: number
  worstShareDeviation: number
  warmupSeconds: number
  warmupAcceptedShare: number
  warmupThrottled: number
  ceilings: string
  measuredSeconds: number
  callers: Record<string, { asked: number; answers: Record<string, number>; dispatched: number; share: number }>
  health: unknown
  limiterSeries: Record<string, number>
  simStats: unknown
}

async function measureSharing(ctx: ScenarioContext): Promise<Sharing> {
  // The limiter learns the limit ~60 s in (all four addresses at once), waits out ThrottleSeconds,
  // and climbs back to its plateau over recoverSec (30 s): steady state from ~100 s.
  const warmupSeconds = 110
  const measuredSeconds = ctx.args.seconds ?? (ctx.quick ? 40 : 180)
  const sim = await spawnSim({
    scenario: "calm",
    seed: SIM_SEED,
    throttle: { enabled: true, limitPerSecond: LIMIT_PER_SECOND, windowMs: WINDOW_MS, throttleSeconds: 10, countRejected: true },
  })
  let zeus: ZeusProcess | null = null
  try {
    zeus = await spawnZeus({ ...baseZeusOptions(sim), sourceAddresses: ADDRESSES, queueDeadlineMs: 10_000 })
    const allowed = LIMIT_PER_SECOND * ADDRESSES.length
    ctx.progress(
      `sharing: ${CALLERS.map((c) => `${c.client} ${c.rate}/s`).join(", ")} through ${ADDRESSES.length} addresses (${allowed} req/s allowed); ${warmupSeconds} s warm-up + ${measuredSeconds} s measured`,
    )
    const started = performance.now()
    const measureFrom = started + warmupSeconds * 1000
    const stopAt = measureFrom + measuredSeconds * 1000
    let firstId = sim.startId - 3_000_000n
    const answers = CALLERS.map(() => new Map<string, number>())
    const asked = CALLERS.map(() => 0)
    const pending: Promise<void>[] = []
    let warmupStats: Awaited<ReturnType<SimProcess["stats"]>> | null = null
    let before = ""
    const progress = setInterval(() => ctx.progress(`sharing: ${((performance.now() - started) / 1000).toFixed(0)} s`), 20_000)
    const sent = CALLERS.map(() => 0)
    while (performance.now() < stopAt) {
      const now = performance.now()
      if (warmupStats === null && now >= measureFrom) {
        warmupStats = await sim.stats()
        await sim.resetStats()
        before = await zeus.metrics()
      }
      const measuring = warmupStats !== null
      for (const [i, caller] of CALLERS.entries()) {
        const due = Math.floor(((now - started) / 1000) * caller.rate)
        while (sent[i]! < due) {
          sent[i]!++
          if (measuring) asked[i]!++
          const id = firstId++
          const request = askZeus(zeus, caller.client, id).then((kind) => {
            if (measuring) answers[i]!.set(kind, (answers[i]!.get(kind) ?? 0) + 1)
          })
          pending.push(request)
        }
      }
      await Bun.sleep(5)
    }
    const after = await zeus.metrics()
    const stats = await sim.stats()
    clearInterval(progress)
    await Promise.all(pending)
    const totals = stats.totals
    const acceptedShare = computeRatio((totals.requests - totals.throttled) / measuredSeconds, allowed)
    const dispatched = CALLERS.map(
      (c) =>
        readSeries(after, "zeus_client_dispatched_total", { client: c.client }) -
        readSeries(before, "zeus_client_dispatched_total", { client: c.client }),
    )
    const dispatchedTotal = dispatched.reduce((a, b) => a + b, 0)
    const callers: Sharing["callers"] = {}
    const rows: Row[] = []
    let fromBungie = 0
    let throttledToCallers = 0
    let worst = 0
    for (const [i, caller] of CALLERS.entries()) {
      const kinds = Object.fromEntries(answers[i]!)
      const share = dispatched[i]! / dispatchedTotal
      worst = Math.max(worst, Math.abs(share - 1 / 3) / (1 / 3))
      callers[caller.client] = { asked: asked[i]!, answers: kinds, dispatched: dispatched[i]!, share }
      const throttled = kinds.throttled ?? 0
      fromBungie += (kinds.ok ?? 0) + (kinds.notFound ?? 0) + throttled + (kinds.other ?? 0)
      throttledToCallers += throttled
      rows.push({
        caller: caller.client,
        "asked/s": caller.rate,
        "permits/s": dispatched[i]! / measuredSeconds,
        share,
        "fair share": 1 / 3,
        "FIFO share": caller.rate / CALLERS.reduce((a, c) => a + c.rate, 0),
        ok: kinds.ok ?? 0,
        notFound: kinds.notFound ?? 0,
        throttled,
        "queue timeouts": kinds.ZeusQueueTimeout ?? 0,
        other: kinds.other ?? 0,
      })
    }
    rows.push({
      caller: "sim (Bungie)",
      "permits/s": totals.requests / measuredSeconds,
      share: acceptedShare,
      "fair share": "accepted/allowed",
      throttled: totals.throttled,
    })
    const warmupTotals = warmupStats?.totals
    const health = (await (await fetch(`${zeus.metricsUrl}/healthz`)).json()) as { addresses: { ceiling: number }[] }
    const limiterSeries = Object.fromEntries(
      ["zeus_concurrency_limit", "zeus_in_flight", "zeus_queue_length", "zeus_throttle_retries_total"].map((name) => [
        name,
        readSeries(after, name),
      ]),
    )
    return {
      rows,
      acceptedShare,
      simThrottledShare: computeRatio(totals.throttled, totals.requests),
      throttledToCallersShare: computeRatio(throttledToCallers, fromBungie),
      worstShareDeviation: worst,
      warmupSeconds,
      warmupAcceptedShare: warmupTotals
        ? computeRatio((warmupTotals.requests - warmupTotals.throttled) / warmupSeconds, allowed)
        : Number.NaN,
      warmupThrottled: warmupTotals?.throttled ?? Number.NaN,
      ceilings: health.addresses.map((a) => a.ceiling.toFixed(2)).join(", "),
      measuredSeconds,
      callers,
      health,
      limiterSeries,
      simStats: stats,
    }
  } finally {
    await zeus?.stop()
    await sim.stop()
  }
}

/** One PGCR through zeus; what kind of answer the caller got. */
async function askZeus(zeus: ZeusProcess, client: string, id: bigint): Promise<string> {
  try {
    const response = await fetch(`${zeus.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`, {
      headers: { "x-raidhub-client": client, "x-raidhub-deadline-ms": String(DEADLINE_MS) },
    })
    const text = await response.text()
    const local = response.headers.get("x-zeus-local")
    if (local !== null) return local
    if (response.status === 200) return "ok"
    if (response.status === 404) return "notFound"
    if (response.status === 429 || response.status === 403 || text.includes('"ErrorCode":51') || text.includes('"ErrorCode":1672'))
      return "throttled"
    return "other"
  } catch {
    return "networkError"
  }
}

async function timeGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now()
  const response = await fetch(url, { headers })
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`)
  return performance.now() - started
}

async function runClosedLoop(send: (n: number) => Promise<unknown>, seconds: number): Promise<number> {
  let done = 0
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: THROUGHPUT_CONCURRENCY }, async (_, lane) => {
      for (let n = lane; performance.now() < deadline; n += THROUGHPUT_CONCURRENCY) {
        await send(n)
        done++
      }
    }),
  )
  return done / ((performance.now() - started) / 1000)
}

function describeRps(samples: readonly number[]): Row {
  const s = summarize(samples)
  return { rounds: s.count, min: s.min, median: s.p50, max: s.max }
}
