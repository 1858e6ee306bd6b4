/**
 * Transport engines side by side: Bun fetch vs node:http (keep-alive agent), against a local
 * Bun.serve in a child process that answers every GET with a real PGCR envelope.
 *
 *   npx bun bench/bungie-transport.ts [--seconds 2] [--concurrency 16]
 *
 * Interleaved rounds, medians reported; writes bench/results/bungie-transport.json. The node engine
 * is the only one that can bind a source address; this measures what that costs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { createTransport, type TransportEngine } from "../src/lib/bungie/transport.ts"
import { PGCR_FIXTURES_DIR } from "../src/lib/fixtures-path.ts"

if (process.argv.includes("--serve")) {
  const body = readFileSync(join(PGCR_FIXTURES_DIR, "7315438924.json"))
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => new Response(body, { headers: { "Content-Type": "application/json" } }),
  })
  console.log(server.port)
  await new Promise(() => {})
}

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const seconds = argNumber("--seconds", 2)
const concurrency = argNumber("--concurrency", 16)
const ROUNDS = 5

const child = Bun.spawn([process.execPath, import.meta.path, "--serve"], { stdout: "pipe", stderr: "inherit" })
const reader = child.stdout.getReader()
const { value } = await reader.read()
const port = Number(new TextDecoder().decode(value).trim())
const url = `http://127.0.0.1:${port}/Platform/Destiny2/Stats/PostGameCarnageReport/1/`

async function runRound(engine: TransportEngine, durationMs: number): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const transport = createTransport({ apiKey: "bench", userAgent: "RaidHub-Services/bench", timeoutMs: 5_000, engine })
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + durationMs
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const outcome = await transport.get(url)
        if (outcome.kind === "response" && outcome.status === 200) latencies.push(outcome.latencyMs)
        else errors++
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  transport.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors }
}

const engines: TransportEngine[] = ["fetch", "node"]
const samples = new Map(engines.map((e) => [e, [] as Awaited<ReturnType<typeof runRound>>[]]))
for (const engine of engines) await runRound(engine, 300) // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const engine of engines) samples.get(engine)!.push(await runRound(engine, (seconds * 1000) / ROUNDS))
}
child.kill()

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rows = engines.map((engine) => {
  const s = samples.get(engine)!
  return {
    engine,
    rps: median(s.map((x) => x.rps)),
    p50Ms: median(s.map((x) => x.p50)),
    p99Ms: median(s.map((x) => x.p99)),
    errors: s.reduce((n, x) => n + x.errors, 0),
  }
})
const fetchRps = rows[0]!.rps
console.log(`GET of a 120 KB PGCR, concurrency ${concurrency}, ${ROUNDS} interleaved rounds, medians`)
console.log(`${"engine".padEnd(8) + "req/s".padStart(10) + "p50 ms".padStart(9) + "p99 ms".padStart(9)}  vs fetch`)
for (const r of rows) {
  console.log(
    r.engine.padEnd(8) +
      r.rps.toFixed(0).padStart(10) +
      r.p50Ms.toFixed(2).padStart(9) +
      r.p99Ms.toFixed(2).padStart(9) +
      `  ${(r.rps / fetchRps).toFixed(2)}x` +
      (r.errors ? `  errors ${r.errors}` : ""),
  )
}
const out = resolve(import.meta.dir, "results", "bungie-transport.json")
mkdirSync(resolve(import.meta.dir, "results"), { recursive: true })
writeFileSync(out, `${JSON.stringify({ bun: Bun.version, at: new Date().toISOString(), concurrency, rows }, null, 2)}\n`)
console.log(`wrote ${out}`)
process.exit(0)
