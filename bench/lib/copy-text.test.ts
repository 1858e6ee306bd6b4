import { describe, expect, test } from "bun:test"
import { encodeCopyCell, encodeCopyRows } from "./copy-text.ts"

describe("COPY text encoding", () => {
  test("nulls, booleans, numbers, arrays, bytes", () => {
    expect(encodeCopyCell(null)).toBe("\\N")
    expect(encodeCopyCell(true)).toBe("t")
    expect(encodeCopyCell(12.9)).toBe("12")
    expect(encodeCopyCell([1, 2])).toBe("{1,2}")
    expect(encodeCopyCell(new Uint8Array([0, 255]))).toBe("\\\\x00ff")
  })
  test("delimiters inside text are escaped", () => {
    expect(encodeCopyCell("a\tb\nc\\d\r")).toBe("a\\tb\\nc\\\\d\\r")
    expect(
      encodeCopyRows([
        ["4611686018427387904", "x"],
        [null, false],
      ]),
    ).toBe("4611686018427387904\tx\n\\N\tf\n")
  })
})
