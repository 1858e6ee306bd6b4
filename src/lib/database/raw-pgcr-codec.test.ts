import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { listPgcrFixtureNames } from "../fixtures.ts"
import { PGCR_FIXTURES_DIR } from "../fixtures-path.ts"
import { findTopLevelMember } from "./json-member-range.ts"
import { decodeRawPgcr, encodeRawPgcr, isGzip, sliceResponseBody } from "./raw-pgcr-codec.ts"

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const bytesOf = (text: string) => encoder.encode(text)
const textOf = (bytes: Uint8Array) => decoder.decode(bytes)

function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PGCR_FIXTURES_DIR, name)))
}

describe("encodeRawPgcr", () => {
  test("stores gzip of the exact bytes of every fixture's Response object", () => {
    let envelopes = 0
    for (const name of listPgcrFixtureNames()) {
      const bytes = fixtureBytes(name)
      const text = textOf(bytes)
      const parsed = JSON.parse(text) as { Response?: unknown }
      const stored = encodeRawPgcr(bytes)
      // What the public API does with the column: gunzip on 1F 8B, then JSON.parse.
      expect(isGzip(stored)).toBe(true)
      const body = textOf(Bun.gunzipSync(stored as Uint8Array<ArrayBuffer>))
      if (parsed.Response !== undefined && typeof parsed.Response === "object") {
        envelopes++
        expect(JSON.parse(body)).toEqual(parsed.Response)
        // Byte-exact: a slice of what Bungie sent (its 1.0 literals and layout survive).
        expect(body.startsWith("{")).toBe(true)
        expect(text.includes(body)).toBe(true)
        expect(body.length).toBeLessThan(text.length)
      } else {
        expect(body).toBe(text)
      }
      expect(stored.length).toBeLessThan(bytes.length / 2)
      expect(encodeRawPgcr(stored)).toBe(stored)
    }
    expect(envelopes).toBeGreaterThan(5)
  })

  test("keeps an old zstd frame's Response and leaves gzip as it is", () => {
    const envelope = bytesOf(JSON.stringify({ Response: { activityDetails: { instanceId: "17091392013" } }, ErrorCode: 1 }))
    const fromZstd = encodeRawPgcr(Bun.zstdCompressSync(envelope))
    expect(textOf(Bun.gunzipSync(fromZstd as Uint8Array<ArrayBuffer>))).toBe('{"activityDetails":{"instanceId":"17091392013"}}')
    const gzip = Bun.gzipSync(bytesOf('{"period":"x"}'))
    expect(encodeRawPgcr(gzip)).toBe(gzip)
  })
})

describe("sliceResponseBody", () => {
  test("returns a view of the envelope at the Response object", () => {
    const bytes = bytesOf('{"Response":{"period":"p"},"ErrorCode":1}')
    const body = sliceResponseBody(bytes)
    expect(body.buffer).toBe(bytes.buffer)
    expect(textOf(body)).toBe('{"period":"p"}')
  })

  test("finds Response past other members, nested look-alikes and tricky strings", () => {
    const envelope = `{ "Note": "a \\"Response\\": {} } [", "Nested": {"Response": {"x": 1}},
      "List": [1.0, -4.1E+18, true, null, "}"], "Response" :\t{"period":"2024-01-01T00:00:00Z","s":"\\\\"} ,
      "ErrorCode": 1 }`
    expect(textOf(sliceResponseBody(bytesOf(envelope)))).toBe(`{"period":"2024-01-01T00:00:00Z","s":"\\\\"}`)
  })

  test("keeps bytes that are not an envelope with an object Response", () => {
    for (const text of ['{"ErrorCode":1653,"Response":null}', "[1,2]", '{"Response": {"unterminated": ', "not json", ""]) {
      const bytes = bytesOf(text)
      expect(sliceResponseBody(bytes)).toBe(bytes)
    }
  })
})

describe("decodeRawPgcr", () => {
  test("returns the Response body from plain, gzip and old zstd rows alike", () => {
    const body = '{"period":"2024-01-04T00:00:00Z","activityDetails":{"instanceId":"14287236297"},"entries":[]}'
    const envelope = bytesOf(`{"Response":${body},"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success"}`)
    for (const stored of [
      encodeRawPgcr(envelope),
      Bun.gzipSync(bytesOf(body)),
      Bun.zstdCompressSync(envelope),
      Bun.zstdCompressSync(bytesOf(body)),
      Bun.gzipSync(envelope),
    ]) {
      expect(textOf(decodeRawPgcr(stored))).toBe(body)
    }
  })
})

describe("findTopLevelMember", () => {
  test("returns null for a missing member and the value range of a present one", () => {
    const bytes = bytesOf('{"a": [1, {"b": 2}], "b": "x"}')
    expect(findTopLevelMember(bytes, "c")).toBeNull()
    const range = findTopLevelMember(bytes, "b")
    expect(range).not.toBeNull()
    expect(textOf(bytes.subarray(range!.start, range!.end))).toBe('"x"')
    const a = findTopLevelMember(bytes, "a")!
    expect(textOf(bytes.subarray(a.start, a.end))).toBe('[1, {"b": 2}]')
  })
})
