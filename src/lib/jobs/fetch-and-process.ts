/**
 * One PGCR for a job: fetched through the rate-limited client (bounded attempts with backoff,
 * cache-busted when asked) and processed with the crawler's rules, as a value. Bungie's failures
 * stay values (notFound, blocked, ...) with what the ledger records of them.
 */
import type { RateLimitedBungie } from "../bungie/rate-limited.ts"
import type { BungieResultKind } from "../bungie/result.ts"
import type { StoreItem } from "../database/instance-store-types.ts"
import type { Definitions } from "../definitions.ts"
import { processPgcr } from "../pgcr/process.ts"

export interface FailureInfo {
  /** The Bungie result kind, or "badFormat" / "mismatch" from processing. */
  kind: Exclude<BungieResultKind, "ok"> | "mismatch"
  httpStatus: number | null
  errorCode: number | null
  errorStatus: string | null
  reason: string
}

export type FetchOutcome =
  | { kind: "raid"; item: StoreItem }
  | { kind: "nonRaid"; unknownRaidHash: boolean }
  | { kind: "failed"; failure: FailureInfo }

export interface FetchOptions {
  /** > 0 adds malformed_retry=N so a CDN cannot replay a bad body. */
  cacheBust?: number
  /** Attempts of the client (default 3). */
  maxAttempts?: number
}

export async function fetchAndProcess(
  bungie: RateLimitedBungie,
  id: bigint,
  defs: Definitions,
  options: FetchOptions = {},
): Promise<FetchOutcome> {
  const cacheBust = options.cacheBust ?? 0
  const result = await bungie.call((client) => client.getPgcr(id, cacheBust > 0 ? { malformedRetry: cacheBust } : {}), {
    maxAttempts: options.maxAttempts ?? 3,
    // A 404 or a withheld PGCR does not change within seconds: no point retrying them here.
    retryOn: ["transient", "badFormat", "throttled"],
  })
  if (result.kind !== "ok") {
    const { httpStatus, errorCode, errorStatus } = result.meta
    const reason = "reason" in result ? result.reason : result.kind
    return { kind: "failed", failure: { kind: result.kind, httpStatus, errorCode, errorStatus, reason } }
  }
  const meta = { httpStatus: result.meta.httpStatus, errorCode: result.meta.errorCode, errorStatus: result.meta.errorStatus }
  const processed = processPgcr(result.value.pgcr, defs)
  const gotId = processed.kind === "raid" ? processed.instance.instanceId : processed.instanceId
  if (gotId !== undefined && gotId !== id.toString()) {
    // Bungie has been seen serving another activity under an id: never store it under this one.
    return { kind: "failed", failure: { kind: "mismatch", ...meta, reason: `the PGCR is instance ${gotId}` } }
  }
  switch (processed.kind) {
    case "raid":
      return {
        kind: "raid",
        item: { instance: processed.instance, activityId: processed.activityId, versionId: processed.versionId, raw: result.value.bytes },
      }
    case "nonRaid":
      return { kind: "nonRaid", unknownRaidHash: processed.unknownRaidHash }
    case "badFormat":
      return { kind: "failed", failure: { kind: "badFormat", ...meta, reason: processed.reason } }
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!)
  })
  await Promise.all(lanes)
  return results
}
