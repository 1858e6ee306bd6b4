/**
 * Child-process entry for benchmarks: starts zeus (src/apps/zeus/server.ts) with the options
 * given as JSON in argv[2], prints one JSON line with its URLs, and serves until SIGTERM. Zeus in
 * its own process, as in production, so its CPU is its own and the load generator's is not.
 */
import { parseClientWeights } from "../../src/apps/zeus/client-weights.ts"
import { parseNetworks } from "../../src/apps/zeus/networks.ts"
import { startZeus, type ZeusOptions } from "../../src/apps/zeus/server.ts"
import { createLogger } from "../../src/lib/monitoring/logger.ts"

export type ZeusChildOptions = Omit<ZeusOptions, "log" | "allowedNetworks" | "clientWeights"> & {
  allowedNetworks: string
  clientWeights?: string
}

const options = JSON.parse(process.argv[2] ?? "{}") as ZeusChildOptions
const zeus = await startZeus({
  ...options,
  allowedNetworks: parseNetworks(options.allowedNetworks),
  clientWeights: parseClientWeights(options.clientWeights ?? null),
  log: createLogger({ level: "warn", fields: { app: "zeus-bench" } }),
})
console.log(JSON.stringify({ event: "zeus.started", url: zeus.url, metricsUrl: zeus.metricsUrl, pid: process.pid }))
const shutdown = async () => {
  await zeus.stop(2_000)
  process.exit(0)
}
process.on("SIGINT", shutdown)
process.on("SIGTERM", shutdown)
