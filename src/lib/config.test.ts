import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  CONFIG_TABLE,
  ConfigError,
  describeConfig,
  loadConfig,
  loadConfigWithArgs,
  renderConfigMarkdown,
  renderEnvExample,
} from "./config.ts"
import { createLogger } from "./monitoring/logger.ts"

const API_KEY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

function errorOf(env: Record<string, string>, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error("expected loadConfig to throw")
}

describe("loadConfig", () => {
  test("an empty environment gives every default, frozen", () => {
    const config = loadConfig({})
    expect(config.DATABASE_URL).toBeNull()
    expect(config.BUNGIE_BASE_URL).toBe("https://stats.bungie.net")
    expect(config.BUNGIE_WWW_BASE_URL).toBe("https://www.bungie.net")
    expect(config.DATA_DIR).toBe("./.data")
    expect(config.LOG_LEVEL).toBe("info")
    expect([config.ATLAS_METRICS_PORT, config.HERMES_METRICS_PORT, config.ZEUS_METRICS_PORT]).toEqual([8080, 8081, 8082])
    expect(config.RAIDHUB_SOURCE_ADDRESSES).toEqual([])
    expect(config.RAIDHUB_TARGET_404_SHARE).toBe(0.025)
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      ;(config as { LOG_LEVEL: string }).LOG_LEVEL = "debug"
    }).toThrow()
  })

  test("parses typed values from env; empty means unset; unrelated env is ignored", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/raidhub",
      CLICKHOUSE_URL: "",
      RAIDHUB_FETCHERS: "4",
      RAIDHUB_TARGET_404_SHARE: "0.05",
      RAIDHUB_SOURCE_ADDRESSES: "127.0.0.1, ::1,10.0.0.2",
      LOG_LEVEL: "WARN",
      BUNGIE_API_KEY: API_KEY,
      PATH: "/usr/bin",
      HOME: "/root",
    })
    expect(config.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/raidhub")
    expect(config.CLICKHOUSE_URL).toBeNull()
    expect(config.RAIDHUB_FETCHERS).toBe(4)
    expect(config.RAIDHUB_TARGET_404_SHARE).toBe(0.05)
    expect(config.RAIDHUB_SOURCE_ADDRESSES).toEqual(["127.0.0.1", "::1", "10.0.0.2"])
    expect(config.LOG_LEVEL).toBe("warn")
    expect(config.BUNGIE_API_KEY).toBe(API_KEY)
  })

  test("flags override env and unknown arguments are returned", () => {
    const { config, rest } = loadConfigWithArgs({ RAIDHUB_FETCHERS: "4" }, [
      "--fetchers",
      "8",
      "--sim",
      "--database-url=postgres://x@db/raidhub",
      "-v",
      "--from",
      "123",
    ])
    expect(config.RAIDHUB_FETCHERS).toBe(8)
    expect(config.DATABASE_URL).toBe("postgres://x@db/raidhub")
    expect(config.LOG_LEVEL).toBe("debug")
    expect(rest).toEqual(["--sim", "--from", "123"])
  })

  test("an unknown RAIDHUB_ key fails, naming the key and the value", () => {
    const err = errorOf({ RAIDHUB_FETCHER: "3" })
    expect(err.message).toContain("RAIDHUB_FETCHER")
    expect(err.message).toContain('"3"')
    expect(err.message).toContain("unknown key")
    expect(err.issues.map((i) => i.key)).toEqual(["RAIDHUB_FETCHER"])
  })

  test("a malformed URL fails, naming the key and the value", () => {
    const err = errorOf({ CLICKHOUSE_URL: "localhost:8123" })
    expect(err.issues).toHaveLength(1)
    expect(err.issues[0]!.key).toBe("CLICKHOUSE_URL")
    expect(err.message).toMatch(/CLICKHOUSE_URL="localhost:8123": (malformed URL|unsupported scheme)/)
    expect(errorOf({ BUNGIE_BASE_URL: "not a url" }).message).toMatch(/BUNGIE_BASE_URL="not a url": malformed URL/)
    expect(errorOf({ RABBITMQ_URL: "http://127.0.0.1:5672" }).message).toMatch(/RABBITMQ_URL="http:\/\/127.0.0.1:5672": unsupported scheme/)
  })

  test("a URL password never appears in the error", () => {
    const err = errorOf({ DATABASE_URL: "mysql://user:hunter2@db/raidhub" })
    expect(err.message).toContain("DATABASE_URL")
    expect(err.message).not.toContain("hunter2")
    expect(err.message).toContain("user:***@")
  })

  test("out-of-range and non-numeric numbers fail, naming the key and the value", () => {
    expect(errorOf({ RAIDHUB_MAX_CONCURRENCY: "0" }).message).toMatch(/RAIDHUB_MAX_CONCURRENCY="0": out of range/)
    expect(errorOf({ ATLAS_METRICS_PORT: "70000" }).message).toMatch(/ATLAS_METRICS_PORT="70000": out of range/)
    expect(errorOf({ RAIDHUB_BATCH_SIZE: "12abc" }).message).toMatch(/RAIDHUB_BATCH_SIZE="12abc": expected an integer/)
    expect(errorOf({ RAIDHUB_TARGET_404_SHARE: "1.5" }).message).toMatch(/RAIDHUB_TARGET_404_SHARE="1.5": out of range/)
    expect(errorOf({ RAIDHUB_TARGET_404_SHARE: "NaN" }).message).toMatch(/RAIDHUB_TARGET_404_SHARE="NaN": expected a number/)
    expect(errorOf({}, ["--batch-max-ms", "-5"]).message).toMatch(/RAIDHUB_BATCH_MAX_MS \(--batch-max-ms\)="-5": out of range/)
  })

  test("bad enums, address lists and missing flag values name the key", () => {
    expect(errorOf({ LOG_LEVEL: "loud" }).message).toMatch(/LOG_LEVEL="loud": expected one of/)
    expect(errorOf({ RAIDHUB_SOURCE_ADDRESSES: "127.0.0.1,300.1.1.1" }).message).toMatch(
      /RAIDHUB_SOURCE_ADDRESSES="127.0.0.1,300.1.1.1": not an IP address: 300.1.1.1/,
    )
    expect(errorOf({}, ["--fetchers"]).message).toMatch(/RAIDHUB_FETCHERS=--fetchers: flag needs a value/)
  })

  test("reports every problem at once", () => {
    const err = errorOf({ RAIDHUB_NOPE: "1", DATABASE_URL: "nope", RAIDHUB_FETCHERS: "999" })
    expect(err.issues.map((i) => i.key).sort()).toEqual(["DATABASE_URL", "RAIDHUB_FETCHERS", "RAIDHUB_NOPE"])
  })

  test("the API key never appears in errors or logs", () => {
    const bad = errorOf({ BUNGIE_API_KEY: `${API_KEY} x` })
    expect(bad.message).toContain("BUNGIE_API_KEY=[REDACTED]")
    expect(bad.message).not.toContain(API_KEY)

    // Even when the key leaks into another value by mistake.
    const leaked = errorOf({ BUNGIE_API_KEY: API_KEY, BUNGIE_BASE_URL: `stats.bungie.net/${API_KEY}` })
    expect(leaked.message).toContain("BUNGIE_BASE_URL")
    expect(leaked.message).not.toContain(API_KEY)

    const config = loadConfig({ BUNGIE_API_KEY: API_KEY, DATABASE_URL: "postgres://u:secretpw@db/raidhub" })
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

describe("generated documentation", () => {
  test(".env.example matches the config table (regenerate with `bun src/lib/config.ts --env-example > .env.example`)", () => {
    const path = fileURLToPath(new URL("../../.env.example", import.meta.url))
    expect(readFileSync(path, "utf8")).toBe(renderEnvExample())
  })

  test("README key tables match the config table (regenerate with `bun src/lib/config.ts --markdown`)", () => {
    const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8")
    expect(readme).toContain(renderConfigMarkdown())
  })

  test("every key appears with its default in .env.example and the Markdown table", () => {
    const example = renderEnvExample()
    const markdown = renderConfigMarkdown()
    for (const [key, spec] of Object.entries(CONFIG_TABLE)) {
      const def = spec.default === null ? "" : Array.isArray(spec.default) ? spec.default.join(",") : String(spec.default)
      expect(example).toContain(`\n${key}=${def}\n`)
      expect(markdown).toContain(`| \`${key}\` |`)
    }
    // The example file itself loads cleanly.
    const env = Object.fromEntries(
      example
        .split("\n")
        .filter((l) => /^[A-Z0-9_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    )
    expect(() => loadConfig(env)).not.toThrow()
  })
})
