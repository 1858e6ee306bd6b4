/**
 * Atlas runtime: wires the threads together and runs the coordinator until a bounded range is
 * resolved, a stop is requested, or a fatal error. Used by main.ts (CLI) and by tests in-process.
 *
 *   main thread: coordinator, controller, checkpoint, metrics server, status line
 *   fetcher Workers ×F ──MessagePort (msgpackr, transferred)──▶ pg-writer Worker ─▶ Postgres
 *   shared memory: id space (cursor, ceiling, counters) + limiter
 */

import type { FetcherInit } from "../../../workers/fetcher.ts"
import type { PgWriterInit } from "../../../workers/pg-writer.ts"
import type { Sql } from "../../lib/database/postgres.ts"
import type { Logger, LogLevel } from "../../lib/monitoring/logger.ts"
import { serveMetrics } from "../../lib/monitoring/serve-metrics.ts"
import { createSharedLimiter, type LimiterOptions } from "../../lib/ratelimit/index.ts"
import { AtlasMetrics } from "./atlas-metrics.ts"
import { createFrontierController, DEFAULT_LEAD_PARAMS, type FrontierControllerOptions } from "./controller/index.ts"
import { Coordinator, type CoordinatorStatus } from "./coordinator.ts"
import { searchFrontier } from "./frontier-search.ts"
import { IdSpace } from "./id-space.ts"
import { toLimiterOutcome } from "./limiter-outcome.ts"
import type { FetcherToMain, MainToFetcher, MainToWriter, WriterToMain } from "./messages.ts"
import { createPgcrAttempter } from "./pgcr-attempt.ts"
import type { RetryPolicyOptions } from "./retry-policy.ts"
import { findStartPoint, type StartPoint } from "./start-point.ts"
import { formatStatus } from "./status-log.ts"

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
  statusIntervalMs?: number
  checkpointIntervalMs?: number
  tickMs?: number
  blockSize?: bigint
  writerQueueBound?: number
  retryQueueBound?: number
  limiterOptions?: Partial<LimiterOptions>
  controllerOptions?: Partial<FrontierControllerOptions>
  /** Share of 404s among first tries the claim lead aims for (RAIDHUB_TARGET_404_SHARE). */
  target404Share?: number
  policy?: RetryPolicyOptions
  /** Side services started after the writers (e.g. the ClickHouse relay); stopped last. */
  sidecars?: AtlasSidecar[]
}

export interface AtlasSidecar {
  name: string
  stop(): Promise<void>
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
}

const FETCHER_URL = new URL("../../../workers/fetcher.ts", import.meta.url)
const WRITER_URL = new URL("../../../workers/pg-writer.ts", import.meta.url)

export async function startAtlas(o: AtlasOptions): Promise<AtlasHandle> {
  const log = o.log
  const addresses = Math.max(1, o.sourceAddresses.length)
  const { buffer: limiterBuffer, limiter } = createSharedLimiter({
    addresses,
    maxConcurrency: o.maxConcurrency,
    initialConcurrency: Math.min(16, o.maxConcurrency),
    serverThrottlePauseMs: 500,
    ...o.limiterOptions,
  })
  const attempter = createPgcrAttempter({
    baseUrl: o.baseUrl,
    wwwBaseUrl: o.wwwBaseUrl ?? o.baseUrl,
    apiKey: o.apiKey,
    timeoutMs: o.requestTimeoutMs ?? 15_000,
    sourceAddresses: o.sourceAddresses,
  })
  const probe = async (id: bigint) => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const permit = await limiter.acquire()
      const result = await attempter.attempt(id, permit.addressIndex, attempt)
      permit.release(toLimiterOutcome(result))
      if (result.kind === "ok" || result.kind === "blocked") return "exists" as const
      if (result.kind === "notFound") return "missing" as const
      if (result.kind === "fatal") throw new Error(`Bungie refused the request: ${result.reason}`)
    }
    return "error" as const
  }
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
  log.info("atlas.start", { crawler: o.crawler, start: start.start, source: start.source, to: o.to, fetchers: o.fetchers, addresses })

  // A bounded backfill still wants to know how far behind the head its range lies: 404s deep in
  // history are lost PGCRs (short patience), near the head they are merely unpublished.
  if (o.to !== null && start.frontier === null) {
    const found = await searchFrontier({ probe, hint: o.to, maxProbes: 80 })
    start.frontier = found.newest
  }
  const space = IdSpace.create(start.start)
  if (start.frontier !== null) space.noteExisting(start.frontier)
  const controllerOptions: Partial<FrontierControllerOptions> = { ...o.controllerOptions }
  if (o.target404Share !== undefined)
    controllerOptions.lead = { ...(controllerOptions.lead ?? DEFAULT_LEAD_PARAMS), target404Share: o.target404Share }
  const controller = createFrontierController(controllerOptions, Date.now())
  if (start.frontier !== null) controller.observeExisting(Date.now(), start.frontier, null)
  const metrics = new AtlasMetrics(o.sourceAddresses.length > 0 ? o.sourceAddresses : ["default"])

  const writer = new Worker(WRITER_URL.href)
  const fetchers: Worker[] = []
  const drained = new Set<number>()
  let fatalReason: string | null = null
  let requestStop: (reason: AtlasResult["reason"]) => void = () => {}
  const stopRequested = new Promise<AtlasResult["reason"]>((resolve) => {
    requestStop = resolve
  })

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
    attempter,
    fetchers: o.fetchers,
    recordGap: (from, to, reason) => writer.postMessage({ type: "gap", from, to, reason } satisfies MainToWriter),
    dropGap: (from, to) => {
      for (const f of fetchers) f.postMessage({ type: "gap", from, to } satisfies MainToFetcher)
    },
  })

  let writerClosed: () => void = () => {}
  const writerClosedPromise = new Promise<void>((resolve) => {
    writerClosed = resolve
  })
  let writerReady: () => void = () => {}
  const writerReadyPromise = new Promise<void>((resolve) => {
    writerReady = resolve
  })
  writer.onmessage = (event: MessageEvent<WriterToMain>) => {
    const message = event.data
    if (message.type === "closed") writerClosed()
    else if (message.type === "ready") writerReady()
    else coordinator.onWriterMessage(message)
  }
  writer.onerror = (event) => {
    fatalReason = `pg-writer crashed: ${event.message}`
    log.error("atlas.writer.crashed", { message: event.message })
    writerClosed()
    requestStop("fatal")
  }

  const writerPorts: MessagePort[] = []
  const fetcherPorts: MessagePort[] = []
  for (let i = 0; i < o.fetchers; i++) {
    const channel = new MessageChannel()
    fetcherPorts.push(channel.port1)
    writerPorts.push(channel.port2)
  }
  const writerInit: PgWriterInit = {
    type: "init",
    databaseUrl: o.databaseUrl,
    crawler: o.crawler,
    batchSize: o.batchSize,
    batchMs: o.batchMs,
    idSpace: space.buffer,
    ports: writerPorts,
    logLevel: o.logLevel,
  }
  writer.postMessage(writerInit, writerPorts as unknown as ArrayBuffer[])
  await writerReadyPromise

  const lanes = Math.max(1, Math.ceil(o.maxConcurrency / o.fetchers))
  for (let i = 0; i < o.fetchers; i++) {
    const worker = new Worker(FETCHER_URL.href)
    worker.onmessage = (event: MessageEvent<FetcherToMain>) => {
      const message = event.data
      if (message.type === "drained") drained.add(message.worker)
      else coordinator.onFetcherMessage(message)
      if (message.type === "fatal") {
        fatalReason = message.reason
        requestStop("fatal")
      }
    }
    worker.onerror = (event) => {
      fatalReason = `fetcher ${i} crashed: ${event.message}`
      log.error("atlas.fetcher.crashed", { worker: i, message: event.message })
      drained.add(i)
      requestStop("fatal")
    }
    const init: FetcherInit = {
      type: "init",
      worker: i,
      idSpace: space.buffer,
      limiter: limiterBuffer,
      writerPort: fetcherPorts[i]!,
      baseUrl: o.baseUrl,
      apiKey: o.apiKey,
      timeoutMs: o.requestTimeoutMs ?? 15_000,
      sourceAddresses: [...o.sourceAddresses],
      addressNames: o.sourceAddresses.length > 0 ? [...o.sourceAddresses] : ["default"],
      lanes,
      blockSize: o.blockSize ?? 4n,
      writerQueueBound: o.writerQueueBound ?? Math.max(2_000, o.batchSize * 4),
      retryQueueBound: o.retryQueueBound ?? 5_000,
      policy: o.policy,
      logLevel: o.logLevel,
    }
    worker.postMessage(init, [fetcherPorts[i]!] as unknown as ArrayBuffer[])
    fetchers.push(worker)
  }

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
        })
  const metricsUrl = server ? server.url : null
  if (metricsUrl) log.info("atlas.metrics", { url: `${metricsUrl}/metrics` })

  // Control loop: tick, checkpoint, status line, Settings polling during SystemDisabled.
  const tickTimer = setInterval(() => {
    coordinator.tick()
    if (coordinator.boundedDone) requestStop("rangeResolved")
  }, o.tickMs ?? 500)
  const checkpointTimer = setInterval(() => void coordinator.persist(), o.checkpointIntervalMs ?? 1_000)
  let lastResolved = 0
  let lastStatusAt = Date.now()
  const statusTimer = setInterval(() => {
    const now = Date.now()
    const status = coordinator.status()
    const rate = ((status.resolved - lastResolved) * 1000) / Math.max(1, now - lastStatusAt)
    lastResolved = status.resolved
    lastStatusAt = now
    log.info("atlas.status", formatStatus(status, rate, o.fetchers - drained.size, space, limiter))
  }, o.statusIntervalMs ?? 10_000)
  let settingsBusy = false
  const settingsTimer = setInterval(async () => {
    if (settingsBusy || limiter.snapshot().pauseReason !== "disabled") return
    settingsBusy = true
    try {
      if ((await attempter.destinyEnabled()) === true) {
        log.info("atlas.settings.enabled", {})
        limiter.resume()
      }
    } finally {
      settingsBusy = false
    }
  }, 5_000)

  let result: Promise<AtlasResult> | null = null
  const shutdown = (reason: AtlasResult["reason"]): Promise<AtlasResult> => {
    if (result) return result
    result = (async () => {
      log.info("atlas.shutdown", { reason })
      space.stop()
      for (const f of fetchers) f.postMessage({ type: "drain" } satisfies MainToFetcher)
      await waitFor(() => drained.size >= fetchers.length, 30_000)
      await coordinator.settle()
      // Items posted by fetchers reach the writer on their own ports: wait until they are committed.
      await waitFor(() => space.writerQueue <= 0 || fatalReason !== null, 30_000)
      writer.postMessage({ type: "close" } satisfies MainToWriter)
      await Promise.race([writerClosedPromise, sleep(30_000)])
      clearInterval(tickTimer)
      clearInterval(checkpointTimer)
      clearInterval(statusTimer)
      clearInterval(settingsTimer)
      coordinator.tick()
      await coordinator.persist(true)
      for (const sidecar of o.sidecars ?? [])
        await sidecar.stop().catch((error) => log.warn("atlas.sidecar.stop_failed", { name: sidecar.name, error }))
      for (const f of fetchers) f.terminate()
      writer.terminate()
      attempter.close()
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
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await sleep(20)
  }
  return true
}
