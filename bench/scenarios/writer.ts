/**
 * `writer`: (1) Postgres writer throughput (storeInstances, the pg-writer's batch) vs raw COPY of
 * the same rows into the same tables (target in bench/lib/targets.ts); (2) the
 * fetcher → writer transport comparison over a MessagePort for real processed instances.
 */
import { resolveCrawlSettings } from "../lib/defaults.ts"
import { loadProcessedFixtureItems } from "../lib/processed-fixtures.ts"
import type { Row } from "../lib/report.ts"
import type { Scenario } from "../lib/scenario.ts"
import { computeRatio } from "../lib/stats.ts"
import { breakDownStoreSteps, writerRatioBound } from "../lib/store-steps.ts"
import { checkTarget } from "../lib/targets.ts"
import { type ClickhouseMeasurement, compareClickhouse } from "./writer-clickhouse.ts"
import { compareStorage, type StorageMeasurement } from "./writer-storage.ts"
import { compareTransports } from "./writer-transport.ts"

function describeStorageRow(m: StorageMeasurement): Row {
  return {
    case: m.method,
    batch: m.batchSize,
    batches: m.batches,
    "rows/s": m.rowsPerSecond,
    "instances/s": m.instancesPerSecond,
    "batch p50 ms": m.batchMs.p50,
    "batch p90 ms": m.batchMs.p90,
    "batch p99 ms": m.batchMs.p99,
    "batch max ms": m.batchMs.max,
  }
}

export const writerScenario: Scenario = {
  name: "writer",
  summary: "pg-writer batches vs raw COPY (rows/s, batch latency) + msgpackr/JSON/structured-clone transport to the writer thread",
  core: true,
  async run(ctx) {
    const s = resolveCrawlSettings(ctx.args)
    const batches = ctx.quick ? 12 : 30
    ctx.progress(`postgres: ${batches} batches of ${s.batchSize} synthetic instances, storeInstances vs raw COPY`)
    const storage = await compareStorage(s.batchSize, batches, ctx.progress)
    // Headline: the paired (per-batch) ratio; the ratio of totals is shown beside it.
    const pgRatio = storage.pairedRatio
    const pgTotalsRatio = computeRatio(storage.store.rowsPerSecond, storage.copy.rowsPerSecond)
    const steps = breakDownStoreSteps(storage.storeSteps)
    const copyMs = storage.copy.batchMs.p50
    const bound = writerRatioBound(copyMs, steps.byKind.derived)
    const ms = (n: number) => Number(n.toFixed(1))
    let ch: Awaited<ReturnType<typeof compareClickhouse>>
    try {
      ctx.progress(`clickhouse: relaying the store's outbox (${storage.storedItems.length} instances) vs raw inserts`)
      ch = await compareClickhouse(storage.storeDb, storage.storedItems, s.batchSize, ctx.progress)
    } finally {
      await storage.drop()
    }
    const chRatio = ch.pairedRatio
    const chTotalsRatio = computeRatio(ch.relay.instancesPerSecond, ch.raw.instancesPerSecond)
    const describeCh = (m: ClickhouseMeasurement): Row => ({
      case: m.method,
      batch: m.batchSize,
      instances: m.instances,
      "instances/s": m.instancesPerSecond,
      "batch p50 ms": m.batchMs.p50,
      "batch p90 ms": m.batchMs.p90,
      "batch p99 ms": m.batchMs.p99,
      "batch max ms": m.batchMs.max,
    })

    const items = loadProcessedFixtureItems()
    ctx.progress(`transport: ${items.length} real processed raid instances from the fixtures`)
    const transport = await compareTransports(items, ctx.quick, ctx.progress)
    const transportRows: Row[] = transport.map((t) => ({
      case: t.format,
      "items/s": t.itemsPerSecond,
      "vs msgpackr (paired)": t.vsMsgpackr,
      "rt p50 µs": t.roundTripUs.p50,
      "rt p90 µs": t.roundTripUs.p90,
      "rt p99 µs": t.roundTripUs.p99,
      "mean bytes": Number.isFinite(t.meanBytes) ? t.meanBytes : "n/a",
    }))
    return {
      title: `writer — Postgres store vs raw COPY (batch ${s.batchSize}), and writer transport over MessagePort`,
      tables: [
        {
          title: "Postgres: storeInstances vs raw COPY into the same tables",
          rows: [
            describeStorageRow(storage.store),
            describeStorageRow(storage.copy),
            { case: "ratio store / COPY (paired)", "rows/s": pgRatio },
            { case: "ratio of totals", "rows/s": pgTotalsRatio },
          ],
        },
        {
          title: "Postgres: where a store batch goes (median ms per step; rows = what raw COPY also writes)",
          rows: [
            ...steps.steps.map((st) => ({ step: st.step, kind: st.kind, "ms / batch": ms(st.medianMs) })),
            { step: "staging (sum)", kind: "staging", "ms / batch": ms(steps.byKind.staging) },
            { step: "rows (sum)", kind: "rows", "ms / batch": ms(steps.byKind.rows) },
            { step: "derived (sum)", kind: "derived", "ms / batch": ms(steps.byKind.derived) },
            { step: "raw COPY, whole batch (p50)", kind: "baseline", "ms / batch": ms(copyMs) },
          ],
        },
        {
          title: "ClickHouse: outbox relay (ch-writer) vs raw insert of the same rows",
          rows: [
            describeCh(ch.relay),
            describeCh(ch.raw),
            { case: "ratio relay / raw (paired)", "instances/s": chRatio },
            { case: "ratio of totals", "instances/s": chTotalsRatio },
          ],
        },
        {
          title: `fetcher → writer transport over a MessagePort (Worker round trip), ${items.length} real processed raids`,
          rows: transportRows,
        },
      ],
      result: {
        postgres: { store: storage.store, copy: storage.copy },
        pgRatio,
        pgTotalsRatio,
        storeSteps: steps,
        pgRatioBound: bound,
        clickhouse: ch,
        chRatio,
        chTotalsRatio,
        transport,
        transportItems: items.length,
      },
      notes: [
        checkTarget("writerRatio", pgRatio),
        `bound: the store's derived work (${steps.byKind.derived.toFixed(0)} ms per batch) against raw COPY's ${copyMs.toFixed(0)} ms caps the ratio at ${bound.toFixed(3)} even with staging and row writes as cheap as COPY's; staging costs ${steps.byKind.staging.toFixed(0)} ms, row writes ${steps.byKind.rows.toFixed(0)} ms`,
        "ratios marked paired are the median over batches (rounds) of the two methods measured back to back, steadier on a busy machine than totals",
        "store = one transaction per batch: staging load (tab-separated text split in SQL, raw PGCRs as one bytea) + set-based upserts, aggregates, first clears/sherpas, outbox; raw COPY = COPY only into the same tables",
        "ClickHouse: embedded chdb in this process; the relay reads each batch's instances back from Postgres (the source of truth) before inserting, the raw insert does not (no DESIGN target)",
        "Postgres is the shared server at 127.0.0.1:5432 (other engineers' tests may run on it); batches alternate store/COPY so both see the same noise",
      ],
    }
  },
}
