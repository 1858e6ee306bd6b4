/**
 * The one rule for unreachable services. At start-up a long-running app calls `connect` until it
 * succeeds or `waitSeconds` have passed, sleeping a jittered backoff between attempts and logging
 * one line per failed attempt; then it throws ServiceUnavailableError naming the setting to
 * change (an entry point turns that into one line and exit 2). Tools pass waitSeconds 0: one
 * attempt, the same one-line error. Failures waiting cannot fix (a missing database, a refused
 * login) end the wait at once; errors that are not connection failures are rethrown unchanged.
 */
import { type BackoffPolicy, computeBackoffMs } from "../backoff.ts"
import type { Logger } from "../monitoring/logger.ts"
import { classifyConnectError } from "./classify-connect-error.ts"

export interface ServiceTarget<T> {
  /** "postgres", "rabbitmq", "clickhouse". */
  name: string
  /** host:port, never credentials. */
  address: string
  /** The environment key that points at the service, e.g. DATABASE_URL. */
  setting: string
  /** Its flag, e.g. --database-url. */
  flag: string
  connect(): Promise<T>
}

export interface WaitOptions {
  /** 0 = one attempt (tools). */
  waitSeconds: number
  log?: Logger
  backoff?: BackoffPolicy
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

const SERVICE_WAIT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 5_000, jitter: 0.5 }

export class ServiceUnavailableError extends Error {
  override name = "ServiceUnavailableError"
  constructor(
    readonly service: string,
    readonly address: string,
    readonly setting: string,
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}

export async function waitForService<T>(target: ServiceTarget<T>, options: WaitOptions): Promise<T> {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms))
  const policy = options.backoff ?? SERVICE_WAIT_BACKOFF
  const started = now()
  const deadline = started + Math.max(0, options.waitSeconds) * 1000
  const where = `${target.name} at ${target.address}`
  const fix = `check ${target.setting} or ${target.flag}`
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.connect()
    } catch (error) {
      const failure = classifyConnectError(error)
      if (failure === null) throw error
      if (!failure.retryable) {
        throw new ServiceUnavailableError(
          target.name,
          target.address,
          target.setting,
          failure.reason,
          `${where}: ${failure.reason}: ${fix}`,
        )
      }
      const remaining = deadline - now()
      if (remaining <= 0) {
        const waited = attempt > 1 ? ` after ${formatSeconds(now() - started)} (${attempt} attempts)` : ""
        throw new ServiceUnavailableError(
          target.name,
          target.address,
          target.setting,
          failure.reason,
          `${where} unreachable (${failure.reason})${waited}: ${fix}`,
        )
      }
      const delay = Math.min(remaining, computeBackoffMs(attempt - 1, policy, options.random))
      options.log?.warn(`service unreachable: ${where}, retrying in ${formatSeconds(delay)} (${target.setting})`, {
        service: target.name,
        address: target.address,
        setting: target.setting,
        reason: failure.reason,
        attempt,
        retryInMs: delay,
      })
      await sleep(delay)
    }
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** host:port of a URL, with the scheme's default port when the URL has none. */
export function describeAddress(url: string, defaultPort: number): string {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port || defaultPort}`
}
