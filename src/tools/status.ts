/**
 * `bun run tool status [--url URL | --prometheus URL] [--json]`: the crawler's state for people,
 * as a table (or JSON): atlas's own `GET /status`, or the same report rebuilt from Prometheus the
 * way the public RaidHub status page reads it (its exact lag query; points at or under 2.5 s
 * dropped; offline when the newest is 30 s old).
 *
 * Exit codes: 0 the crawler is online, 1 it reads as offline (no recent lag point), 2 bad usage
 * or atlas / Prometheus unreachable (one line).
 */

import {
  type AtlasStatusReport,
  buildStatusReport,
  judgeBungie,
  PUBLIC_PAGE_LAG_READING,
  PUBLIC_PAGE_STEP_MS,
  PUBLIC_PAGE_WINDOW_MS,
} from "../apps/atlas/coordinator/status-report.ts"
import { PUBLIC_STATUS_LAG_QUERY } from "../apps/atlas/shared/crawl-summary.ts"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { ATLAS_KEYS } from "../lib/config/keys-atlas.ts"
import { ServiceUnavailableError } from "../lib/runtime/wait-for-service.ts"
import { PrometheusQueryError, queryInstant, queryRange } from "./prometheus-api.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "status"
const DEFAULT_ATLAS_URL = `http://127.0.0.1:${ATLAS_KEYS.ATLAS_METRICS_PORT.default}`
const TIMEOUT_MS = 10_000

const STATUS_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} [--url URL | --prometheus URL] [--json]`,
  summary:
    "Prints the crawler's state: completion lag p50 over the last 5 minutes, caught up or the catch-up time, 404 share, Bungie's " +
    "availability, low-water mark and frontier estimate. From atlas's GET /status (--url), or rebuilt from Prometheus (--prometheus) " +
    "the way the public RaidHub status page reads it. Exit 0 online, 1 offline (no recent lag), 2 unreachable.",
  sections: [],
  flags: {
    url: {
      type: "url",
      default: DEFAULT_ATLAS_URL,
      protocols: ["http:", "https:"],
      description: "Atlas's metrics address (it serves /status).",
    },
    prometheus: {
      type: "url",
      default: null,
      protocols: ["http:", "https:"],
      description: "Read from this Prometheus instead of atlas (e.g. http://127.0.0.1:9090).",
    },
    json: { type: "boolean", default: false, description: "Print the report as JSON instead of a table." },
  },
  notes:
    "Examples:\n  bun run tool status\n  bun run tool status --url http://atlas:8080\n  bun run tool status --prometheus http://127.0.0.1:9090 --json",
} as const satisfies CommandSpec

function unreachable(what: string, url: string, flag: string, error: unknown): ServiceUnavailableError {
  const reason = error instanceof Error ? error.message : String(error)
  return new ServiceUnavailableError(what, url, flag, reason, `cannot read ${what} at ${url} (${reason}); check ${flag}`)
}

/** Atlas's own report. */
export async function fetchAtlasStatus(url: string): Promise<AtlasStatusReport> {
  const target = new URL("status", url.endsWith("/") ? url : `${url}/`).toString()
  let response: Response
  try {
    response = await fetch(target, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    throw unreachable("atlas", target, "--url", error)
  }
  if (!response.ok) throw unreachable("atlas", target, "--url", new Error(`HTTP ${response.status}`))
  return (await response.json()) as AtlasStatusReport
}

const toBigint = (value: string | undefined): bigint | null => (value !== undefined && /^\d+$/.test(value) ? BigInt(value) : null)
const toNumber = (value: string | undefined): number | null => {
  const n = value === undefined ? Number.NaN : Number(value)
  return Number.isFinite(n) ? n : null
}

/** The report rebuilt from Prometheus, lag read as the public status page reads it. */
export async function readPrometheusStatus(base: string, now = Date.now()): Promise<AtlasStatusReport> {
  const one = async (query: string) => (await queryInstant(base, query, TIMEOUT_MS))[0]?.value
  const byLabel = async (query: string, label: string) =>
    Object.fromEntries((await queryInstant(base, query, TIMEOUT_MS)).map((s) => [s.labels[label] ?? "", Number(s.value)]))
  try {
    const endS = Math.floor(now / 1000)
    const [range, share404, lowWater, frontier, resolved, paused, throttles, results] = await Promise.all([
      queryRange(base, PUBLIC_STATUS_LAG_QUERY, endS - PUBLIC_PAGE_WINDOW_MS / 1000, endS, PUBLIC_PAGE_STEP_MS / 1000, TIMEOUT_MS),
      one("max(atlas_404_share)"),
      one("max(atlas_low_water_mark)"),
      one("max(atlas_frontier_estimate)"),
      one("sum(rate(atlas_resolved_ids_total[1m]))"),
      one("max(atlas_limiter_paused)"),
      byLabel("sum by (kind) (increase(atlas_throttles_total[1m]))", "kind"),
      byLabel("sum by (result) (increase(atlas_pgcr_requests_total[1m]))", "result"),
    ])
    const lagPoints = (range[0]?.values ?? [])
      .map(([t, v]) => ({ at: t * 1000, p50Seconds: Number(v) }))
      .filter((p) => Number.isFinite(p.p50Seconds))
    const pauseReason = toNumber(paused) === 1 ? ((throttles.disabled ?? 0) > 0 ? "disabled" : "serverThrottled") : "none"
    return buildStatusReport({
      crawler: "atlas",
      source: "prometheus",
      now,
      lagPoints,
      lagWindowMs: PUBLIC_PAGE_WINDOW_MS,
      lagOptions: PUBLIC_PAGE_LAG_READING,
      share404: toNumber(share404),
      bungie: judgeBungie(pauseReason, results),
      lowWaterMark: toBigint(lowWater),
      frontierEstimate: toBigint(frontier),
      resolvedPerSecond: toNumber(resolved),
    })
  } catch (error) {
    if (error instanceof PrometheusQueryError) throw new UsageError(`Prometheus refused a query: ${error.message}`)
    throw unreachable("Prometheus", base, "--prometheus", error)
  }
}

const round = (n: number, digits: number) => (Math.round(n * 10 ** digits) / 10 ** digits).toString()

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${round(seconds, 1)} s`
  if (seconds < 7200) return `${round(seconds / 60, 1)} min`
  return `${round(seconds / 3600, 1)} h`
}

function describeState(r: AtlasStatusReport): string {
  if (!r.online) return "offline (no PGCR resolved recently)"
  if (r.caughtUp) return "caught up"
  if (r.catchUpEtaSeconds !== null) return `behind, caught up in about ${formatDuration(r.catchUpEtaSeconds)}`
  return "behind, not catching up"
}

/** The report as aligned "name  value" lines. */
export function renderStatusTable(r: AtlasStatusReport, from: string): string {
  const lag = r.lag
  const rows: [string, string][] = [
    ["crawler", r.crawler],
    ["from", `${r.source} (${from})`],
    ["state", describeState(r)],
    [
      "lag p50",
      lag.p50Seconds === null
        ? "-"
        : `${formatDuration(lag.p50Seconds)} (last ${Math.round(lag.windowSeconds / 60)} min, ${lag.points} points` +
          (lag.trendSecondsPerMinute === null ? ")" : `, trend ${round(lag.trendSecondsPerMinute, 1)} s/min)`),
    ],
    ["404 share", r.share404 === null ? "-" : `${round(r.share404 * 100, 2)} %`],
    ["bungie", r.bungie],
    ["low-water mark", r.lowWaterMark ?? "-"],
    ["frontier estimate", r.frontierEstimate ?? "-"],
    ["behind", r.behindIds === null ? "-" : `${r.behindIds} ids`],
    ["resolved", r.resolvedPerSecond === null ? "-" : `${round(r.resolvedPerSecond, 1)} ids/s`],
    ["generated at", r.generatedAt],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")
}

async function main({ flags }: CommandLine<typeof STATUS_COMMAND>, io: ToolIo): Promise<number> {
  const fromPrometheus = flags.prometheus !== null
  if (fromPrometheus && flags.url !== DEFAULT_ATLAS_URL) throw new UsageError("give --url or --prometheus, not both")
  const from = flags.prometheus ?? flags.url
  const report = fromPrometheus ? await readPrometheusStatus(from) : await fetchAtlasStatus(from)
  io.out(flags.json ? JSON.stringify(report, null, 2) : renderStatusTable(report, from))
  return report.online ? 0 : 1
}

export const tool: Tool = {
  name: NAME,
  description: "Print the crawler's status (lag, caught up or ETA, 404 share, Bungie, low-water mark) from atlas or Prometheus.",
  usage: renderHelp(STATUS_COMMAND),
  run: (argv, io) => runCommand(STATUS_COMMAND, (cli) => main(cli, io), toCommandIo(argv, io)),
}
