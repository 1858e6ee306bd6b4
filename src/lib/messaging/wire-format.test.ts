import { describe, expect, test } from "bun:test"
import { decodeBody, decodeIdBody, decodeIdsBody, parseJsonExact } from "./wire-format.ts"

const b = (text: string) => Buffer.from(text, "utf8")
const BIG = "4611686018488107374" // > 2^53: a JS number would turn it into ...376

describe("wire formats", () => {
  test("the public API's text/plain decimal id", () => {
    expect(decodeIdBody(b(BIG), "text/plain", "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
    expect(decodeIdBody(b(` ${BIG}\n`), "text/plain", "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
  })

  test("the public API's character_fill JSON with string ids", () => {
    const body = b(`{"instanceId":"17091392013","membershipId":"${BIG}","characterId":"2305843009301648414"}`)
    expect(decodeIdsBody(body, "application/json", ["membershipId", "characterId", "instanceId"])).toEqual({
      ok: true,
      value: { membershipId: BigInt(BIG), characterId: 2305843009301648414n, instanceId: 17091392013n },
    })
  })

  test("our outbox JSON, bare JSON ids and JSON number ids, all exact", () => {
    expect(decodeIdBody(b('{"instanceId":"17091392013"}'), "application/json", "instanceId")).toEqual({ ok: true, value: 17091392013n })
    expect(decodeIdBody(b(BIG), "application/json", "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
    expect(decodeIdBody(b(`"${BIG}"`), "application/json", "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
    expect(decodeIdBody(b(`{"membershipId":${BIG}}`), "application/json", "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
    expect(decodeIdsBody(b(`{"membershipId":${BIG},"characterId":1,"instanceId":2}`), undefined, ["membershipId"])).toEqual({
      ok: true,
      value: { membershipId: BigInt(BIG) },
    })
  })

  test("without a content type the body is sniffed", () => {
    expect(decodeIdBody(b(BIG), undefined, "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
    expect(decodeIdBody(b(`{"membershipId":"${BIG}"}`), undefined, "membershipId")).toEqual({ ok: true, value: BigInt(BIG) })
  })

  test("malformed bodies are errors with a reason, never exceptions", () => {
    const cases: [string, string | undefined][] = [
      ["", "text/plain"],
      ["abc", "text/plain"],
      ["12.5", "text/plain"],
      ["-5", "text/plain"],
      ["0", "text/plain"],
      ["99999999999999999999", "text/plain"],
      ["{not json", "application/json"],
      ['{"other":"1"}', "application/json"],
      ['{"instanceId":1.5}', "application/json"],
      ['{"instanceId":true}', "application/json"],
      ["[1,2]", "application/json"],
    ]
    for (const [text, type] of cases) {
      const decoded = decodeIdBody(b(text), type, "instanceId")
      expect(decoded.ok).toBe(false)
      if (!decoded.ok) expect(decoded.reason.length).toBeGreaterThan(0)
    }
    expect(decodeIdBody(Buffer.from([0xff, 0xfe, 0x31]), "text/plain", "instanceId")).toEqual({
      ok: false,
      reason: "body is not UTF-8 text",
    })
    expect(decodeIdsBody(b('{"membershipId":"1"}'), "application/json", ["membershipId", "characterId"])).toEqual({
      ok: false,
      reason: "JSON object without characterId",
    })
  })

  test("decodeBody follows the table's format; JSON numbers keep their source text", () => {
    expect(decodeBody({ kind: "id", field: "groupId" }, b("4242"), "text/plain")).toEqual({ ok: true, value: 4242n })
    expect(decodeBody({ kind: "json" }, b(`{"a":${BIG},"b":[1.50]}`), "application/json")).toEqual({
      ok: true,
      value: { a: BIG, b: ["1.50"] },
    })
    expect(parseJsonExact("[").ok).toBe(false)
  })
})
