import { expect, test } from "bun:test"
import { encodeStagingTsv } from "./instance-store-staging-tsv.ts"

test("encodes nulls, booleans, numbers, number arrays and plain strings", () => {
  expect(
    encodeStagingTsv(6, [
      ["12345678901234567", null, true, false, 42, [1, 2]],
      ["1", "", false, null, 0, []],
    ]),
  ).toBe("12345678901234567\t\\N\tt\tf\t42\t{1,2}\n1\t\tf\t\\N\t0\t{}")
})

test("refuses cells the format cannot carry, so the caller falls back to JSON", () => {
  for (const bad of ["a\tb", "a\nb", "\\N", "back\\slash"]) expect(encodeStagingTsv(1, [[bad]])).toBeNull()
  expect(encodeStagingTsv(1, [[Number.NaN]])).toBeNull()
  expect(encodeStagingTsv(1, [[[1, Number.POSITIVE_INFINITY]]])).toBeNull()
  expect(encodeStagingTsv(1, [[new Uint8Array([1])]])).toBeNull()
})
