/**
 * The simulator in a separate process (bench/lib/sim-child.ts), with typed access to its
 * control, stats and truth endpoints.
 */
import { join } from "node:path"
import type { SimOptions } from "../../src/sim/server.ts"
import { readCpuSeconds } from "./cpu.ts"

export interface SimSourceStats {
  requests: number
  ok: number
  throttled: number
  errors: number
  byStatus: Record<string, number>
  byErrorCode: Record<string, number>
}

export interface TruthId {
  id: string
  state: string
  kind: string
  isRaid: boolean
  createdAt: number | null
  publishedAt: number | null
  incompleteUntil: number | null
}

export interface TruthFrontier {
  now: number
  nextId: string
  newestPublishedId: string | null
  startId: string
  ratePerSecond: number
}

export interface SimProcess {
  url: string
  pid: number
  startId: bigint
  cpuSeconds(): number
  control(patch: unknown): Promise<void>
  stats(): Promise<{ totals: SimSourceStats; sources: Record<string, SimSourceStats> }>
  resetStats(): Promise<void>
  truth(from: bigint, to: bigint): Promise<{ frontier: TruthFrontier; ids: TruthId[] }>
  /** /__sim/truth/players with the given filter (query parameters), in pool order. */
  players(filter: Record<string, string | number | boolean>): Promise<{ membershipId: string; membershipType: number }[]>
  stop(): Promise<void>
}

const CHILD = join(import.meta.dir, "sim-child.ts")

export async function spawnSim(options: SimOptions): Promise<SimProcess> {
  const child = Bun.spawn([process.execPath, CHILD, JSON.stringify(options, (_k, v) => (typeof v === "bigint" ? v.toString() : v))], {
    stdout: "pipe",
    stderr: "inherit",
  })
  const reader = child.stdout.getReader()
  let banner = ""
  while (!banner.includes("\n")) {
    const { value, done } = await reader.read()
    if (done) throw new Error("the simulator exited before printing its url")
    banner += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  const started = JSON.parse(banner.split("\n")[0]!) as { url: string; startId: string }
  const url = started.url
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(url + path, init)
    if (!res.ok) throw new Error(`sim ${init?.method ?? "GET"} ${path}: HTTP ${res.status} ${await res.text()}`)
    return res
  }
  return {
    url,
    pid: child.pid,
    startId: BigInt(started.startId),
    cpuSeconds: () => readCpuSeconds(child.pid),
    async control(patch) {
      await call("/__sim/control", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(patch) })
    },
    async stats() {
      return (await (await call("/__sim/stats")).json()) as { totals: SimSourceStats; sources: Record<string, SimSourceStats> }
    },
    async resetStats() {
      await call("/__sim/stats", { method: "DELETE" })
    },
    async truth(from, to) {
      return (await (await call(`/__sim/truth?from=${from}&to=${to}`)).json()) as { frontier: TruthFrontier; ids: TruthId[] }
    },
    async players(filter) {
      const query = new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)]))
      return (await (await call(`/__sim/truth/players?${query}`)).json()) as { membershipId: string; membershipType: number }[]
    },
    async stop() {
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000)
      await child.exited
      clearTimeout(timer)
    },
  }
}
