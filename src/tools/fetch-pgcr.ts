/**
 * One PGCR fetched for a tool through the Bungie client (retries, backoff and cache busting are
 * the client's): the raw body bytes, envelope included, to process and store as received; or a
 * message on stderr.
 */
import { createBungieClient } from "../lib/bungie/client.ts"
import { ConfigError } from "../lib/config/load-config.ts"
import type { ConfigOf } from "../lib/config/sections.ts"
import type { ToolIo } from "./tool.ts"

const TIMEOUT_MS = 15_000
const MAX_ATTEMPTS = 4

export async function fetchPgcrBytes(instanceId: string, config: ConfigOf<"shared">, io: ToolIo): Promise<Uint8Array | undefined> {
  // Through zeus when one is configured, like every other Bungie client.
  const baseUrl = config.ZEUS_URL ?? config.BUNGIE_BASE_URL
  const apiKey = config.BUNGIE_API_KEY ?? ""
  if (apiKey === "" && new URL(baseUrl).hostname.endsWith("bungie.net")) {
    throw new ConfigError([{ key: "BUNGIE_API_KEY", value: "(unset)", reason: "Bungie's API needs a key" }])
  }
  const client = createBungieClient({
    baseUrl,
    wwwBaseUrl: config.ZEUS_URL ?? config.BUNGIE_WWW_BASE_URL,
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
