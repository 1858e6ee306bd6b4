/**
 * The value every Bungie call returns. Failures are values, not exceptions: callers (the crawler,
 * the shared rate limiter, queue workers) switch on `kind`. Exceptions are reserved for bugs.
 */

export interface BungieMeta {
  /** HTTP status of the last request; null when no response arrived (network error, timeout). */
  httpStatus: number | null
  /** Bungie `ErrorCode` of the last response; null when the body had no envelope. */
  errorCode: number | null
  /** Bungie `ErrorStatus` of the last response (e.g. "DestinyPGCRNotFound"). */
  errorStatus: string | null
  /** HTTP requests issued for this logical call, retries included. */
  attempts: number
  /** Latency of the last HTTP request in milliseconds (per-attempt latencies go to `onAttempt`). */
  latencyMs: number
  /**
   * Bungie's `MessageData` of the last response when it was not empty, e.g. 18 InvalidParameters
   * naming the right membership type: `{ membershipType: "TigerSteam" }` (the player crawl follows it).
   */
  messageData?: Readonly<Record<string, string>>
}

export type BungieResult<T> =
  | { kind: "ok"; value: T; meta: BungieMeta }
  | { kind: "notFound"; meta: BungieMeta }
  | { kind: "blocked"; meta: BungieMeta }
  | { kind: "disabled"; meta: BungieMeta }
  /**
   * `waitHinted`: Bungie said how long (ThrottleSeconds > 0 or Retry-After); otherwise `waitMs` is
   * this client's default for the kind of throttle, and a rate limiter may apply its own.
   */
  | { kind: "throttled"; waitMs: number; waitHinted: boolean; meta: BungieMeta }
  | { kind: "transient"; reason: string; meta: BungieMeta }
  | { kind: "badFormat"; reason: string; meta: BungieMeta }
  | { kind: "fatal"; reason: string; meta: BungieMeta }

export type BungieResultKind = BungieResult<unknown>["kind"]

/** A non-ok result carries no value, so it can be re-typed for any T without copying. */
export type BungieFailure = Exclude<BungieResult<never>, { kind: "ok" }>

/** Re-types a failure for another value type (the payload is absent, so this is sound). */
export function castFailure<T>(result: BungieFailure): BungieResult<T> {
  return result
}

/** Maps the ok value, passing every other variant through unchanged. */
export function mapOk<A, B>(result: BungieResult<A>, map: (value: A) => B): BungieResult<B> {
  if (result.kind !== "ok") return result
  return { kind: "ok", value: map(result.value), meta: result.meta }
}
