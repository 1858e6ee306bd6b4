/**
 * `fleet`: ids/s of 1, 2 and 4 `bun run atlas --fleet` processes sharing one bounded range of
 * one simulator (own process, Bungie-like per-address throttling), each process with its own two
 * source addresses, each count on a fresh database and fresh ids. The rate is the range over the
 * leases' span (first lease taken to last lease done, from crawl.id_range_lease), so process
 * start-up is not counted; scaling efficiency = ids/s with N ÷ (N × ids/s with 1).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import type { Scenario, ScenarioContext } from "../lib/scenario.ts"
import { type SimProcess, spawnSim } from "../lib/sim-process.ts"
import { computeRatio } from "../lib/stats.ts"
import { checkTarget } from "../lib/targets.ts"

const MAIN = join(import.meta.dir, "../../src/apps/atlas/main.ts")
const REPO = join(import.meta.dir, "../..")

interface FleetRun {
  processes: number
  ids: number
  seconds: number
  idsPerSecond: number
  leases: number
  owners: number
  raidsStored: number
  simCores: number
}

async function runFleet(ctx: ScenarioContext, sim: SimProcess, processes: number, from: bigint, ids: number): Promise<FleetRun> {
  const to = from + BigInt(ids) - 1n
  const db = await createTestDatabase({ migrate: true })
  const dirs: string[] = []
  try {
    ctx.progress(`fleet: ${processes} process(es), ids ${from}..${to}`)
    const simCpu0 = sim.cpuSeconds()
    const wall0 = performance.now()
    // Ranges of about a third of each process's share: every process gets several.
    const maxRange = Math.max(50, Math.round(ids / processes / 3))
    const children = Array.from({ length: processes }, (_, i) => {
      const dir = mkdtempSync(join(tmpdir(), "bench-fleet-"))
      dirs.push(dir)
      const addresses = `127.0.1.${2 * i + 1},127.0.1.${2 * i + 2}`
      return Bun.spawn(
        [
          process.execPath,
          MAIN,
          "--fleet",
          "--from",
          from.toString(),
          "--to",
          to.toString(),
          "--fleet-max-range",
          String(maxRange),
          "--metrics-port",
          "off",
          "--fetchers",
          "2",
          "--source-addresses",
          addresses,
        ],
        {
          cwd: REPO,
          env: {
            ...process.env,
            DATA_DIR: dir,
            DATABASE_URL: db.url,
            BUNGIE_BASE_URL: sim.url,
            BUNGIE_API_KEY: SIM_API_KEY,
            LOG_LEVEL: "error",
            ATLAS_FLEET_LEASE_S: "5",
          },
          stdout: "ignore",
          stderr: "inherit",
        },
      )
    })
    const codes = await Promise.all(children.map((c) => c.exited))
    if (codes.some((c) => c !== 0)) throw new Error(`fleet: a process exited with ${codes.join(", ")}`)
    const simCores = (sim.cpuSeconds() - simCpu0) / ((performance.now() - wall0) / 1000)
    const [span] = await db.sql<{ seconds: number; leases: number; owners: number }[]>`
      SELECT extract(epoch FROM max(completed_at) - min(leased_at))::float8 AS seconds, count(*)::int AS leases,
             count(DISTINCT owner)::int AS owners
      FROM crawl.id_range_lease`
    const [stored] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM core.instance`
    const seconds = Number(span!.seconds)
    return {
      processes,
      ids,
      seconds,
      idsPerSecond: ids / seconds,
      leases: span!.leases,
      owners: span!.owners,
      raidsStored: stored!.n,
      simCores: Math.round(simCores * 100) / 100,
    }
  } finally {
    await db.drop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
}

export const fleetScenario: Scenario = {
  name: "fleet",
  summary: "ids/s of 1, 2 and 4 atlas --fleet processes on one simulator (own addresses each), scaling efficiency",
  core: false,
  async run(ctx) {
    const perProcess = ctx.quick ? 400 : 2_500
    // Short latency: the rate is the addresses' (throttle) and the fleet's, not round trips.
    const sim = await spawnSim({ scenario: "calm", seed: SIM_SEED, latency: { kind: "lognormal", medianMs: 30, sigma: 0.5, maxMs: 1_000 } })
    const runs: FleetRun[] = []
    try {
      let from = sim.startId - 3_000_000n
      for (const n of [1, 2, 4]) {
        const ids = perProcess * n
        runs.push(await runFleet(ctx, sim, n, from, ids))
        from += BigInt(ids) + 10_000n
      }
    } finally {
      await sim.stop()
    }
    const one = runs[0]!.idsPerSecond
    const efficiency = (r: FleetRun) => computeRatio(r.idsPerSecond, r.processes * one)
    const four = runs.find((r) => r.processes === 4)!
    return {
      title: "fleet — atlas processes sharing one range through Postgres leases",
      tables: [
        {
          rows: runs.map((r) => ({
            processes: r.processes,
            ids: r.ids,
            seconds: r.seconds,
            "ids/s": r.idsPerSecond,
            efficiency: efficiency(r),
            leases: r.leases,
            "owners with leases": r.owners,
            "raids stored": r.raidsStored,
            "sim cores": r.simCores,
          })),
        },
      ],
      result: { runs, efficiency4: efficiency(four) },
      notes: [
        "Each process sends from 2 addresses of its own, throttled by the simulator at Bungie's per-address rate: one process is address-bound.",
        "On a 2-core box the simulator, Postgres and N atlas processes share the cores: efficiency at N = 4 is bounded by the box, not the leases.",
        checkTarget("fleetEfficiency4", efficiency(four)),
      ],
    }
  },
}
