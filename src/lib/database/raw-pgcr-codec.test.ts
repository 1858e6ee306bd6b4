import { expect, test } from "bun:test"
import { decodeRawPgcr, encodeRawPgcr, isZstd } from "./raw-pgcr-codec.ts"

test("raw PGCRs are stored as zstd and read back from zstd, gzip or plain bytes", () => {
  const original = new TextEncoder().encode(JSON.stringify({ Response: { activityDetails: { instanceId: "17091392013" } } }).repeat(20))
  const stored = encodeRawPgcr(original)
  expect(isZstd(stored)).toBe(true)
  expect(stored.length).toBeLessThan(original.length)
  expect(encodeRawPgcr(stored)).toBe(stored)
  expect(decodeRawPgcr(stored)).toEqual(original)
  expect(decodeRawPgcr(Bun.gzipSync(original))).toEqual(original)
  expect(decodeRawPgcr(original)).toEqual(original)
})
