/** Binary min-heap of timed callbacks: the core of the virtual-time simulations. */
export interface TimedEvent {
  at: number
  seq: number
  run: () => void
}

export class EventQueue {
  private readonly heap: TimedEvent[] = []
  private seq = 0
  now = 0

  schedule(at: number, run: () => void): void {
    const e = { at: Math.max(at, this.now), seq: this.seq++, run }
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!isBefore(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  /** Run events in time order until `until` (exclusive) or the queue is empty. */
  runUntil(until: number): void {
    const h = this.heap
    while (h.length > 0 && h[0]!.at < until) {
      const top = h[0]!
      const last = h.pop()!
      if (h.length > 0) {
        h[0] = last
        let i = 0
        for (;;) {
          const l = 2 * i + 1
          const r = l + 1
          let m = i
          if (l < h.length && isBefore(h[l]!, h[m]!)) m = l
          if (r < h.length && isBefore(h[r]!, h[m]!)) m = r
          if (m === i) break
          ;[h[i], h[m]] = [h[m]!, h[i]!]
          i = m
        }
      }
      this.now = top.at
      top.run()
    }
    this.now = Math.max(this.now, until)
  }
}

function isBefore(a: TimedEvent, b: TimedEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
