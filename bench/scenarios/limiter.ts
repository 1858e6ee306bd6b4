/**
 * `limiter`: the shared adaptive limiter against the throttled simulator (25 req/s per source
 * address over a rolling 10 s, rejected requests count too) with N source addresses
 * (127.0.0.1, 127.0.0.2, ...; the node:http engine binds them). Reports the achieved accepted
 * request rate as a share of the allowed rate and the share of throttled responses, both read
 * from the simulator's own per-address accounting (/__sim/stats) after a warm-up.
 */
import { createSharedLimiter, type LimiterSnapshot } from "../../src/lib/ratelimit/index.ts"
import { startCpuWindow } from "../lib/cpu.ts"
import { resolveCrawlSettings, SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import type { Scenario } from "../lib/scenario.ts"
import { type SimSourceStats, spawnSim } from "../lib/sim-process.ts"
import { computeRatio } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"
import type { LimiterWorkerInit, LimiterWorkerResult } from "./limiter-worker.ts"

const WORKER_URL = new URL("./limiter-worker.ts", import.meta.url).href
const LIMIT_PER_SECOND = 25
const WINDOW_MS = 10_000

export function listSourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`)
}

export const limiterScenario: Scenario = {
  name: "limiter",
  summary: "shared limiter vs the throttled sim (25 req/s per address, rolling 10 s) with N source addresses",
  core: true,
  async run(ctx) {
    const s = resolveCrawlSettings(ctx.args)
    const addresses = listSourceAddresses(ctx.args.addresses ?? 2)
    const warmupSeconds = 10
    const seconds = ctx.args.seconds ?? (ctx.quick ? 50 : 150)
    // calm: the moving world with realistic latency and the per-IP throttle, no injected failures.
    const sim = await spawnSim({
      scenario: "calm",
      seed: SIM_SEED,
      throttle: { enabled: true, limitPerSecond: LIMIT_PER_SECOND, windowMs: WINDOW_MS, throttleSeconds: 10, countRejected: true },
    })
    try {
      const { buffer, limiter } = createSharedLimiter({
        addresses: addresses.length,
        maxConcurrency: s.maxConcurrency,
        initialConcurrency: Math.min(16, s.maxConcurrency),
      })
      const cursor = new SharedArrayBuffer(8)
      new BigInt64Array(cursor)[0] = sim.startId - 3_000_000n
      const deadline = Date.now() + (warmupSeconds + seconds) * 1000
      ctx.progress(
        `${addresses.length} addresses (${addresses.join(", ")}), ${s.fetchers} threads, ${warmupSeconds}s warm-up + ${seconds}s measured`,
      )
      const done = Array.from({ length: s.fetchers }, () => {
        const worker = new Worker(WORKER_URL)
        return new Promise<LimiterWorkerResult>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<LimiterWorkerResult>) => {
            resolve(e.data)
            worker.terminate()
          }
          worker.onerror = (e) => reject(new Error(`limiter worker failed: ${e.message}`))
          worker.postMessage({
            url: sim.url,
            apiKey: SIM_API_KEY,
            limiter: buffer,
            cursor,
            sourceAddresses: addresses,
            lanes: Math.ceil(s.maxConcurrency / s.fetchers),
            deadline,
          } satisfies LimiterWorkerInit)
        })
      })
      await Bun.sleep(warmupSeconds * 1000)
      await sim.resetStats()
      const cpuWindow = startCpuWindow(sim.pid)
      const measuredFrom = performance.now()
      const progress = setInterval(() => ctx.progress(describeSnapshot(limiter.snapshot())), 10_000)
      const results = await Promise.all(done)
      clearInterval(progress)
      const measured = (performance.now() - measuredFrom) / 1000
      const stats = await sim.stats()
      const cpu = cpuWindow.stop()
      const snapshot = limiter.snapshot()
      const allowed = LIMIT_PER_SECOND * addresses.length
      const rows = Object.entries(stats.sources).map(([source, st]) => describeSourceRow(source, st, measured, LIMIT_PER_SECOND))
      const t = stats.totals
      const accepted = t.requests - t.throttled
      const share = computeRatio(accepted / measured, allowed)
      const throttledShare = computeRatio(t.throttled, t.requests)
      rows.push({ ...describeSourceRow("all", t, measured, allowed) })
      const clientKinds: Record<string, number> = {}
      for (const r of results) for (const [k, v] of Object.entries(r.byKind)) clientKinds[k] = (clientKinds[k] ?? 0) + v
      return {
        title: `limiter — ${addresses.length} source addresses × ${LIMIT_PER_SECOND} req/s allowed (rolling ${WINDOW_MS / 1000} s), ${measured.toFixed(0)} s measured after ${warmupSeconds} s warm-up`,
        tables: [{ rows }],
        result: {
          addresses,
          allowedPerSecond: allowed,
          measuredSeconds: measured,
          warmupSeconds,
          acceptedShare: share,
          throttledShare,
          simStats: stats,
          clientResultKinds: clientKinds,
          limiterSnapshot: snapshot,
          cpu,
        },
        notes: [
          checkTarget("limiterAccepted", share),
          checkTarget("limiterThrottled", throttledShare),
          `learned ceilings: ${snapshot.addresses.map((a) => a.ceiling.toFixed(2)).join(", ")} req/s; client saw ${JSON.stringify(clientKinds)} (whole run incl. warm-up)`,
          `cores: bench ${cpu.benchCores}, simulator ${cpu.simCores} (separate process) — far from CPU-bound; the rate is the limit`,
        ],
      }
    } finally {
      await sim.stop()
    }
  },
}

function describeSourceRow(source: string, st: SimSourceStats, seconds: number, allowed: number): Record<string, string | number> {
  const accepted = st.requests - st.throttled
  return {
    source,
    requests: st.requests,
    throttled: st.throttled,
    "req/s": st.requests / seconds,
    "accepted/s": accepted / seconds,
    allowed,
    "share of allowed": computeRatio(accepted / seconds, allowed),
    "throttled share": computeRatio(st.throttled, st.requests),
  }
}

function describeSnapshot(s: LimiterSnapshot): string {
  const per = s.addresses.map((a) => `${a.windowRate.toFixed(1)}/${a.ceiling.toFixed(1)}`).join(" ")
  return `window rate/ceiling per address: ${per}; throttled so far ${s.addresses.reduce((n, a) => n + a.throttled, 0)}; in flight ${s.inFlight}`
}
