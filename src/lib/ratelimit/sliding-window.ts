/**
 * Rolling-window send counter over a ring of time slots, stored in a caller-provided
 * Float64Array (plain or shared) so the same code serves threads and unit tests.
 *
 * Layout at `offset`: [lastSlot, sum, slotIds × n, counts × n] with n = slotsPerWindow + 1.
 * The window counts slots (c - k .. c) where c is the current slot and k = windowMs / slotMs:
 * it covers between windowMs and windowMs + slotMs, i.e. it errs on the side of counting a
 * send too long, never too short. `sum` is kept incrementally: expiring slots are subtracted
 * as time advances, so a lookup costs O(1) amortised instead of O(slots).
 */

export interface WindowGeometry {
  windowMs: number
  slotMs: number
}

export function computeWindowSlots(g: WindowGeometry): number {
  return Math.ceil(g.windowMs / g.slotMs)
}

/** Float64 cells one window needs. */
export function computeWindowCells(g: WindowGeometry): number {
  return 2 + 2 * (computeWindowSlots(g) + 1)
}

export function initWindow(buf: Float64Array, offset: number, g: WindowGeometry, now: number): void {
  const n = computeWindowSlots(g) + 1
  buf[offset] = Math.floor(now / g.slotMs)
  buf[offset + 1] = 0
  for (let i = 0; i < n; i++) {
    buf[offset + 2 + i] = Number.NEGATIVE_INFINITY
    buf[offset + 2 + n + i] = 0
  }
}

/** Expire slots that left the window by `now`; returns the count inside the window. */
export function advanceWindow(buf: Float64Array, offset: number, g: WindowGeometry, now: number): number {
  const k = computeWindowSlots(g)
  const n = k + 1
  const current = Math.floor(now / g.slotMs)
  const last = buf[offset]!
  if (current <= last) return buf[offset + 1]!
  if (current - last >= n) {
    // Everything recorded is older than the window: start over.
    buf[offset + 1] = 0
  } else {
    let sum = buf[offset + 1]!
    // Slots last-k .. current-k-1 fall out (they were inside at `last`, outside at `current`).
    for (let s = last - k; s <= current - k - 1; s++) {
      const i = mod(s, n)
      if (buf[offset + 2 + i] === s) sum -= buf[offset + 2 + n + i]!
    }
    buf[offset + 1] = Math.max(0, sum)
  }
  buf[offset] = current
  return buf[offset + 1]!
}

/** Count `count` sends at `now` (call advanceWindow first). */
export function recordWindowSend(buf: Float64Array, offset: number, g: WindowGeometry, now: number, count = 1): void {
  const n = computeWindowSlots(g) + 1
  const slot = Math.floor(now / g.slotMs)
  const i = mod(slot, n)
  if (buf[offset + 2 + i] !== slot) {
    buf[offset + 2 + i] = slot
    buf[offset + 2 + n + i] = 0
  }
  buf[offset + 2 + n + i]! += count
  buf[offset + 1]! += count
}

/**
 * Earliest time >= now at which one more send keeps the window count <= allowed
 * (call advanceWindow first). Returns Infinity when allowed < 1.
 */
export function computeWindowReadyAt(buf: Float64Array, offset: number, g: WindowGeometry, now: number, allowed: number): number {
  if (allowed < 1) return Number.POSITIVE_INFINITY
  let sum = buf[offset + 1]!
  if (sum + 1 <= allowed) return now
  const k = computeWindowSlots(g)
  const n = k + 1
  const current = Math.floor(now / g.slotMs)
  for (let s = current - k; s <= current; s++) {
    const i = mod(s, n)
    if (buf[offset + 2 + i] === s) sum -= buf[offset + 2 + n + i]!
    // Slot s leaves the window when the current slot becomes s + k + 1.
    if (sum + 1 <= allowed) return (s + k + 1) * g.slotMs
  }
  return (current + k + 1) * g.slotMs
}

function mod(a: number, n: number): number {
  const r = a % n
  return r < 0 ? r + n : r
}
