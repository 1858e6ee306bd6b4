/**
 * The `writer` ClickHouse part: the outbox relay with the ClickHouse sink (what Atlas' ch-writer
 * runs: claim `clickhouse.*` outbox rows, load the instances from Postgres, insert one
 * JSONEachRow batch, delete the rows) draining the outbox the Postgres part left behind, against a
 * raw insert of the same instances' rows into a second ClickHouse database (the floor).
 * Embedded chdb in this process; Postgres as in the storage part.
 */
import { toClickhouseInstanceRow } from "../../src/lib/database/clickhouse-instance-row.ts"
import type { StoreItem } from "../../src/lib/database/instance-store.ts"
import { createTestClickhouse, type TestDatabase } from "../../src/lib/database/testing.ts"
import { createClickhouseSink } from "../../src/lib/messaging/clickhouse-sink.ts"
import { createOutboxRelay } from "../../src/lib/messaging/outbox-relay.ts"
import { computePairedRatio, type Distribution, summarize } from "../lib/stats.ts"

export interface ClickhouseMeasurement {
  method: "outbox relay → ClickHouse" | "raw ClickHouse insert"
  batchSize: number
  instances: number
  instancesPerSecond: number
  batchMs: Distribution
}

export async function compareClickhouse(
  storeDb: TestDatabase,
  items: readonly StoreItem[],
  batchSize: number,
  progress: (m: string) => void,
): Promise<{ relay: ClickhouseMeasurement; raw: ClickhouseMeasurement; pairedRatio: number }> {
  const [relayCh, rawCh] = [await createTestClickhouse({ migrate: true }), await createTestClickhouse({ migrate: true })]
  try {
    const relay = createOutboxRelay({
      sql: storeDb.sql,
      sink: createClickhouseSink({ client: relayCh.client, sql: storeDb.sql }),
      topicPrefix: "clickhouse.",
      batchSize,
    })
    const relayMs: number[] = []
    const rawMs: number[] = []
    let relayed = 0
    // Interleaved: one relay batch, then one raw batch, so both meet the same machine noise.
    for (let i = 0; ; i += batchSize) {
      const t0 = performance.now()
      const r = await relay.runOnce()
      if (r.failed > 0) throw new Error(`ClickHouse relay failed ${r.failed} of ${r.claimed} rows`)
      if (r.claimed > 0) {
        relayMs.push(performance.now() - t0)
        relayed += r.delivered
      }
      if (i < items.length) {
        const values = items.slice(i, i + batchSize).map((it) => toClickhouseInstanceRow(it.instance, it.activityId, it.versionId))
        const t1 = performance.now()
        await rawCh.client.insert({ table: "instance", values, format: "JSONEachRow" })
        rawMs.push(performance.now() - t1)
      }
      if (r.claimed === 0 && i >= items.length) break
    }
    progress(
      `clickhouse: relay delivered ${relayed} outbox rows in ${relayMs.length} batches, raw inserted ${items.length} in ${rawMs.length}`,
    )
    const describe = (method: ClickhouseMeasurement["method"], ms: number[], n: number): ClickhouseMeasurement => ({
      method,
      batchSize,
      instances: n,
      instancesPerSecond: n / (ms.reduce((a, b) => a + b, 0) / 1000),
      batchMs: summarize(ms),
    })
    return {
      relay: describe("outbox relay → ClickHouse", relayMs, relayed),
      raw: describe("raw ClickHouse insert", rawMs, items.length),
      // Same batch size on both sides, back to back: median of raw time / relay time.
      pairedRatio: computePairedRatio(rawMs, relayMs),
    }
  } finally {
    await relayCh.drop().catch(() => {})
    await rawCh.drop().catch(() => {})
  }
}
