/**
 * One PGCR fetched and processed for a queue worker (pgcr_exists, pgcr_blocked): through the
 * shared rate-limited client, with the same processing as atlas. A malformed body is fetched
 * again with cache busters (so a CDN cannot replay it) a bounded number of times.
 */
import type { RawPgcr } from "../../lib/bungie/pgcr-body.ts"
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import type { BungieMeta } from "../../lib/bungie/result.ts"
import type { StoreItem } from "../../lib/database/instance-store.ts"
import { encodeRawPgcr } from "../../lib/database/raw-pgcr-codec.ts"
import type { Definitions } from "../../lib/definitions.ts"
import { processPgcr } from "../../lib/pgcr/process.ts"

export type PgcrBungie = Pick<RateLimitedBungie, "call">

export type FetchedPgcr =
  | { kind: "raid"; item: StoreItem }
  | { kind: "nonRaid"; unknownRaidHash: boolean; hash: number }
  | { kind: "incomplete"; reason: string }
  | { kind: "badFormat"; reason: string; meta: BungieMeta | null }
  | { kind: "notFound"; meta: BungieMeta }
  | { kind: "blocked"; meta: BungieMeta }
  | { kind: "disabled"; meta: BungieMeta }
  | { kind: "transient"; reason: string }
  | { kind: "fatal"; reason: string }

export interface FetchPgcrOptions {
  bungie: PgcrBungie
  defs: Definitions
  signal?: AbortSignal
  /** Fetches of a body that does not parse or process (default 3). */
  badFormatAttempts?: number
}

export async function fetchPgcr(id: bigint, o: FetchPgcrOptions): Promise<FetchedPgcr> {
  const attempts = Math.max(1, o.badFormatAttempts ?? 3)
  let last: FetchedPgcr = { kind: "transient", reason: "not fetched" }
  for (let cacheBust = 0; cacheBust < attempts; cacheBust++) {
    const result = await o.bungie.call<RawPgcr>((client) => client.getPgcr(id, cacheBust > 0 ? { malformedRetry: cacheBust } : {}), {
      signal: o.signal,
      maxAttempts: 3,
      // SystemDisabled pauses the queue instead of waiting here; malformed bodies are refetched below.
      retryOn: ["transient", "throttled"],
    })
    switch (result.kind) {
      case "ok":
        break
      case "badFormat":
        last = { kind: "badFormat", reason: result.reason, meta: result.meta }
        continue
      case "notFound":
      case "blocked":
      case "disabled":
        return { kind: result.kind, meta: result.meta }
      case "throttled":
        return { kind: "transient", reason: `throttled (wait ${result.waitMs} ms)` }
      case "transient":
        return { kind: "transient", reason: result.reason }
      case "fatal":
        return { kind: "fatal", reason: result.reason }
    }
    if (result.kind !== "ok") continue
    const processed = processPgcr(result.value.pgcr, o.defs)
    switch (processed.kind) {
      case "raid":
        return {
          kind: "raid",
          item: {
            instance: processed.instance,
            activityId: processed.activityId,
            versionId: processed.versionId,
            raw: encodeRawPgcr(result.value.bytes),
          },
        }
      case "nonRaid":
        return { kind: "nonRaid", unknownRaidHash: processed.unknownRaidHash, hash: processed.hash }
      case "badFormat":
        // Too early (entries still missing): a later retry gets the complete version.
        if (processed.code === "incomplete") return { kind: "incomplete", reason: processed.reason }
        last = { kind: "badFormat", reason: processed.reason, meta: result.meta }
    }
  }
  return last
}
