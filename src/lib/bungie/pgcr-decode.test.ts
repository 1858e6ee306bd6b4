import { describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureText } from "../fixtures.ts"
import { processPgcr } from "../pgcr/process.ts"
import { decodeJson } from "./json.ts"
import { stringifyPgcrIds } from "./pgcr-body.ts"
import { decodePgcrJson, summarizeNonRaid } from "./pgcr-decode.ts"

const defs = loadDefinitions()

/** A fixture as Bungie sends it: an envelope around the Response object (bare fixtures wrapped). */
function envelopeText(name: string, pretty: boolean): string {
  const text = readPgcrFixtureText(name)
  const tail = '"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success"'
  // Bare fixtures are wrapped; an envelope stored without its success tail gets one.
  const wrapped = text.includes('"Response"') ? text : `{"Response":${text},${tail}}`
  const body = wrapped.includes('"ErrorCode"') ? wrapped : wrapped.replace(/\}\s*$/, `,${tail}}`)
  // JSON strings hold no raw newlines, so dropping newlines and indentation keeps the values.
  return pretty ? body : body.replace(/\n\s*/g, "")
}

function processed(result: ReturnType<typeof decodeJson>) {
  if (!result.ok) return result
  const response = (result.value as { Response: unknown }).Response
  stringifyPgcrIds(response)
  return processPgcr(response, defs)
}

/** A small non-raid envelope whose fireteamId is an over-precise double, as Bungie sends it. */
function nonRaidBody(details = '"directorActivityHash":2693136600,"instanceId":"15900000001","mode":5,"modes":[7,5]'): string {
  return (
    `{"Response":{"period":"2024-12-24T07:42:52Z","activityDetails":{${details},"membershipType":3},` +
    `"entries":[{"player":{"destinyUserInfo":{"displayName":"x","membershipId":"4611686018467000001"}},"characterId":"2305843009300000001",` +
    `"values":{"startSeconds":{"basic":{"value":0,"displayValue":"0"}},"timePlayedSeconds":{"basic":{"value":600,"displayValue":"10m"}},` +
    `"activityDurationSeconds":{"basic":{"value":600,"displayValue":"10m"}},"fireteamId":{"basic":{"value":-4.1464340033305185E+18,"displayValue":"x"}}}}]},` +
    `"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success","Message":"Ok","MessageData":{}}`
  )
}

describe("summarizeNonRaid", () => {
  for (const name of listPgcrFixtureNames()) {
    test(`${name}: a non-raid is summarised (pretty and compact), a raid is not`, () => {
      for (const pretty of [true, false]) {
        const text = envelopeText(name, pretty)
        const details = (JSON.parse(text) as { Response: { activityDetails: { mode: number; modes?: number[] } } }).Response.activityDetails
        const raid = details.mode === 4 || (details.modes ?? []).includes(4)
        const summary = summarizeNonRaid(text)
        if (raid) expect(summary).toBeNull()
        else expect(summary).toMatchObject({ ErrorCode: 1, Response: { activityDetails: details } })
      }
    })
  }

  test("the summary keeps the header and each entry's three duration stats", () => {
    const summary = summarizeNonRaid(nonRaidBody())
    expect(summary).toEqual({
      ErrorCode: 1,
      ThrottleSeconds: 0,
      ErrorStatus: "Success",
      Message: "Ok",
      MessageData: {},
      Response: {
        period: "2024-12-24T07:42:52Z",
        activityDetails: { directorActivityHash: 2693136600, instanceId: "15900000001", mode: 5, modes: [7, 5], membershipType: 3 },
        entries: [
          {
            values: {
              activityDurationSeconds: { basic: { value: 600, displayValue: "10m" } },
              startSeconds: { basic: { value: 0, displayValue: "0" } },
              timePlayedSeconds: { basic: { value: 600, displayValue: "10m" } },
            },
          },
        ],
      },
    })
  })

  test("a body cut anywhere is never summarised", () => {
    const text = envelopeText("17091392014.json", false)
    expect(summarizeNonRaid(text)).not.toBeNull()
    for (let cut = 1; cut < text.length; cut += 7) expect(summarizeNonRaid(text.slice(0, cut))).toBeNull()
  })

  test("null (decode it whole) when the body is not the plain shape", () => {
    const text = nonRaidBody()
    for (const odd of [
      // Response not the first member, or a decoy before it.
      text.replace('{"Response":', '{"ErrorCode":1,"Response":'),
      text.replace('{"Response":{', '{"Decoy":{"activityDetails":{"mode":5}},"Response":{'),
      // Not a success.
      text.replace('"ErrorCode":1,', '"ErrorCode":5,'),
      // An entry without one of its stats, or a stat twice.
      text.replace('"startSeconds"', '"startSecondz"'),
      text.replace('"timePlayedSeconds":{', '"timePlayedSeconds":{"basic":{"value":1}},"timePlayedSeconds":{'),
      // A stat that is not one JSON value.
      text.replace('"startSeconds":{"basic":{"value":0,', '"startSeconds":{"basic":{"value":0,,'),
      // A header that does not parse.
      text.replace('"mode":5', '"mode":5,'),
    ]) {
      expect(summarizeNonRaid(odd)).toBeNull()
    }
  })

  test("a stat name inside a string value is not taken for a key", () => {
    const text = nonRaidBody().replace('"displayName":"x"', '"displayName":"\\"startSeconds\\":{\\"basic\\":1}, \\"startSeconds"')
    expect(JSON.parse(text)).toBeTruthy()
    expect(summarizeNonRaid(text)).not.toBeNull()
  })

  test("two entries: each gets its own stats; one entry's stats reaching into the next is refused", () => {
    const text = nonRaidBody()
    const entry = text.slice(text.indexOf('"entries":[') + 11, text.indexOf("]},"))
    const second = entry.replace('"startSeconds":{"basic":{"value":0', '"startSeconds":{"basic":{"value":30')
    const summary = summarizeNonRaid(text.replace(entry, `${entry},${second}`)) as {
      Response: { entries: Array<{ values: { startSeconds: { basic: { value: number } } } }> }
    }
    expect(summary.Response.entries.map((e) => e.values.startSeconds.basic.value)).toEqual([0, 30])
    // The first entry lacks startSeconds and the second has it twice: the counts match, the order does not.
    const stat = '"startSeconds":{"basic":{"value":0,"displayValue":"0"}},'
    const crossed = text.replace(entry, `${entry.replace(stat, "")},${second.replace('"timePlayedSeconds"', `${stat}"timePlayedSeconds"`)}`)
    expect(JSON.parse(crossed)).toBeTruthy()
    expect(summarizeNonRaid(crossed)).toBeNull()
    expect(processed(decodePgcrJson(crossed))).toEqual(processed(decodeJson(crossed)))
  })
})

describe("decodePgcrJson", () => {
  for (const name of listPgcrFixtureNames()) {
    test(`${name}: processing sees the same report as after the bigint-safe decode`, () => {
      for (const pretty of [true, false]) {
        const text = envelopeText(name, pretty)
        expect(processed(decodePgcrJson(text))).toEqual(processed(decodeJson(text)))
      }
    })
  }

  test("a raid is decoded bigint-safe: fireteamId keeps its source text", () => {
    const text = nonRaidBody('"directorActivityHash":2693136600,"instanceId":"15900000001","mode":4,"modes":[7,4]')
    const decoded = decodePgcrJson(text)
    expect(decoded).toEqual(decodeJson(text))
    expect(JSON.stringify(decoded)).toContain('"-4.1464340033305185E+18"')
  })

  test("4 among modes is a raid too (Pantheon), decoded bigint-safe", () => {
    const text = nonRaidBody('"directorActivityHash":1,"instanceId":"15900000001","mode":5,"modes":[7,4]')
    expect(decodePgcrJson(text)).toEqual(decodeJson(text))
    expect(JSON.stringify(decodePgcrJson(text))).toContain('"-4.1464340033305185E+18"')
  })

  test("a non-raid decodes to its summary and processes as the whole body does", () => {
    const text = nonRaidBody()
    const fast = decodePgcrJson(text)
    expect(fast).toEqual({ ok: true, value: summarizeNonRaid(text) })
    const result = processed(fast)
    expect(result).toMatchObject({ kind: "nonRaid", instanceId: "15900000001", mode: 5 })
    expect(result).toEqual(processed(decodeJson(text)))
  })

  test("a decoy activityDetails before the real raid one is not read", () => {
    const text = nonRaidBody('"directorActivityHash":2693136600,"instanceId":"15900000001","mode":4,"modes":[7,4]').replace(
      '{"Response":{',
      '{"Decoy":{"activityDetails":{"mode":5,"modes":[5]}},"Response":{',
    )
    expect(summarizeNonRaid(text)).toBeNull()
    expect(decodePgcrJson(text)).toEqual(decodeJson(text))
    expect(JSON.stringify(decodePgcrJson(text))).toContain('"-4.1464340033305185E+18"')
  })

  test("a numeric instance id is left to the bigint-safe decode", () => {
    const text = nonRaidBody('"directorActivityHash":1,"instanceId":15900000001234567890,"mode":5,"modes":[7,5]')
    const decoded = decodePgcrJson(text)
    expect(decoded).toEqual(decodeJson(text))
    expect(JSON.stringify(decoded)).toContain('"15900000001234567890"')
  })

  test("cut-off and malformed-tail non-raid bodies fail exactly as decodeJson fails", () => {
    const text = nonRaidBody()
    for (const bad of [
      text.slice(0, text.length - 1),
      text.slice(0, text.indexOf('"entries"') + 14),
      `${text}x`,
      text.replace('"Ok"', '"Ok",'),
    ]) {
      const decoded = decodePgcrJson(bad)
      expect(decoded.ok).toBe(false)
      expect(decoded).toEqual(decodeJson(bad))
    }
  })

  test("a malformed stretch between a non-raid's stats is not seen: it resolves as the non-raid it is", () => {
    const bad = nonRaidBody().replace('"x"}', '"x",}')
    expect(decodeJson(bad).ok).toBe(false)
    expect(processed(decodePgcrJson(bad))).toMatchObject({ kind: "nonRaid", instanceId: "15900000001" })
  })

  test("error envelopes (no activityDetails) decode as before", () => {
    const text = '{"ErrorCode":1653,"ThrottleSeconds":0,"ErrorStatus":"DestinyPGCRNotFound","Message":"x","MessageData":{}}'
    expect(decodePgcrJson(text)).toEqual(decodeJson(text))
  })
})
