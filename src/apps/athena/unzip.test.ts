import { describe, expect, test } from "bun:test"
import { zipSingleFile } from "../../sim/zip.ts"
import { readSingleZipEntry } from "./unzip.ts"

describe("readSingleZipEntry", () => {
  test("a stored entry comes back byte for byte", () => {
    const data = new TextEncoder().encode("SQLite format 3\u0000 and more")
    const entry = readSingleZipEntry(zipSingleFile("world.content", data))
    expect(entry.name).toBe("world.content")
    expect(entry.data).toEqual(data)
  })

  test("what it cannot read is refused with the reason", () => {
    expect(() => readSingleZipEntry(new TextEncoder().encode("<html>maintenance</html>"))).toThrow("not a zip archive")
    const zip = zipSingleFile("a", new Uint8Array(100))
    const twoEntries = zip.slice()
    new DataView(twoEntries.buffer).setUint16(twoEntries.length - 22 + 10, 2, true)
    expect(() => readSingleZipEntry(twoEntries)).toThrow("expected one file in the archive, found 2")
    // The central directory says the file is longer than what the archive holds.
    const lying = zip.slice()
    const centralAt = 30 + 1 + 100
    new DataView(lying.buffer).setUint32(centralAt + 24, 101, true)
    expect(() => readSingleZipEntry(lying)).toThrow("expected 101 bytes, got 100")
  })
})
