import { describe, expect, test } from "bun:test"
import { createLogger, type LogFields, maskSecrets, parseLogLevel, registerSecret } from "./logger.ts"

function capture(level: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = []
  const log = createLogger({ now: () => new Date("2026-01-02T03:04:05.000Z"), ...level, sink: (l) => lines.push(l) })
  const records = () => lines.map((l) => JSON.parse(l) as LogFields)
  return { log, lines, records }
}

describe("logger", () => {
  test("writes one JSON object per line with ts, level, event and fields", () => {
    const { log, lines, records } = capture()
    log.info("started", { port: 8080 })
    expect(lines).toHaveLength(1)
    expect(lines[0]!.endsWith("\n")).toBe(true)
    expect(lines[0]!.indexOf("\n")).toBe(lines[0]!.length - 1)
    expect(records()[0]).toEqual({ ts: "2026-01-02T03:04:05.000Z", level: "info", event: "started", port: 8080 })
  })

  test("filters by level", () => {
    const { log, records } = capture({ level: "warn" })
    log.debug("a")
    log.info("b")
    log.warn("c")
    log.error("d")
    expect(records().map((r) => r.event)).toEqual(["c", "d"])
    expect(log.isEnabled("info")).toBe(false)
    expect(log.isEnabled("error")).toBe(true)
    const silent = capture({ level: "silent" })
    silent.log.error("x")
    expect(silent.lines).toHaveLength(0)
  })

  test("child loggers bind fields and nest", () => {
    const { log, records } = capture()
    const child = log.child({ app: "atlas" }).child({ worker: 3 })
    child.info("fetched", { instanceId: 17000000000123456789n, worker: 4 })
    expect(records()[0]).toMatchObject({ app: "atlas", worker: 4, instanceId: "17000000000123456789" })
  })

  test("redacts secret-named keys at any depth", () => {
    const { log, lines } = capture()
    log.info("cfg", { apiKey: "abc", nested: { password: "pw", api_key: "k", Authorization: "Bearer z", token: "t" }, name: "ok" })
    const rec = JSON.parse(lines[0]!)
    expect(rec.apiKey).toBe("[REDACTED]")
    expect(rec.nested).toEqual({ password: "[REDACTED]", api_key: "[REDACTED]", Authorization: "[REDACTED]", token: "[REDACTED]" })
    expect(rec.name).toBe("ok")
  })

  test("masks the configured secret value wherever it appears", () => {
    const key = "0123456789abcdef0123456789abcdef"
    const { log, lines } = capture({ secrets: [key] })
    log.error(`request failed ${key}`, { url: `https://x/?k=${key}`, err: new Error(`bad key ${key}`), list: [key] })
    expect(lines[0]).not.toContain(key)
    expect(lines[0]).toContain("[REDACTED]")
  })

  test("registered secrets are masked by every logger", () => {
    const key = "fedcba9876543210fedcba9876543210"
    registerSecret(key)
    const { log, lines } = capture()
    log.warn("x", { header: `X-API-Key: ${key}` })
    expect(lines[0]).not.toContain(key)
    expect(maskSecrets(`a${key}b`)).toBe("a[REDACTED]b")
  })

  test("serialises errors, dates and circular objects without throwing", () => {
    const { log, records } = capture()
    const circ: Record<string, unknown> = { a: 1 }
    circ.self = circ
    log.error("boom", { err: new Error("nope", { cause: new Error("root") }), at: new Date(0), circ })
    const rec = records()[0]!
    expect((rec.err as LogFields).message).toBe("nope")
    expect(((rec.err as LogFields).cause as LogFields).message).toBe("root")
    expect(rec.at).toBe("1970-01-01T00:00:00.000Z")
    expect((rec.circ as LogFields).self).toBe("[Circular]")
  })

  test("parses levels", () => {
    expect(parseLogLevel("DEBUG")).toBe("debug")
    expect(parseLogLevel("verbose")).toBeNull()
  })
})
