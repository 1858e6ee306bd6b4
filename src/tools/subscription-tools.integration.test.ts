import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { storeInstances } from "../lib/database/instance-store.ts"
import { createTestDatabase, type TestDatabase } from "../lib/database/testing.ts"
import { generateSyntheticInstances } from "../lib/pgcr/synthetic.ts"
import { runToolMain } from "./main.ts"
import type { ToolIo } from "./tool.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
})
afterAll(async () => {
  await db?.drop()
})

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: { DATABASE_URL: db.url, LOG_LEVEL: "silent" } }
}

const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-tok"
const WEBHOOK = `https://discord.com/api/webhooks/112233445566778899/${TOKEN}`
const count = async (table: string) => Number((await db.sql.unsafe(`select count(*)::int as n from ${table}`))[0]!.n)

describe("subscription-onboard", () => {
  test("--dry-run writes nothing; a run writes the public API's rows; a second run reuses and updates; the token is never printed", async () => {
    const args = [
      "subscription-onboard",
      "--webhook-url",
      WEBHOOK,
      "--player-membership-id",
      "4611686018500000001",
      "--clan-group-id",
      "4242",
    ]
    let io = captureIo()
    expect(await runToolMain([...args, "--dry-run"], io)).toBe(0)
    expect(io.stdout.at(-1)).toBe("dry run: nothing written")
    expect(await count("subscriptions.destination")).toBe(0)
    expect(await count("subscriptions.rule")).toBe(0)

    io = captureIo()
    expect(await runToolMain([...args, "--require-completed", "--activity-raid-bitmap", String(2 ** 9)], io)).toBe(0)
    expect(io.stdout.join("\n")).not.toContain(TOKEN)
    const [dest] = await db.sql.unsafe(
      `select d.id::text as id, d.channel_type::text as t, d.is_active, c.webhook_id, c.webhook_token
       from subscriptions.destination d join subscriptions.discord_destination_config c on c.destination_id = d.id`,
    )
    expect(dest as unknown).toMatchObject({ t: "discord_webhook", is_active: true, webhook_id: "112233445566778899", webhook_token: TOKEN })
    const rules = await db.sql.unsafe(
      `select scope::text as scope, membership_id::text as m, group_id::text as g, require_completed as rc, require_fresh as rf,
              activity_raid_bitmap::text as b from subscriptions.rule where destination_id = $1 and is_active order by id`,
      [dest!.id],
    )
    expect(rules.map((r) => ({ ...r })) as unknown).toEqual([
      { scope: "player", m: "4611686018500000001", g: null, rc: true, rf: false, b: "512" },
      { scope: "clan", m: null, g: "4242", rc: true, rf: false, b: "512" },
    ])

    // Deactivated by failures, then onboarded again: reactivated, rules updated in place.
    await db.sql.unsafe(
      "update subscriptions.destination set is_active = false, consecutive_delivery_failures = 10, deactivated_at = now()",
    )
    io = captureIo()
    expect(await runToolMain([...args, "--require-fresh"], io)).toBe(0)
    expect(io.stdout[0]).toBe(`destination ${dest!.id} (discord_webhook) reactivated`)
    expect(await count("subscriptions.destination")).toBe(1)
    expect(await count("subscriptions.rule")).toBe(2)
    const [after] = await db.sql.unsafe(
      "select is_active, consecutive_delivery_failures as f, deactivated_at from subscriptions.destination",
    )
    expect(after as unknown).toEqual({ is_active: true, f: 0, deactivated_at: null })
    const gates = await db.sql.unsafe(
      "select require_fresh as rf, require_completed as rc, activity_raid_bitmap::text as b from subscriptions.rule",
    )
    for (const g of gates) expect({ ...g } as unknown).toEqual({ rf: true, rc: false, b: "0" })
  })

  test("a callback gets a signing secret, printed once; bad arguments are one line that never echoes the URL", async () => {
    let io = captureIo()
    expect(
      await runToolMain(["subscription-onboard", "--http-callback-url", "https://example.test/hook", "--clan-group-id", "77"], io),
    ).toBe(0)
    const secretLine = io.stdout.find((l) => l.startsWith("signing secret"))!
    const secret = secretLine.split(": ").at(-1)!
    const [row] = await db.sql.unsafe("select signing_secret from subscriptions.http_callback_destination_config")
    expect(row!.signing_secret).toBe(secret)
    io = captureIo()
    expect(
      await runToolMain(["subscription-onboard", "--http-callback-url", "https://example.test/hook", "--clan-group-id", "78"], io),
    ).toBe(0)
    expect(io.stdout.join("\n")).not.toContain(secret)

    io = captureIo()
    expect(
      await runToolMain(["subscription-onboard", "--webhook-url", `https://evil.test/api/webhooks/1/${TOKEN}`, "--clan-group-id", "1"], io),
    ).toBe(2)
    expect(io.stderr).toHaveLength(1)
    expect(io.stderr[0]).not.toContain(TOKEN)
    io = captureIo()
    expect(await runToolMain(["subscription-onboard", "--webhook-url", WEBHOOK], io)).toBe(2)
    expect(io.stderr[0]).toContain("--player-membership-id")
    io = captureIo()
    expect(
      await runToolMain(
        ["subscription-onboard", "--webhook-url", WEBHOOK, "--http-callback-url", "https://x.test", "--clan-group-id", "1"],
        io,
      ),
    ).toBe(2)
  })
})

describe("replay-subscription-instance", () => {
  test("--dry-run names the destinations the rules select; a run queues the event with a replay id", async () => {
    await db.sql.unsafe("truncate subscriptions.destination cascade")
    const [item] = generateSyntheticInstances({ count: 1, seed: 5 })
    await storeInstances(db.sql, [item!])
    await db.sql.unsafe("delete from crawl.outbox")
    const id = item!.instance.instanceId
    const member = item!.instance.players[0]!.player.membershipId
    let io = captureIo()
    expect(await runToolMain(["subscription-onboard", "--webhook-url", WEBHOOK, "--player-membership-id", member], io)).toBe(0)
    const destination = io.stdout[0]!.split(" ")[1]

    io = captureIo()
    expect(await runToolMain(["replay-subscription-instance", id, "--dry-run"], io)).toBe(0)
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({ instanceId: id })
    expect(io.stdout[1]).toStartWith(`would reach destination ${destination} (discord_webhook)`)
    expect(io.stdout.at(-1)).toBe("dry run: 1 destination (clans from our tables only); nothing queued")
    expect(await count("crawl.outbox")).toBe(0)

    io = captureIo()
    expect(await runToolMain(["replay-subscription-instance", id], io)).toBe(0)
    const rows = await db.sql.unsafe("select topic, convert_from(payload, 'UTF8') as body from crawl.outbox")
    expect(rows.map((r) => r.topic)).toEqual(["queue.instance_participant_refresh"])
    const event = JSON.parse(rows[0]!.body)
    expect(event.instanceId).toBe(id)
    expect(event.replayId).toMatch(/^r[0-9a-z]+$/)
    expect(io.stdout[0]).toContain(event.replayId)

    io = captureIo()
    expect(await runToolMain(["replay-subscription-instance", "99999999999"], io)).toBe(1)
    expect(io.stderr[0]).toBe("replay-subscription-instance: instance 99999999999 is not stored")
  })
})
