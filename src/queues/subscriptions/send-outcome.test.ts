import { expect, test } from "bun:test"
import { classifyNetworkError, classifyResponse } from "./send-outcome.ts"

const headers = (h: Record<string, string> = {}) => new Headers(h)

test("2xx sent; 5xx and 408 transient; dead webhooks and bad requests permanent", () => {
  expect(classifyResponse(204, headers(), "", 0)).toEqual({ kind: "sent", status: 204 })
  expect(classifyResponse(500, headers(), "oops", 0)).toEqual({ kind: "transient", status: 500, reason: "HTTP 500" })
  expect(classifyResponse(408, headers(), "", 0).kind).toBe("transient")
  expect(classifyResponse(404, headers(), '{"message":"Unknown Webhook","code":10015}', 0)).toEqual({
    kind: "permanent",
    status: 404,
    reason: "HTTP 404 (code 10015)",
  })
  expect(classifyResponse(401, headers(), "", 0).kind).toBe("permanent")
})

test("429: Discord's retry_after (seconds, fractional) wins, then Retry-After (seconds or date), then the reset header, else 1 s", () => {
  expect(classifyResponse(429, headers({ "retry-after": "9" }), '{"retry_after":1.25,"global":true}', 0)).toEqual({
    kind: "rateLimited",
    status: 429,
    retryAfterMs: 1250,
    global: true,
  })
  expect(classifyResponse(429, headers({ "retry-after": "3" }), "", 0)).toMatchObject({ retryAfterMs: 3000, global: false })
  const now = Date.parse("2026-01-01T00:00:00Z")
  expect(classifyResponse(429, headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), "", now)).toMatchObject({ retryAfterMs: 5000 })
  expect(classifyResponse(429, headers({ "x-ratelimit-reset-after": "0.5" }), "", 0)).toMatchObject({ retryAfterMs: 500 })
  expect(classifyResponse(429, headers(), "", 0)).toMatchObject({ retryAfterMs: 1000 })
})

test("reasons never carry a body, URL or message: only status, Discord's code, the error's name and code", () => {
  const token = "tok3n-very-secret"
  const r = classifyResponse(500, headers(), `{"echo":"${token}"}`, 0)
  expect(JSON.stringify(r)).not.toContain(token)
  const err = Object.assign(new Error(`connect failed to https://discord.com/api/webhooks/1/${token}`), { code: "ECONNREFUSED" })
  expect(classifyNetworkError(err)).toEqual({ kind: "transient", status: null, reason: "network: Error ECONNREFUSED" })
})
