// Bungie's per-source-IP limit: blocked while the request average over a rolling window
// exceeds the limit (25 req/s over 10 s). Counted in 100 ms buckets per address.
import type { ThrottleOptions } from "./options.ts"

const BUCKET_MS = 100

interface Window {
  buckets: Uint32Array
  /** Absolute bucket number of the newest slot written. */
  head: number
  sum: number
}

export class SourceThrottle {
  private readonly windows = new Map<string, Window>()
  private bucketCount = 0

  constructor(public options: ThrottleOptions) {
    this.resize()
  }

  /** Call after changing options.windowMs. Resets all windows. */
  resize(): void {
    this.bucketCount = Math.max(1, Math.round(this.options.windowMs / BUCKET_MS))
    this.windows.clear()
  }

  /** Records one request from `source`; returns true when it must be rejected (code 51). */
  hit(source: string, nowMs: number): boolean {
    if (!this.options.enabled) return false
    if (Math.round(this.options.windowMs / BUCKET_MS) !== this.bucketCount) this.resize()
    let w = this.windows.get(source)
    const bucket = Math.floor(nowMs / BUCKET_MS)
    if (!w) {
      w = { buckets: new Uint32Array(this.bucketCount), head: bucket, sum: 0 }
      this.windows.set(source, w)
    }
    this.advance(w, bucket)
    const limit = (this.options.limitPerSecond * (this.bucketCount * BUCKET_MS)) / 1000
    const reject = w.sum + 1 > limit
    if (!reject || this.options.countRejected) {
      const slot = bucket % this.bucketCount
      w.buckets[slot] = (w.buckets[slot] ?? 0) + 1
      w.sum += 1
    }
    return reject
  }

  /** Current average req/s over the window for a source (for stats). */
  rate(source: string, nowMs: number): number {
    const w = this.windows.get(source)
    if (!w) return 0
    this.advance(w, Math.floor(nowMs / BUCKET_MS))
    return w.sum / ((this.bucketCount * BUCKET_MS) / 1000)
  }

  private advance(w: Window, bucket: number): void {
    if (bucket <= w.head) return
    const steps = Math.min(bucket - w.head, this.bucketCount)
    for (let i = 1; i <= steps; i++) {
      const slot = (w.head + i) % this.bucketCount
      w.sum -= w.buckets[slot]!
      w.buckets[slot] = 0
    }
    w.head = bucket
  }
}
