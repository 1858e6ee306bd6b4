/**
 * Worker for `ceiling` (and the real-target probe): fetch + JSON.parse of PGCRs, no processing,
 * no storage. Lanes claim ids from a shared cursor until the id range or the deadline is used up.
 * Uses the same transport as Atlas' fetchers (src/lib/bungie/transport.ts).
 */
import { createTransport } from "../../src/lib/bungie/transport.ts"

export interface CeilingWorkerInit {
  url: string
  apiKey: string
  cursor: SharedArrayBuffer
  endId: string
  lanes: number
  /** Epoch ms at which lanes stop taking ids. */
  deadline: number
  /** Optional per-request pacing for polite real-API probes (ms between a lane's requests). */
  paceMs?: number
}

export interface CeilingWorkerResult {
  type: "done"
  ok: number
  other: number
  bytes: number
  firstStart: number
  lastEnd: number
  latencies: Float64Array
}

declare const self: Worker

self.onmessage = async (event: MessageEvent<CeilingWorkerInit>) => {
  const init = event.data
  const cursor = new BigInt64Array(init.cursor)
  const endId = BigInt(init.endId)
  const transport = createTransport({ apiKey: init.apiKey, userAgent: "RaidHub-Services-Bench/0.1", timeoutMs: 15_000 })
  const decoder = new TextDecoder()
  const latencies: number[] = []
  let ok = 0
  let other = 0
  let bytes = 0
  let firstStart = Number.POSITIVE_INFINITY
  let lastEnd = 0
  const lane = async () => {
    while (Date.now() < init.deadline) {
      const id = Atomics.add(cursor, 0, 1n)
      if (id >= endId) return
      const started = Date.now()
      if (started < firstStart) firstStart = started
      const outcome = await transport.get(`${init.url}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`)
      if (outcome.kind === "response" && outcome.status === 200) {
        const parsed = JSON.parse(decoder.decode(outcome.body)) as { ErrorCode?: number }
        if (parsed.ErrorCode === 1) ok++
        else other++
        bytes += outcome.body.byteLength
        latencies.push(outcome.latencyMs)
      } else other++
      lastEnd = Date.now()
      if (init.paceMs) await Bun.sleep(init.paceMs)
    }
  }
  await Promise.all(Array.from({ length: init.lanes }, lane))
  transport.close()
  const out = Float64Array.from(latencies)
  const result: CeilingWorkerResult = { type: "done", ok, other, bytes, firstStart, lastEnd, latencies: out }
  self.postMessage(result, [out.buffer])
}
