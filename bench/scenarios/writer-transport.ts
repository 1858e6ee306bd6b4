/**
 * The `writer` transport comparison: how a fetcher hands a processed instance (plus its
 * compressed raw PGCR) to the pg-writer thread. Three formats over a MessagePort to a Worker,
 * each message decoded on the far side and acked:
 *   msgpackr+transfer  what Atlas does (messages.ts: pack, copy, transfer the ArrayBuffer)
 *   json-string        JSON.stringify with the raw bytes as base64, JSON.parse on arrival
 *   structured-clone   postMessage(object) as is
 * Throughput: items/s with up to 256 in flight (sender encode included). Latency: one item at a
 * time, round trip. Interleaved rounds, medians.
 */
import { encodeWriterItem, type RaidItem } from "../../src/apps/atlas/shared/messages.ts"
import { computePairedRatio, type Distribution, summarize } from "../lib/stats.ts"
import type { TransportFormat } from "./writer-transport-worker.ts"

const WORKER_URL = new URL("./writer-transport-worker.ts", import.meta.url).href
export const TRANSPORT_FORMATS: readonly TransportFormat[] = ["msgpackr+transfer", "json-string", "structured-clone"]

interface Channel {
  send(item: RaidItem): void
  acked(): Promise<void>
  close(): void
}

function openChannel(format: TransportFormat): Channel {
  const worker = new Worker(WORKER_URL)
  const { port1, port2 } = new MessageChannel()
  worker.postMessage({ port: port2, format }, [port2] as unknown as ArrayBuffer[])
  const waiters: (() => void)[] = []
  port1.onmessage = () => waiters.shift()?.()
  return {
    send(item) {
      if (format === "msgpackr+transfer") {
        const bytes = encodeWriterItem(item)
        port1.postMessage(bytes, [bytes.buffer as ArrayBuffer])
      } else if (format === "json-string") {
        port1.postMessage(JSON.stringify({ ...item, raw: Buffer.from(item.raw).toString("base64") }))
      } else port1.postMessage(item)
    },
    acked: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close() {
      port1.close()
      worker.terminate()
    },
  }
}

async function measureThroughput(channel: Channel, items: readonly RaidItem[], count: number): Promise<number> {
  const window = 256
  const started = performance.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < count; i++) {
    pending.push(channel.acked())
    channel.send(items[i % items.length]!)
    if (pending.length >= window) await pending.shift()
  }
  await Promise.all(pending)
  return count / ((performance.now() - started) / 1000)
}

async function measureLatency(channel: Channel, items: readonly RaidItem[], count: number): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const ack = channel.acked()
    channel.send(items[i % items.length]!)
    await ack
    samples.push((performance.now() - t0) * 1000)
  }
  return samples
}

export interface TransportRow {
  format: TransportFormat
  itemsPerSecond: number
  /** Median over rounds of this format's rate / msgpackr's rate in the same round. */
  vsMsgpackr: number
  roundTripUs: Distribution
  meanBytes: number
}

export async function compareTransports(
  items: readonly RaidItem[],
  quick: boolean,
  progress: (m: string) => void,
): Promise<TransportRow[]> {
  const rounds = quick ? 9 : 15
  const perRound = quick ? 8_000 : 15_000
  const latencyCount = quick ? 2_000 : 5_000
  const channels = new Map(TRANSPORT_FORMATS.map((f) => [f, openChannel(f)]))
  const rates = new Map<TransportFormat, number[]>(TRANSPORT_FORMATS.map((f) => [f, []]))
  const latencies = new Map<TransportFormat, number[]>(TRANSPORT_FORMATS.map((f) => [f, []]))
  try {
    for (const f of TRANSPORT_FORMATS) await measureThroughput(channels.get(f)!, items, 500) // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const f of TRANSPORT_FORMATS) {
        rates.get(f)!.push(await measureThroughput(channels.get(f)!, items, perRound))
        latencies.get(f)!.push(...(await measureLatency(channels.get(f)!, items, Math.ceil(latencyCount / rounds))))
      }
      progress(
        `transport round ${r + 1}/${rounds}: ${TRANSPORT_FORMATS.map((f) => `${f} ${rates.get(f)!.at(-1)!.toFixed(0)}/s`).join(", ")}`,
      )
    }
  } finally {
    for (const c of channels.values()) c.close()
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return TRANSPORT_FORMATS.map((format) => ({
    format,
    itemsPerSecond: median(rates.get(format)!),
    vsMsgpackr: computePairedRatio(rates.get(format)!, rates.get("msgpackr+transfer")!),
    roundTripUs: summarize(latencies.get(format)!),
    meanBytes: Math.round(items.reduce((n, item) => n + measureEncodedBytes(format, item), 0) / items.length),
  }))
}

function measureEncodedBytes(format: TransportFormat, item: RaidItem): number {
  if (format === "msgpackr+transfer") return encodeWriterItem(item).byteLength
  if (format === "json-string") return Buffer.byteLength(JSON.stringify({ ...item, raw: Buffer.from(item.raw).toString("base64") }))
  return Number.NaN
}
