/**
 * In-process de-duplication for the player-side workers.
 *
 * InFlight: the public API and the store's outbox send the same membership id many times in a
 * burst (every viewer of an instance page; every instance a player appears in). While one
 * message for an id is being handled, a duplicate waits for it and is then acknowledged without
 * a Bungie request of its own.
 *
 * RecentKeys: ids this process published a follow-up for lately (a clan every member of which
 * leads to it), so a burst publishes it once. Bounded: the oldest entries are dropped first.
 */

export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>()

  get size(): number {
    return this.running.size
  }

  /** Runs `work` for `key`, or, when one is already running, waits for it and returns null. */
  async run(key: string, work: () => Promise<T>): Promise<T | null> {
    const current = this.running.get(key)
    if (current !== undefined) {
      await current.catch(() => {})
      return null
    }
    const promise = work()
    this.running.set(key, promise)
    try {
      return await promise
    } finally {
      this.running.delete(key)
    }
  }
}

export class RecentKeys {
  private readonly seen = new Map<string, number>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  /** True (and remembered) when `key` was not marked within the TTL; false for a repeat. */
  mark(key: string): boolean {
    const t = this.now()
    const last = this.seen.get(key)
    if (last !== undefined && t - last < this.ttlMs) return false
    this.seen.delete(key)
    this.seen.set(key, t)
    while (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string)
    return true
  }

  /** Forgets `key` (its publish failed: the next one must try again). */
  forget(key: string): void {
    this.seen.delete(key)
  }
}
