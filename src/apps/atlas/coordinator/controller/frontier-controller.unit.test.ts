/**
 * The frontier controller alone, fed like the coordinator feeds it (discovery times), in virtual
 * time: states in which fetchers cannot claim must still let the ceiling move.
 */
import { expect, test } from "bun:test"
import { createFrontierController, DEFAULT_FRONTIER_CONTROLLER_OPTIONS } from "./frontier-controller.ts"

const BASE = 17_200_000_000n

/** 30 s of following at 50 ids/s: the newest id seen every 250 ms, all first tries answered. */
function feedSteadyHead(c: ReturnType<typeof createFrontierController>): { now: number; newest: bigint } {
  let newest = BASE
  let now = 0
  for (; now <= 30_000; now += 250) {
    newest = BASE + BigInt(Math.round(now / 20))
    c.observeExisting(now, newest, null)
    c.observeFirstTries(now, 0, 12)
    if (now % 500 === 0) c.tick(now, { lowWater: newest - 100n, cursor: newest + 1n, ceiling: newest + 1n })
  }
  return { now, newest }
}

test("deadlock: ceiling at the cursor, nothing claimed, a late clump found — the ceiling still moves past the cursor", () => {
  const c = createFrontierController({}, 0)
  let { now, newest } = feedSteadyHead(c)
  // The crawl runs into 300 unpublished ids past the newest (a late clump): every first try 404s,
  // the lead is driven down, the ceiling comes down to the cursor.
  let cursor = newest + 1n
  let ceiling = cursor
  for (const end = now + 5_000; now < end; now += 500) {
    c.observeFirstTries(now, 25, 25)
    cursor += 25n
    const d = c.tick(now, { lowWater: newest - 100n, cursor, ceiling: cursor })
    ceiling = d.ceiling
  }
  // Now nothing is claimable: no first tries. Retries find the clump of older ids, which arrive
  // with the present discovery time (they used to flatten the fit and freeze the estimate).
  const stalledAt = now
  let movedPastCursorAt = Number.NaN
  let estimate: bigint | null = null
  for (const end = now + 60_000; now < end; now += 500) {
    c.observeExisting(now, newest - 200n + BigInt((now - stalledAt) / 500), null)
    const d = c.tick(now, { lowWater: newest - 300n, cursor, ceiling })
    ceiling = d.ceiling
    estimate = d.frontierEstimate
    if (Number.isNaN(movedPastCursorAt) && ceiling > cursor) movedPastCursorAt = now
    if (ceiling > cursor) {
      // The fetchers claim what the ceiling allows (all 404: the clump is long).
      c.observeFirstTries(now, Number(ceiling - cursor), Number(ceiling - cursor))
      cursor = ceiling
    }
  }
  expect(movedPastCursorAt - stalledAt).toBeLessThanOrEqual(5_000)
  // The crawl kept probing forward at about the id rate (50 ids/s over the 60 s).
  expect(Number(cursor - newest)).toBeGreaterThan(2_000)
  // The estimate kept advancing with wall-clock time at the fitted rate.
  expect(Number(estimate! - newest)).toBeGreaterThan(2_000)
})

test("a quiet head: with nothing claimed or seen, the estimate and the ceiling advance by the id rate", () => {
  const c = createFrontierController({}, 0)
  let { now, newest } = feedSteadyHead(c)
  const quietFrom = now
  let d = c.tick(now, { lowWater: newest - 100n, cursor: newest + 1n, ceiling: newest + 1n })
  for (const end = now + 10_000; now <= end; now += 500) d = c.tick(now, { lowWater: newest - 100n, cursor: d.ceiling, ceiling: d.ceiling })
  // 10 s quiet, 2 s grace: about 8 s × 50 ids/s past the newest.
  expect(Number(d.frontierEstimate! - newest)).toBeGreaterThan(300)
  expect(d.ceiling).toBeGreaterThan(newest + 300n)
  expect(now - quietFrom).toBeGreaterThan(10_000)
})

// A guard for the virtual head: discovery creeping far slower than the id rate must not re-anchor it.
test("late batch: a trickle of ids inside an unpublished clump does not hold the ceiling at the clump", () => {
  const c = createFrontierController({}, 0)
  let { now, newest } = feedSteadyHead(c)
  const clumpFrom = now
  let cursor = newest + 1n
  let d = c.tick(now, { lowWater: newest - 100n, cursor, ceiling: cursor })
  // 20 s inside a clump: every first try 404s (all past the newest seen), but now and then one of
  // its ids is already published, so the newest seen creeps at ~4 ids/s instead of 50.
  for (const end = now + 20_000; now < end; now += 500) {
    if (now % 1_000 === 0) {
      newest += 4n
      c.observeExisting(now, newest, null)
    }
    const claimed = d.ceiling > cursor ? Number(d.ceiling - cursor) : 0
    c.observeFirstTries(now, claimed, claimed)
    if (claimed > 0) cursor = d.ceiling
    d = c.tick(now, { lowWater: newest - 100n, cursor, ceiling: d.ceiling })
  }
  // The crawl walked on at about the id rate (the clump is 300 ids: it reaches the ids after it).
  const clumpStart = newest - 80n
  expect(Number(cursor - clumpStart)).toBeGreaterThan(600)
  expect(now - clumpFrom).toBe(20_000)
})

test("look-ahead: first tries mostly 404 for 2 s → probe ids past the cursor once per cooldown; a found id moves the ceiling past it", () => {
  const c = createFrontierController({}, 0)
  let { now, newest } = feedSteadyHead(c)
  const cursor = newest + 40n
  const asked: { at: number; ids: readonly bigint[] }[] = []
  for (const end = now + 12_000; now < end; now += 500) {
    c.observeFirstTries(now, 20, 25) // 80 % 404: past the head, or inside a late clump
    const d = c.tick(now, { lowWater: newest - 100n, cursor, ceiling: cursor })
    if (d.lookAhead) asked.push({ at: now, ids: d.lookAhead })
  }
  // Once after the 2 s the share must hold, then not again for the 10 s cooldown.
  expect(asked.length).toBe(1)
  expect(asked[0]!.ids.every((id) => id > cursor)).toBe(true)
  expect(asked[0]!.ids.length).toBe(DEFAULT_FRONTIER_CONTROLLER_OPTIONS.lookAheadOffsets.length)
  // The coordinator found id cursor+800: the head is there, so the ceiling opens past it.
  const found = cursor + 800n
  c.observeExisting(now, found, null)
  const d = c.tick(now, { lowWater: newest - 100n, cursor, ceiling: cursor })
  expect(d.ceiling).toBeGreaterThan(found)

  // A healthy head (2 % 404s) never asks.
  const calm = createFrontierController({}, 0)
  const steady = feedSteadyHead(calm)
  let t = steady.now
  for (const end = t + 20_000; t < end; t += 500) {
    calm.observeFirstTries(t, 1, 50)
    expect(calm.tick(t, { lowWater: steady.newest - 100n, cursor: steady.newest, ceiling: steady.newest }).lookAhead).toBeNull()
  }
})
