/**
 * `soak`: Atlas's resident memory over a long following crawl, as a user runs it. Atlas is
 * `src/apps/atlas/main.ts` (what `npm run atlas` runs) in a child process, sampled from
 * /proc/<pid>/status every minute (every 5 s with --quick): VmRSS, the resident size at that
 * instant, and VmHWM, the highest resident size since the previous sample (the soak resets the
 * kernel's high-water mark through /proc/<pid>/clear_refs after reading it). Two runs:
 *
 * - full: `atlas --sim`: the simulator in-process, embedded ClickHouse (chdb) under a temporary
 *   DATA_DIR, no broker (queue messages wait in the outbox): the quick start of the README.
 * - alone: the simulator in its own process, no ClickHouse (CLICKHOUSE_URL points at a closed
 *   port, so the relay waits and its rows stay in the outbox): Atlas and nothing else.
 *
 * Postgres is a fresh database on the shared server (its memory is the server's, not Atlas's).
 * The child inherits this process's environment, so JSC knobs (e.g. BUN_JSC_forceRAMSize) can be
 * compared run against run; the cores column says what a knob costs.
 * The target (issue 14): after a 5-minute warm-up, RSS grows by ≤ 5 %: the level, the median of the
 * last third of the samples against the first third's, checked on both series. The band the
 * collectors draw around that level and its highest crest above the warm-up's one sample are
 * reported beside it (rss-trend.ts says why they are not growth). Shorter runs warm up for a third
 * of their length and say so.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createTestDatabase } from "../../src/lib/database/testing.ts"
import { readCpuSeconds } from "../lib/cpu.ts"
import { describeHeapTrim, resolveCrawlSettings, SIM_API_KEY, SIM_SEED } from "../lib/defaults.ts"
import { bandWidth, crestAboveWarmup, medianTrend } from "../lib/rss-trend.ts"
import type { Scenario, ScenarioContext } from "../lib/scenario.ts"
import { spawnSim } from "../lib/sim-process.ts"
import { checkTarget } from "../lib/targets.ts"

const MAIN = join(import.meta.dir, "../../src/apps/atlas/main.ts")
const WARMUP_MS = 5 * 60_000
/** The simulator throttles each address at ~25 req/s; eight follow its ~50 ids/s with headroom. */
const ADDRESSES = "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8"

type SoakMode = "full" | "alone"

interface SoakRun {
  mode: SoakMode
  minutes: number
  sampleMs: number
  warmupMs: number
  /** [seconds since start, RSS MB] */
  samples: [number, number][]
  /** [seconds since start, anonymous MB, file-backed MB] */
  split: [number, number, number][]
  /** [seconds since start, highest RSS MB since the previous sample]; empty if the reset failed. */
  peaks: [number, number][]
  atWarmupMb: number
  peakAfterWarmupMb: number
  lastMb: number
  peakMb: number
  lowestAfterWarmupMb: number
  /** The target's measure: median of the last third after the warm-up ÷ the first third's, − 1 (rss-trend.ts). */
  growth: number
  /** The same measure on the interval peaks: NaN without them. */
  peakGrowth: number
  /** (highest − lowest) ÷ median of the samples after the warm-up. */
  band: number
  /** Highest sample after the warm-up ÷ the warm-up's one sample, − 1 (the soak's former measure). */
  crest: number
  /** The same on the interval peaks: NaN without them. */
  peakCrest: number
  raidsStored: number
  /** Cores the Atlas process used on average (its CPU seconds over the run's wall time). */
  cores: number
  exitCode: number | null
}

interface RssSample {
  /** VmRSS: what top and ps show. */
  total: number
  /** RssAnon: heaps, stacks, caches: memory only this process holds. */
  anon: number
  /** RssFile: mapped files, mostly code (libchdb alone maps ~190 MB of clean, shared, reclaimable pages). */
  file: number
  /** VmHWM: the highest VmRSS since the process started or the last resetPeak. */
  peak: number
}

function readRssMb(pid: number): RssSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024
    return { total: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), peak: kb("VmHWM") }
  } catch {
    return null
  }
}

/** Resets the process's VmHWM to its current RSS (Linux ≥ 4.0); false where that is refused. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5")
    return true
  } catch {
    return false
  }
}

async function soakOnce(ctx: ScenarioContext, mode: SoakMode, durationMs: number, sampleMs: number): Promise<SoakRun> {
  const s = resolveCrawlSettings(ctx.args)
  const db = await createTestDatabase({ migrate: true, max: 1 })
  const dataDir = mkdtempSync(join(tmpdir(), "bench-soak-"))
  const sim = mode === "alone" ? await spawnSim({ scenario: "realistic", seed: SIM_SEED }) : null
  try {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ATLAS_METRICS_PORT: "off",
      ATLAS_FETCHERS: String(s.fetchers),
      ATLAS_HEAP_TRIM_S: String(s.heapTrimMs / 1000),
      ATLAS_SOURCE_ADDRESSES: ADDRESSES,
      RABBITMQ_URL: "",
    }
    const args = [process.execPath, MAIN, "--crawler", `soak-${mode}`]
    if (sim) {
      env.BUNGIE_BASE_URL = sim.url
      env.BUNGIE_API_KEY = SIM_API_KEY
      env.CLICKHOUSE_URL = "http://127.0.0.1:9"
    } else {
      args.push("--sim")
      env.CLICKHOUSE_URL = ""
    }
    ctx.progress(`${mode}: ${(durationMs / 60_000).toFixed(1)} min, RSS every ${sampleMs / 1000} s, ${describeHeapTrim(s.heapTrimMs)}`)
    const child = Bun.spawn(args, { env, stdout: "ignore", stderr: "pipe" })
    const samples: [number, number][] = []
    const split: [number, number, number][] = []
    const peaks: [number, number][] = []
    let peaksValid = true
    const started = Date.now()
    while (Date.now() - started < durationMs) {
      await Bun.sleep(Math.min(sampleMs, durationMs - (Date.now() - started)))
      const rss = readRssMb(child.pid)
      if (rss === null) throw new Error(`atlas (${mode}) exited early: ${await new Response(child.stderr).text()}`)
      const at = Math.round((Date.now() - started) / 1000)
      samples.push([at, Math.round(rss.total)])
      split.push([at, Math.round(rss.anon), Math.round(rss.file)])
      // The first sample's peak covers the start (loading, warm-up), so it is kept but never compared.
      peaks.push([at, Math.round(rss.peak)])
      peaksValid &&= resetPeak(child.pid)
      if (sampleMs >= 60_000 || samples.length % 3 === 0) {
        ctx.progress(`${mode}: ${at} s, RSS ${rss.total.toFixed(0)} MB (anonymous ${rss.anon.toFixed(0)}, files ${rss.file.toFixed(0)})`)
      }
    }
    const cores = readCpuSeconds(child.pid) / ((Date.now() - started) / 1000)
    child.kill("SIGTERM")
    const exitCode = await child.exited
    const stored = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM core.instance`
    const warmupMs = Math.min(WARMUP_MS, durationMs / 3)
    const afterWarmup = samples.filter(([at]) => at * 1000 >= warmupMs)
    if (!peaksValid) peaks.length = 0
    const atWarmup = afterWarmup[0]?.[1] ?? Number.NaN
    const afterWarmupMb = afterWarmup.map(([, mb]) => mb)
    const peakAfter = Math.max(...afterWarmupMb)
    return {
      mode,
      minutes: durationMs / 60_000,
      sampleMs,
      warmupMs,
      samples,
      split,
      peaks,
      atWarmupMb: atWarmup,
      peakAfterWarmupMb: peakAfter,
      lowestAfterWarmupMb: Math.min(...afterWarmupMb),
      lastMb: samples.at(-1)?.[1] ?? Number.NaN,
      peakMb: Math.max(...samples.map(([, mb]) => mb)),
      growth: medianTrend(afterWarmupMb),
      peakGrowth: medianTrend(peaks.filter(([at]) => at * 1000 >= warmupMs).map(([, mb]) => mb)),
      band: bandWidth(afterWarmupMb),
      crest: crestAboveWarmup(samples, warmupMs / 1000),
      peakCrest: crestAboveWarmup(peaks, warmupMs / 1000),
      raidsStored: stored[0]!.n,
      cores,
      exitCode,
    }
  } finally {
    await sim?.stop()
    await db.drop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export const soakScenario: Scenario = {
  name: "soak",
  summary: "Atlas's RSS over a long following crawl (main.ts in a child process), with and without in-process sim + embedded ClickHouse",
  core: false,
  async run(ctx) {
    const durationMs = (ctx.args.minutes ?? (ctx.args.seconds !== null ? ctx.args.seconds / 60 : ctx.quick ? 25 / 60 : 30)) * 60_000
    const sampleMs = ctx.quick || durationMs < 10 * 60_000 ? 5_000 : 60_000
    const modes: SoakMode[] = ctx.args.soakOf === "both" ? ["full", "alone"] : [ctx.args.soakOf]
    const runs: SoakRun[] = []
    for (const mode of modes) runs.push(await soakOnce(ctx, mode, durationMs, sampleMs))
    const mb = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "n/a")
    const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)} %` : "n/a")
    return {
      title: "soak — Atlas's RSS over a following crawl (atlas main.ts in a child process)",
      tables: [
        {
          rows: runs.map((r) => ({
            run: r.mode === "full" ? "full (--sim: sim in-process, embedded ClickHouse)" : "alone (sim in its own process, no ClickHouse)",
            minutes: r.minutes.toFixed(1),
            "warm-up s": Math.round(r.warmupMs / 1000),
            "RSS at warm-up MB": mb(r.atWarmupMb),
            "after it MB": `${mb(r.lowestAfterWarmupMb)}–${mb(r.peakAfterWarmupMb)}`,
            "last MB": mb(r.lastMb),
            "last anon / files MB": r.split.length > 0 ? `${r.split.at(-1)![1]} / ${r.split.at(-1)![2]}` : "n/a",
            "**growth**": `**${pct(r.growth)}**`,
            "**growth of peaks**": `**${pct(r.peakGrowth)}**`,
            band: pct(r.band),
            "crest ÷ warm-up sample (samples / peaks)": `${pct(r.crest)} / ${pct(r.peakCrest)}`,
            "raids stored": r.raidsStored,
            cores: r.cores.toFixed(2),
            exit: String(r.exitCode),
          })),
        },
      ],
      result: { runs },
      notes: [
        ...runs.flatMap((r) => [
          checkTarget(
            "soakGrowthPercent",
            r.growth * 100,
            `${r.mode}, median of the last third ÷ the first third's, instantaneous samples, after a ${Math.round(r.warmupMs / 1000)} s warm-up`,
          ),
          checkTarget(
            "soakGrowthPercent",
            r.peakGrowth * 100,
            `${r.mode}, the same on each interval's peak, after a ${Math.round(r.warmupMs / 1000)} s warm-up`,
          ),
        ]),
        ...runs.map((r) => `${r.mode} samples (s:MB): ${r.samples.map(([at, m]) => `${at}:${m}`).join(" ")}`),
        ...runs.map((r) => `${r.mode} interval peaks (s:MB): ${r.peaks.map(([at, m]) => `${at}:${m}`).join(" ")}`),
        ...(durationMs < WARMUP_MS * 1.5 ? ["a short run: its warm-up is a third of it, not 5 minutes; quote the 30-minute run"] : []),
      ],
    }
  },
}
