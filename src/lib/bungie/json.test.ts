import { describe, expect, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { PGCR_FIXTURES_DIR } from "../fixtures-path.ts"
import { decodeJson, decodeJsonBytes, isUnsafeNumberLiteral, parseIntegerLiteral, quoteUnsafeLiteralsExactly } from "./json.ts"
import { stringifyPgcrIds } from "./pgcr-body.ts"

const fixtureNames = readdirSync(PGCR_FIXTURES_DIR).filter((name) => name.endsWith(".json"))

/** Independent oracle: JSON.parse with the source-text-access reviver (Bun supports it), slow but exact. */
function parseWithSourceOracle(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value === "number" && context?.source !== undefined && isUnsafeNumberLiteral(context.source)) {
      return context.source
    }
    return value
  }
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown)
}

function decodeOk(text: string): unknown {
  const result = decodeJson(text)
  if (!result.ok) throw new Error(result.reason)
  return result.value
}

function responseOf(value: unknown): Record<string, any> {
  const record = value as Record<string, any>
  return "Response" in record ? record.Response : record
}

describe("decodeJson on every PGCR fixture", () => {
  test("fixtures are present", () => {
    expect(fixtureNames.length).toBeGreaterThanOrEqual(20)
  })
  for (const name of fixtureNames) {
    const text = readFileSync(join(PGCR_FIXTURES_DIR, name), "utf8")

    test(`${name}: equals the exact oracle (JSON.parse everywhere except literals >= 2^53)`, () => {
      expect(decodeOk(text)).toEqual(parseWithSourceOracle(text))
    })

    test(`${name}: every fireteamId is preserved exactly as in the file text`, () => {
      const literals = [...text.matchAll(/"fireteamId"\s*:\s*(?:\{\s*"basic"\s*:\s*\{\s*"value"\s*:\s*)?(-?[\d.eE+-]+)/g)].map((m) => m[1]!)
      const decoded = responseOf(decodeOk(text))
      stringifyPgcrIds(decoded)
      const entries = (decoded.entries ?? []) as Record<string, any>[]
      const values = entries.map((entry) => {
        const fireteam = entry.values?.fireteamId
        return typeof fireteam === "object" ? fireteam.basic.value : fireteam
      })
      expect(values.length).toBe(literals.length)
      expect(values).toEqual(literals)
      for (const value of values) expect(typeof value).toBe("string")
    })

    test(`${name}: ids are strings equal to the file text`, () => {
      const decoded = responseOf(decodeOk(text))
      stringifyPgcrIds(decoded)
      const fileIds = [...text.matchAll(/"(instanceId|characterId|membershipId)"\s*:\s*"?(-?\d+)"?/g)].map((m) => m[2]!)
      const entries = (decoded.entries ?? []) as Record<string, any>[]
      const decodedIds = [
        ...(decoded.activityDetails?.instanceId === undefined ? [] : [decoded.activityDetails.instanceId]),
        ...entries.flatMap((entry) => [entry.player?.destinyUserInfo?.membershipId, entry.characterId]),
      ].filter((id) => id !== undefined)
      for (const id of decodedIds) {
        expect(typeof id).toBe("string")
        expect(fileIds).toContain(id)
      }
    })
  }

  test("plain JSON.parse really loses fireteamId precision (the reason this decoder exists)", () => {
    const text = readFileSync(join(PGCR_FIXTURES_DIR, "7315438924.json"), "utf8")
    const plain = JSON.parse(text).Response.entries[0].values.fireteamId.basic.value
    expect(typeof plain).toBe("number")
    const decoded = (decodeOk(text) as any).Response.entries[0].values.fireteamId.basic.value
    expect(decoded).toBe("-4.1464340033305185E+18")
    expect(parseIntegerLiteral(decoded)).toBe(-4146434003330518500n)
  })
})

describe("decodeJson edge cases", () => {
  test("big literals in every value position become strings; small ones stay numbers", () => {
    const text =
      '{"a":12345678901234567890,"b":[-9007199254740993, 9007199254740991, 1.5E+20, 1.5E-05, 2.0],"c":{"d" : 4.6e+18},"e":[\n  123456789012345678901234567890123]}'
    expect(decodeOk(text)).toEqual({
      a: "12345678901234567890",
      b: ["-9007199254740993", 9007199254740991, "1.5E+20", 1.5e-5, 2],
      c: { d: "4.6e+18" },
      e: ["123456789012345678901234567890123"],
    })
  })

  test("a big mantissa with a negative exponent is caught by its digit run", () => {
    expect(decodeOk('{"a":12345678901234567890E-2,"b":1234567890123456789E-10}')).toEqual({
      a: "12345678901234567890E-2",
      // biome-ignore lint/correctness/noPrecisionLoss: the literal shows what a JS number makes of it
      b: 123456789.0123456789,
    })
  })

  test("documented gap: an exponent without a sign (4.6E18) is not seen by the fast path", () => {
    // No Bungie/.NET, JS, Go or Python serializer writes this form; the exact scanner does handle it.
    expect(decodeOk('{"d":4.6E18}')).toEqual({ d: 4.6e18 })
    expect(quoteUnsafeLiteralsExactly('{"d":4.6E18}')).toBe('{"d":"4.6E18"}')
  })

  test("a display name that mimics a big number falls back to the exact scanner", () => {
    const text = '{"displayName":"x: 12345678901234567890, y","fireteamId":-4.1464340033305185E+18,"n":"[ 1.0E+19"}'
    expect(decodeOk(text)).toEqual({ displayName: "x: 12345678901234567890, y", fireteamId: "-4.1464340033305185E+18", n: "[ 1.0E+19" })
  })

  test("escaped quotes inside strings do not confuse the exact scanner", () => {
    const text = '{"s":"a\\":12345678901234567890","v":12345678901234567890}'
    expect(quoteUnsafeLiteralsExactly(text)).toBe('{"s":"a\\":12345678901234567890","v":"12345678901234567890"}')
    expect(decodeOk(text)).toEqual({ s: 'a":12345678901234567890', v: "12345678901234567890" })
  })

  test("text without candidates is plain JSON.parse", () => {
    expect(decodeOk('{"ErrorCode":1653,"ThrottleSeconds":0}')).toEqual({ ErrorCode: 1653, ThrottleSeconds: 0 })
  })

  test("failures are values with a reason", () => {
    expect(decodeJson('{"a": [1, 2')).toEqual({ ok: false, reason: expect.stringMatching(/^truncated JSON \(11 chars\)/) })
    expect(decodeJson('{"a": "unterminated')).toEqual({ ok: false, reason: expect.stringMatching(/^truncated JSON/) })
    expect(decodeJson('{"a": 1}}')).toEqual({ ok: false, reason: expect.stringMatching(/^malformed JSON/) })
    expect(decodeJson("")).toEqual({ ok: false, reason: expect.stringMatching(/^empty body/) })
    expect(decodeJson('{"a": 12345678901234567890')).toEqual({ ok: false, reason: expect.stringMatching(/^truncated JSON/) })
  })

  test("decodeJsonBytes decodes UTF-8", () => {
    const bytes = new TextEncoder().encode('{"name":"Ünïcødé ✓","id":12345678901234567890}')
    expect(decodeJsonBytes(bytes)).toEqual({ ok: true, value: { name: "Ünïcødé ✓", id: "12345678901234567890" } })
  })
})

describe("parseIntegerLiteral", () => {
  const cases: [string, bigint | null][] = [
    ["0", 0n],
    ["-0", 0n],
    ["12345678901234567890", 12345678901234567890n],
    ["-4.1464340033305185E+18", -4146434003330518500n],
    ["4.1507426062827059E+18", 4150742606282705900n],
    ["1.2740764323870416E+17", 127407643238704160n],
    ["-4671784694761834000", -4671784694761834000n],
    ["2765.0", 2765n],
    ["1.5", null],
    ["1e-5", null],
    ["12e-1", null],
    ["120e-1", 12n],
    ["abc", null],
    ["", null],
  ]
  for (const [literal, expected] of cases) {
    test(`${JSON.stringify(literal)} -> ${expected}`, () => {
      expect(parseIntegerLiteral(literal)).toBe(expected)
    })
  }
})

describe("stringifyPgcrIds", () => {
  test("small numeric ids become exact decimal strings; strings are untouched", () => {
    const pgcr = {
      activityDetails: { instanceId: 42 },
      entries: [
        {
          characterId: 7,
          player: { destinyUserInfo: { membershipId: 9 } },
          values: { fireteamId: { basic: { value: 0, displayValue: "0" } } },
        },
        { characterId: "2305843009301648414", values: { fireteamId: 5 } },
        { values: { fireteamId: { basic: { value: "-4.1464340033305185E+18" } } } },
        null,
      ],
    }
    stringifyPgcrIds(pgcr)
    expect(pgcr).toEqual({
      activityDetails: { instanceId: "42" },
      entries: [
        {
          characterId: "7",
          player: { destinyUserInfo: { membershipId: "9" } },
          values: { fireteamId: { basic: { value: "0", displayValue: "0" } } },
        },
        { characterId: "2305843009301648414", values: { fireteamId: "5" } },
        { values: { fireteamId: { basic: { value: "-4.1464340033305185E+18" } } } },
        null,
      ],
    } as any)
  })

  test("wrong shapes are ignored, never thrown on", () => {
    for (const value of [null, 1, "x", [], { entries: "no" }, { entries: [1, "a", []] }, { activityDetails: [] }]) {
      expect(() => stringifyPgcrIds(value)).not.toThrow()
    }
  })
})
