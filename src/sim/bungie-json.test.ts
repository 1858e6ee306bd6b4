import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { formatBungieDouble, stringifyBungie } from "./bungie-json.ts"
import { resolveFixturesDir } from "./fixtures.ts"

describe("Bungie number literals", () => {
  test("formats doubles like the real payloads", () => {
    expect(formatBungieDouble(1)).toBe("1.0")
    expect(formatBungieDouble(0)).toBe("0.0")
    expect(formatBungieDouble(77731)).toBe("77731.0")
    expect(formatBungieDouble(-4.1464340033305185e18)).toBe("-4.1464340033305185E+18")
    expect(formatBungieDouble(1.2740764323870416e17)).toBe("1.2740764323870416E+17")
    expect(formatBungieDouble(0.33333333333333331)).toBe("0.33333333333333331")
    expect(formatBungieDouble(9.5416666666666661)).toBe("9.5416666666666661")
    expect(formatBungieDouble(0.25)).toBe("0.25")
  })

  test("every stat literal in a raw Riven fixture round-trips to the same text", () => {
    const raw = readFileSync(join(resolveFixturesDir(), "pgcr", "7315438924.json"), "utf8")
    const literals = [...raw.matchAll(/"value": (-?[0-9.E+-]+)/g)].map((m) => m[1]!)
    expect(literals.length).toBeGreaterThan(500)
    for (const literal of literals) expect(formatBungieDouble(Number(literal))).toBe(literal)
  })

  test("stringifyBungie only rewrites stat values", () => {
    expect(stringifyBungie({ mode: 4, values: { kills: { basic: { value: 3, displayValue: "3" } } } })).toBe(
      '{"mode":4,"values":{"kills":{"basic":{"value":3.0,"displayValue":"3"}}}}',
    )
  })
})
