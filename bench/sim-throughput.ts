/**
 * The simulator's own throughput: requests/s it serves per core, unthrottled, no latency.
 *
 *   npx bun bench/sim-throughput.ts [--seconds 3] [--concurrency 32]
 *
 * The sim runs in its own process (`bun src/sim/main.ts --scenario backfill --port 0`) so its
 * CPU time can be read from /proc and the load generator's CPU does not count. For each case
 * the table shows wall-clock req/s and req per sim CPU-second (= req/s on one fully busy core).
 * Writes bench/results/sim-throughput.json. Asserts nothing about time.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { readStatCpuSeconds } from "../src/lib/runtime/proc-stat.ts"

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const SECONDS = arg("--seconds", 3)
const CONCURRENCY = arg("--concurrency", 32)
const HEADERS = { "x-api-key": "bench", "user-agent": "raidhub-bench/1.0" }
const repo = resolve(import.meta.dir, "..")

function cpuSeconds(pid: number): number {
  return readStatCpuSeconds(`/proc/${pid}/stat`)
}

const child = Bun.spawn([process.execPath, join(repo, "src/sim/main.ts"), "--scenario", "backfill", "--port", "0", "--seed", "bench"], {
  stdout: "pipe",
  stderr: "inherit",
})
const reader = child.stdout.getReader()
let banner = ""
while (!banner.includes("\n")) {
  const { value, done } = await reader.read()
  if (done) throw new Error("sim exited before printing its URL")
  banner += new TextDecoder().decode(value)
}
const started = JSON.parse(banner.split("\n")[0]!) as { url: string; startId: string }
const base = started.url
const startId = BigInt(started.startId)

interface CaseResult {
  case: string
  requests: number
  wallSeconds: number
  reqPerSecWall: number
  simCpuSeconds: number
  reqPerSimCpuSecond: number
  meanBytes: number
  statuses: Record<string, number>
}

async function runCase(name: string, nextPath: (i: number) => string): Promise<CaseResult> {
  const cpu0 = cpuSeconds(child.pid)
  const t0 = performance.now()
  const deadline = t0 + SECONDS * 1000
  let issued = 0
  let bytes = 0
  const statuses: Record<string, number> = {}
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = issued++
      const res = await fetch(base + nextPath(i), { headers: HEADERS })
      bytes += (await res.arrayBuffer()).byteLength
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const wall = (performance.now() - t0) / 1000
  const cpu = cpuSeconds(child.pid) - cpu0
  return {
    case: name,
    requests: issued,
    wallSeconds: +wall.toFixed(2),
    reqPerSecWall: Math.round(issued / wall),
    simCpuSeconds: +cpu.toFixed(2),
    reqPerSimCpuSecond: Math.round(issued / Math.max(cpu, 0.01)),
    meanBytes: Math.round(bytes / Math.max(issued, 1)),
    statuses,
  }
}

const pgcr = (id: bigint) => `/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`
const results: CaseResult[] = []
try {
  // Fresh ids: every request generates (cache miss), like a backfill crawl.
  const far = startId - 5_000_000n
  results.push(await runCase("pgcr-unique (generate)", (i) => pgcr(far + BigInt(i))))
  // The same 500 ids again and again: cache hits (retries, re-fetches of incomplete PGCRs).
  results.push(await runCase("pgcr-repeat (cached)", (i) => pgcr(far + BigInt(i % 500))))
  // Ids past the frontier: 1653/404 envelopes.
  results.push(await runCase("pgcr-frontier-404", (i) => pgcr(startId + 50_000_000n + BigInt(i))))
  results.push(await runCase("settings", () => "/Platform/Settings/"))
} finally {
  child.kill()
  await child.exited
}

console.log(`sim throughput — ${SECONDS}s per case, ${CONCURRENCY} concurrent, scenario backfill (no throttle, no latency)`)
console.log("case                      requests   wall req/s   sim CPU s   req/sim-CPU-s   mean bytes")
for (const r of results) {
  console.log(
    `${r.case.padEnd(26)}${String(r.requests).padStart(8)}${String(r.reqPerSecWall).padStart(13)}${r.simCpuSeconds.toFixed(2).padStart(12)}${String(r.reqPerSimCpuSecond).padStart(16)}${String(r.meanBytes).padStart(13)}`,
  )
}
mkdirSync(join(repo, "bench/results"), { recursive: true })
writeFileSync(
  join(repo, "bench/results/sim-throughput.json"),
  `${JSON.stringify(
    { measuredAt: new Date().toISOString(), bun: Bun.version, secondsPerCase: SECONDS, concurrency: CONCURRENCY, results },
    null,
    2,
  )}\n`,
)
