/**
 * Atlas's supervisor (main thread): wires the crawl together, runs the coordinator until a bounded
 * range is resolved, a stop is requested, or a thread fails, and then stops everything in order.
 * Used by main.ts (the CLI) and by tests in-process.
 *
 *   main thread: coordinator, controller, checkpoint, metrics server, status line
 *   fetcher threads ×F ──MessagePort (msgpackr, transferred)──▶ pg-writer thread ─▶ Postgres
 *   shared memory: id space (cursor, ceiling, counters) + limiter
 */
import { watchAvailability } from "../../../lib/bungie/availability.ts"
import { createRateLimitedBungie } from "../../../lib/bungie/rate-limited.ts"
import { createViaZeusBungie } from "../../../lib/bungie/via-zeus.ts"
import { ATLAS_KEYS } from "../../../lib/config/keys-atlas.ts"
import type { Sql } from "../../../lib/database/postgres.ts"
import { startOutboxMonitor } from "../../../lib/messaging/outbox-monitor.ts"
import type { Logger, LogLevel } from "../../../lib/monitoring/logger.ts"
import { startProcessMetrics } from "../../../lib/monitoring/process-metrics.ts"
import { serveMetrics } from "../../../lib/monitoring/serve-metrics.ts"
import type { HeldSnapshots } from "../../../lib/monitoring/worker-metrics.ts"
import { createSharedLimiter, type LimiterOptions } from "../../../lib/ratelimit/index.ts"
import { startRecordedHeapTrim } from "../../../lib/runtime/heap-trim.ts"
import type { AtlasSidecar } from "../relay/sidecar.ts"
import { IdSpace } from "../shared/id-space.ts"
import type { RetryPolicyOptions } from "../shared/retry-policy.ts"
import { AtlasMetrics, type FleetStatus } from "./atlas-metrics.ts"
import { type BoundedTailTimer, startBoundedTail } from "./bounded-tail.ts"
import { startControlLoop } from "./control-loop.ts"
import { createFrontierController, DEFAULT_LEAD_PARAMS, type FrontierControllerOptions } from "./controller/index.ts"
import { Coordinator, type CoordinatorStatus } from "./coordinator.ts"
import { searchFrontier } from "./frontier-search.ts"
import { DEFAULT_GAP_EVIDENCE } from "./gap-evidence.ts"
import { createCompletionProbe, createProbe } from "./probe.ts"
import { findStartPoint, type StartPoint } from "./start-point.ts"
import { StatusTracker } from "./status-tracker.ts"
import { type CrawlThreads, startCrawlThreads } from "./threads.ts"

export interface AtlasOptions {
  crawler: string
  from: bigint | null
  to: bigint | null
  sql: Sql
  /** URL for the pg-writer's own pool. */
  databaseUrl: string
  baseUrl: string
  /** www host for Settings polling; defaults to baseUrl. */
  wwwBaseUrl?: string
  apiKey: string
  /** Send every request through zeus at this URL (it owns the addresses); null/absent = directly. */
  viaZeusUrl?: string | null
  requestTimeoutMs?: number
  fetchers: number
  maxConcurrency: number
  sourceAddresses: readonly string[]
  batchSize: number
  batchMs: number
  /** null = no metrics server; 0 = any free port. */
  metricsPort: number | null
  log: Logger
  logLevel: LogLevel
  frontierHint?: bigint | null
  /** Newest id known to exist (a fleet's leader publishes it): spares a bounded crawl its frontier search. */
  knownFrontier?: bigint | null
  statusIntervalMs?: number
  checkpointIntervalMs?: number
  tickMs?: number
  blockSize?: bigint
  writerQueueBound?: number
  retryQueueBound?: number
  limiterOptions?: Partial<LimiterOptions>
  controllerOptions?: Partial<FrontierControllerOptions>
  /** Share of 404s among first tries the claim lead aims for (ATLAS_TARGET_404_SHARE). */
  target404Share?: number
  /** A gap is recorded only when the ids past it are older than this (ATLAS_LATE_PUBLICATION_WINDOW_S). */
  lateWindowMs?: number
  policy?: RetryPolicyOptions
  /** A --fleet process's view of the fleet, for /status and the atlas_fleet_* gauges. */
  fleetStatus?: () => FleetStatus | null
  /** Side services started before the crawl (e.g. the outbox relays); stopped last. */
  sidecars?: AtlasSidecar[]
  /** A bounded run hands its remaining holes to the ledger after this long without a PGCR (bounded-tail.ts). */
  tailQuietMs?: number
  /** Every thread, this one included, trims its heap this often (ms; 0: never; default ATLAS_HEAP_TRIM_S's). */
  heapTrimMs?: number
  /** Metrics of threads started outside this crawl (the relay thread), served on its /metrics while it runs. */
  threadMetrics?: HeldSnapshots
}

export interface AtlasResult {
  exitCode: number
  reason: "rangeResolved" | "stopped" | "fatal"
  status: CoordinatorStatus
}

export interface AtlasHandle {
  start: StartPoint
  /** Resolves when Atlas has shut down (checkpoint persisted, threads ended). */
  done: Promise<AtlasResult>
  /** Graceful stop: stop claiming, drain, flush writers, persist the checkpoint. */
  stop(): Promise<AtlasResult>
  metricsUrl: string | null
  status(): CoordinatorStatus
  /** When the youngest unresolved id began waiting (epoch ms); null: none (Coordinator.holesSince). */
  holesSince(): number | null
}

const DEFAULT_TIMEOUT_MS = 15_000
const DEFAULT_HEAP_TRIM_MS = ATLAS_KEYS.ATLAS_HEAP_TRIM_S.default * 1000
/** Each step of the shutdown waits at most this long (a stuck thread is terminated). */
const DRAIN_STEP_MS = 30_000

export async function startAtlas(o: AtlasOptions): Promise<AtlasHandle> {
  const log = o.log
  const addressNames = o.sourceAddresses.length > 0 ? [...o.sourceAddresses] : ["default"]
  const { buffer: limiterBuffer, limiter } = createSharedLimiter({
    addresses: addressNames.length,
    maxConcurrency: o.maxConcurrency,
    initialConcurrency: Math.min(16, o.maxConcurrency),
    ...o.limiterOptions,
  })
  const timeoutMs = o.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS
  // Via zeus the local limiter only bounds nothing: zeus owns the rates (its snapshot stays idle).
  const viaZeusUrl = o.viaZeusUrl ?? null
  const bungie =
    viaZeusUrl === null
      ? createRateLimitedBungie({
          limiter,
          baseUrl: o.baseUrl,
          wwwBaseUrl: o.wwwBaseUrl ?? o.baseUrl,
          apiKey: o.apiKey,
          timeoutMs,
          sourceAddresses: o.sourceAddresses,
        })
      : createViaZeusBungie({ zeusUrl: viaZeusUrl, client: "atlas", timeoutMs })
  const probe = createProbe(bungie)
  const start = await findStartPoint({
    sql: o.sql,
    crawler: o.crawler,
    from: o.from,
    to: o.to,
    probe,
    frontierHint: o.frontierHint ?? null,
    behindFrontier: 2_000n,
    behindStored: 10_000n,
    log,
  })
  log.info("atlas.start", {
    crawler: o.crawler,
    start: start.start,
    source: start.source,
    resumeAt: start.resume?.highWater,
    to: o.to,
    fetchers: o.fetchers,
    addresses: addressNames.length,
  })

  // A bounded backfill still wants to know how far behind the head its range lies: 404s deep in
  // history are lost PGCRs (short patience), near the head they are merely unpublished.
  if (start.frontier === null && o.knownFrontier != null) start.frontier = o.knownFrontier
  if (o.to !== null && start.frontier === null) {
    const found = await searchFrontier({ probe, hint: o.to, maxProbes: 80 })
    start.frontier = found.newest
  }
  // Resuming exactly: claiming goes on where the previous run stopped; what it left unresolved
  // below that is handed to the fetchers once they run (Coordinator.resumeFetching).
  const space = IdSpace.create(start.resume?.highWater ?? start.start)
  if (start.frontier !== null) space.noteExisting(start.frontier)
  const controllerOptions: Partial<FrontierControllerOptions> = { ...o.controllerOptions }
  if (o.target404Share !== undefined) {
    controllerOptions.lead = { ...(controllerOptions.lead ?? DEFAULT_LEAD_PARAMS), target404Share: o.target404Share }
  }
  const controller = createFrontierController(controllerOptions, Date.now())
  if (start.frontier !== null) controller.observeExisting(Date.now(), start.frontier, null)
  const metrics = new AtlasMetrics(addressNames, o.fleetStatus)
  const statusTracker = new StatusTracker({ crawler: o.crawler })

  let fatalReason: string | null = null
  let requestStop: (reason: AtlasResult["reason"]) => void = () => {}
  const stopRequested = new Promise<AtlasResult["reason"]>((resolve) => {
    requestStop = resolve
  })
  const fail = (reason: string) => {
    fatalReason ??= reason
    requestStop("fatal")
  }

  let threads: CrawlThreads | null = null
  let tail: BoundedTailTimer | null = null
  const running = new Set<number>()
  const coordinator = new Coordinator({
    crawler: o.crawler,
    space,
    limiter,
    controller,
    sql: o.sql,
    log,
    metrics,
    start: start.start,
    to: o.to,
    probe,
    probeCompletedAt: createCompletionProbe(bungie),
    resume: start.resume,
    gapEvidence: { ...DEFAULT_GAP_EVIDENCE, ...(o.lateWindowMs === undefined ? {} : { lateWindowMs: o.lateWindowMs }) },
    handBack: (ids, since) => {
      // Contiguous slices, one per fetcher: a late clump's neighbours stay together.
      const fetchers = threads?.fetchers ?? []
      const slice = Math.ceil(ids.length / Math.max(1, fetchers.length))
      fetchers.forEach((fetcher, i) => {
        const part = ids.slice(i * slice, (i + 1) * slice)
        if (part.length > 0) fetcher.post({ type: "resume", ids: part, since: since.slice(i * slice, (i + 1) * slice) })
      })
    },
    fetchers: o.fetchers,
    recordGap: (from, to, reason) => threads?.writer.post({ type: "gap", from, to, reason }),
    dropGap: (from, to) => {
      for (const fetcher of threads?.fetchers ?? []) fetcher.post({ type: "gap", from, to })
    },
  })

  const lanes = Math.max(1, Math.ceil(o.maxConcurrency / o.fetchers))
  const heapTrimMs = o.heapTrimMs ?? DEFAULT_HEAP_TRIM_MS
  threads = await startCrawlThreads({
    logLevel: o.logLevel,
    secrets: [o.apiKey],
    heapTrimMs,
    writer: {
      databaseUrl: o.databaseUrl,
      crawler: o.crawler,
      batchSize: o.batchSize,
      batchMs: o.batchMs,
      idSpace: space.buffer,
    },
    fetchers: Array.from({ length: o.fetchers }, (_, worker) => {
      running.add(worker)
      return {
        worker,
        idSpace: space.buffer,
        limiter: limiterBuffer,
        baseUrl: o.baseUrl,
        apiKey: o.apiKey,
        viaZeusUrl,
        timeoutMs,
        sourceAddresses: [...o.sourceAddresses],
        addressNames,
        lanes,
        blockSize: o.blockSize ?? 4n,
        writerQueueBound: o.writerQueueBound ?? Math.max(2_000, o.batchSize * 4),
        retryQueueBound: o.retryQueueBound ?? 5_000,
        ...(o.policy === undefined ? {} : { policy: o.policy }),
      }
    }),
    onWriterMessage: (message) => {
      coordinator.onWriterMessage(message)
      statusTracker.onWriterMessage(message)
    },
    onFetcherMessage: (message) => {
      coordinator.onFetcherMessage(message)
      if (message.type === "stats") tail?.observeStats(message.stats)
      statusTracker.onFetcherMessage(message)
      if (message.type === "fatal") fail(message.reason)
    },
    onMetrics: (thread, snapshot) => metrics.acceptWorker(thread, snapshot),
    onCrash: (thread, reason) => {
      log.error("atlas.thread.crashed", { thread, reason })
      fail(`${thread} crashed: ${reason}`)
    },
  })

  coordinator.resumeFetching()
  const mainTrim =
    heapTrimMs > 0 ? startRecordedHeapTrim({ intervalMs: heapTrimMs, registry: metrics.registry, app: "atlas", thread: "main" }) : null
  const processMetrics = startProcessMetrics({ registry: metrics.registry })
  const detachThreadMetrics = o.threadMetrics?.attach(metrics.aggregator) ?? (() => {})

  // The backlog of what this crawl writes to the outbox (the "outbox backlog growing" alert).
  const outboxMonitor = o.metricsPort === null ? null : startOutboxMonitor({ sql: o.sql, registry: metrics.registry, log })
  const server =
    o.metricsPort === null
      ? null
      : serveMetrics({
          port: o.metricsPort,
          registry: metrics,
          health: () => {
            const s = coordinator.status()
            return {
              ok: fatalReason === null,
              lowWater: s.lowWater.toString(),
              cursor: s.cursor.toString(),
              raidsStored: s.raidsStored,
              fatal: fatalReason,
            }
          },
          routes: {
            "/status": () => {
              const report = statusTracker.report(coordinator.status(), limiter.snapshot().pauseReason)
              const fleet = o.fleetStatus?.() ?? null
              return Response.json(fleet === null ? report : { ...report, fleet })
            },
          },
        })
  const metricsUrl = server ? server.url : null
  if (metricsUrl) log.info("atlas.metrics", { url: `${metricsUrl}/metrics` })

  const control = startControlLoop({
    coordinator,
    space,
    limiter,
    log,
    fetchersRunning: () => running.size,
    onBoundedDone: () => requestStop("rangeResolved"),
    ...(o.tickMs === undefined ? {} : { tickMs: o.tickMs }),
    ...(o.checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs: o.checkpointIntervalMs }),
    ...(o.statusIntervalMs === undefined ? {} : { statusIntervalMs: o.statusIntervalMs }),
  })
  const availability = watchAvailability({ bungie, log, app: "atlas" })
  const rangeEnd = o.to
  tail =
    rangeEnd === null
      ? null
      : startBoundedTail({
          to: rangeEnd,
          ...(o.tailQuietMs === undefined ? {} : { quietMs: o.tailQuietMs }),
          view: () => ({ cursor: space.cursor, lowWater: coordinator.tracker.lowWater }),
          handOff: () => {
            for (const fetcher of threads?.fetchers ?? []) fetcher.post({ type: "handOffHoles" })
          },
          log,
        })

  let result: Promise<AtlasResult> | null = null
  const shutdown = (reason: AtlasResult["reason"]): Promise<AtlasResult> => {
    result ??= (async () => {
      log.info("atlas.shutdown", { reason })
      const crawl = threads!
      tail?.stop()
      space.stop()
      // Fetchers finish their in-flight requests; what they claimed but did not fetch stays
      // unresolved, below the checkpoint.
      await Promise.all(
        crawl.fetchers.map(async (fetcher, worker) => {
          await fetcher.close(DRAIN_STEP_MS)
          running.delete(worker)
        }),
      )
      await coordinator.settle()
      // Items posted by fetchers reach the writer on their own ports: wait until they are committed.
      await waitFor(() => space.writerQueue <= 0 || fatalReason !== null, DRAIN_STEP_MS)
      await crawl.writer.close(DRAIN_STEP_MS)
      control.stop()
      mainTrim?.stop()
      processMetrics.stop()
      detachThreadMetrics()
      availability.stop()
      outboxMonitor?.stop()
      coordinator.tick()
      await coordinator.persist(true)
      for (const sidecar of o.sidecars ?? []) {
        await sidecar.stop().catch((error) => log.warn("atlas.sidecar.stop_failed", { name: sidecar.name, error }))
      }
      bungie.close()
      await server?.stop()
      const status = coordinator.status()
      const final = reason === "fatal" || fatalReason !== null ? "fatal" : reason
      log.info("atlas.stopped", {
        reason: final,
        lowWater: status.lowWater,
        raidsStored: status.raidsStored,
        missed: status.missed,
        fatal: fatalReason,
      })
      return { exitCode: final === "fatal" ? 1 : 0, reason: final, status }
    })()
    return result
  }
  const done = stopRequested.then((reason) => shutdown(reason))
  if (coordinator.boundedDone) requestStop("rangeResolved")

  return {
    start,
    done,
    stop: () => {
      requestStop("stopped")
      return done
    },
    metricsUrl,
    status: () => coordinator.status(),
    holesSince: () => coordinator.holesSince(),
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await Bun.sleep(20)
  }
  return true
}
