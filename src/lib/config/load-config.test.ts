import { describe, expect, test } from "bun:test"
import { createLogger } from "../monitoring/logger.ts"
import { ConfigError, loadConfig } from "./load-config.ts"
import { describeConfig } from "./redact.ts"
import { SECTION_NAMES } from "./sections.ts"

const API_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

function errorOf(env: Record<string, string>, flags: Record<string, string> = {}): ConfigError {
  try {
    loadConfig(SECTION_NAMES, env, flags)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error("expected loadConfig to throw")
}

describe("loadConfig", () => {
  test("an empty environment gives every default, frozen", () => {
    const config = loadConfig(SECTION_NAMES, {})
    expect(config.DATABASE_URL).toBeNull()
    expect(config.BUNGIE_BASE_URL).toBe("https://stats.bungie.net")
    expect(config.DATA_DIR).toBe("./.data")
    expect(config.LOG_LEVEL).toBe("info")
    expect(config.SERVICE_WAIT_SECONDS).toBe(30)
    expect([config.ATLAS_METRICS_PORT, config.HERMES_METRICS_PORT, config.ZEUS_METRICS_PORT, config.SCHEDULER_METRICS_PORT]).toEqual([
      8080, 8081, 8082, 8083,
    ])
    expect(config.ZEUS_PORT).toBe(7777)
    expect(config.ATLAS_SOURCE_ADDRESSES).toEqual([])
    expect(config.ATLAS_TARGET_404_SHARE).toBe(0.025)
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      ;(config as { LOG_LEVEL: string }).LOG_LEVEL = "debug"
    }).toThrow()
  })

  test("an app gets its own sections only", () => {
    const config = loadConfig(["shared", "atlas"], { HERMES_METRICS_PORT: "not checked here" })
    expect(Object.keys(config)).toContain("ATLAS_FETCHERS")
    expect(Object.keys(config)).toContain("DATABASE_URL")
    expect(Object.keys(config)).not.toContain("HERMES_METRICS_PORT")
    expect(Object.keys(config)).not.toContain("ZEUS_PORT")
  })

  test("parses typed values from env; empty means unset; unrelated env is ignored", () => {
    const config = loadConfig(["shared", "atlas"], {
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/raidhub",
      CLICKHOUSE_URL: "",
      ATLAS_FETCHERS: "4",
      ATLAS_TARGET_404_SHARE: "0.05",
      ATLAS_SOURCE_ADDRESSES: "127.0.0.1, ::1,10.0.0.2",
      ATLAS_METRICS_PORT: "off",
      LOG_LEVEL: "WARN",
      BUNGIE_API_KEY: API_KEY,
      PATH: "/usr/bin",
      HOME: "/root",
    })
    expect(config.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/raidhub")
    expect(config.CLICKHOUSE_URL).toBeNull()
    expect(config.ATLAS_FETCHERS).toBe(4)
    expect(config.ATLAS_TARGET_404_SHARE).toBe(0.05)
    expect(config.ATLAS_SOURCE_ADDRESSES).toEqual(["127.0.0.1", "::1", "10.0.0.2"])
    expect(config.ATLAS_METRICS_PORT).toBeNull()
    expect(config.LOG_LEVEL).toBe("warn")
    expect(config.BUNGIE_API_KEY).toBe(API_KEY)
  })

  test("flag values win over the environment and are named with their flag in errors", () => {
    const config = loadConfig(
      ["shared", "atlas"],
      { ATLAS_FETCHERS: "4" },
      { ATLAS_FETCHERS: "8", DATABASE_URL: "postgres://x@db/raidhub" },
    )
    expect(config.ATLAS_FETCHERS).toBe(8)
    expect(config.DATABASE_URL).toBe("postgres://x@db/raidhub")
    expect(errorOf({}, { ATLAS_BATCH_MAX_MS: "-5" }).message).toMatch(/ATLAS_BATCH_MAX_MS \(--batch-max-ms\)="-5": out of range/)
  })

  test("the retired RAIDHUB_* keys are refused, naming the new key", () => {
    const err = errorOf({ RAIDHUB_FETCHERS: "3", RAIDHUB_TARGET_404_SHARE: "0.1", RAIDHUB_SOMETHING: "x" })
    expect(err.issues.map((i) => [i.key, i.reason])).toEqual([
      ["RAIDHUB_FETCHERS", "renamed: use ATLAS_FETCHERS (flag --fetchers)"],
      ["RAIDHUB_TARGET_404_SHARE", "renamed: use ATLAS_TARGET_404_SHARE (flag --target-404-share)"],
      [
        "RAIDHUB_SOMETHING",
        "RAIDHUB_* keys are retired; settings carry their section's prefix (ATLAS_, HERMES_, ZEUS_, SCHEDULER_, RELAY_)",
      ],
    ])
    // Refused whatever the app: the environment is often one .env for every app.
    expect(() => loadConfig(["shared", "hermes"], { RAIDHUB_BATCH_SIZE: "10" })).toThrow(
      /RAIDHUB_BATCH_SIZE="10": renamed: use ATLAS_BATCH_SIZE/,
    )
  })

  test("an unknown key under a section prefix fails, naming the known ones", () => {
    const err = errorOf({ ATLAS_FETCHER: "3" })
    expect(err.issues).toEqual([
      {
        key: "ATLAS_FETCHER",
        value: '"3"',
        reason:
          "unknown key (known ATLAS_* keys: ATLAS_FETCHERS, ATLAS_MAX_CONCURRENCY, ATLAS_SOURCE_ADDRESSES, ATLAS_BATCH_SIZE, ATLAS_BATCH_MAX_MS, ATLAS_TARGET_404_SHARE, ATLAS_LATE_PUBLICATION_WINDOW_S, ATLAS_HEAP_TRIM_S, ATLAS_FLEET, ATLAS_FLEET_LEASE_S, ATLAS_FLEET_MAX_RANGE, ATLAS_METRICS_PORT)",
      },
    ])
    expect(errorOf({ ZEUS_PROT: "1" }).message).toContain(
      "known ZEUS_* keys: ZEUS_URL, ZEUS_PORT, ZEUS_METRICS_PORT, ZEUS_LISTEN_ADDRESS, ZEUS_SOURCE_ADDRESSES,",
    )
    expect(() => loadConfig(["shared"], { SCHEDULER_METRICS: "1" })).toThrow(/SCHEDULER_METRICS="1": unknown key/)
    // A key of another app's section is known, even when this app does not read it.
    expect(() => loadConfig(["shared"], { ZEUS_PORT: "7000", ATLAS_FETCHERS: "3" })).not.toThrow()
  })

  test("a malformed URL fails, naming the key and the value", () => {
    const err = errorOf({ CLICKHOUSE_URL: "localhost:8123" })
    expect(err.issues).toHaveLength(1)
    expect(err.issues[0]!.key).toBe("CLICKHOUSE_URL")
    expect(err.message).toMatch(/CLICKHOUSE_URL="localhost:8123": (malformed URL|unsupported scheme)/)
    expect(errorOf({ BUNGIE_BASE_URL: "not a url" }).message).toMatch(/BUNGIE_BASE_URL="not a url": malformed URL/)
    expect(errorOf({ RABBITMQ_URL: "http://127.0.0.1:5672" }).message).toMatch(/RABBITMQ_URL="http:\/\/127.0.0.1:5672": unsupported scheme/)
    expect(errorOf({ ZEUS_URL: "zeus:7777" }).message).toMatch(/ZEUS_URL="zeus:7777"/)
  })

  test("a URL password never appears in the error", () => {
    const err = errorOf({ DATABASE_URL: "mysql://user:hunter2@db/raidhub" })
    expect(err.message).toContain("DATABASE_URL")
    expect(err.message).not.toContain("hunter2")
    expect(err.message).toContain("user:***@")
  })

  test("out-of-range and non-numeric numbers and ports fail, naming the key and the value", () => {
    expect(errorOf({ ATLAS_MAX_CONCURRENCY: "0" }).message).toMatch(/ATLAS_MAX_CONCURRENCY="0": out of range/)
    expect(errorOf({ ATLAS_METRICS_PORT: "70000" }).message).toMatch(
      /ATLAS_METRICS_PORT="70000": out of range: expected an integer in \[0, 65535\] or "off"/,
    )
    expect(errorOf({ ZEUS_PORT: "off" }).message).toMatch(/ZEUS_PORT="off": expected an integer in \[0, 65535\]$/)
    expect(errorOf({ ATLAS_BATCH_SIZE: "12abc" }).message).toMatch(/ATLAS_BATCH_SIZE="12abc": expected an integer/)
    expect(errorOf({ ATLAS_TARGET_404_SHARE: "1.5" }).message).toMatch(/ATLAS_TARGET_404_SHARE="1.5": out of range/)
    expect(errorOf({ ATLAS_TARGET_404_SHARE: "NaN" }).message).toMatch(/ATLAS_TARGET_404_SHARE="NaN": expected a number/)
    expect(errorOf({ SERVICE_WAIT_SECONDS: "-1" }).message).toMatch(/SERVICE_WAIT_SECONDS="-1": out of range/)
  })

  test("bad enums and address lists name the key", () => {
    expect(errorOf({ LOG_LEVEL: "loud" }).message).toMatch(/LOG_LEVEL="loud": expected one of/)
    expect(errorOf({ ATLAS_SOURCE_ADDRESSES: "127.0.0.1,300.1.1.1" }).message).toMatch(
      /ATLAS_SOURCE_ADDRESSES="127.0.0.1,300.1.1.1": not an IP address: 300.1.1.1/,
    )
  })

  test("reports every problem at once, on one line", () => {
    const err = errorOf({ ATLAS_NOPE: "1", DATABASE_URL: "nope", ATLAS_FETCHERS: "999" })
    expect(err.issues.map((i) => i.key).sort()).toEqual(["ATLAS_FETCHERS", "ATLAS_NOPE", "DATABASE_URL"])
    expect(err.message).not.toContain("\n")
  })

  test("the API key never appears in errors or logs", () => {
    const bad = errorOf({ BUNGIE_API_KEY: `${API_KEY} x` })
    expect(bad.message).toContain("BUNGIE_API_KEY=[REDACTED]")
    expect(bad.message).not.toContain(API_KEY)

    // Even when the key leaks into another value by mistake.
    const leaked = errorOf({ BUNGIE_API_KEY: API_KEY, BUNGIE_BASE_URL: `stats.bungie.net/${API_KEY}` })
    expect(leaked.message).toContain("BUNGIE_BASE_URL")
    expect(leaked.message).not.toContain(API_KEY)

    const config = loadConfig(SECTION_NAMES, { BUNGIE_API_KEY: API_KEY, DATABASE_URL: "postgres://u:secretpw@db/raidhub" })
    const described = JSON.stringify(describeConfig(config))
    expect(described).not.toContain(API_KEY)
    expect(described).not.toContain("secretpw")

    const lines: string[] = []
    const log = createLogger({ sink: (l) => lines.push(l) })
    log.info("config", { config: describeConfig(config), raw: config.BUNGIE_API_KEY, headers: { "X-API-Key": API_KEY } })
    log.error(`request with key ${config.BUNGIE_API_KEY} failed`)
    expect(lines.join("")).not.toContain(API_KEY)
  })
})
