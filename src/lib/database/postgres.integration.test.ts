import { afterAll, describe, expect, test } from "bun:test"
import { execFileSync } from "node:child_process"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createLogger } from "../monitoring/logger.ts"
import { connectPostgres } from "./postgres.ts"
import { DEFAULT_TEST_DATABASE_URL, findFreePort } from "./testing.ts"

const silent = createLogger({ level: "silent" })
const dataDir = mkdtempSync(join(tmpdir(), "raidhub-embedded-pg-"))
// mkdtemp makes the directory 0700; the server runs as the unprivileged postgres user when we are root.
chmodSync(dataDir, 0o755)
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe("connectPostgres", () => {
  test("DATABASE_URL: int8 comes back as bigint, never number", async () => {
    const pg = await connectPostgres({ url: process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL, logger: silent })
    try {
      expect(pg.embedded).toBe(false)
      const [row] = await pg.sql<{ big: bigint; arr: bigint[]; small: number }[]>`
        SELECT 9223372036854775807::int8 AS big, ARRAY[9007199254740993]::int8[] AS arr, 5::int4 AS small`
      expect(row!.big).toBe(9223372036854775807n)
      expect(row!.arr).toEqual([9007199254740993n])
      expect(row!.small).toBe(5)
      const [tz] = await pg.sql<{ tz: string }[]>`SELECT current_setting('TimeZone') AS tz`
      expect(tz!.tz).toBe("UTC")
    } finally {
      await pg.close()
    }
  })

  test("embedded: starts from nothing, keeps data across a restart", async () => {
    const port = await findFreePort()
    const first = await connectPostgres({ dataDir, embeddedPort: port, logger: silent })
    try {
      expect(first.embedded).toBe(true)
      expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true)
      await first.sql`CREATE TABLE kept (id bigint PRIMARY KEY, note text)`
      await first.sql`INSERT INTO kept VALUES (${9223372036854775807n}, 'survives restart')`
      // The server runs in its own session: a terminal Ctrl-C (SIGINT to our process group) must not
      // stop it under the app's drain and final checkpoint.
      const serverPid = Number(readFileSync(join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0])
      const groupOf = (pid: number) => Number(execFileSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8" }).trim())
      expect(groupOf(serverPid)).not.toBe(groupOf(process.pid))
      // A second process-local handle on the same data dir joins the running server.
      const joined = await connectPostgres({ dataDir, embeddedPort: port, logger: silent })
      const [count] = await joined.sql<{ n: bigint }[]>`SELECT count(*) AS n FROM kept`
      expect(count!.n).toBe(1n)
      await joined.close()
    } finally {
      await first.close()
    }
    expect(existsSync(join(dataDir, "postgres", "postmaster.pid"))).toBe(false)

    const second = await connectPostgres({ dataDir, embeddedPort: port, logger: silent })
    try {
      const rows = await second.sql<{ id: bigint; note: string }[]>`SELECT id, note FROM kept`
      expect(rows.map((r) => ({ ...r }))).toEqual([{ id: 9223372036854775807n, note: "survives restart" }])
      const [db] = await second.sql<{ d: string }[]>`SELECT current_database() AS d`
      expect(db!.d).toBe("raidhub")
    } finally {
      await second.close()
    }
  })
})
