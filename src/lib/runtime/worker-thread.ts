/**
 * The Worker-thread runtime every app's threads use: one way to start a thread, hand it its init
 * message, know it is ready, talk to it with typed messages, collect its metrics, close it in
 * order, and hear about it when it crashes.
 *
 *   main side:    const handle = spawnWorker<Init, In, Out>(url, init, { name, onMessage, onCrash })
 *                 await handle.ready; handle.post(message); await handle.close()
 *   thread side:  defineWorker<Init, In, Out>((init, scope) => ({ onMessage, close }))
 *
 * Control messages (init, ready, failed, metrics, close, closed) are the runtime's; an app's own
 * messages must use other `type` names. A thread's metrics live in its own prom-client Registry
 * (`scope.metrics`); the runtime posts snapshots every second and once more on close, and the
 * main side hands them to `onMetrics` (a WorkerMetricsAggregator merges them at scrape time).
 * With `identity.heapTrimMs` the thread trims its heap on that period (heap-trim.ts), from ready
 * until close.
 *
 * Signals belong to the main thread, which drains its threads in order: a thread ignores SIGINT
 * and SIGTERM, because the runtime's default action would end the whole process mid-drain.
 */
import { Registry } from "prom-client"
import { createLogger, type Logger, type LogLevel } from "../monitoring/logger.ts"
import { type MetricsSnapshot, startWorkerMetricsReporter } from "../monitoring/worker-metrics.ts"
import { type HeapTrim, startRecordedHeapTrim } from "./heap-trim.ts"

export interface ThreadIdentity {
  /** App name for log lines and metrics (e.g. "atlas"). */
  app: string
  /** Thread name (e.g. "fetcher-0", "pg-writer"). */
  thread: string
  logLevel: LogLevel
  /** Values every log line of the thread masks (e.g. the API key). */
  secrets?: string[]
  /** Trim the thread's heap this often (ms; heap-trim.ts); absent or 0: never. */
  heapTrimMs?: number
}

type ControlType = "init" | "ready" | "failed" | "metrics" | "close" | "closed"
/** App messages carry a `type` that is not one of the runtime's. */
export type AppMessage = { type: string } & { type: Exclude<string, ControlType> }

export type RuntimeToMain =
  | { type: "ready" }
  | { type: "failed"; reason: string }
  | { type: "metrics"; snapshot: MetricsSnapshot }
  | { type: "closed" }
type MainToRuntime<Init> = { type: "init"; identity: ThreadIdentity; init: Init } | { type: "close" }

export interface WorkerScope<Out> {
  log: Logger
  /** This thread's registry; its snapshots reach the main thread's /metrics. */
  metrics: Registry
  identity: ThreadIdentity
  post(message: Out, transfer?: Bun.Transferable[]): void
}

export interface WorkerBody<In> {
  onMessage?(message: In): void | Promise<void>
  /** Finish the thread's work and release its resources; called once, on close. */
  close?(): Promise<void>
}

declare const self: Worker

/** Thread side: run `setup` with the init message, then route messages to the body. */
export function defineWorker<Init, In extends AppMessage, Out extends AppMessage>(
  setup: (init: Init, scope: WorkerScope<Out>) => WorkerBody<In> | Promise<WorkerBody<In>>,
): void {
  process.on("SIGINT", () => {})
  process.on("SIGTERM", () => {})
  const postControl = (message: RuntimeToMain) => self.postMessage(message)
  let body: WorkerBody<In> | null = null
  let closeRequested = false
  let reporter: ReturnType<typeof startWorkerMetricsReporter> | null = null
  let trim: HeapTrim | null = null
  const pending: In[] = []

  const close = async () => {
    trim?.stop()
    await body?.close?.()
    await reporter?.stop()
    postControl({ type: "closed" })
  }

  self.onmessage = async (event: MessageEvent<MainToRuntime<Init> | In>) => {
    const message = event.data
    if (message.type === "init" && body === null && reporter === null) {
      const { identity, init } = message as Extract<MainToRuntime<Init>, { type: "init" }>
      const log = createLogger({
        level: identity.logLevel,
        fields: { app: identity.app, thread: identity.thread },
        secrets: identity.secrets,
      })
      const metrics = new Registry()
      reporter = startWorkerMetricsReporter({ registry: metrics, post: (snapshot) => postControl({ type: "metrics", snapshot }) })
      try {
        body = await setup(init, { log, metrics, identity, post: (out, transfer) => self.postMessage(out, transfer ?? []) })
      } catch (error) {
        log.error(`${identity.app}.thread.setup_failed`, { error })
        await reporter.stop()
        postControl({ type: "failed", reason: error instanceof Error ? error.message : String(error) })
        return
      }
      if ((identity.heapTrimMs ?? 0) > 0) {
        trim = startRecordedHeapTrim({ intervalMs: identity.heapTrimMs!, registry: metrics, app: identity.app, thread: identity.thread })
      }
      postControl({ type: "ready" })
      for (const queued of pending.splice(0)) await body.onMessage?.(queued)
      return
    }
    if (message.type === "close") {
      if (closeRequested) return
      closeRequested = true
      await close()
      return
    }
    if (body === null) pending.push(message as In)
    else await body.onMessage?.(message as In)
  }
}

export interface SpawnOptions<Out> {
  identity: ThreadIdentity
  onMessage?(message: Out): void
  /** The thread failed: its setup threw, or an error escaped it. Called at most once. */
  onCrash(reason: string): void
  onMetrics?(snapshot: MetricsSnapshot): void
  /** Transferables inside `init` (MessagePorts, buffers). */
  transfer?: Bun.Transferable[]
}

export interface WorkerHandle<In> {
  readonly name: string
  /** Resolves when the thread's setup is done; rejects when it failed. */
  readonly ready: Promise<void>
  post(message: In, transfer?: Bun.Transferable[]): void
  /** Asks the thread to finish and waits up to `timeoutMs`; terminates it either way. True when it closed in time. */
  close(timeoutMs?: number): Promise<boolean>
  terminate(): void
}

/** Main side: start the thread at `url` and hand it `init`. */
export function spawnWorker<Init, In extends AppMessage, Out extends AppMessage>(
  url: URL,
  init: Init,
  o: SpawnOptions<Out>,
): WorkerHandle<In> {
  const worker = new Worker(url.href)
  let crashed = false
  let resolveReady: () => void = () => {}
  let rejectReady: (error: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve
    rejectReady = reject
  })
  // A crash before close() is awaited must not become an unhandled rejection.
  ready.catch(() => {})
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  const crash = (reason: string) => {
    rejectReady(new Error(`${o.identity.thread}: ${reason}`))
    resolveClosed()
    if (crashed) return
    crashed = true
    o.onCrash(reason)
  }
  worker.onmessage = (event: MessageEvent<RuntimeToMain | Out>) => {
    const message = event.data
    switch (message.type) {
      case "ready":
        resolveReady()
        return
      case "failed":
        crash((message as Extract<RuntimeToMain, { type: "failed" }>).reason)
        return
      case "metrics":
        o.onMetrics?.((message as Extract<RuntimeToMain, { type: "metrics" }>).snapshot)
        return
      case "closed":
        resolveClosed()
        return
      default:
        o.onMessage?.(message as Out)
    }
  }
  worker.onerror = (event) => {
    event.preventDefault?.()
    crash(event.message || "uncaught error")
  }
  const start: MainToRuntime<Init> = { type: "init", identity: o.identity, init }
  worker.postMessage(start, o.transfer ?? [])
  let closing: Promise<boolean> | null = null
  return {
    name: o.identity.thread,
    ready,
    post(message, transfer) {
      worker.postMessage(message, transfer ?? [])
    },
    close(timeoutMs = 30_000) {
      closing ??= (async () => {
        worker.postMessage({ type: "close" } satisfies MainToRuntime<Init>)
        let timer: ReturnType<typeof setTimeout> | undefined
        const timedOut = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs)
        })
        const inTime = await Promise.race([closed.then(() => true as const), timedOut])
        clearTimeout(timer)
        worker.terminate()
        return inTime && !crashed
      })()
      return closing
    },
    terminate() {
      worker.terminate()
    },
  }
}
