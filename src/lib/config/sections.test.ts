import { expect, test } from "bun:test"
import { LOG_LEVELS } from "../monitoring/logger.ts"
import { APP_COMMANDS } from "./apps.ts"
import { flagNameOf, keysOf, RETIRED_KEYS, SECTION_NAMES, SECTIONS, sectionOf } from "./sections.ts"

test("every key carries its section's prefix and lives in one section", () => {
  for (const name of SECTION_NAMES) {
    for (const key of keysOf(name)) {
      expect(key.startsWith(SECTIONS[name].prefix)).toBe(true)
      expect(sectionOf(key)).toBe(name)
    }
  }
})

test("flags: shared keys in full, section keys without their prefix", () => {
  expect(flagNameOf("DATABASE_URL")).toBe("database-url")
  expect(flagNameOf("ZEUS_URL")).toBe("zeus-url")
  expect(flagNameOf("SERVICE_WAIT_SECONDS")).toBe("service-wait-seconds")
  expect(flagNameOf("ATLAS_MAX_CONCURRENCY")).toBe("max-concurrency")
  expect(flagNameOf("ATLAS_TARGET_404_SHARE")).toBe("target-404-share")
  expect(flagNameOf("ZEUS_PORT")).toBe("port")
  expect(flagNameOf("SCHEDULER_METRICS_PORT")).toBe("metrics-port")
})

test("every retired key points at an existing key", () => {
  for (const replacement of Object.values(RETIRED_KEYS)) expect(sectionOf(replacement)).toBeDefined()
})

test("LOG_LEVEL offers exactly the logger's levels", () => {
  expect([...SECTIONS.shared.keys.LOG_LEVEL.values] as string[]).toEqual([...LOG_LEVELS])
})

test("every app reads the shared section and its own", () => {
  expect(APP_COMMANDS.map((c) => [c.name, c.sections])).toEqual([
    ["atlas", ["shared", "atlas"]],
    ["hermes", ["shared", "hermes"]],
    ["zeus", ["shared", "zeus"]],
    ["scheduler", ["shared", "scheduler"]],
    ["relay", ["shared", "relay"]],
  ])
})
