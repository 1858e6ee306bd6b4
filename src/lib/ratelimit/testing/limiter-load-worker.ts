/**
 * Worker-thread entry for the multi-thread limiter tests: attaches to the shared limiter and
 * takes permits until a deadline, logging every permit into a shared log.
 * workerData: { limiterBuffer, logBuffer, durationMs, holdMs, mode: "acquire" | "hammer" }
 * Log layout: Int32 [0] = next free entry, [1] = concurrent holders, [2] = max concurrent;
 * Float64 entries from byte 16: (issuedAt, addressIndex) pairs.
 */
import { parentPort, workerData } from "node:worker_threads"
import { attachLimiter } from "../shared-limiter.ts"

const { limiterBuffer, logBuffer, durationMs, holdMs, mode } = workerData as {
  limiterBuffer: SharedArrayBuffer
  logBuffer: SharedArrayBuffer
  durationMs: number
  holdMs: number
  mode: "acquire" | "hammer"
}
const limiter = attachLimiter(limiterBuffer)
const counters = new Int32Array(logBuffer, 0, 4)
const log = new Float64Array(logBuffer, 16)
const deadline = limiter.now() + durationMs
let taken = 0

function recordPermit(issuedAt: number, addressIndex: number): void {
  const i = Atomics.add(counters, 0, 1)
  if (2 * i + 1 < log.length) {
    log[2 * i] = issuedAt
    log[2 * i + 1] = addressIndex
  }
  const holders = Atomics.add(counters, 1, 1) + 1
  let max = Atomics.load(counters, 2)
  while (holders > max) {
    const seen = Atomics.compareExchange(counters, 2, max, holders)
    if (seen === max) break
    max = seen
  }
  taken++
}

if (mode === "hammer") {
  while (limiter.now() < deadline) {
    const r = limiter.tryAcquire()
    if (r.kind !== "permit") continue
    recordPermit(r.permit.issuedAt, r.permit.addressIndex)
    Atomics.sub(counters, 1, 1)
    r.permit.release({ kind: "ok", latencyMs: 1 })
  }
} else {
  while (limiter.now() < deadline) {
    const permit = await limiter.acquire()
    recordPermit(permit.issuedAt, permit.addressIndex)
    await Bun.sleep(holdMs)
    Atomics.sub(counters, 1, 1)
    permit.release({ kind: "ok", latencyMs: holdMs })
  }
}
parentPort!.postMessage({ taken })
