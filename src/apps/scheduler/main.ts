/**
 * `bun run scheduler`: runs the jobs of ops/schedule (see schedule-file.ts) as child processes,
 * one run per job at a time across every scheduler (Postgres advisory locks), with /metrics and a
 * read-only /healthz on SCHEDULER_METRICS_PORT. There is no way to trigger a job over the network:
 * a job is run by hand with `bun run tool <job>`. SIGINT/SIGTERM: start nothing new, end the
 * running jobs (SIGTERM, then SIGKILL after SCHEDULER_KILL_GRACE_SECONDS), exit 0.
 */
import { hostname } from "node:os"
import { isAbsolute, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Registry } from "prom-client"
import type { CommandLine } from "../../lib/cli/parse-command-line.ts"
import { runMain } from "../../lib/cli/run-main.ts"
import { UsageError } from "../../lib/cli/usage-error.ts"
import { SCHEDULER_COMMAND } from "../../lib/config/apps.ts"
import { createSql } from "../../lib/database/postgres.ts"
import { createLogger } from "../../lib/monitoring/logger.ts"
import { startProcessMetrics } from "../../lib/monitoring/process-metrics.ts"
import { serveMetrics } from "../../lib/monitoring/serve-metrics.ts"
import { checkPortFree } from "../../lib/runtime/check-port-free.ts"
import { postgresService } from "../../lib/runtime/services.ts"
import { installShutdownHandlers } from "../../lib/runtime/signals.ts"
import { waitForService } from "../../lib/runtime/wait-for-service.ts"
import { TOOLS } from "../../tools/registry.ts"
import { childEnvOf } from "./child-env.ts"
import { findUnknownTools, parseSchedule, type ScheduleEntry, ScheduleError } from "./schedule-file.ts"
import { createScheduler } from "./scheduler.ts"

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const TOOL_MAIN = join(REPO_ROOT, "src/tools/main.ts")

async function readSchedule(path: string): Promise<ScheduleEntry[]> {
  const file = isAbsolute(path) ? path : join(REPO_ROOT, path)
  let text: string
  try {
    text = await Bun.file(file).text()
  } catch {
    throw new UsageError(`cannot read the schedule ${file}: check SCHEDULER_SCHEDULE_FILE or --schedule-file`)
  }
  try {
    return parseSchedule(text)
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(`${file}: ${error.message}`)
    throw error
  }
}

async function main({ config, flags }: CommandLine<typeof SCHEDULER_COMMAND>): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, fields: { app: "scheduler" } })
  const entries = await readSchedule(config.SCHEDULER_SCHEDULE_FILE)
  const unknownTools = findUnknownTools(entries, new Set(TOOLS.map((t) => t.name)))
  if (flags.check) {
    const now = new Date()
    for (const e of entries) {
      process.stdout.write(
        `${e.name.padEnd(28)} ${e.cron.padEnd(18)} ${String(e.timeoutMs / 1000).padStart(6)}s  next ${e.next(now)?.toISOString() ?? "never"}  ${e.steps.map((s) => s.join(" ")).join(" && ")}\n`,
      )
    }
    for (const unknown of unknownTools) process.stderr.write(`scheduler: unknown tool in ${unknown}\n`)
    return unknownTools.length === 0 ? 0 : 1
  }
  for (const unknown of unknownTools) log.warn("scheduler.unknown_tool", { step: unknown })
  const pg = await waitForService(
    postgresService({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      embeddedPort: config.EMBEDDED_POSTGRES_PORT,
      logger: log,
      max: 2,
      applicationName: "scheduler",
    }),
    { waitSeconds: config.SERVICE_WAIT_SECONDS, log },
  )
  const signals = installShutdownHandlers(log, "scheduler")
  try {
    if (config.SCHEDULER_METRICS_PORT !== null) await checkPortFree(config.SCHEDULER_METRICS_PORT)
    const registry = new Registry()
    const processMetrics = startProcessMetrics({ registry })
    const scheduler = await createScheduler({
      entries,
      sql: pg.sql,
      openSession: () => createSql(pg.url, { max: 1, applicationName: "scheduler-job-lock" }),
      log,
      registry,
      host: `${hostname()}:${process.pid}`,
      commandOf: (step) => [process.execPath, TOOL_MAIN, ...step],
      childEnv: childEnvOf(config, process.env, pg.url),
      cwd: REPO_ROOT,
      killGraceMs: config.SCHEDULER_KILL_GRACE_SECONDS * 1000,
    })
    scheduler.start()
    const server =
      config.SCHEDULER_METRICS_PORT === null
        ? null
        : serveMetrics({ port: config.SCHEDULER_METRICS_PORT, registry, health: () => ({ ...scheduler.status(), unknownTools }) })
    log.info("scheduler.started", { jobs: entries.length, metrics: server ? `${server.url}/metrics` : null, next: scheduler.status().next })
    await signals.requested
    await scheduler.stop()
    await server?.stop()
    processMetrics.stop()
    log.info("scheduler.stopped", {})
    return 0
  } finally {
    signals.dispose()
    await pg.close().catch(() => {})
  }
}

await runMain(SCHEDULER_COMMAND, main)
