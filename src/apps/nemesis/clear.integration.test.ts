/**
 * clear-flags and clear-player through their tools on a seeded database: exactly the matching
 * flags go, only the blacklists they caused go with them, people's decisions stay, and a dry run
 * reports the same counts while changing nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { CheatBit } from "../../lib/cheat/bits.ts"
import { CHEAT_CHECK_VERSION } from "../../lib/cheat/reporting.ts"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { tool as clearFlagsTool } from "../../tools/clear-flags.ts"
import { tool as clearPlayerTool } from "../../tools/clear-player.ts"
import type { ToolIo } from "../../tools/tool.ts"

let db: TestDatabase
const HASH = 2381413764
const X = "4611686018400000001"
const Y = "4611686018400000002"
const BAD = (CheatBit.TooFast | CheatBit.RootOfNightmares).toString()
const FAST = CheatBit.TooFast.toString()

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env: { DATABASE_URL: db.url, LOG_LEVEL: "silent" } }
}

async function run(id: string) {
  await db.sql.unsafe(
    `insert into core.instance (instance_id, hash, completed, fresh, player_count, date_started, date_completed, duration, platform_type)
     values ($1::bigint, $2, true, true, 2, now() - interval '2 hours', now() - interval '1 hour', 3600, 3)`,
    [id, HASH],
  )
  await db.sql.unsafe(
    `insert into core.instance_player (instance_id, membership_id, completed, time_played_seconds)
     values ($1::bigint, $2::bigint, true, 3600), ($1::bigint, $3::bigint, true, 3600)`,
    [id, X, Y],
  )
}
async function flag(id: string, version: string, bits: string, p: number, at = "2026-05-10T00:00:00Z", player: string | null = X) {
  await db.sql.unsafe(
    `insert into flagging.flag_instance (instance_id, cheat_check_version, cheat_check_bitmask, cheat_probability, flagged_at)
     values ($1::bigint, $2, $3::bigint, $4, $5)`,
    [id, version, bits, p, at],
  )
  if (player) {
    await db.sql.unsafe(
      `insert into flagging.flag_instance_player (instance_id, membership_id, cheat_check_version, cheat_check_bitmask, cheat_probability, flagged_at)
       values ($1::bigint, $2::bigint, $3, $4::bigint, $5, $6)`,
      [id, player, version, bits, p, at],
    )
  }
}
async function blacklist(id: string, source: string, reason: string, players: string[] = []) {
  await db.sql.unsafe(
    `insert into flagging.blacklist_instance (instance_id, report_source, reason) values ($1::bigint, $2::flagging."BlacklistReportSource", $3)`,
    [id, source, reason],
  )
  for (const p of players) {
    await db.sql.unsafe(
      `insert into flagging.blacklist_instance_player (instance_id, membership_id, reason) values ($1::bigint, $2::bigint, 'x')`,
      [id, p],
    )
  }
}
async function snapshot() {
  const q = async (text: string) => (await db.sql.unsafe(text)).map((r) => Object.values(r).join(":")).sort()
  return {
    flags: await q("select instance_id::text, cheat_check_version from flagging.flag_instance"),
    playerFlags: await q("select instance_id::text, membership_id::text, cheat_check_version from flagging.flag_instance_player"),
    blacklists: await q("select instance_id::text, report_source::text from flagging.blacklist_instance"),
    blacklistPlayers: await q("select instance_id::text, membership_id::text from flagging.blacklist_instance_player"),
    players: await q("select membership_id::text, cheat_level::text, is_whitelisted::text from core.player"),
  }
}

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  await db.sql.unsafe(
    `insert into core.player (membership_id, membership_type, first_seen, last_seen, cheat_level) values
     ($1::bigint, 3, now(), now(), 4), ($2::bigint, 3, now(), now(), 4)`,
    [X, Y],
  )
  for (let i = 1; i <= 12; i++) await run(`1900000000${i.toString().padStart(2, "0")}`)
})
afterAll(async () => {
  await db?.drop()
})

describe("clear-flags", () => {
  const id = (n: number) => `1900000000${n.toString().padStart(2, "0")}`
  beforeAll(async () => {
    await flag(id(1), "old", BAD, 0.97) // cleared, its CheatCheck blacklist undone
    await blacklist(id(1), "CheatCheck", "Flagged >= 0.95")
    await flag(id(2), "old", BAD, 0.97) // cleared, but a current-version flag keeps the blacklist
    await flag(id(2), CHEAT_CHECK_VERSION, BAD, 0.99, undefined, null)
    await blacklist(id(2), "CheatCheck", "Flagged >= 0.95")
    await flag(id(3), "old", FAST, 0.97) // not every bit of the mask: kept
    await flag(id(4), "old", BAD, 0.97) // cleared; a person's blacklist stays
    await blacklist(id(4), "Manual", "seen on stream")
    await flag(id(5), "old", BAD, 0.97, "2026-04-01T00:00:00Z") // before --since: kept
    await flag(id(6), CHEAT_CHECK_VERSION, BAD, 0.5) // current version: kept without --version
  })

  test("--dry-run reports exact counts and changes nothing; the real run deletes only the matches and the blacklists they caused", async () => {
    const before = await snapshot()
    const argv = ["--bits", "TooFast,RootOfNightmares", "--since", "2026-05-01"]
    const dry = captureIo()
    expect(await clearFlagsTool.run([...argv, "--dry-run"], dry)).toBe(0)
    const drySummary = JSON.parse(dry.stdout.at(-1)!)
    expect(drySummary).toEqual({
      dryRun: true,
      bits: ["RootOfNightmares", "TooFast"],
      instanceFlags: 3,
      playerFlags: 3,
      instances: 3,
      blacklistsRemoved: 1,
    })
    expect(dry.stdout.slice(0, -1)).toEqual([id(1), id(2), id(4)])
    expect(await snapshot()).toEqual(before)

    const io = captureIo()
    expect(await clearFlagsTool.run(argv, io)).toBe(0)
    expect({ ...JSON.parse(io.stdout.at(-1)!), dryRun: true }).toEqual(drySummary)
    const after = await snapshot()
    expect(after.flags).toEqual(
      [`${id(2)}:${CHEAT_CHECK_VERSION}`, `${id(3)}:old`, `${id(5)}:old`, `${id(6)}:${CHEAT_CHECK_VERSION}`].sort(),
    )
    expect(after.blacklists).toEqual([`${id(2)}:CheatCheck`, `${id(4)}:Manual`])
  })

  test("--version includes the current one; bad usage exits 2", async () => {
    const io = captureIo()
    expect(await clearFlagsTool.run(["--bits", BAD, "--since", "2026-01-01", "--version", CHEAT_CHECK_VERSION], io)).toBe(0)
    expect(JSON.parse(io.stdout.at(-1)!).instanceFlags).toBe(2)
    for (const argv of [[], ["--bits", "Nope", "--since", "2026-01-01"], ["--bits", "TooFast"], ["--bits", "TooFast", "--since", "soon"]]) {
      expect(await clearFlagsTool.run(argv, captureIo())).toBe(2)
    }
  })
})

describe("clear-player", () => {
  const id = (n: number) => `1900000000${n.toString().padStart(2, "0")}`
  const cascade = (m: string) => `Blacklisted player ${m} has played in this instance`
  beforeAll(async () => {
    await flag(id(7), "old", BAD, 0.6)
    await flag(id(8), "old", BAD, 0.6, undefined, Y)
    await db.sql.unsafe(
      `insert into flagging.flag_instance_player (instance_id, membership_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
       values ($1::bigint, $2::bigint, 'old', 1, 0.6)`,
      [id(8), X],
    )
    await blacklist(id(9), "BlacklistedPlayerCascade", cascade(X), [X]) // X's cascade: removed
    await blacklist(id(10), "BlacklistedPlayerCascade", cascade(X), [X]) // X's cascade: removed
    await blacklist(id(11), "BlacklistedPlayerCascade", cascade(Y), [Y, X]) // Y's: stays, X's row goes
    await blacklist(id(12), "Manual", "seen on stream", [X]) // a person's: stays, X's row goes
  })

  test("--dry-run changes nothing; the run clears X's flags, X's cascades and rows, and resets the level", async () => {
    const before = await snapshot()
    const dry = captureIo()
    expect(await clearPlayerTool.run([X, "--dry-run"], dry)).toBe(0)
    expect(dry.stdout.slice(0, -1)).toEqual([id(9), id(10)])
    expect(await snapshot()).toEqual(before)

    const io = captureIo()
    expect(await clearPlayerTool.run([X, "--whitelist"], io)).toBe(0)
    const report = JSON.parse(io.stdout.at(-1)!)
    expect(report).toMatchObject({ found: true, cascadesRemoved: 2, levelFrom: 4, levelTo: 0, whitelisted: true })
    const after = await snapshot()
    expect(after.playerFlags.filter((f) => f.includes(`:${X}:`))).toEqual([])
    expect(after.playerFlags.filter((f) => f.includes(`:${Y}:`)).length).toBe(1)
    expect(after.blacklists.filter((b) => [id(9), id(10), id(11), id(12)].includes(b.split(":")[0]!))).toEqual([
      `${id(11)}:BlacklistedPlayerCascade`,
      `${id(12)}:Manual`,
    ])
    expect(after.blacklistPlayers.filter((b) => b.endsWith(`:${X}`))).toEqual([])
    expect(after.blacklistPlayers).toContain(`${id(11)}:${Y}`)
    expect(after.players).toContain(`${X}:0:true`)
    expect(after.players).toContain(`${Y}:4:false`)
  })

  test("--keep-level keeps it; an unknown player exits 1", async () => {
    const io = captureIo()
    expect(await clearPlayerTool.run([Y, "--keep-level"], io)).toBe(0)
    expect(JSON.parse(io.stdout.at(-1)!)).toMatchObject({ levelFrom: 4, levelTo: 4, cascadesRemoved: 1, whitelisted: false }) // its cascade on 11
    expect((await snapshot()).players).toContain(`${Y}:4:false`)
    expect(await clearPlayerTool.run(["4611686018400000099"], captureIo())).toBe(1)
    expect(await clearPlayerTool.run(["x"], captureIo())).toBe(2)
  })
})
