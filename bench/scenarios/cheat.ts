/**
 * `cheat`: the cheat check's throughput, on one core (this process; Postgres and the broker run
 * in their own processes on the same 2 cores).
 *
 * 1. Pure: checkInstance over a synthetic corpus of varied runs (lib/cheat/bench-support.ts),
 *    several rounds; target ≥ 2,000 instances/s.
 * 2. With the database read: the loader, one query per instance (what `cheat-check <id>` does;
 *    hermes batches concurrent reads), plus the check, sequentially on one connection.
 * 3. Recheck through the queue: nemesis's recheck sink publishes N stored ids to pgcr_cheat_check
 *    (confirmed publisher, a private vhost) and hermes's registered worker (load, check, flag
 *    store) drains them; reported as instances/s and as a ratio to (1) in the same run
 *    (target ≥ 0.5; the original's synchronous recheck took hours).
 */
import { startHermes } from "../../src/apps/hermes/runtime/hermes.ts"
import { publisherRecheckSink } from "../../src/apps/nemesis/recheck-sink.ts"
import { createBenchCorpus, measurePureCheck } from "../../src/lib/cheat/bench-support.ts"
import { checkInstance } from "../../src/lib/cheat/check-instance.ts"
import { DEFAULT_HEURISTICS } from "../../src/lib/cheat/heuristics-table.ts"
import { CHEAT_CHECK_VERSION } from "../../src/lib/cheat/reporting.ts"
import { loadCheatInstance } from "../../src/lib/database/cheat-input-loader.ts"
import { storeInstances } from "../../src/lib/database/instance-store.ts"
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { createConfirmedPublisher } from "../../src/lib/messaging/confirmed-publisher.ts"
import { connectRabbit } from "../../src/lib/messaging/rabbit-connection.ts"
import { createTestVhost } from "../../src/lib/messaging/testing/test-vhost.ts"
import { declareQueueTopology } from "../../src/lib/messaging/topology.ts"
import { createLogger } from "../../src/lib/monitoring/logger.ts"
import { generateSyntheticInstances } from "../../src/lib/pgcr/synthetic.ts"
import { createCheatCheckWorker } from "../../src/queues/registry.ts"
import { readCpuSeconds } from "../lib/cpu.ts"
import type { Scenario } from "../lib/scenario.ts"
import { summarize } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"

const log = createLogger({ level: "warn", fields: { app: "bench-cheat" } })
const STORE_BATCH = 500

export const cheatScenario: Scenario = {
  name: "cheat",
  summary: "cheat check instances/s on one core: pure, with the database read, and a recheck through pgcr_cheat_check",
  core: false,
  async run(ctx) {
    const rounds = ctx.quick ? 5 : 7
    const corpusSize = ctx.quick ? 20_000 : 100_000
    const dbReads = ctx.quick ? 1_000 : 5_000
    const recheckCount = ctx.quick ? 2_000 : 100_000
    const recheckWorkers = 4
    const notes: string[] = []
    const tables: { title?: string; rows: Record<string, string | number>[] }[] = []

    // 1. Pure.
    const corpus = createBenchCorpus(corpusSize)
    measurePureCheck(corpus) // warm-up: one full pass, so every round runs optimised code
    const pure: number[] = []
    let flagged = 0
    for (let r = 0; r < rounds; r++) {
      const m = measurePureCheck(corpus)
      pure.push(m.instancesPerSecond)
      flagged = m.flagged
      ctx.progress(`pure round ${r + 1}/${rounds}: ${m.instancesPerSecond.toFixed(0)} instances/s`)
    }
    const pureP50 = summarize(pure).p50
    notes.push(checkTarget("cheatPurePerSecond", pureP50))

    const db = await createTestDatabase({ migrate: true, max: 8 })
    const vhost = await createTestVhost("bench_cheat")
    const rabbit = connectRabbit(vhost.url, { name: "bench-cheat", onError: () => {} })
    const result: Record<string, unknown> = { pure: { corpus: corpusSize, rounds, flagged, distribution: summarize(pure) } }
    try {
      // Stored synthetic instances (the same generator the store's tests use).
      const stored = Math.max(dbReads, recheckCount)
      const items = generateSyntheticInstances({
        count: stored,
        playerPool: Math.max(2_000, stored / 4),
        seed: 5,
        firstInstanceId: "16500000000",
      })
      for (let i = 0; i < items.length; i += STORE_BATCH) {
        await storeInstances(db.sql, items.slice(i, i + STORE_BATCH))
        if ((i / STORE_BATCH) % 20 === 0) ctx.progress(`stored ${Math.min(items.length, i + STORE_BATCH)}/${items.length} instances`)
      }
      await db.sql`truncate crawl.outbox`
      const ids = items.map((item) => BigInt(item.instance.instanceId))

      // 2. With the database read: the loader, one instance at a time.
      const withDb: number[] = []
      for (let r = 0; r < rounds; r++) {
        const sample = ids.slice((r * dbReads) % Math.max(1, ids.length - dbReads)).slice(0, dbReads)
        const started = performance.now()
        for (const id of sample) {
          const input = await loadCheatInstance(db.sql, id)
          if (input) checkInstance(input, DEFAULT_HEURISTICS, CHEAT_CHECK_VERSION)
        }
        withDb.push(sample.length / ((performance.now() - started) / 1000))
        ctx.progress(`load + check round ${r + 1}/${rounds}: ${withDb.at(-1)!.toFixed(0)} instances/s`)
      }
      const withDbP50 = summarize(withDb).p50
      result.withDatabaseRead = { instances: dbReads, rounds, distribution: summarize(withDb) }

      // 3. Recheck through the queue.
      await rabbit.onConnect(10_000, true)
      await declareQueueTopology(rabbit, "pgcr_cheat_check")
      const recheckIds = ids.slice(0, recheckCount).map(String)
      const cpuBefore = readCpuSeconds(process.pid)
      const started = performance.now()
      const hermes = await startHermes({
        connection: rabbit,
        queues: ["pgcr_cheat_check"],
        createWorker: () => createCheatCheckWorker(db.sql, log),
        specOverrides: { pgcr_cheat_check: { workers: { min: recheckWorkers, max: recheckWorkers, initial: recheckWorkers } } },
        getSettings: null,
        metricsPort: null,
        scaleIntervalMs: 60_000,
        log,
      })
      const publisher = createConfirmedPublisher(rabbit)
      const enqueued = await publisherRecheckSink(publisher)(recheckIds)
      const published = (performance.now() - started) / 1000
      await publisher.close()
      const settled = async () =>
        (await hermes.metrics.processed.get()).values
          .filter((v) => v.labels.queue_name === "pgcr_cheat_check")
          .reduce((n, v) => n + v.value, 0)
      let last = 0
      while ((await settled()) < recheckIds.length) {
        await Bun.sleep(200)
        const now = await settled()
        if (now - last >= recheckIds.length / 10) {
          ctx.progress(`recheck: ${now}/${recheckIds.length} settled`)
          last = now
        }
      }
      const seconds = (performance.now() - started) / 1000
      const cpu = readCpuSeconds(process.pid) - cpuBefore
      await hermes.stop()
      const [flags] = await db.sql`select count(*)::int as n from flagging.flag_instance where cheat_check_version = ${CHEAT_CHECK_VERSION}`
      const recheckRate = recheckIds.length / seconds
      const ratio = recheckRate / pureP50
      result.recheck = {
        instances: recheckIds.length,
        enqueued,
        publishSeconds: published,
        seconds,
        perSecond: recheckRate,
        ratioToPure: ratio,
        workers: recheckWorkers,
        instanceFlagsWritten: flags!.n,
        cpuSecondsPerInstance: cpu / recheckIds.length,
      }
      tables.push({
        title: `cheat check (${CHEAT_CHECK_VERSION}), one process`,
        rows: [
          { path: "pure checkInstance", instances: corpusSize, "instances/s (p50)": Math.round(pureP50), "÷ pure": "1.000" },
          {
            path: "loader (1 query each) + check",
            instances: dbReads,
            "instances/s (p50)": Math.round(withDbP50),
            "÷ pure": (withDbP50 / pureP50).toFixed(3),
          },
          {
            path: `recheck via pgcr_cheat_check (${recheckWorkers} workers)`,
            instances: recheckIds.length,
            "instances/s (p50)": Math.round(recheckRate),
            "÷ pure": ratio.toFixed(3),
          },
        ],
      })
      notes.push(checkTarget("cheatRecheckRatio", ratio))
      // What the queue path costs beyond the unavoidable read: against the same read done inline.
      notes.push(
        `recheck ÷ (loader + check, sequential): ${(recheckRate / withDbP50).toFixed(3)} — the queue path also writes the flags ` +
          "and runs 4 workers on a pool of 8 connections.",
      )
      result.recheck = { ...(result.recheck as object), ratioToLoadAndCheck: recheckRate / withDbP50 }
      notes.push(
        `recheck: ${enqueued} confirmed publishes in ${published.toFixed(1)} s, all settled in ${seconds.toFixed(1)} s; ` +
          `${flags!.n} instance flags written; ${((cpu / recheckIds.length) * 1000).toFixed(2)} ms of this process's CPU per instance.`,
      )
    } finally {
      await rabbit.close().catch(() => {})
      await vhost.drop().catch(() => {})
      await db.drop()
    }
    notes.push("2 cores shared by Postgres, the broker and this process; the pure check runs on this process's one JS thread.")
    return { title: "cheat: per-instance check", tables, result, notes }
  },
}
