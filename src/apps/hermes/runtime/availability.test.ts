import { expect, test } from "bun:test"
import type { CoreSettingsConfiguration } from "bungie-api-ts/core"
import type { BungieResult } from "../../../lib/bungie/result.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { createAvailabilityMonitor, readSystems } from "./availability.ts"

const meta = { httpStatus: 200, errorCode: 1, errorStatus: "Success", attempts: 1, latencyMs: 1 }
const settings = (systems: Record<string, boolean>): BungieResult<CoreSettingsConfiguration> => ({
  kind: "ok",
  value: { systems: Object.fromEntries(Object.entries(systems).map(([k, enabled]) => [k, { enabled, parameters: {} }])) } as never,
  meta,
})

test("Settings are read per system; unreadable Settings tell nothing", () => {
  expect(readSystems(settings({ Destiny2: false, Groups: true }))).toEqual(
    new Map([
      ["Destiny2", false],
      ["Groups", true],
    ]),
  )
  expect(readSystems({ kind: "transient", reason: "502", meta })).toBeNull()
})

test("changes are announced once per transition; a handler's report holds for minDisabledMs on the injected clock", async () => {
  let clock = 0
  let current = settings({ Destiny2: true, D2Profiles: true })
  const changes: string[] = []
  const monitor = createAvailabilityMonitor({
    getSettings: async () => current,
    log: createLogger({ level: "silent" }),
    onChange: (system, enabled) => changes.push(`${system}:${enabled ? "on" : "off"}`),
    minDisabledMs: 30_000,
    now: () => clock,
  })
  await monitor.poll()
  expect(changes).toEqual([])
  current = settings({ Destiny2: false, D2Profiles: true })
  await monitor.poll()
  await monitor.poll()
  expect(changes).toEqual(["Destiny2:off"])
  expect(monitor.isEnabled("Destiny2")).toBe(false)
  current = settings({ Destiny2: true, D2Profiles: true })
  await monitor.poll()
  expect(changes).toEqual(["Destiny2:off", "Destiny2:on"])

  // A handler met SystemDisabled while Settings still say enabled: paused for at least 30 s.
  monitor.reportDisabled("D2Profiles", "SystemDisabled")
  expect(changes.at(-1)).toBe("D2Profiles:off")
  clock += 29_999
  await monitor.poll()
  expect(monitor.isEnabled("D2Profiles")).toBe(false)
  clock += 1
  await monitor.poll()
  expect(changes.at(-1)).toBe("D2Profiles:on")

  // Settings unreachable: nothing changes.
  monitor.reportDisabled("Destiny2", "SystemDisabled")
  current = { kind: "transient", reason: "timeout", meta }
  clock += 60_000
  await monitor.poll()
  expect(monitor.isEnabled("Destiny2")).toBe(false)
})
