/**
 * Stores one processed PGCR for a tool through the crawler's batched instance store (a batch of
 * one), so a hand-run store has exactly the crawler's effects: raw PGCR, instance, players,
 * aggregates, outbox rows. The database gets one connection attempt: an unreachable one is a
 * ServiceUnavailableError (one line naming DATABASE_URL, exit 2).
 */
import type { ConfigOf } from "../lib/config/sections.ts"
import { storeInstances } from "../lib/database/instance-store.ts"
import { createLogger } from "../lib/monitoring/logger.ts"
import type { RaidResult } from "../lib/pgcr/result.ts"
import { summarizeResult } from "../lib/pgcr/summarize.ts"
import { postgresService } from "../lib/runtime/services.ts"
import { waitForService } from "../lib/runtime/wait-for-service.ts"
import type { ToolIo } from "./tool.ts"

export async function storeProcessedPgcr(result: RaidResult, raw: Uint8Array, config: ConfigOf<"shared">, io: ToolIo): Promise<number> {
  const logger = createLogger({ level: config.LOG_LEVEL, fields: { app: "process-single-pgcr" } })
  const pg = await waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      applicationName: "raidhub-process-single-pgcr",
      max: 2,
      logger,
    }),
    { waitSeconds: 0 },
  )
  try {
    const report = await storeInstances(pg.sql, [
      { instance: result.instance, activityId: result.activityId, versionId: result.versionId, raw },
    ])
    const id = result.instance.instanceId
    const outcome = report.storedIds.includes(id)
      ? "stored"
      : report.duplicateIds.includes(id)
        ? "duplicate"
        : report.unknownHashIds.includes(id)
          ? "unknownHash"
          : "notStored"
    io.out(JSON.stringify({ ...summarizeResult(result), outcome, outbox: report.outbox }))
    if (outcome === "unknownHash" || outcome === "notStored") {
      io.err(`process-single-pgcr: instance ${id} was not stored (${outcome}); is the database seeded (bun run migrate)?`)
      return 1
    }
    return 0
  } catch (error) {
    io.err(`process-single-pgcr: storing failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    await pg.close()
  }
}
