/**
 * Postgres for a job or tool: DATABASE_URL (or the embedded server), one connection attempt. An
 * unreachable database is a ServiceUnavailableError: one line naming DATABASE_URL, exit 2.
 */
import type { ConfigOf } from "../config/sections.ts"
import type { PostgresHandle } from "../database/postgres.ts"
import type { Logger } from "../monitoring/logger.ts"
import { postgresService } from "../runtime/services.ts"
import { waitForService } from "../runtime/wait-for-service.ts"

export function openJobPostgres(config: ConfigOf<"shared">, name: string, logger: Logger, max = 4): Promise<PostgresHandle> {
  return waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      applicationName: `raidhub-${name}`,
      max,
      logger,
    }),
    { waitSeconds: 0 },
  )
}
