import { describe, expect, test } from "bun:test"
import { AtlasMetrics, type FleetStatus } from "./atlas-metrics.ts"

describe("AtlasMetrics fleet gauges", () => {
  test("a --fleet process exports the global low-water mark, lease counts and leadership at scrape time", async () => {
    let fleet: FleetStatus | null = {
      owner: "box-a:1:x",
      leader: true,
      lowWater: "17200000123",
      top: "17200005000",
      live: 3,
      takeable: 1,
      done: 7,
      owners: ["box-a:1:x", "box-b:2:y"],
      range: null,
    }
    const metrics = new AtlasMetrics(["default"], () => fleet)
    const text = await metrics.metrics()
    expect(text).toContain("atlas_fleet_low_water_mark 17200000123")
    expect(text).toContain('atlas_fleet_leases{state="live"} 3')
    expect(text).toContain('atlas_fleet_leases{state="takeable"} 1')
    expect(text).toContain('atlas_fleet_leases{state="done"} 7')
    expect(text).toContain("atlas_fleet_leader 1")
    fleet = { ...fleet, leader: false }
    expect(await metrics.metrics()).toContain("atlas_fleet_leader 0")
  })

  test("a single process leaves them unset", async () => {
    const text = await new AtlasMetrics(["default"]).metrics()
    expect(text).not.toContain("atlas_fleet_low_water_mark 1")
    expect(text).not.toContain("atlas_fleet_leader 1")
  })
})
