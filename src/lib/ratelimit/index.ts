export { attachLimiter, createSharedLimiter, readSharedClock, type Limiter, type LimiterRuntime } from "./shared-limiter.ts"
export { DEFAULT_LIMITER_OPTIONS, resolveLimiterOptions, type LimiterOptions } from "./options.ts"
export { outcomeFromResult, type BungieResultLike } from "./outcome-from-result.ts"
export type { AddressSnapshot, LimiterSnapshot, Outcome, OutcomeKind, PauseReason, Permit, TryAcquireResult } from "./types.ts"
