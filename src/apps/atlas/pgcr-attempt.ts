/**
 * One HTTP attempt at one PGCR through the Bungie client (transport → envelope → classification →
 * bigint-safe ids), bound to one source address: one client per address, each with
 * `maxAttempts: 1`. Deliberately no retry loop inside the client: every attempt holds a permit of
 * the shared limiter (taken by the caller around this call, which is exactly one request), and the
 * crawler's retry policy (retry-policy.ts) decides when an id is tried again. That removes the
 * original's nested retry layers (up to 16 requests per logical fetch) and keeps every request
 * counted by the limiter.
 */
import { type BungieClient, createBungieClient } from "../../lib/bungie/client.ts"
import type { RawPgcr } from "../../lib/bungie/pgcr-body.ts"
import type { BungieResult } from "../../lib/bungie/result.ts"

export interface PgcrAttempterOptions {
  baseUrl: string
  /** www host (Settings); defaults to baseUrl (the simulator serves both). */
  wwwBaseUrl?: string
  apiKey: string
  timeoutMs: number
  /** One client (and rate bucket) per address; empty = one client on the default route. */
  sourceAddresses: readonly string[]
}

export interface PgcrAttempter {
  /** Number of address slots (the limiter's `addresses`). */
  readonly addresses: number
  /** `cacheBust` > 0 adds `malformed_retry=N` so a CDN cannot serve the same bad body again. */
  attempt(id: bigint, addressIndex: number, cacheBust: number): Promise<BungieResult<RawPgcr>>
  /** Is Destiny2 enabled according to Settings? null when Settings could not tell. */
  destinyEnabled(): Promise<boolean | null>
  close(): void
}

export function createPgcrAttempter(options: PgcrAttempterOptions): PgcrAttempter {
  const common = {
    baseUrl: options.baseUrl,
    wwwBaseUrl: options.wwwBaseUrl ?? options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    maxAttempts: 1,
  }
  const clients: BungieClient[] =
    options.sourceAddresses.length === 0
      ? [createBungieClient(common)]
      : options.sourceAddresses.map((sourceAddress) => createBungieClient({ ...common, sourceAddress }))
  return {
    addresses: clients.length,
    attempt(id, addressIndex, cacheBust) {
      const client = clients[addressIndex % clients.length]!
      return client.getPgcr(id, cacheBust > 0 ? { malformedRetry: cacheBust } : {})
    },
    async destinyEnabled() {
      const result = await clients[0]!.getSettings()
      if (result.kind !== "ok") return null
      const enabled = (result.value as { systems?: Record<string, { enabled?: boolean }> }).systems?.Destiny2?.enabled
      return typeof enabled === "boolean" ? enabled : null
    },
    close() {
      for (const client of clients) client.close()
    },
  }
}
