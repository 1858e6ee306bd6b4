import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { countZstdRawPgcrs } from "../lib/database/convert-raw-pgcr.ts"
import { isGzip } from "../lib/database/raw-pgcr-codec.ts"
import { createTestDatabase, type TestDatabase } from "../lib/database/testing.ts"
import { PGCR_FIXTURES_DIR } from "../lib/fixtures-path.ts"
import { runToolMain } from "./main.ts"
import type { ToolIo } from "./tool.ts"

let db: TestDatabase

const fixture = (id: string) => new Uint8Array(readFileSync(join(PGCR_FIXTURES_DIR, `${id}.json`)))
const responseOf = (bytes: Uint8Array) => {
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { Response?: unknown }
  return parsed.Response ?? parsed
}

// Old rows: zstd of three envelopes and of a bare Response body (fixtures of both kinds).
const ZSTD_ROWS = ["6870306963", "10902450421", "14287236297", "17091392013"]
const GZIP_ID = "20000000001" // the original system's format: left alone
const CORRUPT_ID = "20000000002" // zstd magic, then garbage: reported, left alone
const gzipRow = Bun.gzipSync(new TextEncoder().encode('{"period":"2020-01-01T00:00:00Z","entries":[]}'))
const corruptRow = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5])

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  for (const id of ZSTD_ROWS) {
    await db.sql`INSERT INTO raw.pgcr (instance_id, data) VALUES (${id}, ${Buffer.from(Bun.zstdCompressSync(fixture(id)))})`
  }
  await db.sql`INSERT INTO raw.pgcr (instance_id, data) VALUES (${GZIP_ID}, ${Buffer.from(gzipRow)}), (${CORRUPT_ID}, ${Buffer.from(corruptRow)})`
})

afterAll(async () => {
  await db?.drop()
})

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: { DATABASE_URL: db.url, LOG_LEVEL: "silent" } }
}

async function stored(id: string): Promise<Uint8Array> {
  const [row] = await db.sql<{ data: Uint8Array }[]>`SELECT data FROM raw.pgcr WHERE instance_id = ${id}`
  return row!.data
}

describe("convert-raw-pgcr", () => {
  test("--dry-run reports what it would convert and writes nothing", async () => {
    const io = captureIo()
    expect(await runToolMain(["convert-raw-pgcr", "--dry-run"], io)).toBe(1)
    expect(io.stdout.at(-1)).toMatch(/^done: scanned 6, would convert 4 \(.* MB zstd -> .* MB gzip\), failed 1$/)
    expect(io.stderr).toEqual([expect.stringContaining(`instance ${CORRUPT_ID} not converted`)])
    expect(await countZstdRawPgcrs(db.sql)).toBe(5)
  })

  test("converts zstd rows in batches into gzip of the Response body; other rows are untouched", async () => {
    const io = captureIo()
    expect(await runToolMain(["convert-raw-pgcr", "--batch", "2"], io)).toBe(1)
    expect(io.stdout.filter((l) => l.startsWith("batch "))).toHaveLength(3)
    expect(io.stdout.at(-1)).toMatch(/^done: scanned 6, converted 4 .* failed 1$/)
    for (const id of ZSTD_ROWS) {
      const data = await stored(id)
      expect(isGzip(data)).toBe(true)
      // What the public API's /pgcr/:id does with the column.
      const body = JSON.parse(new TextDecoder().decode(Bun.gunzipSync(data as Uint8Array<ArrayBuffer>)))
      expect(body).toEqual(responseOf(fixture(id)))
    }
    expect(await stored(GZIP_ID)).toEqual(gzipRow)
    expect(await stored(CORRUPT_ID)).toEqual(corruptRow)
    expect(await countZstdRawPgcrs(db.sql)).toBe(1)
  })

  test("a second run finds nothing left but the broken row; --after skips what is before it", async () => {
    let io = captureIo()
    expect(await runToolMain(["convert-raw-pgcr"], io)).toBe(1)
    expect(io.stdout.at(-1)).toMatch(/^done: scanned 6, converted 0 .* failed 1$/)
    io = captureIo()
    expect(await runToolMain(["convert-raw-pgcr", `--after=${GZIP_ID}`, "--batch=100"], io)).toBe(1)
    expect(io.stdout[0]).toBe(`batch 1: scanned 1, converted 0, failed 1, last ${CORRUPT_ID}`)
    io = captureIo()
    expect(await runToolMain(["convert-raw-pgcr", `--after=${CORRUPT_ID}`], io)).toBe(0)
    expect(io.stdout).toEqual(["done: scanned 0, converted 0 (0.0 MB zstd -> 0.0 MB gzip), failed 0"])
  })

  test("bad usage is one line and exit 2", async () => {
    for (const argv of [["--batch", "0"], ["--batch=20000"], ["--after", "x"], ["--after"], ["--dry-run=yes"], ["extra"]]) {
      const io = captureIo()
      expect({ argv, code: await runToolMain(["convert-raw-pgcr", ...argv], io) }).toEqual({ argv, code: 2 })
      expect(io.stderr).toHaveLength(1)
    }
  })
})
