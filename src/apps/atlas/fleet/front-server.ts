/**
 * A --fleet process's one metrics port. Each leased range runs as its own bounded crawl with its
 * own metrics server (on a private free port); Prometheus and the status page must see one stable
 * address across ranges, so this server stays up for the whole process and forwards /metrics,
 * /healthz and /status to the range crawling now. Between two ranges (a second or two) it answers
 * from the last good scrape and the fleet's own view, so a scrape never fails on a hand-over.
 */
import { type MetricsServer, serveMetrics } from "../../../lib/monitoring/serve-metrics.ts"

export interface FleetFrontOptions {
  port: number
  /** Base URL of the running range's metrics server, or null between ranges. */
  current(): string | null
  /** The fleet's view (leases, leader, low-water mark), merged into /status and /healthz. */
  fleetStatus(): unknown
  /** Per forwarded request (a stuck range server must not stall a scrape). */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 5_000

export function serveFleetFront(o: FleetFrontOptions): MetricsServer {
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let lastMetrics = ""

  async function forward(path: string): Promise<globalThis.Response | null> {
    const base = o.current()
    if (base === null) return null
    try {
      return await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) })
    } catch {
      // The range is stopping (its server went away mid-request): answer as between ranges.
      return null
    }
  }

  return serveMetrics({
    port: o.port,
    registry: {
      async metrics() {
        const answer = await forward("/metrics")
        if (answer?.ok) lastMetrics = await answer.text()
        return lastMetrics
      },
    },
    async health() {
      const answer = await forward("/healthz")
      if (answer) return { ...((await answer.json()) as { ok: boolean }), fleet: o.fleetStatus() }
      return { ok: true, betweenRanges: true, fleet: o.fleetStatus() }
    },
    routes: {
      "/status": async () => {
        const answer = await forward("/status")
        if (answer?.ok) return Response.json(await answer.json())
        return Response.json({ betweenRanges: true, fleet: o.fleetStatus() })
      },
    },
  })
}
