export { DEFAULT_LIMITER_OPTIONS, type LimiterOptions, resolveLimiterOptions } from "./options.ts"
export { attachLimiter, createSharedLimiter, type Limiter, type LimiterRuntime, readSharedClock } from "./shared-limiter.ts"
export type { AddressSnapshot, LimiterSnapshot, Outcome, OutcomeKind, PauseReason, Permit, TryAcquireResult } from "./types.ts"
