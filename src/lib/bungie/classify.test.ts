import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { FIXTURES_DIR } from "../fixtures-path.ts"
import { classifyNetworkError, classifyResponse, DEFAULT_WAIT_MS, MAX_WAIT_MS } from "./classify.ts"
import { decodeBody } from "./envelope.ts"
import type { BungieResultKind } from "./result.ts"

const encoder = new TextEncoder()

function envelope(code: number, status: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ErrorCode: code, ThrottleSeconds: 0, ErrorStatus: status, Message: `msg ${status}`, MessageData: {}, ...extra })
}

function html(title: string): string {
  return `<!DOCTYPE html>\n<html lang="en-US"><head>\n  <title>${title}</title><meta charset="UTF-8"></head><body>...</body></html>`
}

function fixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, "pgcr", name), "utf8")
}

interface Row {
  name: string
  status: number
  body: string
  contentType?: string
  retryAfter?: string
  kind: BungieResultKind
  waitMs?: number
  errorCode?: number | null
  reason?: RegExp
}

const okPgcr = fixture("7315438924.json")

const rows: Row[] = [
  // Real bodies.
  {
    name: "fixture error-1653 on 404",
    status: 404,
    body: fixture("error-1653-DestinyPGCRNotFound.json"),
    kind: "notFound",
    errorCode: 1653,
  },
  {
    name: "fixture error-51 on 429 (ThrottleSeconds 0 → 10 s)",
    status: 429,
    body: fixture("error-51-PerEndpointRequestThrottleExceeded.json"),
    kind: "throttled",
    waitMs: 10_000,
    errorCode: 51,
  },
  {
    name: "fixture error-51 on 200",
    status: 200,
    body: fixture("error-51-PerEndpointRequestThrottleExceeded.json"),
    kind: "throttled",
    waitMs: 10_000,
    errorCode: 51,
  },
  { name: "real PGCR envelope", status: 200, body: okPgcr, kind: "ok", errorCode: 1 },
  // Every code of research raidhub.md §2.4 and bungie.md §5.
  {
    name: "1 Success with Response null",
    status: 200,
    body: envelope(1, "Success", { Response: null }),
    kind: "badFormat",
    reason: /Response null/,
  },
  { name: "1 Success without Response", status: 200, body: envelope(1, "Success"), kind: "badFormat", reason: /Response undefined/ },
  { name: "1 Success on HTTP 500 → status decides", status: 500, body: envelope(1, "Success", { Response: {} }), kind: "transient" },
  { name: "3 UnhandledException", status: 500, body: envelope(3, "UnhandledException"), kind: "transient", errorCode: 3 },
  { name: "5 SystemDisabled on 503", status: 503, body: envelope(5, "SystemDisabled"), kind: "disabled", errorCode: 5 },
  { name: "5 SystemDisabled on 400", status: 400, body: envelope(5, "SystemDisabled"), kind: "disabled" },
  { name: "7 ParameterParseFailure", status: 400, body: envelope(7, "ParameterParseFailure"), kind: "fatal", errorCode: 7 },
  { name: "8 ParameterInvalidRange", status: 400, body: envelope(8, "ParameterInvalidRange"), kind: "fatal" },
  {
    name: "12 InsufficientPrivileges (floodgates)",
    status: 401,
    body: envelope(12, "InsufficientPrivileges"),
    kind: "blocked",
    errorCode: 12,
  },
  {
    name: "18 InvalidParameters",
    status: 400,
    body: envelope(18, "InvalidParameters", { MessageData: { membershipType: "3" } }),
    kind: "fatal",
  },
  { name: "31 ThrottleLimitExceeded", status: 429, body: envelope(31, "ThrottleLimitExceeded"), kind: "throttled", waitMs: 10_000 },
  {
    name: "35 ThrottleLimitExceededMinutes",
    status: 429,
    body: envelope(35, "ThrottleLimitExceededMinutes"),
    kind: "throttled",
    waitMs: 60_000,
  },
  {
    name: "36 ThrottleLimitExceededMomentarily",
    status: 429,
    body: envelope(36, "ThrottleLimitExceededMomentarily"),
    kind: "throttled",
    waitMs: 5_000,
  },
  {
    name: "37 ThrottleLimitExceededSeconds",
    status: 429,
    body: envelope(37, "ThrottleLimitExceededSeconds"),
    kind: "throttled",
    waitMs: 10_000,
  },
  {
    name: "51 with ThrottleSeconds 10",
    status: 429,
    body: envelope(51, "PerEndpointRequestThrottleExceeded", { ThrottleSeconds: 10, MessageData: { MaximumRequestsPerSecond: "25" } }),
    kind: "throttled",
    waitMs: 10_000,
  },
  {
    name: "51 with ThrottleSeconds 3",
    status: 429,
    body: envelope(51, "PerEndpointRequestThrottleExceeded", { ThrottleSeconds: 3 }),
    kind: "throttled",
    waitMs: 3_000,
  },
  {
    name: "54 PerApplicationThrottleExceeded, ThrottleSeconds 20",
    status: 429,
    body: envelope(54, "PerApplicationThrottleExceeded", { ThrottleSeconds: 20 }),
    kind: "throttled",
    waitMs: 20_000,
  },
  {
    name: "55 PerApplicationAnonymousThrottleExceeded",
    status: 429,
    body: envelope(55, "PerApplicationAnonymousThrottleExceeded", { ThrottleSeconds: 10 }),
    kind: "throttled",
    waitMs: 10_000,
  },
  {
    name: "56 PerApplicationAuthenticatedThrottleExceeded",
    status: 429,
    body: envelope(56, "PerApplicationAuthenticatedThrottleExceeded"),
    kind: "throttled",
    waitMs: 10_000,
  },
  {
    name: "57 PerUserThrottleExceeded",
    status: 429,
    body: envelope(57, "PerUserThrottleExceeded", { ThrottleSeconds: 10 }),
    kind: "throttled",
    waitMs: 10_000,
  },
  {
    name: "absurd ThrottleSeconds is capped",
    status: 429,
    body: envelope(51, "PerEndpointRequestThrottleExceeded", { ThrottleSeconds: 86_400 }),
    kind: "throttled",
    waitMs: MAX_WAIT_MS,
  },
  { name: "686 GroupNotFound", status: 404, body: envelope(686, "GroupNotFound"), kind: "notFound" },
  { name: "1601 DestinyAccountNotFound", status: 404, body: envelope(1601, "DestinyAccountNotFound"), kind: "notFound" },
  { name: "1618 DestinyUnexpectedError", status: 500, body: envelope(1618, "DestinyUnexpectedError"), kind: "transient" },
  { name: "1620 DestinyCharacterNotFound", status: 404, body: envelope(1620, "DestinyCharacterNotFound"), kind: "notFound" },
  { name: "1626 DestinyInternalError", status: 500, body: envelope(1626, "DestinyInternalError"), kind: "transient" },
  { name: "1643 DestinyServiceFailure", status: 500, body: envelope(1643, "DestinyServiceFailure"), kind: "transient" },
  { name: "1651 DestinyShardRelayClientTimeout", status: 500, body: envelope(1651, "DestinyShardRelayClientTimeout"), kind: "transient" },
  { name: "1652 DestinyShardRelayProxyTimeout", status: 500, body: envelope(1652, "DestinyShardRelayProxyTimeout"), kind: "transient" },
  { name: "1653 on 404 (compact)", status: 404, body: envelope(1653, "DestinyPGCRNotFound"), kind: "notFound" },
  {
    name: "1665 DestinyPrivacyRestriction",
    status: 401,
    body: envelope(1665, "DestinyPrivacyRestriction"),
    kind: "fatal",
    errorCode: 1665,
  },
  {
    name: "1672 DestinyThrottledByGameServer on 503",
    status: 503,
    body: envelope(1672, "DestinyThrottledByGameServer"),
    kind: "throttled",
    waitMs: 5_000,
  },
  {
    name: "1672 with ThrottleSeconds 2",
    status: 503,
    body: envelope(1672, "DestinyThrottledByGameServer", { ThrottleSeconds: 2 }),
    kind: "throttled",
    waitMs: 2_000,
  },
  { name: "1688 DestinyDirectBabelClientTimeout", status: 500, body: envelope(1688, "DestinyDirectBabelClientTimeout"), kind: "transient" },
  { name: "2101 ApiInvalidOrExpiredKey", status: 401, body: envelope(2101, "ApiInvalidOrExpiredKey"), kind: "fatal", errorCode: 2101 },
  { name: "2102 ApiKeyMissingFromRequest", status: 401, body: envelope(2102, "ApiKeyMissingFromRequest"), kind: "fatal" },
  { name: "2103 ApplicationDisabled", status: 401, body: envelope(2103, "ApplicationDisabled"), kind: "fatal" },
  { name: "2107 OriginHeaderDoesNotMatchKey", status: 401, body: envelope(2107, "OriginHeaderDoesNotMatchKey"), kind: "fatal" },
  // 200 with non-Success codes: classified by code.
  { name: "200 with 1653", status: 200, body: envelope(1653, "DestinyPGCRNotFound"), kind: "notFound" },
  { name: "200 with 5", status: 200, body: envelope(5, "SystemDisabled"), kind: "disabled" },
  { name: "200 with 1626", status: 200, body: envelope(1626, "DestinyInternalError"), kind: "transient" },
  { name: "200 with an unknown code", status: 200, body: envelope(99999, "SomethingNew"), kind: "fatal", reason: /ErrorCode 99999/ },
  { name: "500 with an unknown code", status: 500, body: envelope(99999, "SomethingNew"), kind: "transient" },
  { name: "400 with an unknown code", status: 400, body: envelope(99999, "SomethingNew"), kind: "fatal" },
  // HTML pages.
  {
    name: "Cloudflare 'Just a moment...' on 403",
    status: 403,
    body: html("Just a moment..."),
    contentType: "text/html",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.edgeBlock,
    errorCode: null,
  },
  {
    name: "Cloudflare 'Attention Required!' on 403",
    status: 403,
    body: html("Attention Required! | Cloudflare"),
    contentType: "text/html; charset=UTF-8",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.edgeBlock,
  },
  {
    name: "Cloudflare challenge on 503",
    status: 503,
    body: html("Just a moment..."),
    contentType: "text/html",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.edgeBlock,
  },
  {
    name: "Cloudflare challenge on 200",
    status: 200,
    body: html("Just a moment..."),
    contentType: "text/html",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.edgeBlock,
  },
  {
    name: "Access denied on 403",
    status: 403,
    body: html("Access denied"),
    contentType: "text/html",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.edgeBlock,
  },
  {
    name: "502 Bad Gateway page",
    status: 502,
    body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>",
    contentType: "text/html",
    kind: "transient",
    reason: /HTTP 502: HTML page "502 Bad Gateway"/,
  },
  { name: "504 Gateway Time-out page", status: 504, body: html("504 Gateway Time-out"), contentType: "text/html", kind: "transient" },
  { name: "500 HTML error page", status: 500, body: html("500 Internal Server Error"), contentType: "text/html", kind: "transient" },
  {
    name: "Cloudflare 520 origin error",
    status: 520,
    body: html("bungie.net | 520: Web server is returning an unknown error"),
    contentType: "text/html",
    kind: "transient",
  },
  {
    name: "bare 503 page (no challenge)",
    status: 503,
    body: html("503 Service Temporarily Unavailable"),
    contentType: "text/html",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.gameServerThrottle,
  },
  {
    name: "HTML maintenance page on 200",
    status: 200,
    body: html("Bungie.net - Maintenance"),
    contentType: "text/html",
    kind: "badFormat",
    reason: /HTML page "Bungie.net - Maintenance"/,
  },
  { name: "non-JSON 404 page", status: 404, body: html("404 Not Found"), contentType: "text/html", kind: "transient" },
  // Truncated / malformed / empty.
  {
    name: "truncated PGCR on 200",
    status: 200,
    body: okPgcr.slice(0, 5000),
    contentType: "application/json",
    kind: "badFormat",
    reason: /truncated JSON/,
  },
  {
    name: "truncated JSON on 500",
    status: 500,
    body: '{"ErrorCode":3,"ThrottleSec',
    contentType: "application/json",
    kind: "transient",
    reason: /truncated JSON/,
  },
  {
    name: "malformed JSON on 200",
    status: 200,
    body: '{"ErrorCode": 1,, }',
    contentType: "application/json",
    kind: "badFormat",
    reason: /malformed JSON/,
  },
  { name: "empty body on 200", status: 200, body: "", contentType: "application/json", kind: "badFormat", reason: /empty body/ },
  { name: "whitespace body on 200", status: 200, body: "  \n", kind: "badFormat", reason: /empty body/ },
  { name: "empty body on 502", status: 502, body: "", kind: "transient", reason: /HTTP 502: empty body/ },
  {
    name: "JSON without envelope on 200",
    status: 200,
    body: '{"hello":"world"}',
    contentType: "application/json",
    kind: "badFormat",
    reason: /no numeric ErrorCode/,
  },
  {
    name: "plain text on 200",
    status: 200,
    body: "upstream connect error",
    contentType: "text/plain",
    kind: "badFormat",
    reason: /text body/,
  },
  // 429 with and without body.
  { name: "429 without body", status: 429, body: "", kind: "throttled", waitMs: DEFAULT_WAIT_MS.tooManyRequests, errorCode: null },
  { name: "429 without body, Retry-After 7", status: 429, body: "", retryAfter: "7", kind: "throttled", waitMs: 7_000 },
  {
    name: "429 with text body",
    status: 429,
    body: "Too Many Requests",
    contentType: "text/plain",
    kind: "throttled",
    waitMs: DEFAULT_WAIT_MS.tooManyRequests,
  },
  {
    name: "429 with 51 body, code wins over Retry-After",
    status: 429,
    body: envelope(51, "PerEndpointRequestThrottleExceeded", { ThrottleSeconds: 10 }),
    retryAfter: "99",
    kind: "throttled",
    waitMs: 10_000,
  },
  // Other statuses.
  { name: "301 redirect (wrong host)", status: 301, body: "", kind: "fatal", reason: /redirect/ },
  { name: "400 without envelope", status: 400, body: html("Bad Request"), contentType: "text/html", kind: "fatal" },
]

describe("classifyResponse table", () => {
  for (const row of rows) {
    test(row.name, () => {
      const body = decodeBody(row.contentType ?? null, encoder.encode(row.body))
      const result = classifyResponse({ status: row.status, retryAfter: row.retryAfter ?? null, body, latencyMs: 12 })
      expect(result.kind).toBe(row.kind)
      expect(result.meta.httpStatus).toBe(row.status)
      expect(result.meta.attempts).toBe(1)
      expect(result.meta.latencyMs).toBe(12)
      if (row.waitMs !== undefined) expect(result.kind === "throttled" ? result.waitMs : null).toBe(row.waitMs)
      if (row.errorCode !== undefined) expect(result.meta.errorCode).toBe(row.errorCode)
      if (row.reason !== undefined) {
        const reason = "reason" in result ? result.reason : ""
        expect(reason).toMatch(row.reason)
      }
    })
  }
})

describe("classifyResponse details", () => {
  test("a throttle says whether the wait came from Bungie (ThrottleSeconds, Retry-After) or is the default for its kind", () => {
    const classify = (status: number, text: string, retryAfter: string | null = null) =>
      classifyResponse({ status, retryAfter, body: decodeBody(null, encoder.encode(text)), latencyMs: 1 })
    expect(classify(429, envelope(51, "PerEndpointRequestThrottleExceeded", { ThrottleSeconds: 7 }))).toMatchObject({
      waitMs: 7_000,
      waitHinted: true,
    })
    expect(classify(429, envelope(51, "PerEndpointRequestThrottleExceeded"))).toMatchObject({ waitMs: 10_000, waitHinted: false })
    expect(classify(429, "", "3")).toMatchObject({ waitMs: 3_000, waitHinted: true })
    expect(classify(503, envelope(1672, "DestinyThrottledByGameServer"))).toMatchObject({
      waitMs: DEFAULT_WAIT_MS.gameServerThrottle,
      waitHinted: false,
    })
  })

  test("ok carries the decoded Response and the envelope's status name", () => {
    const body = decodeBody("application/json", encoder.encode(okPgcr))
    const result = classifyResponse({ status: 200, retryAfter: null, body, latencyMs: 1 })
    if (result.kind !== "ok") throw new Error(`expected ok, got ${result.kind}`)
    expect((result.value as { activityDetails: { instanceId: string } }).activityDetails.instanceId).toBe("7315438924")
    expect(result.meta.errorStatus).toBe("Success")
  })

  test("error-1653 fixture keeps its ErrorStatus in meta", () => {
    const body = decodeBody(null, encoder.encode(fixture("error-1653-DestinyPGCRNotFound.json")))
    const result = classifyResponse({ status: 404, retryAfter: null, body, latencyMs: 1 })
    expect(result.meta).toEqual({ httpStatus: 404, errorCode: 1653, errorStatus: "DestinyPGCRNotFound", attempts: 1, latencyMs: 1 })
  })

  test("MessageData reaches meta when Bungie sent some (the wrong-membership-type hint), and only then", () => {
    const hinted = classifyResponse({
      status: 400,
      retryAfter: null,
      body: decodeBody(
        "application/json",
        encoder.encode(envelope(18, "InvalidParameters", { MessageData: { membershipType: "TigerSteam" } })),
      ),
      latencyMs: 1,
    })
    expect(hinted.kind).toBe("fatal")
    expect(hinted.meta.messageData).toEqual({ membershipType: "TigerSteam" })
    const plain = classifyResponse({
      status: 404,
      retryAfter: null,
      body: decodeBody("application/json", encoder.encode(envelope(1601, "DestinyAccountNotFound"))),
      latencyMs: 1,
    })
    expect("messageData" in plain.meta).toBe(false)
  })

  test("network errors are transient with no status or code", () => {
    const result = classifyNetworkError({ kind: "networkError", code: "timeout", message: "no response within 5000 ms", latencyMs: 5000 })
    expect(result.kind).toBe("transient")
    expect(result.meta).toEqual({ httpStatus: null, errorCode: null, errorStatus: null, attempts: 1, latencyMs: 5000 })
    expect(result.kind === "transient" && result.reason).toBe("network timeout: no response within 5000 ms")
  })
})

describe("zeus's own answers", () => {
  const classify = (status: number, text: string) =>
    classifyResponse({ status, retryAfter: null, body: decodeBody("application/json", encoder.encode(text)), latencyMs: 3 })

  test("ZeusQueueTimeout on a 503 is a local transient timeout, not Bungie throttling", () => {
    const result = classify(503, envelope(0, "ZeusQueueTimeout"))
    expect(result.kind).toBe("transient")
    expect(result.kind === "transient" && result.reason).toContain("ZeusQueueTimeout")
    expect(result.meta.errorStatus).toBe("ZeusQueueTimeout")
    // The same 503 without zeus's status is what Bungie's game servers say: a throttle.
    expect(classify(503, envelope(0, "SomethingElse")).kind).toBe("throttled")
  })

  test("the other local statuses are transient too; a relayed SystemDisabled stays disabled", () => {
    for (const status of ["ZeusQueueFull", "ZeusShuttingDown", "ZeusUpstreamError"]) {
      expect(classify(status === "ZeusUpstreamError" ? 502 : 503, envelope(0, status)).kind).toBe("transient")
    }
    expect(classify(503, envelope(5, "SystemDisabled")).kind).toBe("disabled")
  })
})
