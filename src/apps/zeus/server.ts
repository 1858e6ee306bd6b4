/**
 * Zeus: the Bungie egress proxy every process shares. `startZeus()` wires it and is what
 * main.ts (the CLI), the tests and the bench run.
 *
 *   caller ──GET /Platform/...──▶ admission (allowed networks, Bungie path, method)
 *        ──▶ fair queue by caller tag ──▶ dispatcher ◀── shared adaptive limiter (per source address)
 *        ──▶ egress from the permit's address ──▶ Bungie (stats host for PGCRs, www for the rest)
 *   answer: streamed back (2xx), or read, classified for the limiter and relayed (errors);
 *           a per-address throttle is sent again from another address before it reaches a caller.
 *
 * Settings are served outside the queue (settings-cache.ts); zeus's own availability watch
 * polls them while Bungie is in maintenance and lifts the limiter's pause when it is back.
 */
import { pipeline, type Readable } from "node:stream"
import { Registry } from "prom-client"
import { watchAvailability } from "../../lib/bungie/availability.ts"
import { classifyResponse } from "../../lib/bungie/classify.ts"
import { buildUserAgent } from "../../lib/bungie/client.ts"
import { decodeBody } from "../../lib/bungie/envelope.ts"
import { toLimiterOutcome } from "../../lib/bungie/limiter-outcome.ts"
import { ZEUS_ADDRESS_HEADER, ZEUS_CLIENT_HEADER, ZEUS_DEADLINE_HEADER, ZEUS_WAIT_HEADER } from "../../lib/bungie/zeus-protocol.ts"
import { type Logger, registerSecret } from "../../lib/monitoring/logger.ts"
import { startProcessMetrics } from "../../lib/monitoring/process-metrics.ts"
import { type MetricsServer, serveMetrics } from "../../lib/monitoring/serve-metrics.ts"
import { createSharedLimiter, type Limiter, type LimiterOptions, type Permit } from "../../lib/ratelimit/index.ts"
import { findClientWeight, readClientTag } from "./client-weights.ts"
import { Dispatcher } from "./dispatcher.ts"
import { createDecoder, createEgress, decodeWhole, type EgressResponse, readBody, toWebStream } from "./egress.ts"
import { type ClientStats, FairQueue, type QueueEntry } from "./fair-queue.ts"
import { buildDownstreamHeaders, buildUpstreamHeaders, mustDecode } from "./headers.ts"
import { buildLocalAnswer, buildRefusal, type LocalAnswer } from "./local-answers.ts"
import { createNetworkFilter, type NetworkRule } from "./networks.ts"
import { type EndpointType, type Route, routeRequest } from "./routing.ts"
import { createSettingsCache } from "./settings-cache.ts"
import { registerZeusMetrics, type ZeusMetrics } from "./zeus-metrics.ts"

export interface ZeusOptions {
  /** Proxy port; 0 = any free port. */
  port: number
  /** Address the proxy listens on (default 0.0.0.0); who may use it is `allowedNetworks`. */
  listenAddress?: string
  /** Metrics and health port; null = none; 0 = any free port. */
  metricsPort: number | null
  /** Stats host (PGCRs), e.g. https://stats.bungie.net. */
  statsBaseUrl: string
  /** www host (everything else). */
  wwwBaseUrl: string
  apiKey: string
  /** Goes into the User-Agent sent to Bungie. */
  contact?: string
  /** Local addresses to send from, one adaptive bucket each; empty = the default route. */
  sourceAddresses: readonly string[]
  allowedNetworks: readonly NetworkRule[]
  queueDeadlineMs: number
  maxQueue: number
  maxConcurrency: number
  upstreamTimeoutMs: number
  throttleRetries: number
  clientWeights?: ReadonlyMap<string, number>
  log: Logger
  /** Limiter tuning (tests, bench); addresses and maxConcurrency come from the options above. */
  limiterOptions?: Partial<LimiterOptions>
  /** How long one Settings answer serves every caller (default 1 s). */
  settingsTtlMs?: number
  /** Settings polling while paused for maintenance (default 5 s). */
  availabilityIntervalMs?: number
}

export interface ZeusHandle {
  url: string
  port: number
  metricsUrl: string | null
  limiter: Limiter
  /** Per-caller counters of the fair queue (dispatch decisions, timeouts, drops). */
  queueStats(): ClientStats[]
  /** Stops taking requests, answers the queue ZeusShuttingDown, lets in-flight exchanges finish (bounded). */
  stop(drainMs?: number): Promise<void>
}

interface ProxyJob {
  route: Route
  method: string
  headers: Record<string, string>
  body: Uint8Array | null
  acceptEncoding: string | null
  client: string
  receivedAt: number
  dispatchedAt: number
  respond: (response: Response) => void
}

const METHODS = new Set(["GET", "HEAD", "POST"])
/** Bungie's POST bodies are small JSON documents. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024
/** Error answers are small; a bigger non-2xx body is cut and relayed as an upstream error. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024
const DEFAULT_DRAIN_MS = 10_000
/**
 * Zeus's tuning of the shared limiter (atlas keeps the module's defaults). A throttle pauses an
 * address for ThrottleSeconds (10 s) and every caller waits; the default plateau sits 0.5 % under
 * the learned limit, within the timing jitter of a proxied request, and throttles kept coming back.
 * 2 % under it costs a little rate and spares the pauses (bench zeus; bench/README.md).
 */
export const ZEUS_LIMITER_DEFAULTS: Partial<LimiterOptions> = { plateauMargin: 0.02 }
/** One log line per event kind per this interval (a throttle storm must not flood the log). */
const LOG_EVERY_MS = 10_000

export async function startZeus(o: ZeusOptions): Promise<ZeusHandle> {
  registerSecret(o.apiKey)
  const log = o.log
  const egress = createEgress({ sourceAddresses: o.sourceAddresses, timeoutMs: o.upstreamTimeoutMs, apiKey: o.apiKey })
  const addressNames = egress.addressNames
  const { limiter } = createSharedLimiter({
    ...ZEUS_LIMITER_DEFAULTS,
    maxConcurrency: o.maxConcurrency,
    initialConcurrency: Math.min(16, o.maxConcurrency),
    ...o.limiterOptions,
    addresses: addressNames.length,
  })
  const now = () => limiter.now()
  const weights = o.clientWeights ?? new Map<string, number>()
  const queue = new FairQueue<ProxyJob>({ maxQueued: o.maxQueue, weightOf: (client) => findClientWeight(weights, client) })
  const registry = new Registry()
  const metrics = registerZeusMetrics(registry)
  const processMetrics = startProcessMetrics({ registry })
  const allowed = createNetworkFilter(o.allowedNetworks)
  const identity = { apiKey: o.apiKey, userAgent: buildUserAgent(o.contact) }
  const bases = { stats: o.statsBaseUrl, www: o.wwwBaseUrl }
  const logSometimes = createSampledLog(log, now)
  let stopping = false
  let inFlight = 0

  const settingsRoute = routeRequest("/Platform/Settings/", bases)!
  const settings = createSettingsCache({
    egress,
    url: settingsRoute.url,
    headers: buildUpstreamHeaders(new Headers({ accept: "application/json" }), identity),
    ttlMs: o.settingsTtlMs ?? 1_000,
    now,
  })

  const answerLocally = (job: ProxyJob, answer: LocalAnswer, details: Record<string, string> = {}) => {
    metrics.localAnswers.inc({ endpoint_type: job.route.endpointType, reason: answer })
    job.respond(buildLocalAnswer(answer, details, job.method))
  }

  const dispatcher: Dispatcher<ProxyJob> = new Dispatcher<ProxyJob>({
    limiter,
    queue,
    now,
    hooks: {
      dispatch(entry, permit) {
        metrics.clientDispatched.inc({ client: entry.client })
        entry.item.dispatchedAt = now()
        inFlight++
        exchange(entry, permit)
          .catch((error: unknown) => {
            // A bug, not Bungie: the permit goes back and the caller gets an answer anyway.
            log.error("zeus.exchange_failed", { error })
            permit.release({ kind: "transient", latencyMs: Number.NaN })
            answerLocally(entry.item, "ZeusUpstreamError", { Reason: "internal error" })
          })
          .finally(() => {
            inFlight--
            dispatcher.pump()
          })
      },
      expired(entry) {
        const waited = Math.round(now() - entry.item.receivedAt)
        answerLocally(entry.item, "ZeusQueueTimeout", { QueueWaitMs: String(waited), Client: entry.client })
      },
      dropped(entry, reason) {
        if (reason === "full") answerLocally(entry.item, "ZeusQueueFull", { Client: entry.client })
        else if (reason === "disabled") answerLocally(entry.item, "SystemDisabled")
        else answerLocally(entry.item, "ZeusShuttingDown")
      },
    },
  })

  /** One attempt for one queued request under one permit. */
  async function exchange(entry: QueueEntry<ProxyJob>, permit: Permit): Promise<void> {
    const job = entry.item
    const address = addressNames[permit.addressIndex] ?? String(permit.addressIndex)
    const outcome = await egress.send(permit.addressIndex, { method: job.method, url: job.route.url, headers: job.headers, body: job.body })
    if (outcome.kind === "networkError") {
      permit.release({ kind: "transient", latencyMs: outcome.latencyMs })
      metrics.requests.inc({ endpoint_type: job.route.endpointType, status: "0" })
      metrics.outcomes.inc({ address, outcome: "transient" })
      logSometimes("zeus.upstream_error", { address, code: outcome.code, message: outcome.message })
      answerLocally(job, "ZeusUpstreamError", { Reason: `${outcome.code}: ${outcome.message}` })
      return
    }
    metrics.requests.inc({ endpoint_type: job.route.endpointType, status: String(outcome.status) })
    if (isStreamable(outcome)) {
      forwardStreaming(job, outcome, permit, address)
      await outcome.done
      return
    }
    const raw = await readBody(outcome.body, MAX_BUFFERED_BYTES)
    const { totalMs } = await outcome.done
    if (raw instanceof Error) {
      permit.release({ kind: "transient", latencyMs: totalMs })
      metrics.outcomes.inc({ address, outcome: "transient" })
      answerLocally(job, "ZeusUpstreamError", { Reason: raw.message })
      return
    }
    const encoding = outcome.headers["content-encoding"]
    const decoded = decodeWhole(raw, encoding)
    const result = classifyResponse({
      status: outcome.status,
      retryAfter: headerValue(outcome.headers["retry-after"]),
      body: decodeBody(headerValue(outcome.headers["content-type"]), decoded instanceof Error ? raw : decoded),
      latencyMs: totalMs,
    })
    const told = toLimiterOutcome(result)
    permit.release(told)
    metrics.outcomes.inc({ address, outcome: told.kind })
    if (told.kind !== "ok" && told.kind !== "notFound") {
      logSometimes(`zeus.bungie.${told.kind}`, { address, status: outcome.status, errorCode: result.meta.errorCode })
    }
    // A per-address throttle is ours to absorb: another address may well have room.
    if (told.kind === "throttled" && entry.dispatches <= o.throttleRetries && now() < entry.deadlineAt && !stopping) {
      metrics.throttleRetries.inc({ address })
      dispatcher.requeue(entry)
      return
    }
    const decode = mustDecode(encoding, job.acceptEncoding) && !(decoded instanceof Error)
    const headers = buildDownstreamHeaders(outcome.headers, { decoded: decode, apiKey: o.apiKey })
    markForwarded(headers, job, permit)
    observeForwarded(job)
    job.respond(new Response(job.method === "HEAD" ? null : decode ? (decoded as Uint8Array) : raw, { status: outcome.status, headers }))
  }

  function forwardStreaming(job: ProxyJob, response: EgressResponse, permit: Permit, address: string): void {
    const encoding = response.headers["content-encoding"]
    const decoder = mustDecode(encoding, job.acceptEncoding) ? createDecoder(encoding) : null
    const headers = buildDownstreamHeaders(response.headers, { decoded: decoder !== null, apiKey: o.apiKey })
    markForwarded(headers, job, permit)
    void response.done.then(({ ok, totalMs }) => {
      const kind = ok ? "ok" : "transient"
      permit.release({ kind, latencyMs: totalMs })
      metrics.outcomes.inc({ address, outcome: kind })
    })
    let body: Readable = response.body
    if (decoder !== null) {
      body = decoder
      pipeline(response.body, decoder, () => {})
    }
    observeForwarded(job)
    if (job.method === "HEAD") {
      response.body.resume()
      job.respond(new Response(null, { status: response.status, headers }))
    } else job.respond(new Response(toWebStream(body), { status: response.status, headers }))
  }

  function markForwarded(headers: Headers, job: ProxyJob, permit: Permit): void {
    headers.set(ZEUS_ADDRESS_HEADER, String(permit.addressIndex))
    headers.set(ZEUS_WAIT_HEADER, String(Math.round(job.dispatchedAt - job.receivedAt)))
  }

  function observeForwarded(job: ProxyJob): void {
    const endpoint_type: EndpointType = job.route.endpointType
    metrics.limiterWait.observe({ endpoint_type }, job.dispatchedAt - job.receivedAt)
    metrics.duration.observe({ endpoint_type }, now() - job.receivedAt)
  }

  async function serveSettings(request: Request): Promise<Response> {
    const { answer, fromCache } = await settings.get()
    metrics.settings.inc({ source: fromCache ? "cache" : "upstream" })
    if (answer.kind === "networkError") {
      return buildLocalAnswer("ZeusUpstreamError", { Reason: `${answer.code}: ${answer.message}` }, request.method)
    }
    const encoding = answer.headers["content-encoding"]
    const decoded = mustDecode(encoding, request.headers.get("accept-encoding")) ? decodeWhole(answer.body, encoding) : null
    const usable = decoded instanceof Error ? null : decoded
    const headers = buildDownstreamHeaders(answer.headers, { decoded: usable !== null, apiKey: o.apiKey })
    return new Response(request.method === "HEAD" ? null : (usable ?? answer.body), { status: answer.status, headers })
  }

  async function handle(request: Request, peer: string | undefined): Promise<Response> {
    if (!allowed(peer)) {
      metrics.refused.inc({ reason: "network" })
      logSometimes("zeus.refused", { peer: peer ?? null })
      return buildRefusal(403, `${peer ?? "an unknown address"} is not in ZEUS_ALLOWED_NETWORKS`)
    }
    const url = new URL(request.url)
    if (url.pathname === "/healthz") {
      const report = describeHealth()
      return Response.json(report, { status: report.ok ? 200 : 503 })
    }
    const route = routeRequest(url.pathname + url.search, bases)
    if (route === null) {
      metrics.refused.inc({ reason: "path" })
      return buildRefusal(404, "only Bungie paths (/Platform/..., /common/...) are forwarded")
    }
    if (!METHODS.has(request.method)) {
      metrics.refused.inc({ reason: "method" })
      return buildRefusal(405, `${request.method} is not forwarded (GET, HEAD, POST)`)
    }
    let body: Uint8Array | null = null
    if (request.method === "POST") {
      body = new Uint8Array(await request.arrayBuffer())
      if (body.byteLength > MAX_REQUEST_BODY_BYTES) {
        metrics.refused.inc({ reason: "size" })
        return buildRefusal(413, `request bodies are limited to ${MAX_REQUEST_BODY_BYTES} bytes`)
      }
    }
    if (stopping) return buildLocalAnswer("ZeusShuttingDown", {}, request.method)
    if (route.isSettings && request.method === "GET") return serveSettings(request)
    const client = readClientTag(request.headers.get(ZEUS_CLIENT_HEADER))
    const receivedAt = now()
    const job: ProxyJob = {
      route,
      method: request.method,
      headers: buildUpstreamHeaders(request.headers, identity),
      body,
      acceptEncoding: request.headers.get("accept-encoding"),
      client,
      receivedAt,
      dispatchedAt: receivedAt,
      respond: () => {},
    }
    const answered = new Promise<Response>((resolve) => {
      job.respond = resolve
    })
    const entry = dispatcher.submit(client, job, receivedAt + readDeadlineMs(request.headers.get(ZEUS_DEADLINE_HEADER), o.queueDeadlineMs))
    // A caller that gives up while waiting costs nothing: its request leaves the queue.
    if (entry !== null) request.signal.addEventListener("abort", () => dispatcher.cancel(entry), { once: true })
    return answered
  }

  function describeHealth() {
    const snapshot = limiter.snapshot()
    return {
      ok: !stopping,
      queued: queue.size,
      inFlight,
      pauseReason: snapshot.pauseReason,
      addresses: snapshot.addresses.map((a) => ({
        address: addressNames[a.index],
        ceiling: round(a.ceiling),
        learnedLimit: a.learnedLimit === null ? null : round(a.learnedLimit),
        rate: round(a.windowRate),
        paused: a.pausedUntil > snapshot.now,
      })),
    }
  }

  function refreshGauges(m: ZeusMetrics): void {
    const snapshot = limiter.snapshot()
    m.queueLength.set(queue.size)
    m.clientQueued.reset()
    for (const s of queue.stats()) if (s.queued > 0) m.clientQueued.set({ client: s.client }, s.queued)
    m.inFlight.set(snapshot.inFlight)
    m.concurrencyLimit.set(snapshot.concurrencyLimit)
    m.paused.reset()
    if (snapshot.pauseReason !== "none") m.paused.set({ reason: snapshot.pauseReason }, 1)
    m.addressLearnedLimit.reset()
    for (const a of snapshot.addresses) {
      const address = addressNames[a.index] ?? String(a.index)
      m.addressRate.set({ address }, a.windowRate)
      m.addressCeiling.set({ address }, a.ceiling)
      if (a.learnedLimit !== null) m.addressLearnedLimit.set({ address }, a.learnedLimit)
      m.addressPaused.set({ address }, a.pausedUntil > snapshot.now ? 1 : 0)
    }
  }

  const availability = watchAvailability({
    bungie: { limiter, getSettings: () => settings.getSettings() },
    log,
    app: "zeus",
    intervalMs: o.availabilityIntervalMs ?? 5_000,
  })

  const server = Bun.serve({
    hostname: o.listenAddress ?? "0.0.0.0",
    port: o.port,
    // Requests may wait in the queue up to their deadline plus the exchange: keep idle connections longer.
    idleTimeout: Math.min(255, Math.ceil((o.queueDeadlineMs + o.upstreamTimeoutMs) / 1000) + 10),
    fetch: (request, srv) => handle(request, srv.requestIP(request)?.address),
  })
  let metricsServer: MetricsServer | null = null
  if (o.metricsPort !== null) {
    metricsServer = serveMetrics({
      port: o.metricsPort,
      registry: {
        contentType: registry.contentType,
        metrics: async () => {
          refreshGauges(metrics)
          return registry.metrics()
        },
      },
      health: describeHealth,
    })
  }
  const port = server.port ?? o.port
  const host = o.listenAddress === undefined || o.listenAddress === "0.0.0.0" ? "127.0.0.1" : o.listenAddress
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    metricsUrl: metricsServer?.url ?? null,
    limiter,
    queueStats: () => queue.stats(),
    async stop(drainMs = DEFAULT_DRAIN_MS) {
      if (stopping) return
      stopping = true
      for (const entry of dispatcher.close()) answerLocally(entry.item, "ZeusShuttingDown")
      const deadline = performance.now() + drainMs
      while (inFlight > 0 && performance.now() < deadline) await Bun.sleep(20)
      availability.stop()
      processMetrics.stop()
      // Let the answers just given (and streams still running) reach their callers, then close.
      await Promise.race([server.stop(false), Bun.sleep(Math.max(100, deadline - performance.now()))])
      await server.stop(true)
      egress.close()
      await metricsServer?.stop()
    },
  }
}

/** 2xx answers that are not pages (Cloudflare's come as HTML) stream straight through. */
function isStreamable(response: EgressResponse): boolean {
  if (response.status < 200 || response.status >= 300) return false
  const type = (headerValue(response.headers["content-type"]) ?? "").toLowerCase()
  return !type.includes("html")
}

/** A caller may ask for a shorter deadline than zeus's, never a longer one. */
export function readDeadlineMs(header: string | null, maxMs: number): number {
  if (header === null || !/^\d+$/.test(header.trim())) return maxMs
  const asked = Number(header.trim())
  return asked > 0 ? Math.min(asked, maxMs) : maxMs
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(", ") : value
}

function round(n: number): number {
  return Math.round(n * 100) / 100
}

/** Logs an event at most once per LOG_EVERY_MS, with how many were skipped in between. */
function createSampledLog(log: Logger, now: () => number): (event: string, fields: Record<string, unknown>) => void {
  const last = new Map<string, { at: number; skipped: number }>()
  return (event, fields) => {
    const t = now()
    const seen = last.get(event)
    if (seen !== undefined && t - seen.at < LOG_EVERY_MS) {
      seen.skipped++
      return
    }
    log.warn(event, seen === undefined || seen.skipped === 0 ? fields : { ...fields, skippedSinceLast: seen.skipped })
    last.set(event, { at: t, skipped: 0 })
  }
}
