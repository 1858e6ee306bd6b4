/**
 * nemesis through its tool on a seeded database, the simulator's profiles and a private RabbitMQ
 * vhost: levels raised from graded flags (never lowered, whitelisted players untouched, an
 * unreadable profile no obstacle), recheck messages really on pgcr_cheat_check, and the level-4
 * cascade by its rules; a dry run changes nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test"
import { CHEAT_CHECK_VERSION } from "../../lib/cheat/reporting.ts"
import { createHarness, type Harness } from "../../queues/testing/harness.ts"
import { tool } from "../../tools/nemesis.ts"
import type { ToolIo } from "../../tools/tool.ts"
import { fetchProfileSignals } from "./profile-signals.ts"

let h: Harness
let env: Record<string, string>
/** Root of Nightmares, Standard (definitions seed). */
const HASH = 2381413764
let nextId = 18_000_000_000n

interface Seeded {
  id: string
  runs: string[]
}
const P: Record<string, Seeded> = {}

function captureIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env }
}

async function seedPlayer(
  id: string,
  membershipType: number | null,
  o: { level?: number; whitelisted?: boolean; lastSeenDaysAgo?: number } = {},
) {
  await h.db.sql.unsafe(
    `insert into core.player (membership_id, membership_type, first_seen, last_seen, clears, cheat_level, is_whitelisted)
     values ($1::bigint, $2, now() - interval '800 days', now() - ($3::int * interval '1 day'), 400, $4, $5)`,
    [id, membershipType, o.lastSeenDaysAgo ?? 1, o.level ?? 0, o.whitelisted ?? false],
  )
  P[id] = { id, runs: [] }
}

/** `n` finished six-player runs of the player completed `daysAgo` days ago, optionally flagged. */
async function seedRuns(
  player: string,
  n: number,
  o: { daysAgo?: number; flag?: { version: string; player: number; instance: number | null }; whitelisted?: boolean; hash?: number } = {},
): Promise<string[]> {
  const ids = Array.from({ length: n }, () => (nextId++).toString())
  await h.db.sql.unsafe(
    `insert into core.instance (instance_id, hash, completed, fresh, flawless, player_count, date_started, date_completed, duration, platform_type, is_whitelisted)
     select i, $2, true, true, false, 6, now() - ($3::int * interval '1 day') - interval '1 hour', now() - ($3::int * interval '1 day'), 3600, 3, $4
     from unnest($1::bigint[]) i`,
    [ids, o.hash ?? HASH, o.daysAgo ?? 5, o.whitelisted ?? false],
  )
  await h.db.sql.unsafe(
    `insert into core.instance_player (instance_id, membership_id, completed, time_played_seconds)
     select i, $2::bigint, true, 3600 from unnest($1::bigint[]) i`,
    [ids, player],
  )
  if (o.flag) {
    if (o.flag.instance !== null) {
      await h.db.sql.unsafe(
        `insert into flagging.flag_instance (instance_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
         select i, $2, 4096, $3 from unnest($1::bigint[]) i`,
        [ids, o.flag.version, o.flag.instance],
      )
    }
    await h.db.sql.unsafe(
      `insert into flagging.flag_instance_player (instance_id, membership_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
       select i, $2::bigint, $3, 4096, $4 from unnest($1::bigint[]) i`,
      [ids, player, o.flag.version, o.flag.player],
    )
  }
  P[player]!.runs.push(...ids)
  return ids
}

const OLD = "test-0.9"
const A = { version: OLD, player: 0.9, instance: 0.3 }
const D = { version: OLD, player: 0.1, instance: null }

/** Root of Nightmares, Guided Games: never on the team leaderboard. */
const GUIDED_HASH = 1191701339
let levelFourRuns: { whitelisted: string[]; old: string[]; oldOnBoard: string[]; unflaggedRecent: string[] }
let currentVersionFlagged: string[]

beforeAll(async () => {
  h = await createHarness()
  env = {
    DATABASE_URL: h.db.url,
    RABBITMQ_URL: h.vhost.url,
    BUNGIE_BASE_URL: h.sim.url,
    BUNGIE_WWW_BASE_URL: h.sim.url,
    BUNGIE_API_KEY: "nemesis-test",
    LOG_LEVEL: "silent",
  }
  const sim = h.sim.truth.findPlayers({ limit: 6, exists: true, unknown: false })
  expect(sim.length).toBe(6)
  const [cheater, four, steady, white, two, pending] = sim.map((p) => p)
  // cheater: 6 A flags → at least 3 (A ≥ 6), whatever the profile says.
  await seedPlayer(cheater!.membershipId, cheater!.membershipType)
  await seedRuns(cheater!.membershipId, 6, { flag: A })
  currentVersionFlagged = await seedRuns(cheater!.membershipId, 2, { flag: { version: CHEAT_CHECK_VERSION, player: 0.01, instance: null } })
  // four: 100 A flags → 4; cascades.
  await seedPlayer(four!.membershipId, four!.membershipType)
  await seedRuns(four!.membershipId, 100, { flag: A })
  levelFourRuns = {
    whitelisted: await seedRuns(four!.membershipId, 2, { flag: A, whitelisted: true }),
    old: await seedRuns(four!.membershipId, 2, { daysAgo: 200, hash: GUIDED_HASH }),
    oldOnBoard: await seedRuns(four!.membershipId, 2, { daysAgo: 200 }), // among the first 1,000: within a year counts
    unflaggedRecent: await seedRuns(four!.membershipId, 3, { daysAgo: 10 }),
  }
  // steady: already 3, only D flags now → stays 3 (never lowered).
  await seedPlayer(steady!.membershipId, steady!.membershipType, { level: 3 })
  await seedRuns(steady!.membershipId, 3, { flag: D })
  // white: 100 A flags but whitelisted → untouched.
  await seedPlayer(white!.membershipId, white!.membershipType, { whitelisted: true })
  await seedRuns(white!.membershipId, 100, { flag: A })
  // two: level 1, 4 A flags → 2 (A ≥ 4), unless the account chance makes it more.
  await seedPlayer(two!.membershipId, two!.membershipType, { level: 1 })
  await seedRuns(two!.membershipId, 4, { flag: A })
  // pending: no membership type yet (no profile can be read) and 3 B flags → 1 from the flags alone.
  await seedPlayer(pending!.membershipId, null)
  await seedRuns(pending!.membershipId, 3, { flag: { version: OLD, player: 0.6, instance: null } })
  // An old level-4 player not seen for 30 days: no cascade source.
  const idle = "4611686018999999001"
  await seedPlayer(idle, 3, { level: 4, lastSeenDaysAgo: 30 })
  await seedRuns(idle, 2, { flag: A, daysAgo: 40 })
  await h.db.sql`refresh materialized view leaderboard.team_activity_version_leaderboard`
  const [onBoard] = await h.db.sql`
    select count(*)::int as n from leaderboard.team_activity_version_leaderboard where instance_id = any(${levelFourRuns.oldOnBoard}::bigint[])`
  expect(onBoard!.n).toBe(2)
}, 120_000)

afterAll(async () => {
  await h?.close()
})

async function levels(): Promise<Record<string, number>> {
  const rows = await h.db.sql`select membership_id::text as id, cheat_level from core.player`
  return Object.fromEntries(rows.map((r) => [r.id as string, Number(r.cheat_level)]))
}

test("the simulator's profiles give nemesis the truth's account signals, with variety across players", async () => {
  const seen = new Set<string>()
  for (const id of Object.keys(P).slice(0, 5)) {
    const truth = h.sim.truth.player(id)!
    const fetched = await fetchProfileSignals(h.bungie, truth.membershipType, BigInt(id))
    expect(fetched.failure).toBeNull()
    expect(fetched.signals).toEqual({
      characterCount: truth.characters.length,
      versionsOwned: BigInt(truth.account.versionsOwned),
      seasonsOwned: truth.account.seasonHashes.length,
      lifetimeHighestGuardianRank: truth.account.lifetimeHighestGuardianRank,
      currentGuardianRank: truth.account.currentGuardianRank,
      applicableMembershipTypes: truth.applicableMembershipTypes,
    })
    seen.add(
      JSON.stringify([
        fetched.signals.versionsOwned?.toString(),
        fetched.signals.seasonsOwned,
        fetched.signals.lifetimeHighestGuardianRank,
      ]),
    )
  }
  expect(seen.size).toBeGreaterThan(1)
})

test("--dry-run decides and prints, but writes and enqueues nothing", async () => {
  const before = await levels()
  const io = captureIo()
  expect(await tool.run(["--dry-run"], io)).toBe(0)
  const summary = JSON.parse(io.stdout.at(-1)!)
  expect(summary.dryRun).toBe(true)
  expect(summary.raised).toBeGreaterThanOrEqual(4)
  expect(summary.cascade.blacklisted).toBeGreaterThan(0)
  expect(io.stdout.some((l) => l.includes('"raise"'))).toBe(true)
  expect(await levels()).toEqual(before)
  const [bl] = await h.db.sql`select count(*)::int as n from flagging.blacklist_instance`
  expect(bl!.n).toBe(0)
  expect(await h.depth("pgcr_cheat_check")).toBe(0)
})

test("levels raised (never lowered, whitelist honoured), rechecks on RabbitMQ, level-4 cascade by the rules", async () => {
  const sim = Object.keys(P)
  const [cheater, four, steady, white, two, pending, idle] = sim
  const io = captureIo()
  expect(await tool.run([], io)).toBe(0)
  const summary = JSON.parse(io.stdout.at(-1)!)
  expect(summary.dryRun).toBe(false)
  expect(summary.profileFailures).toBe(1) // pending has no membership type

  const after = await levels()
  expect(after[cheater!]).toBeGreaterThanOrEqual(3)
  expect(after[four!]).toBe(4)
  expect(after[steady!]).toBe(3)
  expect(after[white!]).toBe(0)
  expect(after[two!]).toBeGreaterThanOrEqual(2)
  expect(after[pending!]).toBe(1)
  expect(after[idle!]).toBe(4)

  // Rechecks: every recent run of level ≥ 3 players seen recently with no flag at the current
  // version — the cheater's (but not the two flagged at the current version), four's, steady's, idle's.
  const messages = await h.drain("pgcr_cheat_check")
  const enqueued = messages.map((m) => JSON.parse(m.body).instanceId as string).sort()
  const old = [...levelFourRuns.old, ...levelFourRuns.oldOnBoard]
  const recent = (id: string) => P[id]!.runs.filter((r) => !old.includes(r))
  const expected = [
    ...recent(cheater!).filter((r) => !currentVersionFlagged.includes(r)),
    ...recent(four!),
    ...recent(steady!),
    ...recent(idle!), // level 4, seen 30 days ago: within the recheck window, outside the cascade's
    ...(after[two!]! >= 3 ? recent(two!) : []),
  ].sort()
  expect(enqueued).toEqual(expected)
  expect(summary.recheck).toEqual({ instances: expected.length, enqueued: expected.length })

  // Cascade: four's flagged and recent runs and its old leaderboard runs; not the whitelisted
  // ones nor the old unflagged ones off the leaderboards.
  const rows = await h.db.sql`
    select b.instance_id::text as id, b.report_source::text as source, b.reason, bp.membership_id::text as m
    from flagging.blacklist_instance b
    left join flagging.blacklist_instance_player bp on bp.instance_id = b.instance_id
    order by 1`
  const cascaded = rows.map((r) => r.id as string).sort()
  const expectedCascade = P[four!]!.runs.filter((r) => !levelFourRuns.whitelisted.includes(r) && !levelFourRuns.old.includes(r)).sort()
  expect(cascaded).toEqual(expectedCascade)
  expect(new Set(rows.map((r) => r.source))).toEqual(new Set(["BlacklistedPlayerCascade"]))
  expect(rows[0]!.reason).toBe(`Blacklisted player ${four} has played in this instance`)
  expect(rows.every((r) => r.m === four)).toBe(true)
  expect(summary.cascade.blacklisted).toBe(expectedCascade.length)

  // A second run: nothing new to raise or cascade; the rechecks go out again (still unchecked).
  const again = captureIo()
  expect(await tool.run([], again)).toBe(0)
  const second = JSON.parse(again.stdout.at(-1)!)
  expect(second.raised).toBe(0)
  expect(second.cascade.blacklisted).toBe(0)
  expect(await levels()).toEqual(after)
  expect((await h.drain("pgcr_cheat_check")).length).toBe(expected.length)
})
