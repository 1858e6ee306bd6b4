import { expect, test } from "bun:test"
import { CheatBit } from "./bits.ts"
import type { CheatVerdict } from "./types.ts"
import { verdictToJson } from "./verdict-json.ts"

const verdict: CheatVerdict = {
  instanceId: 17_000_000_001n,
  version: "ts-1.0.0",
  instanceProbability: 0.995,
  instanceBits: CheatBit.RootOfNightmares | CheatBit.TooFewPlayersFresh,
  explanations: ["too few players"],
  players: [
    { membershipId: 4611686018488107374n, probability: 0.04, bits: CheatBit.RootOfNightmares, explanations: [] },
    { membershipId: 4611686018488107375n, probability: 0.9, bits: CheatBit.RootOfNightmares | CheatBit.TooFast, explanations: ["x"] },
  ],
  skipped: null,
}

test("verdictToJson: ids and bitmasks as decimal strings, bits by name, what would be written", () => {
  const json = verdictToJson(verdict)
  expect(json.instanceId).toBe("17000000001")
  expect(json.instance).toEqual({
    probability: 0.995,
    bitmask: ((1n << 12n) | (1n << 62n)).toString(),
    bits: ["RootOfNightmares", "TooFewPlayersFresh"],
    flagged: true,
    blacklistAtThreshold: true,
  })
  expect(json.players.map((p) => [p.membershipId, p.flagged, p.bits])).toEqual([
    ["4611686018488107374", false, ["RootOfNightmares"]],
    ["4611686018488107375", true, ["RootOfNightmares", "TooFast"]],
  ])
  // Round-trips through JSON (no bigint left).
  expect(JSON.parse(JSON.stringify(json))).toEqual(json)
})

test("verdictToJson: a skipped run is never flagged", () => {
  const json = verdictToJson({ ...verdict, skipped: { kind: "incompleteExcluded" } })
  expect(json.instance.flagged).toBe(false)
  expect(json.instance.blacklistAtThreshold).toBe(false)
  expect(json.players.every((p) => !p.flagged)).toBe(true)
})
