/**
 * Atlas's relay thread: hosts the outbox relays (ClickHouse, and RabbitMQ when configured) beside
 * the crawl. In production the embedded ClickHouse engine then lives in this thread alone, and
 * nothing here can hold up Postgres ingestion.
 */
import { createSql } from "../../../lib/database/postgres.ts"
import { startRelayHost } from "../../../lib/messaging/relay-host.ts"
import { defineWorker } from "../../../lib/runtime/worker-thread.ts"
import type { MainToRelay, RelayInit, RelayToMain } from "../shared/messages.ts"

export function runRelayThread(): void {
  defineWorker<RelayInit, MainToRelay, RelayToMain>((init, scope) => {
    const sql = createSql(init.databaseUrl, { max: 3, applicationName: "atlas-relay" })
    const host = startRelayHost({
      sql,
      clickhouseUrl: init.clickhouseUrl,
      clickhouseDatabase: init.clickhouseDatabase,
      dataDir: init.dataDir,
      rabbitmqUrl: init.rabbitmqUrl,
      log: scope.log,
      onUnavailable: (reason, attempt) => scope.post({ type: "unavailable", reason, attempt }),
    })
    return {
      async close() {
        await host.close()
        await sql.end({ timeout: 5 })
      },
    }
  })
}
