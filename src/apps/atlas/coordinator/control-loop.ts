/**
 * The coordinator's timers: a control step (ceiling, searches, metrics) about twice a second, the
 * checkpoint five times a second (only written when something moved: after a kill -9 only the
 * ids resolved in the last ~250 ms are fetched again), and the status line every ten seconds.
 */
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { Limiter } from "../../../lib/ratelimit/index.ts"
import type { IdSpace } from "../shared/id-space.ts"
import type { Coordinator } from "./coordinator.ts"
import { formatStatus } from "./status-log.ts"

export interface ControlLoopOptions {
  coordinator: Coordinator
  space: IdSpace
  limiter: Limiter
  log: Logger
  /** Fetcher threads still running (for the status line). */
  fetchersRunning: () => number
  /** Called after a control step that found the bounded range resolved. */
  onBoundedDone: () => void
  tickMs?: number
  checkpointIntervalMs?: number
  statusIntervalMs?: number
}

export interface ControlLoop {
  /** Stops the timers; a last tick and a forced checkpoint are the caller's (after the drain). */
  stop(): void
}

export function startControlLoop(o: ControlLoopOptions): ControlLoop {
  const tickTimer = setInterval(() => {
    o.coordinator.tick()
    if (o.coordinator.boundedDone) o.onBoundedDone()
  }, o.tickMs ?? 500)
  const checkpointTimer = setInterval(() => void o.coordinator.persist(), o.checkpointIntervalMs ?? 200)
  let lastResolved = 0
  let lastStatusAt = Date.now()
  const statusTimer = setInterval(() => {
    const now = Date.now()
    const status = o.coordinator.status()
    const rate = ((status.resolved - lastResolved) * 1000) / Math.max(1, now - lastStatusAt)
    lastResolved = status.resolved
    lastStatusAt = now
    o.log.info("atlas.status", formatStatus(status, rate, o.fetchersRunning(), o.space, o.limiter))
  }, o.statusIntervalMs ?? 10_000)
  return {
    stop() {
      clearInterval(tickTimer)
      clearInterval(checkpointTimer)
      clearInterval(statusTimer)
    },
  }
}
