/**
 * Zeus's fair queue: which waiting request gets the next limiter permit. Pure: no clock, no I/O;
 * times are passed in (tests drive it on a virtual clock).
 *
 * Model: start-time fair queueing (SFQ) over callers ("flows", by their `x-raidhub-client` tag),
 * one permit = one unit of service. Each caller has a weight w; its requests get start tags
 * S = max(V, F_prev) and finish tags F = S + 1/w, where V is the start tag of the request most
 * recently dispatched. The next permit goes to the waiting caller with the smallest head start
 * tag (ties: the older request). While callers are backlogged, each gets permits in proportion
 * to its weight, whatever rate it asks; a caller that was idle rejoins at V, so it cannot save
 * up credit while quiet, and a flooding caller only lengthens its own queue.
 *
 * Bounded: at `maxQueued` waiting requests, an arrival displaces the newest request of the
 * caller with the longest backlog (longest-queue drop), or is refused when that caller is itself.
 * Deadlines: `expire(now)` removes and returns what waited too long (a min-heap, lazily pruned).
 */

export interface FairQueueOptions {
  /** Most waiting requests over all callers. */
  maxQueued: number
  /** Weight of a caller tag (> 0); called once per caller when it is first seen. */
  weightOf?: (client: string) => number
  /** Most distinct callers tracked; further tags share the `overflowClient` flow. */
  maxClients?: number
  overflowClient?: string
}

export type EntryState = "queued" | "dispatched" | "expired" | "dropped"

export interface QueueEntry<T> {
  readonly client: string
  readonly item: T
  readonly enqueuedAt: number
  readonly deadlineAt: number
  /** Arrival order (ties between callers go to the older request). */
  readonly seq: number
  state: EntryState
  /** Times this entry was dispatched (a requeued entry was dispatched before). */
  dispatches: number
}

export type EnqueueResult<T> =
  | { kind: "queued"; entry: QueueEntry<T>; displaced: QueueEntry<T> | null }
  | { kind: "full"; entry: QueueEntry<T> }

export interface ClientStats {
  client: string
  weight: number
  queued: number
  dispatched: number
  expired: number
  dropped: number
}

interface Flow<T> {
  client: string
  weight: number
  /** FIFO of entries; dead ones (dispatched, expired, dropped) are skipped lazily. */
  items: QueueEntry<T>[]
  head: number
  live: number
  /** Start tag of the flow's head request (valid while live > 0). */
  headStart: number
  lastFinish: number
  dispatched: number
  expired: number
  dropped: number
}

export const DEFAULT_MAX_CLIENTS = 256
export const OVERFLOW_CLIENT = "other"

export class FairQueue<T> {
  private readonly flows = new Map<string, Flow<T>>()
  private readonly heap: QueueEntry<T>[] = []
  private virtualTime = 0
  private seq = 0
  private live = 0
  private readonly weightOf: (client: string) => number
  private readonly maxClients: number
  private readonly overflowClient: string

  constructor(private readonly options: FairQueueOptions) {
    if (!(options.maxQueued >= 1)) throw new RangeError(`maxQueued must be >= 1, got ${options.maxQueued}`)
    this.weightOf = options.weightOf ?? (() => 1)
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS
    this.overflowClient = options.overflowClient ?? OVERFLOW_CLIENT
  }

  /** Waiting requests over all callers. */
  get size(): number {
    return this.live
  }

  /** Adds a request at the tail of its caller's queue. */
  enqueue(client: string, item: T, now: number, deadlineAt: number): EnqueueResult<T> {
    const flow = this.flowFor(client)
    const entry: QueueEntry<T> = { client: flow.client, item, enqueuedAt: now, deadlineAt, seq: this.seq++, state: "queued", dispatches: 0 }
    let displaced: QueueEntry<T> | null = null
    if (this.live >= this.options.maxQueued) {
      const longest = this.findLongestFlow()
      if (longest === null || longest === flow || longest.live <= flow.live) {
        entry.state = "dropped"
        flow.dropped++
        return { kind: "full", entry }
      }
      displaced = this.dropNewest(longest)
    }
    this.push(flow, entry)
    return { kind: "queued", entry, displaced }
  }

  /** Puts a dispatched entry back at the head of its caller's queue (its attempt must be repeated). */
  requeue(entry: QueueEntry<T>): void {
    if (entry.state !== "dispatched") throw new Error(`requeue: entry is ${entry.state}, not dispatched`)
    const flow = this.flowFor(entry.client)
    entry.state = "queued"
    if (flow.head > 0) flow.items[--flow.head] = entry
    else flow.items.unshift(entry)
    if (flow.live === 0) flow.headStart = Math.max(this.virtualTime, flow.lastFinish)
    flow.live++
    this.live++
    this.pushHeap(entry)
  }

  /** The next request by weighted fair share (call expire() first), or null when none waits. */
  dequeue(): QueueEntry<T> | null {
    let best: Flow<T> | null = null
    let bestHead: QueueEntry<T> | null = null
    for (const flow of this.flows.values()) {
      if (flow.live === 0) continue
      const head = this.peekHead(flow)
      if (
        best === null ||
        flow.headStart < best.headStart ||
        (flow.headStart === best.headStart && head.seq < (bestHead as QueueEntry<T>).seq)
      ) {
        best = flow
        bestHead = head
      }
    }
    if (best === null || bestHead === null) return null
    best.head++
    best.live--
    this.live--
    bestHead.state = "dispatched"
    bestHead.dispatches++
    best.dispatched++
    this.virtualTime = best.headStart
    best.lastFinish = best.headStart + 1 / best.weight
    if (best.live > 0) best.headStart = best.lastFinish
    this.compactFlow(best)
    return bestHead
  }

  /** Removes and returns every waiting request whose deadline is at or before `now`. */
  expire(now: number): QueueEntry<T>[] {
    const out: QueueEntry<T>[] = []
    while (this.heap.length > 0 && this.heap[0]!.deadlineAt <= now) {
      const entry = this.popHeap()
      if (entry.state !== "queued") continue
      const flow = this.flows.get(entry.client)!
      entry.state = "expired"
      flow.live--
      flow.expired++
      this.live--
      out.push(entry)
      this.compactFlow(flow)
    }
    return out
  }

  /** Withdraws a waiting request (its caller went away); false when it no longer waits. */
  remove(entry: QueueEntry<T>): boolean {
    if (entry.state !== "queued") return false
    const flow = this.flows.get(entry.client)
    if (flow === undefined) return false
    entry.state = "dropped"
    flow.live--
    flow.dropped++
    this.live--
    this.compactFlow(flow)
    return true
  }

  /** Removes and returns every waiting request (shutdown, pause answers). */
  drain(): QueueEntry<T>[] {
    const out: QueueEntry<T>[] = []
    for (const flow of this.flows.values()) {
      for (let i = flow.head; i < flow.items.length; i++) {
        const entry = flow.items[i]!
        if (entry.state !== "queued") continue
        entry.state = "dropped"
        flow.dropped++
        out.push(entry)
      }
      flow.items = []
      flow.head = 0
      flow.live = 0
    }
    this.live = 0
    this.heap.length = 0
    return out.sort((a, b) => a.seq - b.seq)
  }

  /** Earliest deadline among waiting requests, or null. */
  nextDeadline(): number | null {
    while (this.heap.length > 0 && this.heap[0]!.state !== "queued") this.popHeap()
    return this.heap.length === 0 ? null : this.heap[0]!.deadlineAt
  }

  /** Per-caller counters (every caller seen, idle ones included). */
  stats(): ClientStats[] {
    return [...this.flows.values()].map((f) => ({
      client: f.client,
      weight: f.weight,
      queued: f.live,
      dispatched: f.dispatched,
      expired: f.expired,
      dropped: f.dropped,
    }))
  }

  private flowFor(client: string): Flow<T> {
    let flow = this.flows.get(client)
    if (flow !== undefined) return flow
    if (this.flows.size >= this.maxClients) {
      while (this.flows.size >= this.maxClients && this.forgetIdleFlow()) {}
      if (this.flows.size >= this.maxClients && client !== this.overflowClient) return this.flowFor(this.overflowClient)
    }
    const weight = this.weightOf(client)
    if (!(weight > 0 && Number.isFinite(weight))) throw new RangeError(`weight of ${client} must be > 0, got ${weight}`)
    flow = { client, weight, items: [], head: 0, live: 0, headStart: 0, lastFinish: 0, dispatched: 0, expired: 0, dropped: 0 }
    this.flows.set(client, flow)
    return flow
  }

  /** Makes room for a new caller by forgetting one that waits for nothing (its counters go too). */
  private forgetIdleFlow(): boolean {
    for (const [client, flow] of this.flows) {
      if (flow.live === 0 && client !== this.overflowClient) {
        this.flows.delete(client)
        return true
      }
    }
    return false
  }

  private push(flow: Flow<T>, entry: QueueEntry<T>): void {
    if (flow.live === 0) flow.headStart = Math.max(this.virtualTime, flow.lastFinish)
    flow.items.push(entry)
    flow.live++
    this.live++
    this.pushHeap(entry)
  }

  private peekHead(flow: Flow<T>): QueueEntry<T> {
    while (flow.items[flow.head]!.state !== "queued") flow.head++
    return flow.items[flow.head]!
  }

  private findLongestFlow(): Flow<T> | null {
    let longest: Flow<T> | null = null
    for (const flow of this.flows.values()) if (flow.live > 0 && (longest === null || flow.live > longest.live)) longest = flow
    return longest
  }

  private dropNewest(flow: Flow<T>): QueueEntry<T> {
    for (let i = flow.items.length - 1; i >= flow.head; i--) {
      const entry = flow.items[i]!
      if (entry.state !== "queued") continue
      entry.state = "dropped"
      flow.items.length = i
      flow.live--
      flow.dropped++
      this.live--
      this.compactFlow(flow)
      return entry
    }
    throw new Error("dropNewest: the flow has no waiting entry")
  }

  /** Keeps a flow's array from growing without bound: drop the dead prefix once it dominates. */
  private compactFlow(flow: Flow<T>): void {
    if (flow.live === 0) {
      flow.items = []
      flow.head = 0
    } else if (flow.head > 1024 && flow.head * 2 > flow.items.length) {
      flow.items = flow.items.slice(flow.head)
      flow.head = 0
    }
  }

  private pushHeap(entry: QueueEntry<T>): void {
    // Dead entries stay in the heap until they surface; rebuild when they dominate.
    if (this.heap.length > 1024 && this.heap.length > 4 * this.live) this.rebuildHeap()
    const heap = this.heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!isEarlier(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  private popHeap(): QueueEntry<T> {
    const heap = this.heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && isEarlier(heap[l]!, heap[m]!)) m = l
        if (r < heap.length && isEarlier(heap[r]!, heap[m]!)) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
        i = m
      }
    }
    return top
  }

  private rebuildHeap(): void {
    const queued = this.heap.filter((e) => e.state === "queued")
    this.heap.length = 0
    for (const entry of queued) this.pushHeap(entry)
  }
}

function isEarlier(a: QueueEntry<unknown>, b: QueueEntry<unknown>): boolean {
  return a.deadlineAt < b.deadlineAt || (a.deadlineAt === b.deadlineAt && a.seq < b.seq)
}
