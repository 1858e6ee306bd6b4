/**
 * The apps as processes, as compose runs them, checked from the outside:
 *   - each app's real /metrics passes `promtool check metrics`, and every family it exposes is
 *     declared in its metric tables (src/apps/metric-tables.ts) with that type and those labels;
 *   - atlas (crawling the simulator) exports pgcr_crawl_summary_lag_seconds the way the public
 *     RaidHub status page needs it, and Debian's Prometheus, scraping that atlas, evaluates the
 *     page's exact query to a lag above 2.5 s (the page drops points at or under 2.5 s as offline);
 *   - hermes exports floodgates_recent_pgcr (the page's other series) as an unlabelled gauge;
 *   - atlas answers GET /status, and `bun run tool status` prints it, from atlas and from Prometheus.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { Subprocess } from "bun"
import type { AtlasStatusReport } from "../apps/atlas/coordinator/status-report.ts"
import { PUBLIC_STATUS_LAG_QUERY } from "../apps/atlas/shared/crawl-summary.ts"
import { CRAWL_SUMMARY_LAG_BUCKETS_SECONDS } from "../apps/atlas/shared/metrics.ts"
import { APP_METRICS } from "../apps/metric-tables.ts"
import { TEST_API_KEY } from "../apps/zeus/test-helpers.ts"
import { createTestDatabase, findFreePort, type TestDatabase } from "../lib/database/testing.ts"
import { createTestVhost, type TestVhost } from "../lib/messaging/testing/test-vhost.ts"
import type { MetricDef } from "../lib/monitoring/metric-table.ts"
import { type SimHandle, startSim } from "../sim/server.ts"
import { tool as statusTool } from "../tools/status.ts"
import { locateBinary, runCommand } from "./testing/binaries.ts"
import { type ExposedFamily, parseExposition } from "./testing/exposition.ts"

const ROOT = resolve(import.meta.dir, "../..")
const SLOW = 180_000
const promtool = locateBinary("promtool", "prometheus")
const prometheusBin = locateBinary("prometheus", "prometheus")

/**
 * promtool's lint flags these names; they are the original's, kept so its dashboards, queries and
 * the public status page keep working (src/apps/zeus/zeus-metrics.ts, src/apps/atlas/shared/metrics.ts,
 * src/apps/hermes/runtime/hermes-metrics.ts).
 */
const LINT_ACCEPTED = new Set([
  "zeus_request_duration_ms",
  "zeus_rate_limiter_wait_ms",
  "queue_worker_count",
  // The public status page's series: the name is the contract ("summary" is the original's word).
  "pgcr_crawl_summary_lag_seconds",
])

interface RunningApp {
  name: string
  child: Subprocess<"ignore", "ignore", "pipe">
  stderr: () => string
}

const tmp = mkdtempSync(join(tmpdir(), "raidhub-live-"))
const apps: RunningApp[] = []
let db: TestDatabase
let sim: SimHandle
let vhost: TestVhost
let atlasUrl = ""
let hermesUrl = ""
let zeusMetricsUrl = ""
let schedulerUrl = ""

function spawnApp(name: string, entry: string, args: string[], env: Record<string, string>): RunningApp {
  const child = Bun.spawn([process.execPath, join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...env },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  })
  // Drain stderr (a full pipe would block the app); keep the tail for failure messages.
  let text = ""
  void (async () => {
    const decoder = new TextDecoder()
    for await (const chunk of child.stderr) text = (text + decoder.decode(chunk)).slice(-20_000)
  })()
  const app = { name, child, stderr: () => text }
  apps.push(app)
  return app
}

/** Polls until `check` returns a value (not null) or the deadline passes. */
async function waitFor<T>(what: string, check: () => Promise<T | null>, timeoutMs: number, app?: RunningApp): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check().catch(() => null)
    if (value !== null) return value
    if (app && app.child.exitCode !== null) throw new Error(`${app.name} exited ${app.child.exitCode}: ${app.stderr()}`)
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${app ? `; ${app.name} said: ${app.stderr().slice(-3000)}` : ""}`)
    await Bun.sleep(250)
  }
}

const getText = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) })
  return response.ok ? response.text() : null
}

beforeAll(async () => {
  ;[db, sim, vhost] = await Promise.all([
    createTestDatabase({ migrate: true }),
    startSim({ seed: 11, scenario: "calm", port: 0, latency: 0 }),
    createTestVhost("ops"),
  ])
  const [atlasPort, hermesPort, zeusPort, zeusMetricsPort, schedulerPort] = await Promise.all([
    findFreePort(),
    findFreePort(),
    findFreePort(),
    findFreePort(),
    findFreePort(),
  ])
  atlasUrl = `http://127.0.0.1:${atlasPort}`
  hermesUrl = `http://127.0.0.1:${hermesPort}`
  zeusMetricsUrl = `http://127.0.0.1:${zeusMetricsPort}`
  schedulerUrl = `http://127.0.0.1:${schedulerPort}`
  const atlas = spawnApp("atlas", "src/apps/atlas/main.ts", ["--sim", "--sim-scenario", "calm", "--sim-seed", "5"], {
    DATABASE_URL: db.url,
    ATLAS_METRICS_PORT: String(atlasPort),
    DATA_DIR: join(tmp, "atlas"),
  })
  const zeus = spawnApp("zeus", "src/apps/zeus/main.ts", ["--port", String(zeusPort), "--source-addresses", "127.0.0.9"], {
    BUNGIE_API_KEY: TEST_API_KEY,
    BUNGIE_BASE_URL: sim.url,
    ZEUS_METRICS_PORT: String(zeusMetricsPort),
  })
  // The floodgates queue (its worker sets floodgates_recent_pgcr); the relays are atlas's here.
  const hermes = spawnApp("hermes", "src/apps/hermes/main.ts", ["--queue", "pgcr_blocked", "--no-relays"], {
    DATABASE_URL: db.url,
    RABBITMQ_URL: vhost.url,
    BUNGIE_BASE_URL: sim.url,
    BUNGIE_API_KEY: TEST_API_KEY,
    HERMES_METRICS_PORT: String(hermesPort),
    DATA_DIR: join(tmp, "hermes"),
  })
  const schedule = join(tmp, "schedule")
  writeFileSync(schedule, "0 12 * * 1 weekly 1m config\n")
  const scheduler = spawnApp("scheduler", "src/apps/scheduler/main.ts", ["--schedule-file", schedule], {
    DATABASE_URL: db.url,
    SCHEDULER_METRICS_PORT: String(schedulerPort),
  })
  await waitFor("zeus", () => getText(`${zeusMetricsUrl}/healthz`), 60_000, zeus)
  // One request through zeus, so its labelled series have samples.
  const id = BigInt(sim.truth.frontier().startId) - 500n
  await fetch(`http://127.0.0.1:${zeusPort}/Platform/Destiny2/Stats/PostGameCarnageReport/${id}/`, {
    headers: { "x-raidhub-client": "live-test" },
  })
  await waitFor("scheduler", () => getText(`${schedulerUrl}/healthz`), 60_000, scheduler)
  await waitFor("hermes", () => getText(`${hermesUrl}/healthz`), 60_000, hermes)
  // Atlas is ready once it has resolved PGCRs into its public lag series.
  await waitFor(
    "atlas's first resolved PGCRs",
    async () => ((await getText(`${atlasUrl}/metrics`))?.includes('pgcr_crawl_summary_lag_seconds_count{status="2"') ? true : null),
    120_000,
    atlas,
  )
}, SLOW)

afterAll(async () => {
  for (const app of apps) app.child.kill("SIGTERM")
  await Promise.all(
    apps.map(async (app) => {
      const ended = await Promise.race([app.child.exited, Bun.sleep(60_000).then(() => null)])
      if (ended === null) app.child.kill("SIGKILL")
    }),
  )
  await sim?.stop()
  await vhost?.drop()
  await db?.drop()
  rmSync(tmp, { recursive: true, force: true })
}, SLOW)

function declaredDefs(job: string): Map<string, MetricDef> {
  const entry = APP_METRICS.find((a) => a.job === job)
  if (!entry) throw new Error(`no metric tables for ${job}`)
  return new Map(entry.tables.flatMap((t) => Object.values(t)).map((d) => [d.name, d]))
}

/** Families the app exposes that its tables do not declare as they are. */
function undeclared(families: readonly ExposedFamily[], defs: ReadonlyMap<string, MetricDef>): string[] {
  return families.flatMap((f) => {
    const def = defs.get(f.name)
    if (!def) return [`${f.name}: not in the app's metric tables`]
    if (def.kind !== f.type) return [`${f.name}: exposed as ${f.type}, declared ${def.kind}`]
    const allowed = new Set([...def.labels, ...(def.kind === "histogram" ? ["le"] : [])])
    return [...f.labelNames].filter((l) => !allowed.has(l)).map((l) => `${f.name}: undeclared label ${l}`)
  })
}

const liveApps = () => [
  { job: "atlas", url: atlasUrl },
  { job: "hermes", url: hermesUrl },
  { job: "zeus", url: zeusMetricsUrl },
  { job: "scheduler", url: schedulerUrl },
]

describe("live /metrics", () => {
  test.skipIf(promtool === null)(
    "each app's /metrics passes promtool check metrics",
    async () => {
      for (const { job, url } of liveApps()) {
        const text = (await getText(`${url}/metrics`))!
        const result = await runCommand([promtool!, "check", "metrics"], text)
        const problems = result.output
          .split("\n")
          .filter((l) => l.trim() !== "")
          .filter((l) => !LINT_ACCEPTED.has(l.split(" ")[0]!))
        expect([job, problems]).toEqual([job, []])
        // 0: clean; 3: lint findings only (all accepted above). 1 would be a parse error.
        expect([job, [0, 3].includes(result.code)]).toEqual([job, true])
      }
    },
    SLOW,
  )

  test("every family an app exposes is declared in its tables, with that type and labels", async () => {
    for (const { job, url } of liveApps()) {
      const families = parseExposition((await getText(`${url}/metrics`))!)
      const defs = declaredDefs(job)
      expect(families.length).toBeGreaterThan(5)
      expect([job, undeclared(families, defs)]).toEqual([job, []])
      // ... and the tables declare nothing the app leaves out (each is registered at start).
      const exposed = new Set(families.map((f) => f.name))
      expect([job, [...defs.keys()].filter((n) => !exposed.has(n))]).toEqual([job, []])
    }
  })

  test("atlas's pgcr_crawl_summary_lag_seconds: a histogram labelled status and attempts, buckets 5 s to 3 days", async () => {
    const families = parseExposition((await getText(`${atlasUrl}/metrics`))!)
    const lag = families.find((f) => f.name === "pgcr_crawl_summary_lag_seconds")!
    expect(lag.type).toBe("histogram")
    expect([...lag.labelNames].sort()).toEqual(["attempts", "le", "status"])
    const buckets = lag.samples.filter((s) => s.name.endsWith("_bucket") && s.labels.status === "2" && s.labels.attempts === "1")
    expect(buckets.map((s) => s.labels.le)).toEqual([...CRAWL_SUMMARY_LAG_BUCKETS_SECONDS.map(String), "+Inf"])
    expect(CRAWL_SUMMARY_LAG_BUCKETS_SECONDS[0]).toBe(5)
    expect(CRAWL_SUMMARY_LAG_BUCKETS_SECONDS.at(-1)).toBe(3 * 86400)
    for (const s of lag.samples) {
      expect(["1", "2"]).toContain(s.labels.status!)
      expect(s.labels.attempts).toMatch(/^([1-9]|10\+)$/)
    }
  })
})

describe("the public status contract", () => {
  test("hermes's floodgates_recent_pgcr: an unlabelled gauge", async () => {
    const families = parseExposition((await getText(`${hermesUrl}/metrics`))!)
    const floodgates = families.find((f) => f.name === "floodgates_recent_pgcr")!
    expect(floodgates.type).toBe("gauge")
    expect([...floodgates.labelNames]).toEqual([])
    expect(floodgates.samples).toHaveLength(1)
    expect(floodgates.samples[0]!.value).toMatch(/^\d+$/)
  })

  test.skipIf(prometheusBin === null)(
    "Debian's Prometheus scraping atlas evaluates the status page's exact query above 2.5 s; tool status reads it the page's way",
    async () => {
      const port = await findFreePort()
      const dir = join(tmp, "prometheus")
      const config = join(tmp, "prometheus.yml")
      writeFileSync(
        config,
        [
          "global: { scrape_interval: 1s, evaluation_interval: 1s }",
          "scrape_configs:",
          "  - job_name: atlas",
          `    static_configs: [{ targets: ["${new URL(atlasUrl).host}"] }]`,
          "",
        ].join("\n"),
      )
      const child = Bun.spawn(
        [
          prometheusBin!,
          `--config.file=${config}`,
          `--storage.tsdb.path=${dir}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--log.level=warn",
        ],
        { stdin: "ignore", stdout: "ignore", stderr: "pipe" },
      )
      let promLog = ""
      void (async () => {
        for await (const chunk of child.stderr) promLog = (promLog + new TextDecoder().decode(chunk)).slice(-10_000)
      })()
      const base = `http://127.0.0.1:${port}`
      try {
        await waitFor("Prometheus ready", () => getText(`${base}/-/ready`), 60_000)
        const url = `${base}/api/v1/query?query=${encodeURIComponent(PUBLIC_STATUS_LAG_QUERY)}`
        const lag = await waitFor(
          "the public query to return a lag above 2.5 s",
          async () => {
            const body = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } }
            const value = Number(body.data.result[0]?.value[1])
            return Number.isFinite(value) && value > 2.5 ? value : null
          },
          90_000,
        ).catch((error) => {
          throw new Error(`${error}; prometheus said: ${promLog}`)
        })
        expect(lag).toBeGreaterThan(2.5)
        // The tool, reading Prometheus the public page's way (a range query at 15 s steps), sees
        // atlas online once a step has two scrapes in its rate window.
        const report = await waitFor(
          "tool status to read atlas online from Prometheus",
          async () => {
            const io = captureIo()
            const code = await statusTool.run(["--prometheus", base, "--json"], io)
            expect(io.stderr).toEqual([])
            return code === 0 ? (JSON.parse(io.stdout.join("\n")) as AtlasStatusReport) : null
          },
          60_000,
        )
        expect(report).toMatchObject({ source: "prometheus", online: true, crawler: "atlas" })
        expect(report.lag.p50Seconds).toBeGreaterThan(2.5)
        expect(report.lowWaterMark).toMatch(/^\d{11}$/)
      } finally {
        child.kill("SIGTERM")
        await child.exited
      }
    },
    SLOW,
  )

  test("GET /status on atlas's metrics port, and tool status printing it as a table", async () => {
    const report = (await (await fetch(`${atlasUrl}/status`)).json()) as AtlasStatusReport
    expect(report).toMatchObject({ crawler: "atlas", source: "atlas", online: true, bungie: "available" })
    expect(report.lag.p50Seconds).toBeGreaterThan(2.5)
    expect(report.lag.windowSeconds).toBe(300)
    expect(report.lowWaterMark).toMatch(/^\d{11}$/)
    expect(typeof report.caughtUp).toBe("boolean")
    expect(report.share404 === null || (report.share404 >= 0 && report.share404 <= 1)).toBe(true)
    const io = captureIo()
    expect(await statusTool.run(["--url", atlasUrl], io)).toBe(0)
    const table = io.stdout.join("\n")
    expect(table).toMatch(/^crawler\s+atlas$/m)
    expect(table).toMatch(/^lag p50\s+\d/m)
    expect(table).toMatch(/^low-water mark\s+\d{11}$/m)
    expect(table).toMatch(/^state\s+(caught up|behind)/m)
  })
})

function captureIo() {
  const stdout: string[] = []
  const stderr: string[] = []
  return { stdout, stderr, out: (l: string) => stdout.push(l), err: (l: string) => stderr.push(l), env: {} }
}
