/**
 * One PGCR fetched for a tool through the Bungie client (retries, backoff and cache busting are
 * the client's): the raw body bytes, envelope included, to process and store as received; or a
 * message on stderr.
 */
import { createBungieClient } from "../lib/bungie/client.ts"
import { ConfigError, loadConfigWithArgs } from "../lib/config.ts"
import type { ToolIo } from "./tool.ts"

const TIMEOUT_MS = 15_000
const MAX_ATTEMPTS = 4

export async function fetchPgcrBytes(instanceId: string, configArgs: readonly string[], io: ToolIo): Promise<Uint8Array | undefined> {
  let config: ReturnType<typeof loadConfigWithArgs>["config"]
  try {
    const loaded = loadConfigWithArgs(io.env, configArgs)
    if (loaded.rest.length > 0) {
      io.err(`process-single-pgcr: unknown argument ${JSON.stringify(loaded.rest[0])}`)
      return undefined
    }
    config = loaded.config
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`process-single-pgcr: ${error.message}`)
      return undefined
    }
    throw error
  }
  const apiKey = config.BUNGIE_API_KEY ?? ""
  if (apiKey === "" && new URL(config.BUNGIE_BASE_URL).hostname.endsWith("bungie.net")) {
    io.err("process-single-pgcr: BUNGIE_API_KEY is not set (Bungie's API needs it)")
    return undefined
  }
  const client = createBungieClient({
    baseUrl: config.BUNGIE_BASE_URL,
    wwwBaseUrl: config.BUNGIE_WWW_BASE_URL,
    apiKey,
    timeoutMs: TIMEOUT_MS,
    maxAttempts: MAX_ATTEMPTS,
  })
  try {
    const result = await client.getPgcr(BigInt(instanceId))
    if (result.kind === "ok") return result.value.bytes
    const { httpStatus, errorCode, errorStatus, attempts } = result.meta
    const reason = "reason" in result ? `: ${result.reason}` : ""
    io.err(
      `process-single-pgcr: instance ${instanceId}: ${result.kind} (HTTP ${httpStatus ?? "-"}, ErrorCode ${errorCode ?? "-"}` +
        `${errorStatus ? ` ${errorStatus}` : ""}, ${attempts} attempt${attempts === 1 ? "" : "s"})${reason}`,
    )
    return undefined
  } finally {
    client.close()
  }
}
