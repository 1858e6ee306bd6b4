import { describe, expect, test } from "bun:test"
import { isDatabaseUnreachable } from "./unreachable.ts"

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code })

describe("isDatabaseUnreachable", () => {
  test("connection loss, refusal and server shutdown are outages", () => {
    for (const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "CONNECTION_CLOSED",
      "CONNECTION_DESTROYED",
      "CONNECT_TIMEOUT",
      "57P01",
      "57P03",
      "08006",
    ]) {
      expect(isDatabaseUnreachable(withCode(code))).toBe(true)
    }
    expect(isDatabaseUnreachable(new Error("wrapped", { cause: withCode("ECONNREFUSED") }))).toBe(true)
  })

  test("answers about the data, our own shutdown and bugs are not", () => {
    for (const code of ["23505", "22P02", "42P01", "40P01", "CONNECTION_ENDED"]) {
      expect(isDatabaseUnreachable(withCode(code))).toBe(false)
    }
    expect(isDatabaseUnreachable(new TypeError("x is undefined"))).toBe(false)
    expect(isDatabaseUnreachable("nope")).toBe(false)
  })
})
