// Regulars: a few players (pool indices 0..count-1) who raid on fixed lanes of the id axis, one
// fresh full clear every `every` ids each, cycling through every raid playable at the time.
// Lanes make their instances enumerable without scanning (id ≡ lane mod every), which gives deep,
// multi-page activity histories and a best fresh clear of every raid (sum of best) anywhere a
// crawl looks.
import type { RegularOptions } from "./options.ts"
import { hashWords } from "./random.ts"

export class Regulars {
  readonly count: number
  readonly every: number
  private readonly firstLane: number

  constructor(
    readonly options: RegularOptions,
    seed: number,
    poolSize: number,
  ) {
    // Same cap as the pool (PlayerPool.regularCount): at least one player is not a regular.
    this.count = Math.max(0, Math.min(options.count, poolSize - 1))
    this.every = options.every
    if (this.count > 0 && !(Number.isInteger(this.every) && this.every > this.count)) {
      throw new Error(`sim: players.regulars.every must be an integer > count (${this.count}), got ${this.every}`)
    }
    this.firstLane = this.count > 0 ? hashWords(seed, 0x7e9, 0, 0x1a4e) % this.every : 0
  }

  /** Share of all ids that sit on a regular's lane. */
  get share(): number {
    return this.count > 0 ? this.count / this.every : 0
  }

  /** The regular (pool index) whose lane holds `id`, or null. */
  at(id: number): number | null {
    if (this.count === 0) return null
    const r = (((id - this.firstLane) % this.every) + this.every) % this.every
    return r < this.count ? r : null
  }

  /** Lane ids of regular r in [from, to), newest first. */
  laneIds(r: number, from: number, to: number): number[] {
    if (r < 0 || r >= this.count || to <= from) return []
    const lane = (this.firstLane + r) % this.every
    let id = to - 1 - ((((to - 1 - lane) % this.every) + this.every) % this.every)
    const out: number[] = []
    for (; id >= from; id -= this.every) out.push(id)
    return out
  }

  /** How many lane occurrences precede `id` on its lane (drives the raid rotation). */
  turn(id: number): number {
    return Math.floor(id / this.every)
  }
}
