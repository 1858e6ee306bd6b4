/**
 * Classification: one HTTP exchange → a BungieResult. Pure (no I/O, no clock).
 *
 * Decision order: Bungie `ErrorCode` first (the HTTP status is not reliable: maintenance has been
 * seen on 400, most errors default to 500), then the HTTP status, then the kind of body.
 * `meta.attempts` is 1 here; the retry layer overwrites it with the real count.
 */
import type { DecodedBody } from "./envelope.ts"
import { ErrorCode } from "./error-codes.ts"
import type { BungieMeta, BungieResult } from "./result.ts"
import type { TransportNetworkError } from "./transport-types.ts"
import { isZeusLocalStatus } from "./zeus-protocol.ts"

/** Waits (ms) used when Bungie does not say how long (`ThrottleSeconds` 0 or absent). */
export const DEFAULT_WAIT_MS = {
  /** 31/37/51/54–57: Bungie staff: ThrottleSeconds "will almost always be 10 seconds". */
  platformThrottle: 10_000,
  /** 36 ThrottleLimitExceededMomentarily: a short pause is enough by name. */
  momentaryThrottle: 5_000,
  /** 35 ThrottleLimitExceededMinutes: by name, a minute. */
  minutesThrottle: 60_000,
  /** 1672 and bare 503: game servers shedding load; the original slept 5 s. */
  gameServerThrottle: 5_000,
  /** 429 without Retry-After. */
  tooManyRequests: 10_000,
  /** Cloudflare challenge pages and other 403s: our address looks abusive, back off hard. */
  edgeBlock: 30_000,
} as const

/** Bungie's or Retry-After's wait is honoured but capped, so one odd header cannot park the crawler. */
export const MAX_WAIT_MS = 10 * 60_000

const THROTTLE_CODE_DEFAULTS: ReadonlyMap<number, number> = new Map([
  [ErrorCode.ThrottleLimitExceeded, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.ThrottleLimitExceededMinutes, DEFAULT_WAIT_MS.minutesThrottle],
  [ErrorCode.ThrottleLimitExceededMomentarily, DEFAULT_WAIT_MS.momentaryThrottle],
  [ErrorCode.ThrottleLimitExceededSeconds, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.PerEndpointRequestThrottleExceeded, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.PerApplicationThrottleExceeded, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.PerApplicationAnonymousThrottleExceeded, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.PerApplicationAuthenticatedThrottleExceeded, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.PerUserThrottleExceeded, DEFAULT_WAIT_MS.platformThrottle],
  [ErrorCode.DestinyThrottledByGameServer, DEFAULT_WAIT_MS.gameServerThrottle],
])

const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
  ErrorCode.DestinyPGCRNotFound,
  ErrorCode.GroupNotFound,
  ErrorCode.DestinyAccountNotFound,
  ErrorCode.DestinyCharacterNotFound,
])

const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  ErrorCode.UnhandledException,
  ErrorCode.DestinyUnexpectedError,
  ErrorCode.DestinyInternalError,
  ErrorCode.DestinyServiceFailure,
  ErrorCode.DestinyShardRelayClientTimeout,
  ErrorCode.DestinyShardRelayProxyTimeout,
  ErrorCode.DestinyDirectBabelClientTimeout,
])

/**
 * Known codes that no retry can fix. 7 ParameterParseFailure is here, not in notFound: we only send
 * well-formed decimal ids, so a 7 means a client bug (or bad user input upstream), and calling it
 * notFound would hide that bug inside the crawler's 404 statistics.
 */
const FATAL_CODES: ReadonlySet<number> = new Set([
  ErrorCode.ParameterParseFailure,
  ErrorCode.ParameterInvalidRange,
  ErrorCode.InvalidParameters,
  ErrorCode.DestinyPrivacyRestriction,
  ErrorCode.ApiInvalidOrExpiredKey,
  ErrorCode.ApiKeyMissingFromRequest,
  ErrorCode.ApplicationDisabled,
  ErrorCode.OriginHeaderDoesNotMatchKey,
])

/** Titles of the edge's bot-challenge pages (lower-cased substrings). */
const CHALLENGE_TITLES = ["just a moment", "attention required", "checking your browser", "ddos protection by cloudflare"]

export interface ClassifyResponseInput {
  status: number
  /** Raw `Retry-After` header, if any. */
  retryAfter: string | null
  body: DecodedBody
  latencyMs: number
}

/** Classifies a response that arrived (any status, any body). */
export function classifyResponse(input: ClassifyResponseInput): BungieResult<unknown> {
  const { status, body } = input
  const envelope = body.kind === "envelope" ? body.envelope : null
  const meta: BungieMeta = {
    httpStatus: status,
    errorCode: envelope?.errorCode ?? null,
    errorStatus: envelope?.errorStatus ?? null,
    attempts: 1,
    latencyMs: input.latencyMs,
    ...(envelope !== null && Object.keys(envelope.messageData).length > 0 ? { messageData: envelope.messageData } : {}),
  }
  // Zeus's own answers (queue timeout, queue full, ...) are local and transient: Bungie was not
  // asked, so they must not read as Bungie throttling (their 503 would otherwise say so).
  if (envelope !== null && isZeusLocalStatus(envelope.errorStatus)) {
    return { kind: "transient", reason: `zeus ${envelope.errorStatus}${envelope.message === null ? "" : `: ${envelope.message}`}`, meta }
  }
  if (envelope !== null) {
    const byCode = classifyByErrorCode(envelope.errorCode, status, envelope, meta)
    if (byCode !== null) return byCode
  }
  const byStatus = classifyByStatus(input, meta)
  if (byStatus !== null) return byStatus
  return classifyByBody(body, meta)
}

type Envelope = Extract<DecodedBody, { kind: "envelope" }>["envelope"]

function classifyByErrorCode(code: number | null, status: number, envelope: Envelope, meta: BungieMeta): BungieResult<unknown> | null {
  if (code === null) return null
  if (code === ErrorCode.Success) {
    // A Success body on a non-2xx status is contradictory: let the status decide.
    if (!isSuccessStatus(status)) return null
    if (envelope.response === null || envelope.response === undefined) {
      return { kind: "badFormat", reason: `Success envelope with Response ${String(envelope.response)}`, meta }
    }
    return { kind: "ok", value: envelope.response, meta }
  }
  if (NOT_FOUND_CODES.has(code)) return { kind: "notFound", meta }
  if (code === ErrorCode.InsufficientPrivileges) return { kind: "blocked", meta }
  if (code === ErrorCode.SystemDisabled) return { kind: "disabled", meta }
  const throttleDefault = THROTTLE_CODE_DEFAULTS.get(code)
  if (throttleDefault !== undefined) {
    return throttled(envelope.throttleSeconds * 1000, throttleDefault, meta)
  }
  if (TRANSIENT_CODES.has(code)) return { kind: "transient", reason: describeCode(code, envelope), meta }
  if (FATAL_CODES.has(code)) return { kind: "fatal", reason: describeCode(code, envelope), meta }
  return null
}

function classifyByStatus(input: ClassifyResponseInput, meta: BungieMeta): BungieResult<unknown> | null {
  const { status, body } = input
  if (isSuccessStatus(status)) return null
  const what = `HTTP ${status}: ${describeBody(body)}`
  if (status === 429) {
    return throttled(parseRetryAfterMs(input.retryAfter), DEFAULT_WAIT_MS.tooManyRequests, meta)
  }
  if (status === 403) return throttled(null, DEFAULT_WAIT_MS.edgeBlock, meta)
  if (status === 503) {
    const wait = isChallengePage(body) ? DEFAULT_WAIT_MS.edgeBlock : DEFAULT_WAIT_MS.gameServerThrottle
    return throttled(parseRetryAfterMs(input.retryAfter), wait, meta)
  }
  // A 404 without Bungie's envelope is the edge not knowing the path, not Bungie saying "no such PGCR".
  if (status >= 500 || status === 404 || status === 408) return { kind: "transient", reason: what, meta }
  if (status >= 300 && status < 400) return { kind: "fatal", reason: `unexpected redirect, ${what}`, meta }
  return { kind: "fatal", reason: what, meta }
}

function classifyByBody(body: DecodedBody, meta: BungieMeta): BungieResult<unknown> {
  switch (body.kind) {
    case "envelope":
      return { kind: "fatal", reason: `unexpected ${describeBody(body)}`, meta }
    case "html":
      if (isChallengePage(body)) return throttled(null, DEFAULT_WAIT_MS.edgeBlock, meta)
      return { kind: "badFormat", reason: describeBody(body), meta }
    case "json":
      return { kind: "badFormat", reason: "JSON without a Bungie envelope (no numeric ErrorCode)", meta }
    case "text":
    case "empty":
    case "malformed":
      return { kind: "badFormat", reason: describeBody(body), meta }
  }
}

/** Network problems (timeouts, refused, reset, DNS, TLS) are always worth another try. */
export function classifyNetworkError(error: TransportNetworkError): BungieResult<never> {
  return {
    kind: "transient",
    reason: `network ${error.code}: ${error.message}`,
    meta: { httpStatus: null, errorCode: null, errorStatus: null, attempts: 1, latencyMs: error.latencyMs },
  }
}

export function isChallengePage(body: DecodedBody): boolean {
  if (body.kind !== "html" || body.title === null) return false
  const title = body.title.toLowerCase()
  return title.includes("cloudflare") || CHALLENGE_TITLES.some((t) => title.includes(t))
}

/** Short human description of a body for reasons (never the body itself). */
export function describeBody(body: DecodedBody): string {
  switch (body.kind) {
    case "envelope":
      return `ErrorCode ${body.envelope.errorCode} ${body.envelope.errorStatus ?? "?"}`
    case "html":
      return body.title === null ? "HTML page without title" : `HTML page "${body.title}"`
    case "json":
      return "JSON without envelope"
    case "text":
      return `text body "${body.snippet}"`
    case "empty":
      return "empty body"
    case "malformed":
      return body.reason
  }
}

function describeCode(code: number, envelope: Envelope): string {
  const message = envelope.message === null ? "" : `: ${envelope.message}`
  return `ErrorCode ${code} ${envelope.errorStatus ?? "?"}${message}`
}

function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300
}

/** The server's wait when it gave one, else the default; capped at MAX_WAIT_MS. */
/** A throttle answer: the server's wait when it gave one (capped), else the default for its kind. */
function throttled(serverMs: number | null, defaultMs: number, meta: BungieMeta): BungieResult<unknown> {
  const waitHinted = serverMs !== null && serverMs > 0
  const wait = waitHinted ? serverMs : defaultMs
  return { kind: "throttled", waitMs: Math.min(Math.round(wait), MAX_WAIT_MS), waitHinted, meta }
}

/** `Retry-After` is delta-seconds or an HTTP date; dates are ignored (no clock in pure code). */
export function parseRetryAfterMs(header: string | null): number | null {
  if (header === null) return null
  const trimmed = header.trim()
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null
  return Number(trimmed) * 1000
}
