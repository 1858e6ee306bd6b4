import { afterAll, beforeAll, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

const MIGRATION = join(import.meta.dir, "..", "..", "..", "sql", "migrations", "0130_queue_names.sql")

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})
afterAll(async () => {
  await db?.drop()
})

test("0130 moves pending outbox rows from the old queue names to the system's names (delivered rows untouched)", async () => {
  await db.sql`
    insert into crawl.outbox (topic, payload, delivered_at) values
      ('queue.instance_cheat_check', convert_to('{"instanceId":"1"}', 'UTF8'), null),
      ('queue.activity_history_crawl', convert_to('{"membershipId":"2"}', 'UTF8'), null),
      ('queue.pgcr_blocked_retry', convert_to('{"instanceId":"3"}', 'UTF8'), null),
      ('queue.instance_cheat_check', convert_to('{"instanceId":"4"}', 'UTF8'), now()),
      ('queue.player_crawl', convert_to('{"membershipId":"5"}', 'UTF8'), null)`
  // The migration already ran when the database was created; run its statements again on these rows.
  await db.sql.unsafe(readFileSync(MIGRATION, "utf8"))
  const rows = await db.sql`select topic, delivered_at is not null as delivered from crawl.outbox order by id`
  expect(rows.map((r) => [r.topic, r.delivered])).toEqual([
    ["queue.pgcr_cheat_check", false],
    ["queue.activity_history", false],
    ["queue.pgcr_blocked", false],
    ["queue.instance_cheat_check", true],
    ["queue.player_crawl", false],
  ])
})
