import { expect, test } from "bun:test"
import { ConfigError } from "../../lib/config.ts"
import { loadHermesConfig } from "./config.ts"
import { parseHermesFlags, parseQueueList, UsageError } from "./flags.ts"

test("hermes keys: defaults, parsed values, and every problem named at once", () => {
  const defaults = loadHermesConfig({})
  expect(defaults).toMatchObject({ HERMES_QUEUES: null, HERMES_RELAYS: true, HERMES_SCALE_INTERVAL_MS: 5_000, SERVICE_WAIT_SECONDS: 30 })
  const set = loadHermesConfig({
    HERMES_QUEUES: "pgcr_exists,pgcr_blocked",
    HERMES_RELAYS: "off",
    HERMES_SOURCE_ADDRESSES: "127.0.0.2, ::1",
  })
  expect(set.HERMES_RELAYS).toBe(false)
  expect(set.HERMES_SOURCE_ADDRESSES).toEqual(["127.0.0.2", "::1"])
  expect(parseQueueList(set.HERMES_QUEUES)).toEqual(["pgcr_exists", "pgcr_blocked"])
  try {
    loadHermesConfig({ HERMES_SCALE_INTERVAL_MS: "10", HERMES_RELAYS: "maybe", HERMES_TYPO: "1", HERMES_METRICS_PORT: "8081" })
    throw new Error("expected a ConfigError")
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const keys = (error as ConfigError).issues.map((i) => i.key).sort()
    expect(keys).toEqual(["HERMES_RELAYS", "HERMES_SCALE_INTERVAL_MS", "HERMES_TYPO"])
  }
  expect(() => parseQueueList("pgcr_blocked_retry")).toThrow(UsageError)
})

test("run flags: repeated --queue, --metrics-port, --no-relays; unknown ones are usage errors", () => {
  expect(parseHermesFlags(["--queue", "pgcr_exists", "--queue=pgcr_blocked", "--metrics-port", "0", "--no-relays"])).toEqual({
    help: false,
    queues: ["pgcr_exists", "pgcr_blocked"],
    metricsPort: 0,
    relays: false,
  })
  expect(() => parseHermesFlags(["--queue", "instance_cheat_check"])).toThrow("unknown queue")
  expect(() => parseHermesFlags(["--metrics-port", "99999"])).toThrow(UsageError)
  expect(() => parseHermesFlags(["--queue"])).toThrow("needs a value")
  expect(() => parseHermesFlags(["--frobnicate"])).toThrow("unknown argument")
})
