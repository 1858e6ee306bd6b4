import { describe, expect, test } from "bun:test"
import { FairQueue, type QueueEntry } from "./fair-queue.ts"

const FAR = Number.POSITIVE_INFINITY

function dispatchAll<T>(queue: FairQueue<T>, n: number): QueueEntry<T>[] {
  const out: QueueEntry<T>[] = []
  for (let i = 0; i < n; i++) {
    const entry = queue.dequeue()
    if (entry === null) break
    out.push(entry)
  }
  return out
}

function countBy(entries: readonly QueueEntry<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const e of entries) counts[e.client] = (counts[e.client] ?? 0) + 1
  return counts
}

describe("fair queue: shares", () => {
  test("backlogged callers with equal weights get equal shares, whatever each one asks", () => {
    const queue = new FairQueue<number>({ maxQueued: 10_000 })
    for (let i = 0; i < 3_000; i++) queue.enqueue("flood", i, 0, FAR)
    for (let i = 0; i < 300; i++) queue.enqueue("steady", i, 0, FAR)
    for (let i = 0; i < 200; i++) queue.enqueue("small", i, 0, FAR)
    const first = dispatchAll(queue, 450)
    expect(countBy(first)).toEqual({ flood: 150, steady: 150, small: 150 })
    // Within a caller, order is arrival order.
    const steady = first.filter((e) => e.client === "steady").map((e) => e.item)
    expect(steady).toEqual(steady.toSorted((a, b) => a - b))
  })

  test("weights 2:1:1 give shares 1/2, 1/4, 1/4", () => {
    const weights: Record<string, number> = { atlas: 2, hermes: 1, hades: 1 }
    const queue = new FairQueue<number>({ maxQueued: 10_000, weightOf: (c) => weights[c] ?? 1 })
    for (const client of ["hermes", "atlas", "hades"]) for (let i = 0; i < 1_000; i++) queue.enqueue(client, i, 0, FAR)
    expect(countBy(dispatchAll(queue, 400))).toEqual({ atlas: 200, hermes: 100, hades: 100 })
  })

  test("a caller that asks less than its share gets all it asks; the others split the rest (max-min fair)", () => {
    // Virtual time: one permit per tick. Arrivals per 100 ticks: flood 300, steady 100, light 10.
    const queue = new FairQueue<number>({ maxQueued: 100_000 })
    const served: Record<string, number> = { flood: 0, steady: 0, light: 0 }
    const waits: number[] = []
    for (let t = 0; t < 30_000; t++) {
      for (let k = 0; k < 3; k++) queue.enqueue("flood", t, t, FAR)
      queue.enqueue("steady", t, t, FAR)
      if (t % 10 === 0) queue.enqueue("light", t, t, FAR)
      const entry = queue.dequeue()!
      if (t >= 10_000) {
        served[entry.client]!++
        if (entry.client === "light") waits.push(t - entry.enqueuedAt)
      }
    }
    expect(served.light).toBe(2_000)
    expect(Math.max(...waits)).toBeLessThanOrEqual(3)
    // The remaining 18,000 permits split evenly between the two heavy callers.
    expect(served.flood).toBe(9_000)
    expect(served.steady).toBe(9_000)
  })

  test("a caller idle for a while rejoins at the current virtual time: no saved-up burst", () => {
    const queue = new FairQueue<number>({ maxQueued: 10_000 })
    for (let i = 0; i < 500; i++) queue.enqueue("a", i, 0, FAR)
    dispatchAll(queue, 200)
    for (let i = 0; i < 100; i++) queue.enqueue("b", i, 0, FAR)
    const next = dispatchAll(queue, 20).map((e) => e.client)
    expect(countBy(dispatchAll(queue, 0))).toEqual({})
    expect(next.filter((c) => c === "b")).toHaveLength(10)
    // Strict alternation once both are backlogged.
    for (let i = 2; i < next.length; i++) expect(next[i]).not.toBe(next[i - 1])
  })

  test("a flood queued first cannot starve a late caller: its request goes within two permits", () => {
    const queue = new FairQueue<number>({ maxQueued: 10_000 })
    for (let i = 0; i < 5_000; i++) queue.enqueue("flood", i, 0, FAR)
    dispatchAll(queue, 10)
    queue.enqueue("late", 1, 1, FAR)
    const next = dispatchAll(queue, 2).map((e) => e.client)
    expect(next).toContain("late")
  })
})

describe("fair queue: deadlines, bounds, requeue", () => {
  test("expire() removes exactly the requests past their deadline, earliest first, and they are never dispatched", () => {
    const queue = new FairQueue<string>({ maxQueued: 100 })
    queue.enqueue("a", "a1", 0, 100)
    queue.enqueue("a", "a2", 0, 300)
    queue.enqueue("b", "b1", 0, 50)
    queue.enqueue("b", "b2", 0, 200)
    expect(queue.nextDeadline()).toBe(50)
    expect(queue.expire(49)).toEqual([])
    expect(queue.expire(150).map((e) => e.item)).toEqual(["b1", "a1"])
    expect(queue.size).toBe(2)
    expect(queue.nextDeadline()).toBe(200)
    expect(dispatchAll(queue, 10).map((e) => e.item)).toEqual(["a2", "b2"])
    expect(queue.expire(1_000)).toEqual([])
    expect(queue.nextDeadline()).toBeNull()
    const stats = Object.fromEntries(queue.stats().map((s) => [s.client, s]))
    expect(stats.a).toMatchObject({ dispatched: 1, expired: 1, queued: 0 })
    expect(stats.b).toMatchObject({ dispatched: 1, expired: 1, queued: 0 })
  })

  test("at the bound, an arrival displaces the newest request of the longest backlog, or is refused if that is its own", () => {
    const queue = new FairQueue<string>({ maxQueued: 10 })
    for (let i = 0; i < 8; i++) queue.enqueue("flood", `f${i}`, 0, FAR)
    queue.enqueue("quiet", "q0", 0, FAR)
    queue.enqueue("quiet", "q1", 0, FAR)
    const displaced = queue.enqueue("quiet", "q2", 0, FAR)
    expect(displaced.kind).toBe("queued")
    expect(displaced.kind === "queued" && displaced.displaced?.item).toBe("f7")
    expect(displaced.kind === "queued" && displaced.displaced?.state).toBe("dropped")
    const refused = queue.enqueue("flood", "f8", 0, FAR)
    expect(refused.kind).toBe("full")
    expect(queue.size).toBe(10)
    const items = dispatchAll(queue, 20).map((e) => e.item)
    expect(items).toHaveLength(10)
    expect(items).not.toContain("f7")
    expect(items).not.toContain("f8")
  })

  test("a requeued request goes back to the head of its caller's queue and counts its dispatches", () => {
    const queue = new FairQueue<string>({ maxQueued: 100 })
    queue.enqueue("a", "a1", 0, 500)
    queue.enqueue("a", "a2", 0, 500)
    queue.enqueue("b", "b1", 0, 500)
    const first = queue.dequeue()!
    expect(first.item).toBe("a1")
    queue.requeue(first)
    expect(() => queue.requeue(first)).toThrow(/queued/)
    const order = dispatchAll(queue, 10)
    expect(order.map((e) => e.item)).toEqual(["b1", "a1", "a2"])
    expect(order[1]!.dispatches).toBe(2)
    // Requeued entries keep their deadline.
    queue.enqueue("a", "a3", 0, 10)
    const a3 = queue.dequeue()!
    queue.requeue(a3)
    expect(queue.expire(10).map((e) => e.item)).toEqual(["a3"])
  })

  test("drain() empties the queue in arrival order", () => {
    const queue = new FairQueue<string>({ maxQueued: 100 })
    queue.enqueue("a", "1", 0, 10)
    queue.enqueue("b", "2", 0, 10)
    queue.enqueue("a", "3", 0, 10)
    expect(queue.drain().map((e) => e.item)).toEqual(["1", "2", "3"])
    expect(queue.size).toBe(0)
    expect(queue.dequeue()).toBeNull()
    expect(queue.nextDeadline()).toBeNull()
  })

  test("callers beyond maxClients share one overflow flow; idle callers make room first", () => {
    const queue = new FairQueue<string>({ maxQueued: 100, maxClients: 2 })
    queue.enqueue("a", "1", 0, FAR)
    queue.enqueue("b", "2", 0, FAR)
    const third = queue.enqueue("c", "3", 0, FAR)
    expect(third.entry.client).toBe("other")
    dispatchAll(queue, 10)
    const fourth = queue.enqueue("d", "4", 0, FAR)
    expect(fourth.entry.client).toBe("d")
  })

  test("long runs keep internal arrays bounded (dead entries are compacted)", () => {
    const queue = new FairQueue<number>({ maxQueued: 100_000 })
    for (let t = 0; t < 50_000; t++) {
      queue.enqueue("a", t, t, t + 5)
      queue.enqueue("b", t, t, t + 5)
      queue.dequeue()
      queue.expire(t)
    }
    expect(queue.size).toBeLessThan(20)
    const internals = queue as unknown as { heap: unknown[] }
    expect(internals.heap.length).toBeLessThan(2_000)
  })
})

describe("fair queue: withdrawal", () => {
  test("a withdrawn request is never dispatched nor expired; withdrawing twice or after dispatch is a no-op", () => {
    const queue = new FairQueue<string>({ maxQueued: 100 })
    const a1 = queue.enqueue("a", "a1", 0, 100).entry
    queue.enqueue("a", "a2", 0, 100)
    const b1 = queue.enqueue("b", "b1", 0, 100).entry
    expect(queue.remove(a1)).toBe(true)
    expect(queue.remove(a1)).toBe(false)
    expect(queue.size).toBe(2)
    expect(queue.dequeue()?.item).toBe("a2")
    expect(queue.remove(b1)).toBe(true)
    expect(queue.dequeue()).toBeNull()
    expect(queue.expire(1_000)).toEqual([])
  })
})
