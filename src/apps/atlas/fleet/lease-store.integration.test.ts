import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { createTestDatabase, type TestDatabase } from "../../../lib/database/testing.ts"
import {
  acquireLeader,
  type ClaimOptions,
  claimRange,
  compactDoneLeases,
  completeLease,
  DONE_LEASES_KEPT,
  fleetSnapshot,
  forgetMember,
  heartbeatLease,
  type Lease,
  loadLeases,
  MEMBER_SEEN_MS,
  readLeader,
  releaseLeader,
  releaseLease,
} from "./lease-store.ts"

let db: TestDatabase
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true, max: 10 })
})
afterAll(async () => {
  await db?.drop()
})

const sizes = { minSize: 100n, maxSize: 1_000n, distanceDivisor: 8n }

function opts(crawler: string, owner: string, over: Partial<ClaimOptions> = {}): ClaimOptions {
  return { crawler, owner, leaseMs: 60_000, origin: 10_000n, end: 20_000n, head: null, leader: false, sizes, ...over }
}

async function claim(o: ClaimOptions): Promise<Lease | null> {
  const r = await claimRange(db.sql, o)
  return r.kind === "leased" ? r.lease : null
}

describe("lease store", () => {
  test("concurrent claims of three owners: disjoint ranges that cover the whole range", async () => {
    const crawler = "cover"
    const got: Lease[] = []
    await Promise.all(
      ["a", "b", "c"].map(async (owner) => {
        for (;;) {
          const lease = await claim(opts(crawler, owner))
          if (!lease) return
          got.push(lease)
          await completeLease(db.sql, lease)
        }
      }),
    )
    got.sort((x, y) => (x.rangeStart < y.rangeStart ? -1 : 1))
    expect(got.length).toBe(10)
    let next = 10_000n
    for (const l of got) {
      expect(l.rangeStart).toBe(next)
      next = l.rangeEnd
    }
    expect(next).toBe(20_000n)
    const final = await claimRange(db.sql, opts(crawler, "a"))
    expect(final).toEqual({ kind: "none", reason: "rangeDone" })
    expect((await fleetSnapshot(db.sql, crawler)).lowWater).toBe(20_000n)
  })

  test("an expired lease is taken over from its resume_from; its old owner's heartbeat fails", async () => {
    const crawler = "expiry"
    const short = opts(crawler, "a", { leaseMs: 300 })
    const first = (await claim(short))!
    expect(await heartbeatLease(db.sql, first, "a", 10_400n, 300)).toBe(true)
    // Live: b gets the next range, not a's.
    const second = (await claim(opts(crawler, "b")))!
    expect(second.rangeStart).toBe(first.rangeEnd)
    const snap = await fleetSnapshot(db.sql, crawler)
    expect(snap.lowWater).toBe(10_400n)
    expect(snap.owners).toEqual(["a", "b"])
    await Bun.sleep(400)
    const taken = (await claim(opts(crawler, "c")))!
    expect(taken.takeover).toBe(true)
    expect(taken.leaseId).toBe(first.leaseId)
    expect(taken.from).toBe(10_400n)
    expect(taken.previousOwner).toBe("a")
    expect(await heartbeatLease(db.sql, first, "a", 10_900n, 300)).toBe(false)
    // resume_from never moves back.
    expect(await heartbeatLease(db.sql, taken, "c", 10_100n, 60_000)).toBe(true)
    const { leases } = await loadLeases(db.sql, crawler)
    expect(leases.find((l) => l.leaseId === first.leaseId)?.resumeFrom).toBe(10_400n)
  })

  test("a released lease is taken at once; a crawler_state row of a done range is removed", async () => {
    const crawler = "release"
    const range = { origin: 30_000n, end: 40_000n }
    const lease = (await claim(opts(crawler, "a", range)))!
    expect(await releaseLease(db.sql, lease, "a", 30_250n)).toBe(true)
    const again = (await claim(opts(crawler, "b", range)))!
    expect(again.leaseId).toBe(lease.leaseId)
    expect(again.from).toBe(30_250n)
    await db.sql`INSERT INTO crawl.crawler_state (crawler, low_water_mark) VALUES (${`fleet:release:${lease.rangeStart}-${lease.rangeEnd - 1n}`}, 1)`
    await completeLease(db.sql, again)
    expect((await db.sql`SELECT 1 FROM crawl.crawler_state WHERE crawler LIKE 'fleet:release:%'`).length).toBe(0)
  })

  // The schema's constraint spans crawlers: a live id is leased to one crawler of any name.
  test("the exclusion constraint refuses overlapping live ranges", async () => {
    await db.sql`INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at) VALUES ('x', 0, 10, 'a', now() + interval '1 minute')`
    await expect(
      db.sql`INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, lease_expires_at) VALUES ('y', 5, 15, 'b', now() + interval '1 minute')`,
    ).rejects.toThrow()
  })

  test("following the head: only the leader leases there; others wait", async () => {
    const crawler = "head"
    const open = { origin: 50_000n, end: null, head: 50_050n }
    expect(await claimRange(db.sql, opts(crawler, "b", open))).toEqual({ kind: "none", reason: "atHead" })
    const lease = (await claim(opts(crawler, "a", { ...open, leader: true })))!
    expect(lease.rangeEnd - lease.rangeStart).toBe(100n)
  })

  test("a process between ranges counts as alive: the leader leaves a parked range to it, and takes it once that process stopped", async () => {
    const crawler = "members"
    const open = { origin: 60_000n, end: null, head: 200_000n }
    // The leader parks a range: every id tried, only holes left (released with its resume point).
    const parkedLease = (await claim(opts(crawler, "leader", { ...open, leader: true })))!
    expect(await releaseLease(db.sql, parkedLease, "leader", parkedLease.rangeStart + 10n)).toBe(true)
    // "idle" holds no lease, but its last claim (a poll between ranges) stamped it a moment ago.
    await db.sql`INSERT INTO crawl.fleet_member (crawler, owner) VALUES (${crawler}, 'idle')`
    const leaderClaim = await claimRange(db.sql, opts(crawler, "leader", { ...open, leader: true }))
    // A fresh range at the head, not the parked one.
    expect(leaderClaim).toMatchObject({ kind: "leased", lease: { takeover: false } })
    // Stopped cleanly: no longer seen, and the leader serves the parked range itself.
    await forgetMember(db.sql, crawler, "idle")
    const alone = await claimRange(db.sql, opts(crawler, "leader", { ...open, leader: true }))
    expect(alone).toMatchObject({ kind: "leased", lease: { leaseId: parkedLease.leaseId, takeover: true } })
    const members = await db.sql<{ owner: string }[]>`SELECT owner FROM crawl.fleet_member WHERE crawler = ${crawler}`
    expect(members.map((m) => m.owner)).toEqual(["leader"])
  })

  test("a process unseen for longer than MEMBER_SEEN_MS does not count; one unseen for an hour is dropped", async () => {
    const crawler = "members-old"
    const open = { origin: 70_000n, end: null, head: 300_000n }
    const parkedLease = (await claim(opts(crawler, "leader", { ...open, leader: true })))!
    expect(await releaseLease(db.sql, parkedLease, "leader", parkedLease.rangeStart)).toBe(true)
    await db.sql`INSERT INTO crawl.fleet_member (crawler, owner, seen_at) VALUES
      (${crawler}, 'quiet', now() - ${MEMBER_SEEN_MS + 1_000} * interval '1 millisecond'),
      (${crawler}, 'gone', now() - interval '2 hours')`
    const taken = await claimRange(db.sql, opts(crawler, "leader", { ...open, leader: true }))
    expect(taken).toMatchObject({ kind: "leased", lease: { leaseId: parkedLease.leaseId, takeover: true } })
    const members = await db.sql<{ owner: string }[]>`SELECT owner FROM crawl.fleet_member WHERE crawler = ${crawler} ORDER BY owner`
    expect(members.map((m) => m.owner)).toEqual(["leader", "quiet"])
  })

  test("leader lease: one holder, renewed by it, taken after expiry with a new epoch, handed over on release", async () => {
    const crawler = "leader"
    const a = await acquireLeader(db.sql, crawler, "a", 300, 123n)
    expect(a?.owner).toBe("a")
    expect(await acquireLeader(db.sql, crawler, "b", 300, null)).toBeNull()
    const renewed = await acquireLeader(db.sql, crawler, "a", 300, null)
    expect(renewed?.epoch).toBe(a!.epoch)
    expect(renewed?.frontier).toBe(123n)
    await Bun.sleep(400)
    const b = await acquireLeader(db.sql, crawler, "b", 60_000, null)
    expect(b?.owner).toBe("b")
    expect(b?.epoch).toBe(a!.epoch + 1n)
    expect(await acquireLeader(db.sql, crawler, "a", 300, null)).toBeNull()
    await releaseLeader(db.sql, crawler, "b")
    expect((await acquireLeader(db.sql, crawler, "a", 300, null))?.owner).toBe("a")
    expect((await readLeader(db.sql, crawler))?.epoch).toBe(a!.epoch + 2n)
  })

  /** `count` adjacent done leases of 100 ids from `start`, completed one second apart (oldest first). */
  async function insertDone(crawler: string, start: bigint, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const from = start + BigInt(i) * 100n
      await db.sql`
        INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, state, lease_expires_at, completed_at, resume_from)
        VALUES (${crawler}, ${from.toString()}, ${(from + 100n).toString()}, ${`owner-${i % 3}`}, 'done', now(),
                now() - ${count - i} * interval '1 second', ${(from + 100n).toString()})`
    }
  }

  test("old adjacent done leases merge into one row; the newest stay; coverage, origin and low-water mark are unchanged", async () => {
    const crawler = "compact"
    await insertDone(crawler, 1_000_000n, 10)
    // A parked range between two runs of done ones, and a live lease on top.
    await db.sql`
      INSERT INTO crawl.id_range_lease (crawler, range_start, range_end, owner, state, lease_expires_at, resume_from)
      VALUES (${crawler}, 1001000, 1001100, 'p', 'released', now() + interval '1 minute', 1001040),
             (${crawler}, 1001100, 1001200, 'q', 'leased', now() + interval '1 minute', 1001150)`
    const before = await fleetSnapshot(db.sql, crawler)
    const removed = await db.sql.begin((tx) => compactDoneLeases(tx as never, crawler, 3))
    expect(removed).toBe(6)
    const { leases } = await loadLeases(db.sql, crawler)
    expect(leases.map((l) => [l.rangeStart, l.rangeEnd, l.state])).toEqual([
      [1_000_000n, 1_000_700n, "done"],
      [1_000_700n, 1_000_800n, "done"],
      [1_000_800n, 1_000_900n, "done"],
      [1_000_900n, 1_001_000n, "done"],
      [1_001_000n, 1_001_100n, "released"],
      [1_001_100n, 1_001_200n, "leased"],
    ])
    expect(leases[0]!.resumeFrom).toBe(1_000_700n)
    const after = await fleetSnapshot(db.sql, crawler)
    expect(after.lowWater).toBe(before.lowWater)
    expect(after.lowWater).toBe(1_001_040n)
    expect(after.top).toBe(before.top)
    // Nothing left to merge outside the newest three.
    expect(await db.sql.begin((tx) => compactDoneLeases(tx as never, crawler, 3))).toBe(0)
  })

  test("a claim merges done leases once there are more than twice the kept number; the next range follows on", async () => {
    const crawler = "compact-claim"
    const count = 2 * DONE_LEASES_KEPT + 10
    await insertDone(crawler, 2_000_000n, count)
    const top = 2_000_000n + BigInt(count) * 100n
    const lease = (await claim(opts(crawler, "a", { origin: 2_000_000n, end: top + 1_000n })))!
    expect(lease.rangeStart).toBe(top)
    const { leases } = await loadLeases(db.sql, crawler)
    expect(leases.filter((l) => l.state === "done").length).toBe(DONE_LEASES_KEPT + 1)
    expect(leases[0]!.rangeStart).toBe(2_000_000n)
    expect((await fleetSnapshot(db.sql, crawler)).lowWater).toBe(top)
  })
})
