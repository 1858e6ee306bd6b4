/**
 * The four player-side workers in `bun run hermes` as a process (its configuration, the
 * registry, the shared Bungie client against the simulator): one message each, its rows, then
 * SIGTERM exits 0.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import { join } from "node:path"
import { waitUntil } from "../../lib/messaging/testing/wait-until.ts"
import { createHarness, type Harness } from "../testing/harness.ts"

const MAIN = join(import.meta.dir, "..", "..", "apps", "hermes", "main.ts")

let h: Harness
beforeAll(async () => {
  h = await createHarness({ world: { incompleteRate: 0 } })
}, 60_000)
afterAll(async () => {
  await h?.close()
})

test("bun run hermes consumes player_crawl, activity_history, clan_crawl and character_fill", async () => {
  const queues = ["player_crawl", "activity_history", "clan_crawl", "character_fill"]
  const child = Bun.spawn(["bun", MAIN, ...queues.flatMap((q) => ["--queue", q]), "--metrics-port", "0", "--no-relays"], {
    env: {
      ...process.env,
      DATABASE_URL: h.db.url,
      RABBITMQ_URL: h.vhost.url,
      BUNGIE_BASE_URL: h.sim.url,
      BUNGIE_WWW_BASE_URL: h.sim.url,
      BUNGIE_API_KEY: "hermes-players-test",
      ZEUS_URL: "",
      LOG_LEVEL: "warn",
      HERMES_RECRAWL_MINUTES: "30",
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  const stderr = new Response(child.stderr).text()
  try {
    const [p] = h.sim.truth.findPlayers({ exists: true, unknown: false, private: false, minInstances: 3, limit: 1 })
    const [clan] = h.sim.truth.findClans({ deleted: false, minMembers: 3, limit: 1 })
    await h.publish("player_crawl", p!.membershipId, "text/plain")
    await h.publish("clan_crawl", clan!.groupId, "text/plain")
    await waitUntil(
      async () =>
        (await h.db.sql`select 1 from core.player where membership_id = ${p!.membershipId}::bigint and last_crawled is not null`).length ===
        1,
      "the player crawled",
      60_000,
      100,
    )
    await waitUntil(
      async () => (await h.db.sql`select 1 from clan.clan where group_id = ${clan!.groupId}::bigint`).length === 1,
      "the clan crawled",
      60_000,
      100,
    )
    // Its raids are not stored: the history sends them all to pgcr_exists (not consumed here; the
    // live world may have added one since the truth was read).
    await h.publish("activity_history", p!.membershipId, "text/plain")
    await waitUntil(
      async () =>
        (await h.db.sql`select 1 from core.player where membership_id = ${p!.membershipId}::bigint and history_last_crawled is not null`)
          .length === 1,
      "the history crawled",
      60_000,
      100,
    )
    const queued = new Set((await h.drain("pgcr_exists")).map((m) => JSON.parse(m.body).instanceId as string))
    expect(p!.raidInstanceIds.filter((id) => !queued.has(id))).toEqual([])
    // A character_fill for a character not stored is parked with its reason.
    await h.publish("character_fill", JSON.stringify({ instanceId: "1", membershipId: p!.membershipId, characterId: "2" }))
    await waitUntil(async () => (await h.depth("character_fill.dead")) === 1, "the fill parked", 60_000, 100)
    const [row] = await h.db.sql`select bungie_name, history_last_crawled from core.player where membership_id = ${p!.membershipId}::bigint`
    expect(row!.bungie_name).toBe(p!.bungieName)
    expect(row!.history_last_crawled).toBeInstanceOf(Date)
  } finally {
    child.kill("SIGTERM")
  }
  expect(await child.exited).toBe(0)
  expect(await stderr).not.toContain('"level":"error"')
})
