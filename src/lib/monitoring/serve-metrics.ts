/**
 * The tiny HTTP endpoint every long-running app exposes: GET /metrics (Prometheus text) and
 * GET /healthz (JSON; 200 when healthy, 503 otherwise), plus any GET routes an app adds (atlas's
 * /status). Port 0 picks a free port (tests).
 */
import { Registry } from "prom-client"

export interface HealthReport {
  ok: boolean
  [detail: string]: unknown
}

export interface ServeMetricsOptions {
  port: number
  hostname?: string
  /** A registry, or anything producing Prometheus text (e.g. a WorkerMetricsAggregator). */
  registry: Registry | { metrics(): Promise<string>; readonly contentType?: string }
  health: () => HealthReport | Promise<HealthReport>
  /** More GET routes by exact path (e.g. "/status"); /metrics and /healthz cannot be replaced. */
  routes?: Readonly<Record<string, () => Response | Promise<Response>>>
}

export interface MetricsServer {
  readonly port: number
  readonly url: string
  stop(): Promise<void>
}

export function serveMetrics(options: ServeMetricsOptions): MetricsServer {
  const contentType =
    (options.registry instanceof Registry ? options.registry.contentType : options.registry.contentType) ?? Registry.PROMETHEUS_CONTENT_TYPE
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    async fetch(request) {
      const path = new URL(request.url).pathname
      if (request.method !== "GET") return new Response("method not allowed\n", { status: 405 })
      try {
        if (path === "/metrics") return new Response(await options.registry.metrics(), { headers: { "content-type": contentType } })
        if (path === "/healthz") {
          const report = await options.health()
          return Response.json(report, { status: report.ok ? 200 : 503 })
        }
        const route = options.routes && Object.hasOwn(options.routes, path) ? options.routes[path] : undefined
        if (route) return await route()
      } catch (error) {
        return Response.json({ ok: false, error: String(error) }, { status: 500 })
      }
      return new Response("not found\n", { status: 404 })
    },
  })
  const port = server.port ?? options.port
  return {
    port,
    url: `http://${options.hostname === undefined || options.hostname === "0.0.0.0" ? "127.0.0.1" : options.hostname}:${port}`,
    async stop() {
      await server.stop(true)
    },
  }
}
