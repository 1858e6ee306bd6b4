/**
 * The start-up rule for unreachable services, locally until src/lib/runtime/wait-for-service.ts
 * lands (then this file is replaced by it): retry a connect function with jittered backoff for a
 * bounded time, logging one line per failed attempt, then fail with an error naming the setting
 * (main.ts prints it on one line and exits 2).
 */
import type { Logger } from "../../lib/monitoring/logger.ts"

export class ServiceUnavailableError extends Error {
  override name = "ServiceUnavailableError"
  constructor(
    readonly service: string,
    readonly target: string,
    readonly setting: string,
    readonly detail: string,
  ) {
    super(`${service} unreachable at ${target} (${detail}): check ${setting}`)
  }
}

export interface WaitForServiceOptions<T> {
  service: string
  /** Where, for people (host:port, never a password). */
  target: string
  setting: string
  waitMs: number
  connect(): Promise<T>
  log: Logger
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  random?: () => number
}

export async function waitForService<T>(o: WaitForServiceOptions<T>): Promise<T> {
  const now = o.now ?? Date.now
  const sleep = o.sleep ?? ((ms: number) => Bun.sleep(ms))
  const random = o.random ?? Math.random
  const deadline = now() + o.waitMs
  for (let attempt = 1; ; attempt++) {
    try {
      return await o.connect()
    } catch (error) {
      const detail = describe(error)
      const base = Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))
      const wait = Math.round(base / 2 + random() * (base / 2))
      if (now() + wait > deadline) throw new ServiceUnavailableError(o.service, o.target, o.setting, detail)
      o.log.warn("service.unreachable", {
        message: `service unreachable: ${o.service} at ${o.target}, retrying in ${(wait / 1000).toFixed(1)} s (${o.setting})`,
        attempt,
        detail,
      })
      await sleep(wait)
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === "string" && !error.message.includes(code) ? `${code}: ${error.message}` : error.message
  }
  return String(error)
}

/** host:port of a URL, for messages (no credentials). */
export function describeTarget(url: string | null, fallback: string): string {
  if (!url) return fallback
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || "default port"}${parsed.pathname.length > 1 ? parsed.pathname : ""}`
  } catch {
    return fallback
  }
}
