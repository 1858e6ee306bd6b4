// A bounded cache with LRU-like eviction in O(1): two generations. New entries go to the young
// map; when it fills (capacity / 2), it becomes the old one and the previous old one is dropped.
// A hit in the old generation is promoted. (Evicting the first key of one big Map instead makes
// every eviction skip the tombstones of earlier deletes: quadratic under churn.)
export class Lru<K, V> {
  private young = new Map<K, V>()
  private old = new Map<K, V>()
  private readonly half: number

  constructor(capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2))
  }

  get(key: K): V | undefined {
    const hit = this.young.get(key)
    if (hit !== undefined) return hit
    const value = this.old.get(key)
    if (value !== undefined) this.set(key, value)
    return value
  }

  set(key: K, value: V): void {
    this.young.set(key, value)
    if (this.young.size >= this.half) {
      this.old = this.young
      this.young = new Map()
    }
  }

  clear(): void {
    this.young.clear()
    this.old.clear()
  }
}
