// startSim(): builds the world from the fixtures and serves it with Bun.serve.
// Pipeline per request: edge (User-Agent, Cloudflare challenge) → API key → per-IP throttle →
// maintenance → game-server/gateway faults → handler → body damage → latency → stats.
import { createControls, normaliseLatency, type SimControls } from "./controls.ts"
import { handleAdmin } from "./endpoint-admin.ts"
import type { RequestContext } from "./endpoint-context.ts"
import { serveManifestContent } from "./endpoint-manifest.ts"
import { type ApiResult, ERRORS, renderError, renderSuccess } from "./envelope.ts"
import { FaultInjector, type PostFault } from "./failures.ts"
import { loadFixtures } from "./fixtures.ts"
import { renderCloudflareBlock, renderCloudflareChallenge, renderGatewayError } from "./html-pages.ts"
import { estimateIdDateMs } from "./id-dating.ts"
import { createDefaultConfig, type DeepPartial, type LatencyOptions, mergeConfig, parseIdOption, type SimConfig } from "./options.ts"
import { normaliseSeed } from "./random.ts"
import { matchRoute } from "./router.ts"
import { isScenarioName, SCENARIO_NAMES, SCENARIOS, type ScenarioName } from "./scenarios.ts"
import { SimState } from "./state.ts"
import { SimStats } from "./stats.ts"
import { SourceThrottle } from "./throttle.ts"
import { createTruth, type SimTruth } from "./truth.ts"

export interface SimOptions extends Omit<DeepPartial<SimConfig>, "seed" | "latency" | "world"> {
  /** Number or any string; the same seed gives the same world, byte for byte. */
  seed?: number | string
  /** Named preset applied before the other options (default "realistic"). */
  scenario?: ScenarioName
  /** `0` = no latency (benchmarks). */
  latency?: LatencyOptions | 0
  world?: Omit<DeepPartial<SimConfig["world"]>, "startId"> & { startId?: bigint | number | string }
  /** Clock override (ms epoch), for tests that need to move time by hand. */
  now?: () => number
  /**
   * Called for every PGCR request with the id as requested, what it was answered ("ok" for an
   * undamaged PGCR, "damaged", an error status such as "DestinyPGCRNotFound", or a raw page's
   * label) and the sim clock: tests count which ids a crawler fetched, and how often.
   */
  onPgcrRequest?: (id: string, answer: string, at: number) => void
}

export interface SimHandle {
  url: string
  port: number
  host: string
  config: SimConfig
  controls: SimControls
  truth: SimTruth
  stop(): Promise<void>
}

export function resolveConfig(options: SimOptions = {}): SimConfig {
  const scenario = options.scenario ?? "realistic"
  if (!isScenarioName(scenario)) throw new Error(`sim: unknown scenario '${scenario}' (known: ${SCENARIO_NAMES.join(", ")})`)
  const { scenario: _s, seed, latency, world, now: _n, onPgcrRequest: _p, ...rest } = options
  let config = mergeConfig<SimConfig>(createDefaultConfig(), SCENARIOS[scenario])
  // A start id without an epoch keeps its old meaning: the first id created after the sim starts.
  if (world?.startId !== undefined && world.epochMs == null && world.continuous === undefined) config.world.continuous = false
  const worldPatch = world
    ? { ...world, startId: world.startId === undefined ? undefined : parseIdOption("world.startId", world.startId) }
    : undefined
  config = mergeConfig<SimConfig>(config, { ...rest, world: worldPatch } as DeepPartial<SimConfig>)
  if (seed !== undefined) config.seed = normaliseSeed(seed)
  const lat = normaliseLatency(latency)
  if (lat) config.latency = lat
  if (config.floodgates.fromId !== null) config.floodgates.fromId = parseIdOption("floodgates.fromId", config.floodgates.fromId)
  return structuredClone(config)
}

function normaliseAddress(address: string | undefined): string {
  if (!address) return "unknown"
  return address.startsWith("::ffff:") ? address.slice(7) : address
}

/**
 * When world.startId is created: the epoch if given; else, for a continuous world, the date the
 * real id/date table gives that id (a fixed time, so restarts find the same world); else now.
 */
export function resolveAnchorMs(config: SimConfig, startMs: number): number {
  const w = config.world
  const anchor = w.epochMs ?? (w.continuous ? Math.floor(estimateIdDateMs(Number(w.startId)) / 1000) * 1000 : startMs)
  if (anchor > startMs + 1_000) {
    throw new Error(
      `sim: the world's epoch ${new Date(anchor).toISOString()} (when world.startId ${w.startId} is created) lies after the clock ` +
        `${new Date(startMs).toISOString()}; pass world.epochMs, a lower world.startId, or world.continuous: false`,
    )
  }
  return anchor
}

export async function startSim(options: SimOptions = {}): Promise<SimHandle> {
  const config = resolveConfig(options)
  const now = options.now ?? Date.now
  const fixtures = loadFixtures(config.fixturesDir)
  const startMs = now()
  const state = new SimState(config, fixtures, startMs, resolveAnchorMs(config, startMs))
  const history = state.history
  const stats = new SimStats()
  const throttle = new SourceThrottle(config.throttle)
  const faults = new FaultInjector(config.failures, config.latency, config.seed)
  const onChange = () => {
    throttle.options = config.throttle
    faults.failures = config.failures
    faults.latency = config.latency
  }
  const truth = createTruth(state, stats, now)
  const controls = createControls(state, now, onChange, () => stats.reset())

  const respond = async (req: Request, source: string): Promise<Response> => {
    const t = now()
    const url = new URL(req.url)
    if (url.pathname.startsWith("/__sim/")) return handleAdmin(req, url, { state, truth, stats, onChange, now })
    const content = url.pathname.startsWith("/common/") ? serveManifestContent(state, url.pathname) : null
    if (content) return finish(content, "content", source, null, 0)
    const match = matchRoute(url.pathname)
    if (!match) {
      stats.record(source, "unknown", 404, null, "noRoute")
      return new Response("<html><body><h1>404 Not Found</h1></body></html>", { status: 404, headers: { "content-type": "text/html" } })
    }
    const endpoint = match.route.name
    const delay = faults.pickDelayMs()
    const onPgcr = endpoint === "pgcr" ? options.onPgcrRequest : undefined
    const answer = (result: ApiResult, fault: string | null = null, post: PostFault | null = null) => {
      if (onPgcr) {
        const label = result.kind === "ok" ? (post ? "damaged" : "ok") : result.kind === "error" ? result.status : result.label
        onPgcr(match.params[0] ?? "", label, t)
      }
      return finish(result, endpoint, source, fault ?? (delay.slow ? "slow" : null), delay.ms, post)
    }

    if (config.strictUserAgent && !req.headers.get("user-agent")) {
      return answer(
        {
          kind: "raw",
          httpStatus: 403,
          body: renderCloudflareBlock(Math.floor(faults.next() * 2 ** 32)),
          contentType: "text/html; charset=UTF-8",
          label: "cloudflareBlock",
        },
        "cloudflareBlock",
      )
    }
    const pre = faults.pickPreFault()
    if (pre === "cloudflareChallenge") {
      return answer(
        {
          kind: "raw",
          httpStatus: 403,
          body: renderCloudflareChallenge(Math.floor(faults.next() * 2 ** 32)),
          contentType: "text/html; charset=UTF-8",
          label: pre,
        },
        pre,
      )
    }
    if (config.requireApiKey && !req.headers.get("x-api-key")) return answer({ kind: "error", status: "ApiKeyMissingFromRequest" })
    if (throttle.hit(source, t)) {
      return answer({
        kind: "error",
        status: "PerEndpointRequestThrottleExceeded",
        throttleSeconds: config.throttle.throttleSeconds,
        messageData: { MaximumRequestsPerSecond: String(config.throttle.limitPerSecond) },
      })
    }
    if (state.disabledSystem(match.route.systems, t) !== null) return answer({ kind: "error", status: "SystemDisabled" })
    if (pre === "gameServerThrottle") return answer({ kind: "error", status: "DestinyThrottledByGameServer" }, pre)
    if (pre === "http500" || pre === "http502") {
      const status = pre === "http500" ? 500 : 502
      return answer({ kind: "raw", httpStatus: status, body: renderGatewayError(status), contentType: "text/html", label: pre }, pre)
    }
    const ctx: RequestContext = { state, history, nowMs: t, url, params: match.params }
    const result = await match.route.handler(ctx)
    const post = result.kind === "ok" ? faults.pickPostFault() : null
    return answer(result, post, post)
  }

  const finish = async (
    result: ApiResult,
    endpoint: string,
    source: string,
    fault: string | null,
    delayMs: number,
    post: PostFault | null = null,
  ): Promise<Response> => {
    let status: number
    let body: string | Uint8Array
    let contentType = "application/json; charset=utf-8"
    let errorCode: number | null = null
    if (result.kind === "ok") {
      status = 200
      errorCode = 1
      body = renderSuccess(result.json)
      if (post) body = faults.damage(body, post)
    } else if (result.kind === "error") {
      errorCode = ERRORS[result.status].code
      status = config.statusByCode[errorCode] ?? 500
      body = renderError(result.status, result.messageData, result.throttleSeconds ?? 0, result.message)
    } else {
      status = result.httpStatus
      body = result.body
      contentType = result.contentType
    }
    if (delayMs > 0) await Bun.sleep(delayMs)
    stats.record(source, endpoint, status, errorCode, fault)
    return new Response(body, { status, headers: { "content-type": contentType } })
  }

  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    idleTimeout: 60,
    fetch: (req, srv) => respond(req, normaliseAddress(srv.requestIP(req)?.address)),
  })
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host
  const port = server.port ?? config.port
  config.port = port
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    host: config.host,
    config,
    controls,
    truth,
    stop: async () => {
      await server.stop(true)
    },
  }
}
