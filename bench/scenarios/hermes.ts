/**
 * `hermes`: the queue-worker runtime on a real broker (a private vhost on RABBITMQ_URL /
 * TEST_RABBITMQ_URL, default 127.0.0.1:5672).
 *
 * 1. Runtime overhead: the same queue of text/plain ids drained by raw rabbitmq-client consumers
 *    (handler returns ACK) and by the hermes runtime with a no-op worker (decode, timeout,
 *    settlement, metrics), with the same consumer count, concurrency and prefetch, alternated
 *    round by round. Reported as runtime msg/s ÷ raw msg/s (paired per round) (target in bench/lib/targets.ts).
 * 2. pgcr_exists end to end: raid ids of the simulator's history (simulator in its own process,
 *    no throttle, no latency) published to pgcr_exists and drained by the real worker (fetch,
 *    process, store in Postgres with the outbox side effects) at a fixed worker count.
 */
import type { Connection } from "rabbitmq-client"
import { startHermes } from "../../src/apps/hermes/runtime/hermes.ts"
import { createRateLimitedBungie } from "../../src/lib/bungie/rate-limited.ts"
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { loadDefinitions } from "../../src/lib/definitions.ts"
import type { QueueWorker } from "../../src/lib/messaging/queue-worker.ts"
import type { QueueSpec } from "../../src/lib/messaging/queues.ts"
import { connectRabbit } from "../../src/lib/messaging/rabbit-connection.ts"
import { createTestVhost } from "../../src/lib/messaging/testing/test-vhost.ts"
import { declareQueueTopology, describeQueueTopology } from "../../src/lib/messaging/topology.ts"
import { createLogger } from "../../src/lib/monitoring/logger.ts"
import { createSharedLimiter } from "../../src/lib/ratelimit/index.ts"
import { createPgcrExistsWorker } from "../../src/queues/pgcr-exists.ts"
import { readCpuSeconds } from "../lib/cpu.ts"
import { SIM_SEED } from "../lib/defaults.ts"
import type { Scenario } from "../lib/scenario.ts"
import { spawnSim } from "../lib/sim-process.ts"
import { computePairedRatio, summarize } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"

const log = createLogger({ level: "warn", fields: { app: "bench-hermes" } })

interface Shape {
  workers: number
  concurrency: number
  prefetch: number
}

async function publishIds(rabbit: Connection, queue: string, n: number): Promise<void> {
  const publisher = rabbit.createPublisher({ confirm: true })
  const batch = 2_000
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, (_, k) =>
        publisher.send({ routingKey: queue, contentType: "text/plain" }, Buffer.from(String(17_000_000_000 + i + k))),
      ),
    )
  }
  await publisher.close()
}

/** Raw rabbitmq-client: `shape.workers` consumers, ACK from a no-op handler. Returns msg/s. */
async function drainRaw(rabbit: Connection, queue: string, n: number, shape: Shape): Promise<number> {
  let seen = 0
  let resolveDone: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve
  })
  const started = performance.now()
  const declaration = describeQueueTopology(queue)[0]!
  const consumers = Array.from({ length: shape.workers }, () =>
    rabbit.createConsumer(
      { queue, queueOptions: declaration, qos: { prefetchCount: shape.prefetch }, concurrency: shape.concurrency },
      async () => {
        if (++seen === n) resolveDone()
      },
    ),
  )
  await done
  const seconds = (performance.now() - started) / 1000
  await Promise.all(consumers.map((c) => c.close()))
  return n / seconds
}

/** The hermes runtime with a no-op worker, same shape, started once and paused between rounds. */
async function startRuntime(rabbit: Connection, shape: Shape) {
  let seen = 0
  let target = Number.POSITIVE_INFINITY
  let resolveDone: () => void = () => {}
  const worker: QueueWorker = {
    queue: "player_crawl",
    async handle() {
      if (++seen === target) resolveDone()
      return { kind: "ok" }
    },
  }
  const override: Partial<QueueSpec> = {
    workers: { min: shape.workers, max: shape.workers, initial: shape.workers },
    perWorker: { concurrency: shape.concurrency, prefetch: shape.prefetch },
  }
  const hermes = await startHermes({
    connection: rabbit,
    queues: ["player_crawl"],
    createWorker: () => worker,
    specOverrides: { player_crawl: override },
    getSettings: null,
    metricsPort: null,
    scaleIntervalMs: 60_000,
    log,
  })
  const runner = hermes.runners.get("player_crawl")!
  runner.pause("bench")
  return {
    /** Resumes consumption of `n` published messages and returns msg/s. */
    async drain(n: number): Promise<number> {
      seen = 0
      target = n
      const done = new Promise<void>((resolve) => {
        resolveDone = resolve
      })
      const started = performance.now()
      runner.resume("bench")
      await done
      const seconds = (performance.now() - started) / 1000
      runner.pause("bench")
      return n / seconds
    },
    stop: () => hermes.stop(),
  }
}

export const hermesScenario: Scenario = {
  name: "hermes",
  summary: "queue runtime overhead vs raw rabbitmq-client consume; pgcr_exists messages/s end to end against the sim",
  core: false,
  async run(ctx) {
    const rounds = ctx.quick ? 6 : 10
    const messages = ctx.quick ? 20_000 : 50_000
    const shapes: Shape[] = [
      { workers: 4, concurrency: 1, prefetch: 2 },
      { workers: 2, concurrency: 16, prefetch: 32 },
    ]
    const vhost = await createTestVhost("bench_hermes")
    const rabbit = connectRabbit(vhost.url, { name: "bench-hermes", onError: () => {} })
    const tables: { title?: string; rows: Record<string, string | number>[] }[] = []
    const notes: string[] = []
    const result: Record<string, unknown> = {}
    try {
      await rabbit.onConnect(10_000, true)
      await declareQueueTopology(rabbit, "player_crawl")
      await declareQueueTopology(rabbit, "bench_raw")

      // 1. Overhead, alternating raw and runtime round by round.
      const overheadRows = []
      const overhead: Record<string, unknown>[] = []
      for (const shape of shapes) {
        const raw: number[] = []
        const runtime: number[] = []
        const hermes = await startRuntime(rabbit, shape)
        for (let round = 0; round < rounds; round++) {
          // Both queues filled first, then drained back to back, alternating which goes first.
          await publishIds(rabbit, "bench_raw", messages)
          await publishIds(rabbit, "player_crawl", messages)
          if (round % 2 === 0) {
            raw.push(await drainRaw(rabbit, "bench_raw", messages, shape))
            runtime.push(await hermes.drain(messages))
          } else {
            runtime.push(await hermes.drain(messages))
            raw.push(await drainRaw(rabbit, "bench_raw", messages, shape))
          }
          ctx.progress(
            `overhead ${JSON.stringify(shape)} round ${round + 1}/${rounds}: raw ${raw.at(-1)!.toFixed(0)} msg/s, runtime ${runtime.at(-1)!.toFixed(0)} msg/s`,
          )
        }
        await hermes.stop()
        const ratio = computePairedRatio(runtime, raw)
        overhead.push({ shape, raw: summarize(raw), runtime: summarize(runtime), ratio })
        overheadRows.push({
          workers: shape.workers,
          "concurrency/worker": shape.concurrency,
          prefetch: shape.prefetch,
          "raw msg/s (p50)": Math.round(summarize(raw).p50),
          "runtime msg/s (p50)": Math.round(summarize(runtime).p50),
          "runtime ÷ raw (paired p50)": ratio.toFixed(3),
        })
        notes.push(checkTarget("hermesOverhead", ratio, `${shape.workers}×${shape.concurrency}, prefetch ${shape.prefetch}`))
      }
      tables.push({ title: `runtime overhead (${messages} messages per round, ${rounds} rounds)`, rows: overheadRows })
      result.overhead = overhead

      // 2. pgcr_exists end to end.
      result.pgcrExists = await runPgcrExists(rabbit, ctx.quick, ctx.progress, tables, notes)
    } finally {
      await rabbit.close().catch(() => {})
      await vhost.drop()
    }
    notes.push("2 cores shared by the broker, Postgres, the simulator and this process; ratios are paired per round.")
    return { title: "hermes: queue runtime", tables, result, notes }
  },
}

async function runPgcrExists(
  rabbit: Connection,
  quick: boolean,
  progress: (m: string) => void,
  tables: { title?: string; rows: Record<string, string | number>[] }[],
  notes: string[],
): Promise<Record<string, unknown>> {
  const target = quick ? 1_000 : 3_000
  const sim = await spawnSim({ scenario: "backfill", seed: SIM_SEED, throttle: { enabled: false }, latency: 0 })
  const db = await createTestDatabase({ migrate: true })
  const { limiter } = createSharedLimiter({
    addresses: 1,
    initialCeiling: 5_000,
    maxCeiling: 10_000,
    maxConcurrency: 64,
    initialConcurrency: 32,
  })
  const bungie = createRateLimitedBungie({ limiter, baseUrl: sim.url, apiKey: "bench-key", timeoutMs: 10_000, sourceAddresses: [] })
  try {
    // Raid ids well inside the history (complete versions), oldest first.
    const raids: string[] = []
    for (let end = sim.startId - 20_000n; raids.length < target; end -= 100_000n) {
      const { ids } = await sim.truth(end - 100_000n, end)
      raids.push(...ids.filter((e) => e.isRaid && e.state === "published").map((e) => e.id))
    }
    const ids = raids.slice(0, target)
    const rows = []
    const runs: Record<string, unknown>[] = []
    for (const workers of [4, 16]) {
      await db.sql`truncate core.instance, core.player, raw.pgcr, crawl.outbox, crawl.missed_pgcr cascade`
      const publisher = rabbit.createPublisher({ confirm: true })
      await Promise.all(ids.map((id) => publisher.send({ routingKey: "pgcr_exists", contentType: "text/plain" }, Buffer.from(id))))
      await publisher.close()
      const cpuBefore = readCpuSeconds(process.pid)
      const started = performance.now()
      const hermes = await startHermes({
        connection: rabbit,
        queues: ["pgcr_exists"],
        createWorker: (_queue, pub) => createPgcrExistsWorker({ sql: db.sql, bungie, defs: loadDefinitions(), publisher: pub, log }),
        specOverrides: { pgcr_exists: { workers: { min: workers, max: workers, initial: workers } } },
        getSettings: () => bungie.getSettings(),
        metricsPort: null,
        scaleIntervalMs: 60_000,
        log,
      })
      const settled = async () =>
        (await hermes.metrics.processed.get()).values.filter((v) => v.labels.queue_name === "pgcr_exists").reduce((n, v) => n + v.value, 0)
      while ((await settled()) < ids.length) await Bun.sleep(100)
      const seconds = (performance.now() - started) / 1000
      const cpu = readCpuSeconds(process.pid) - cpuBefore
      await hermes.stop()
      const stored = Number((await db.sql`select count(*)::int as n from core.instance`)[0]!.n)
      const perSecond = ids.length / seconds
      progress(
        `pgcr_exists ${workers} workers: ${ids.length} messages in ${seconds.toFixed(1)} s (${perSecond.toFixed(0)}/s), ${stored} stored`,
      )
      runs.push({ workers, messages: ids.length, seconds, perSecond, stored, cpuSecondsPerMessage: cpu / ids.length })
      rows.push({
        workers,
        messages: ids.length,
        "messages/s": Math.round(perSecond),
        stored,
        "hermes CPU ms/message": ((cpu / ids.length) * 1000).toFixed(2),
      })
    }
    tables.push({ title: "pgcr_exists end to end (fetch from the sim, process, store in Postgres)", rows })
    notes.push(
      "pgcr_exists: one store transaction per gathered batch of concurrent raids (store-batcher), so more workers make bigger batches.",
    )
    return { runs }
  } finally {
    bungie.close()
    await db.drop()
    await sim.stop()
  }
}
