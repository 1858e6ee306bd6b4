import { describe, expect, test } from "bun:test"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureText } from "../fixtures.ts"
import { processPgcr } from "../pgcr/process.ts"
import { decodeJson } from "./json.ts"
import { stringifyPgcrIds } from "./pgcr-body.ts"
import { decodePgcrJson, scanActivityModes } from "./pgcr-decode.ts"

const defs = loadDefinitions()

/** A fixture as Bungie sends it: an envelope around the Response object (bare fixtures wrapped). */
function envelopeText(name: string, pretty: boolean): string {
  const text = readPgcrFixtureText(name)
  const body = text.includes('"Response"') ? text : `{"Response":${text},"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success"}`
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

describe("scanActivityModes", () => {
  for (const name of listPgcrFixtureNames()) {
    test(`${name}: the scan reads what JSON.parse reads (pretty and compact)`, () => {
      for (const pretty of [true, false]) {
        const text = envelopeText(name, pretty)
        const details = (JSON.parse(text) as { Response: { activityDetails: { mode: number; modes?: number[] } } }).Response.activityDetails
        expect(scanActivityModes(text)).toEqual({ mode: details.mode, modes: details.modes ?? [] })
      }
    })
  }

  test("null when the header cannot be read exactly", () => {
    expect(scanActivityModes('{"Response":{}}')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{"mode":4.0}}')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{"mode":4e0}}')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{"modes":[5]}}')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{"mode":5,"modes":[7,"4"]}}')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{"mode":5,"modes":[7,')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{"instanceId":"12')).toBeNull()
    expect(scanActivityModes('{"activityDetails":{}}')).toBeNull()
    expect(scanActivityModes('{"activityDetails":[{"mode":5}]}')).toBeNull()
  })

  test("skips nested values and strings that look like keys", () => {
    const text = '{"activityDetails":{"x":{"mode":4,"s":"\\"mode\\":4"},"y":[1,[2]],"z":"a\\\\","mode":5,"modes":[7 , 5]}}'
    expect(scanActivityModes(text)).toEqual({ mode: 5, modes: [7, 5] })
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

  test("a non-raid takes the native parse (fireteamId a number) and processes as before", () => {
    const text = nonRaidBody()
    const fast = decodePgcrJson(text)
    expect(fast).toEqual({ ok: true, value: JSON.parse(text) })
    expect(JSON.stringify(fast)).not.toContain('"-4.1464340033305185E+18"')
    const result = processed(fast)
    expect(result).toMatchObject({ kind: "nonRaid", instanceId: "15900000001", mode: 5 })
    expect(result).toEqual(processed(decodeJson(text)))
  })

  test("the parsed header overrules the scan: a decoy activityDetails before the real raid one", () => {
    const text = nonRaidBody('"directorActivityHash":2693136600,"instanceId":"15900000001","mode":4,"modes":[7,4]').replace(
      '{"Response":{',
      '{"Decoy":{"activityDetails":{"mode":5,"modes":[5]}},"Response":{',
    )
    expect(scanActivityModes(text)).toEqual({ mode: 5, modes: [5] })
    expect(decodePgcrJson(text)).toEqual(decodeJson(text))
    expect(JSON.stringify(decodePgcrJson(text))).toContain('"-4.1464340033305185E+18"')
  })

  test("a numeric instance id is left to the bigint-safe decode", () => {
    const text = nonRaidBody('"directorActivityHash":1,"instanceId":15900000001234567890,"mode":5,"modes":[7,5]')
    const decoded = decodePgcrJson(text)
    expect(decoded).toEqual(decodeJson(text))
    expect(JSON.stringify(decoded)).toContain('"15900000001234567890"')
  })

  test("malformed and truncated non-raid bodies fail exactly as decodeJson fails", () => {
    const text = nonRaidBody()
    for (const bad of [
      text.slice(0, text.length - 1),
      text.slice(0, text.indexOf('"entries"') + 14),
      text.replace('"x"}', '"x",}'),
      `${text}x`,
    ]) {
      const decoded = decodePgcrJson(bad)
      expect(decoded.ok).toBe(false)
      expect(decoded).toEqual(decodeJson(bad))
    }
  })

  test("error envelopes (no activityDetails) decode as before", () => {
    const text = '{"ErrorCode":1653,"ThrottleSeconds":0,"ErrorStatus":"DestinyPGCRNotFound","Message":"x","MessageData":{}}'
    expect(decodePgcrJson(text)).toEqual(decodeJson(text))
  })
})
