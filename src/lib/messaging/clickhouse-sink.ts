/**
 * Delivers `clickhouse.instance` outbox rows: reads the instances' current state from Postgres
 * (the source of truth) and inserts them into ClickHouse's `instance` table as one JSONEachRow
 * batch. The insert is all-or-nothing per batch; a ClickHouse outage throws, the relay backs the
 * rows off, and Postgres ingestion is never blocked. Instances no longer in Postgres (replaced
 * meanwhile) count as delivered: their newer row has its own outbox entry.
 */
import type { ClickHouseClient } from "@clickhouse/client"
import { toClickhouseInstanceRow } from "../database/clickhouse-instance-row.ts"
import { loadProcessedInstances } from "../database/instance-loader.ts"
import type { AnySql } from "../database/sql-types.ts"
import type { DeliveryResult, OutboxRow, OutboxSink } from "./outbox-sink.ts"
import type { ClickhouseInstancePayload } from "./outbox-topics.ts"

export interface ClickhouseSinkOptions {
  client: ClickHouseClient
  /** Pool to read instances from (not the relay's claim transaction). */
  sql: AnySql
  table?: string
}

/** Creates the ClickHouse instance sink. */
export function createClickhouseSink(options: ClickhouseSinkOptions): OutboxSink {
  const table = options.table ?? "instance"
  return {
    name: "clickhouse",
    async deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult> {
      const failed = new Map<string, string>()
      const ids: string[] = []
      for (const row of rows) {
        const id = parseInstanceId(row)
        if (id === null) failed.set(row.id, `unreadable payload for topic ${row.topic}`)
        else ids.push(id)
      }
      const loaded = await loadProcessedInstances(options.sql, ids)
      if (loaded.length > 0) {
        await options.client.insert({
          table,
          values: loaded.map((l) => toClickhouseInstanceRow(l.instance, l.activityId, l.versionId)),
          format: "JSONEachRow",
        })
      }
      return { failed }
    },
  }
}

function parseInstanceId(row: OutboxRow): string | null {
  try {
    const payload = JSON.parse(new TextDecoder().decode(row.payload)) as Partial<ClickhouseInstancePayload>
    return typeof payload.instanceId === "string" && /^\d+$/.test(payload.instanceId) ? payload.instanceId : null
  } catch {
    return null
  }
}
