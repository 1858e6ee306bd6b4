import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { resolveFixturesDir } from "./fixtures.ts"
import { type SimHandle, startSim } from "./server.ts"
import { getJson, shapeOf } from "./test-helpers.ts"

const EPOCH = Date.now() - 60_000
const calm = { scenario: "calm" as const, latency: 0 as const, throttle: { enabled: false }, world: { epochMs: EPOCH } }

function fixtureShapes(): Map<string, Set<string>> {
  const dir = join(resolveFixturesDir(), "pgcr")
  const shapes = new Map<string, Set<string>>()
  for (const file of readdirSync(dir).filter((f) => /^\d+\.json$/.test(f))) {
    const raw = JSON.parse(readFileSync(join(dir, file), "utf8"))
    const body = raw.Response ?? raw
    if (!("_id" in body)) shapes.set(file, shapeOf(body))
  }
  return shapes
}

describe("generated PGCRs", () => {
  let a: SimHandle
  let b: SimHandle
  let other: SimHandle
  beforeAll(async () => {
    a = await startSim({ ...calm, seed: "shape-seed" })
    b = await startSim({ ...calm, seed: "shape-seed" })
    other = await startSim({ ...calm, seed: "another-seed" })
  })
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop(), other.stop()])
  })

  const publishedOf = (sim: SimHandle, kind: "raid" | "other" | "pantheon", count: number) => {
    const start = BigInt(sim.truth.frontier().startId)
    return sim.truth
      .range(start - 20_000n, start - 1_000n)
      .filter((t) => t.kind === kind && t.state === "published" && t.incompleteUntil === null)
      .slice(0, count)
  }

  test("a raid PGCR has exactly the key set of a real raid fixture, Bungie literals and string ids", async () => {
    const shapes = fixtureShapes()
    const raids = publishedOf(a, "raid", 12)
    expect(raids.length).toBe(12)
    for (const t of raids) {
      const { status, json, text } = await getJson(`${a.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${t.id}/`)
      expect(status).toBe(200)
      expect(Object.keys(json)).toEqual(["Response", "ErrorCode", "ThrottleSeconds", "ErrorStatus", "Message", "MessageData"])
      const body = json.Response
      const shape = shapeOf(body)
      const same = [...shapes.entries()].filter(([, s]) => s.size === shape.size && [...s].every((k) => shape.has(k)))
      expect(same.length).toBeGreaterThan(0)
      expect(body.activityDetails.instanceId).toBe(t.id)
      expect(body.activityDetails.mode).toBe(4)
      expect(body.activityDetails.directorActivityHash).toBe(t.hash)
      expect(body.entries.length).toBe(body.entries[0].values.playerCount.basic.value)
      expect(text).toMatch(/"characterId":"\d{19}"/)
      expect(text).toMatch(/"membershipId":"\d{19}"/)
      expect(text).toMatch(/"value":\d+\.0,/)
      expect(text).toMatch(/"fireteamId":\{"basic":\{"value":-?\d\.\d+E\+1[78],"displayValue":"-2147483648"\}\}/)
      // Stats stay internally consistent (what processing derives from them).
      for (const e of body.entries) {
        const v = e.values
        expect(v.opponentsDefeated.basic.value).toBe(v.kills.basic.value + v.assists.basic.value)
        expect(v.startSeconds.basic.value + v.timePlayedSeconds.basic.value).toBeLessThanOrEqual(v.activityDurationSeconds.basic.value)
      }
      const ended = Date.parse(body.period) + body.entries[0].values.activityDurationSeconds.basic.value * 1000
      expect(Math.abs(ended - t.createdAt!)).toBeLessThan(45_000)
    }
  })

  test("non-raids come from the non-raid fixtures, Pantheon reports mode 4 with a non-raid hash", async () => {
    for (const t of publishedOf(a, "other", 5)) {
      const { json } = await getJson(`${a.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${t.id}/`)
      expect(json.Response.activityDetails.mode).not.toBe(4)
    }
    const pantheon = publishedOf(a, "pantheon", 1)
    if (pantheon[0]) {
      const { json } = await getJson(`${a.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${pantheon[0].id}/`)
      expect(json.Response.activityDetails.mode).toBe(4)
      expect(pantheon[0].isRaid).toBe(false)
    }
  })

  test("the same seed gives the same bytes; another seed a different world", async () => {
    const ids = [...publishedOf(a, "raid", 3), ...publishedOf(a, "other", 3)].map((t) => t.id)
    for (const id of ids) {
      const path = `/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`
      const [x, y, z] = await Promise.all([getJson(a.url + path), getJson(b.url + path), getJson(other.url + path)])
      expect(x.text).toBe(y.text)
      expect(x.text).not.toBe(z.text)
    }
  })

  test("raid share is near the configured 5 %", () => {
    const start = BigInt(a.truth.frontier().startId)
    const all = a.truth.range(start - 41_000n, start - 1_000n).filter((t) => t.state === "published")
    const share = all.filter((t) => t.isRaid).length / all.length
    expect(share).toBeGreaterThan(0.042)
    expect(share).toBeLessThan(0.058)
  })
})
