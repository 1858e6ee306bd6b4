// Helpers shared by zeus's tests (not used at run time).
import http from "node:http"
import { createLogger, type Logger } from "../../lib/monitoring/logger.ts"
import { parseNetworks } from "./networks.ts"
import { startZeus, type ZeusHandle, type ZeusOptions } from "./server.ts"

export const TEST_API_KEY = "zeus-test-key-5f1e0c9a7b3d2468"

export interface CapturedLog {
  log: Logger
  lines: string[]
}

/** A debug-level logger whose lines are kept (to check what zeus logs, and what it never logs). */
export function captureLog(): CapturedLog {
  const lines: string[] = []
  return { log: createLogger({ level: "debug", fields: { app: "zeus-test" }, sink: (line) => lines.push(line) }), lines }
}

export function startTestZeus(upstream: string, overrides: Partial<ZeusOptions> = {}): Promise<ZeusHandle> {
  return startZeus({
    port: 0,
    listenAddress: "127.0.0.1",
    metricsPort: 0,
    statsBaseUrl: upstream,
    wwwBaseUrl: upstream,
    apiKey: TEST_API_KEY,
    sourceAddresses: ["127.0.0.2", "127.0.0.3"],
    allowedNetworks: parseNetworks("127.0.0.0/8"),
    queueDeadlineMs: 5_000,
    maxQueue: 10_000,
    maxConcurrency: 32,
    upstreamTimeoutMs: 5_000,
    throttleRetries: 2,
    log: overrides.log ?? createLogger({ level: "error", fields: { app: "zeus-test" } }),
    ...overrides,
  })
}

export interface RawAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A GET over node:http: raw bytes (no automatic decompression) and a chosen source address. */
export function getRaw(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { headers, localAddress, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }))
      response.on("error", reject)
    })
    request.on("error", reject)
    request.end()
  })
}

export interface CallerAnswer {
  status: number
  errorCode: number | null
  errorStatus: string | null
  local: string | null
  contentType: string
}

/** One request as a caller sees it: status, Bungie envelope fields (when JSON), zeus's local marker. */
export async function ask(url: string, client: string, extra: Record<string, string> = {}): Promise<CallerAnswer> {
  const response = await fetch(url, { headers: { "x-raidhub-client": client, ...extra } })
  const text = await response.text()
  let envelope: { ErrorCode?: unknown; ErrorStatus?: unknown } | null = null
  try {
    envelope = JSON.parse(text)
  } catch {
    envelope = null
  }
  return {
    status: response.status,
    errorCode: typeof envelope?.ErrorCode === "number" ? envelope.ErrorCode : null,
    errorStatus: typeof envelope?.ErrorStatus === "string" ? envelope.ErrorStatus : null,
    local: response.headers.get("x-zeus-local"),
    contentType: response.headers.get("content-type") ?? "",
  }
}

/** Asks `ratePerSecond` requests per second (open loop: it does not wait for answers) for `durationMs`. */
export async function flood(
  ratePerSecond: number,
  durationMs: number,
  send: (n: number) => Promise<CallerAnswer>,
): Promise<CallerAnswer[]> {
  const pending: Promise<CallerAnswer>[] = []
  const started = performance.now()
  let n = 0
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1
    while (n < due) pending.push(send(n++))
    await Bun.sleep(5)
  }
  return Promise.all(pending)
}

/** Repeats `probe` until it says yes or `timeoutMs` passes; true when it did. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (await probe()) return true
    await Bun.sleep(everyMs)
  }
  return false
}
