/**
 * A tiny mutex over one Int32 cell of a SharedArrayBuffer (Drepper's three-state futex lock:
 * 0 free, 1 held, 2 held with waiters).
 *
 * Why a lock and not lock-free CAS loops: one acquire touches several fields (global pause,
 * in-flight count, bucket, rolling window and ceiling of several addresses) that must change
 * together; a CAS per field cannot keep them consistent. The critical sections are a few
 * microseconds of arithmetic and at most a few hundred acquires per second happen, so the lock
 * is nearly always free. Contended waiters spin briefly, then sleep in Atomics.wait with a 1 ms
 * timeout (bounded even if a notify were lost). Atomics operations order the plain Float64
 * accesses made inside the lock (the JS memory model's synchronizes-with edge), so data inside
 * is read and written normally.
 */

const SPINS = 64
const WAIT_TIMEOUT_MS = 1

export function lockShared(cells: Int32Array, index: number): void {
  let c = Atomics.compareExchange(cells, index, 0, 1)
  if (c === 0) return
  for (let i = 0; i < SPINS; i++) {
    c = Atomics.compareExchange(cells, index, 0, 1)
    if (c === 0) return
  }
  // Slow path: mark contended and sleep until released.
  if (c !== 2) c = Atomics.exchange(cells, index, 2)
  while (c !== 0) {
    Atomics.wait(cells, index, 2, WAIT_TIMEOUT_MS)
    c = Atomics.exchange(cells, index, 2)
  }
}

export function unlockShared(cells: Int32Array, index: number): void {
  if (Atomics.exchange(cells, index, 0) === 2) Atomics.notify(cells, index, 1)
}

export function withSharedLock<T>(cells: Int32Array, index: number, fn: () => T): T {
  lockShared(cells, index)
  try {
    return fn()
  } finally {
    unlockShared(cells, index)
  }
}
