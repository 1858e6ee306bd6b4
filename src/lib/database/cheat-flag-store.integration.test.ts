/**
 * The flag store against the real Postgres: rows above the thresholds only, idempotent per
 * (instance, version) with the first flagged_at kept, blacklisting at ≥ 0.95 unless whitelisted,
 * and never over a person's blacklist.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { CheatBit } from "../cheat/bits.ts"
import { CHEAT_CHECK_BLACKLIST_REASON } from "../cheat/reporting.ts"
import type { CheatVerdict } from "../cheat/types.ts"
import { generateSyntheticInstances } from "../pgcr/synthetic.ts"
import { writeCheatVerdict } from "./cheat-flag-store.ts"
import { storeInstances } from "./instance-store.ts"
import { createTestDatabase, type TestDatabase } from "./testing.ts"

let db: TestDatabase
/** Stored instances with at least two players: [instanceId, [membershipIds]]. */
let runs: { id: bigint; members: bigint[] }[] = []

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  const items = generateSyntheticInstances({ count: 40, playerPool: 60, seed: 11 })
  await storeInstances(db.sql, items)
  runs = items
    .filter((i) => i.instance.players.length >= 2)
    .map((i) => ({ id: BigInt(i.instance.instanceId), members: i.instance.players.map((p) => BigInt(p.player.membershipId)) }))
})
afterAll(async () => {
  await db?.drop()
})

function verdict(id: bigint, instanceProbability: number, players: [bigint, number][], version = "test-1"): CheatVerdict {
  return {
    instanceId: id,
    version,
    instanceProbability,
    instanceBits: CheatBit.VaultOfGlass | CheatBit.TooFast,
    explanations: [],
    players: players.map(([membershipId, probability]) => ({
      membershipId,
      probability,
      bits: CheatBit.VaultOfGlass | CheatBit.PlayerTotalKills,
      explanations: [],
    })),
    skipped: null,
  }
}

async function flags(id: bigint) {
  const instance = await db.sql`
    select cheat_check_version as v, cheat_check_bitmask::text as bits, cheat_probability::float8 as p, flagged_at
    from flagging.flag_instance where instance_id = ${id.toString()}::bigint order by 1`
  const players = await db.sql`
    select membership_id::text as m, cheat_check_version as v, cheat_check_bitmask::text as bits, cheat_probability::float8 as p
    from flagging.flag_instance_player where instance_id = ${id.toString()}::bigint order by 1, 2`
  const blacklist = await db.sql`
    select report_source::text as source, reason, cheat_check_version as v from flagging.blacklist_instance
    where instance_id = ${id.toString()}::bigint`
  return { instance: [...instance], players: [...players], blacklist: [...blacklist] }
}

describe("writeCheatVerdict", () => {
  test("writes rows above the reporting thresholds only, with the bitmask as a 64-bit bigint", async () => {
    const run = runs[0]!
    const result = await writeCheatVerdict(
      db.sql,
      verdict(run.id, 0.5, [
        [run.members[0]!, 0.9],
        [run.members[1]!, 0.05],
      ]),
    )
    expect(result).toEqual({ instanceFlagged: true, playersFlagged: 1, blacklisted: false })
    const f = await flags(run.id)
    expect(f.instance.map((r) => [r.v, r.bits, r.p])).toEqual([["test-1", (CheatBit.VaultOfGlass | CheatBit.TooFast).toString(), 0.5]])
    expect(BigInt(f.instance[0]!.bits) & CheatBit.TooFast).toBe(CheatBit.TooFast) // bit 60 survived the round trip
    expect(f.players.map((r) => [r.m, r.p])).toEqual([[run.members[0]!.toString(), 0.9]])
    expect(f.blacklist).toEqual([])

    const low = runs[1]!
    expect(await writeCheatVerdict(db.sql, verdict(low.id, 0.05, [[low.members[0]!, 0.01]]))).toEqual({
      instanceFlagged: false,
      playersFlagged: 0,
      blacklisted: false,
    })
    expect((await flags(low.id)).instance).toEqual([])
  })

  test("idempotent per (instance, version): a rewrite keeps flagged_at, drops players no longer reported, leaves other versions", async () => {
    const run = runs[2]!
    await writeCheatVerdict(
      db.sql,
      verdict(
        run.id,
        0.4,
        [
          [run.members[0]!, 0.6],
          [run.members[1]!, 0.7],
        ],
        "old-0",
      ),
    )
    await writeCheatVerdict(
      db.sql,
      verdict(run.id, 0.4, [
        [run.members[0]!, 0.6],
        [run.members[1]!, 0.7],
      ]),
    )
    const first = await flags(run.id)
    await Bun.sleep(20)
    await writeCheatVerdict(db.sql, verdict(run.id, 0.45, [[run.members[0]!, 0.65]]))
    const second = await flags(run.id)
    const current = (rows: typeof first.instance) => rows.filter((r) => r.v === "test-1")
    expect(current(second.instance)[0]!.flagged_at.getTime()).toBe(current(first.instance)[0]!.flagged_at.getTime())
    expect(current(second.instance)[0]!.p).toBe(0.45)
    expect(second.players.filter((r) => r.v === "test-1").map((r) => [r.m, r.p])).toEqual([[run.members[0]!.toString(), 0.65]])
    expect(second.players.filter((r) => r.v === "old-0").length).toBe(2)
    // A skipped verdict (bad-data window) leaves no flags at its version.
    await writeCheatVerdict(db.sql, { ...verdict(run.id, 0, []), skipped: { kind: "badDataWindow", window: "craftening" } })
    const third = await flags(run.id)
    expect(third.instance.map((r) => r.v)).toEqual(["old-0"])
    expect(third.players.every((r) => r.v === "old-0")).toBe(true)
  })

  test("≥ 0.95 blacklists as CheatCheck with the reason and the blamed players; below it does not", async () => {
    const run = runs[3]!
    const result = await writeCheatVerdict(db.sql, verdict(run.id, 0.97, [[run.members[0]!, 0.99]]))
    expect(result.blacklisted).toBe(true)
    expect((await flags(run.id)).blacklist).toEqual([{ source: "CheatCheck", reason: CHEAT_CHECK_BLACKLIST_REASON, v: "test-1" }])
    const players = await db.sql`
      select membership_id::text as m, reason from flagging.blacklist_instance_player where instance_id = ${run.id.toString()}::bigint`
    expect(players.map((p) => p.m)).toEqual([run.members[0]!.toString()])
    expect(players[0]!.reason).toContain("PlayerTotalKills")
    // Redelivery: nothing new.
    expect((await writeCheatVerdict(db.sql, verdict(run.id, 0.97, [[run.members[0]!, 0.99]]))).blacklisted).toBe(false)

    const below = runs[4]!
    expect((await writeCheatVerdict(db.sql, verdict(below.id, 0.949, []))).blacklisted).toBe(false)
    expect((await flags(below.id)).blacklist).toEqual([])
  })

  test("whitelisted instances and runs with a whitelisted participant are flagged but never blacklisted", async () => {
    const byInstance = runs[5]!
    await db.sql`update core.instance set is_whitelisted = true where instance_id = ${byInstance.id.toString()}::bigint`
    expect(await writeCheatVerdict(db.sql, verdict(byInstance.id, 0.99, []))).toEqual({
      instanceFlagged: true,
      playersFlagged: 0,
      blacklisted: false,
    })
    expect((await flags(byInstance.id)).blacklist).toEqual([])

    const byPlayer = runs[6]!
    await db.sql`update core.player set is_whitelisted = true where membership_id = ${byPlayer.members[1]!.toString()}::bigint`
    expect((await writeCheatVerdict(db.sql, verdict(byPlayer.id, 0.99, []))).blacklisted).toBe(false)
    expect((await flags(byPlayer.id)).blacklist).toEqual([])
    await db.sql`update core.player set is_whitelisted = false where membership_id = ${byPlayer.members[1]!.toString()}::bigint`
  })

  test("a person's blacklist row is never replaced", async () => {
    const run = runs[7]!
    await db.sql`
      insert into flagging.blacklist_instance (instance_id, report_source, reason)
      values (${run.id.toString()}::bigint, 'Manual', 'seen on stream')`
    expect((await writeCheatVerdict(db.sql, verdict(run.id, 1, []))).blacklisted).toBe(false)
    expect((await flags(run.id)).blacklist).toEqual([{ source: "Manual", reason: "seen on stream", v: null }])
  })
})
