/**
 * bob against Postgres: after a shuffled-order store of synthetic instances and the real fixtures
 * it finds nothing to change; after rows are corrupted by hand it reports exactly those and fixes
 * them (a second run finds nothing); --dry-run reports without changing anything.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { storeInstances } from "../../lib/database/instance-store.ts"
import { createTestDatabase, type TestDatabase } from "../../lib/database/testing.ts"
import { loadDefinitions } from "../../lib/definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureText } from "../../lib/fixtures.ts"
import { processPgcr } from "../../lib/pgcr/process.ts"
import { generateSyntheticInstances } from "../../lib/pgcr/synthetic.ts"
import { fixSherpaClears } from "./fix-sherpa-clears.ts"

const SLOW = 60_000
let db: TestDatabase

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true })
  const defs = loadDefinitions()
  const fixtures = listPgcrFixtureNames().flatMap((name) => {
    const text = readPgcrFixtureText(name)
    const parsed = JSON.parse(text)
    const result = processPgcr(parsed.Response ?? parsed, defs)
    if (result.kind !== "raid") return []
    return [{ instance: result.instance, activityId: result.activityId, versionId: result.versionId, raw: new TextEncoder().encode(text) }]
  })
  const synthetic = generateSyntheticInstances({ count: 300, seed: 7, playerPool: 40 })
  const items = shuffle([...synthetic, ...fixtures], 13)
  // Shuffled, in batches of varying size, as parallel fetchers would deliver them.
  for (let i = 0, size = 1; i < items.length; i += size, size = (size % 17) + 1) await storeInstances(db.sql, items.slice(i, i + size))
}, SLOW)
afterAll(async () => {
  await db?.drop()
}, SLOW)

const fix = (dryRun = false) => fixSherpaClears({ sql: db.sql, batchSize: 7, dryRun })

describe("bob (fix-sherpa-clears)", () => {
  test(
    "zero differences on a database the store built in shuffled order",
    async () => {
      const report = await fix()
      expect(report.players).toBeGreaterThan(40)
      expect(report).toMatchObject({ firstClears: 0, sherpas: 0, playerStats: 0, playerTotals: 0, changedInstances: 0, examples: [] })
    },
    SLOW,
  )

  test(
    "corrupted rows: reported (dry run changes nothing), then fixed; a second run finds nothing",
    async () => {
      // A first clear moved to a later clear of the same player and activity, a player_stats
      // count and a player's sum of best edited by hand.
      const [victim] = await db.sql<{ membership_id: bigint; activity_id: number }[]>`
        select ip.membership_id, av.activity_id from core.instance_player ip
        join core.instance i using (instance_id) join definitions.activity_version av on av.hash = i.hash
        where ip.completed group by 1, 2 having count(*) >= 2 order by 1, 2 limit 1`
      const clears = await db.sql<{ instance_id: bigint; is_first_clear: boolean }[]>`
        select ip.instance_id, ip.is_first_clear from core.instance_player ip
        join core.instance i using (instance_id) join definitions.activity_version av on av.hash = i.hash
        where ip.membership_id = ${victim!.membership_id} and av.activity_id = ${victim!.activity_id} and ip.completed
        order by i.date_completed, ip.instance_id`
      expect(clears[0]!.is_first_clear).toBe(true)
      await db.sql`update core.instance_player set is_first_clear = false where instance_id = ${clears[0]!.instance_id} and membership_id = ${victim!.membership_id}`
      await db.sql`update core.instance_player set is_first_clear = true where instance_id = ${clears[1]!.instance_id} and membership_id = ${victim!.membership_id}`
      await db.sql`update core.player_stats set clears = clears + 3 where membership_id = ${victim!.membership_id} and activity_id = ${victim!.activity_id}`
      const [other] = await db.sql<
        { membership_id: bigint }[]
      >`select membership_id from core.player where membership_id <> ${victim!.membership_id} order by membership_id desc limit 1`
      await db.sql`update core.player set sum_of_best = 1 where membership_id = ${other!.membership_id}`

      const dry = await fix(true)
      expect(dry.firstClears).toBe(2)
      expect(dry.playerStats).toBeGreaterThanOrEqual(1)
      expect(dry.playerTotals).toBeGreaterThanOrEqual(1)
      const [still] = await db.sql`select sum_of_best from core.player where membership_id = ${other!.membership_id}`
      expect(still!.sum_of_best).toBe(1)

      const report = await fix()
      expect(report.firstClears).toBe(2)
      expect(report.examples.filter((e) => e.key === `${clears[0]!.instance_id}/${victim!.membership_id}`)).toEqual([
        {
          table: "instance_player",
          key: `${clears[0]!.instance_id}/${victim!.membership_id}`,
          before: { is_first_clear: false },
          after: { is_first_clear: true },
        },
      ])
      expect(
        report.examples.some((e) => e.table === "player" && e.key === String(other!.membership_id) && e.before!.sum_of_best === 1),
      ).toBe(true)
      expect(
        report.examples.some(
          (e) =>
            e.table === "player_stats" &&
            e.key === `${victim!.membership_id}/${victim!.activity_id}` &&
            (e.before!.clears as number) - (e.after!.clears as number) === 3,
        ),
      ).toBe(true)
      // The instances whose first clear moved go to ClickHouse again.
      expect(report.changedInstances).toBeGreaterThanOrEqual(2)

      const again = await fix()
      expect(again).toMatchObject({ firstClears: 0, sherpas: 0, playerStats: 0, playerTotals: 0 })
    },
    SLOW,
  )
})
