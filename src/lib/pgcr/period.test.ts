import { describe, expect, test } from "bun:test"
import { parseRfc3339 } from "./period.ts"

describe("parseRfc3339", () => {
  test("Bungie's format and RFC 3339 variants", () => {
    expect(parseRfc3339("2026-07-26T20:17:19Z")).toBe(Date.UTC(2026, 6, 26, 20, 17, 19))
    expect(parseRfc3339("2024-12-24T07:42:52.000Z")).toBe(Date.UTC(2024, 11, 24, 7, 42, 52))
    expect(parseRfc3339("2024-12-24T07:42:52.5Z")).toBe(Date.UTC(2024, 11, 24, 7, 42, 52, 500))
    expect(parseRfc3339("2022-05-24T10:00:00-07:00")).toBe(Date.UTC(2022, 4, 24, 17))
    expect(parseRfc3339("2020-11-10T09:00:00-08:00")).toBe(Date.UTC(2020, 10, 10, 17))
    expect(parseRfc3339("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29))
  })

  test("rejects what is not RFC 3339 or not a real moment", () => {
    for (const bad of [
      "",
      "2024-01-01",
      "2024-01-01 00:00:00Z",
      "2024-01-01T00:00:00",
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:60:00Z",
      "2024-01-01T00:00:00+25:00",
      "Mon, 01 Jan 2024 00:00:00 GMT",
      "NaN",
      "2024-01-01T00:00:00Zjunk",
    ]) {
      expect(parseRfc3339(bad)).toBeUndefined()
    }
  })

  test("years below 100 are not mapped to the 1900s", () => {
    expect(new Date(parseRfc3339("0050-01-01T00:00:00Z")!).getUTCFullYear()).toBe(50)
  })
})
