/**
 * Bungie availability per system for hermes: Settings (`systems.<name>.enabled`) polled every
 * `intervalMs`, every `fastIntervalMs` while a system is off; a handler that met SystemDisabled
 * reports it at once (no need to wait for the next poll). Listeners hear each change: queues
 * needing a disabled system stop consuming and resume by themselves when it is back.
 *
 * A system reported disabled by a handler stays disabled at least `minDisabledMs`: Bungie can
 * answer SystemDisabled for an endpoint while Settings still shows the system on, and flapping
 * every poll would only churn consumers. Settings that cannot be read change nothing.
 */
import type { CoreSettingsConfiguration } from "bungie-api-ts/core"
import type { BungieResult } from "../../../lib/bungie/result.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"

export interface AvailabilityOptions {
  getSettings(): Promise<BungieResult<CoreSettingsConfiguration>>
  log: Logger
  onChange(system: string, enabled: boolean): void
  intervalMs?: number
  fastIntervalMs?: number
  minDisabledMs?: number
  now?: () => number
}

export interface AvailabilityMonitor {
  isEnabled(system: string): boolean
  /** A handler met SystemDisabled for `system`. */
  reportDisabled(system: string, reason: string): void
  /** Polls Settings once now (tests, start-up). */
  poll(): Promise<void>
  start(): void
  stop(): void
}

/** Every system Settings names, with its enabled flag; null when Settings could not be read. */
export function readSystems(result: BungieResult<CoreSettingsConfiguration>): Map<string, boolean> | null {
  if (result.kind !== "ok") return null
  const systems = (result.value as { systems?: Record<string, { enabled?: unknown }> }).systems
  if (!systems || typeof systems !== "object") return null
  const out = new Map<string, boolean>()
  for (const [name, value] of Object.entries(systems)) if (typeof value?.enabled === "boolean") out.set(name, value.enabled)
  return out
}

export function createAvailabilityMonitor(o: AvailabilityOptions): AvailabilityMonitor {
  const now = o.now ?? Date.now
  const intervalMs = o.intervalMs ?? 30_000
  const fastIntervalMs = o.fastIntervalMs ?? 5_000
  const minDisabledMs = o.minDisabledMs ?? 30_000
  /** Systems currently off, with the earliest time a poll may turn them back on. */
  const disabled = new Map<string, number>()
  let timer: ReturnType<typeof setTimeout> | null = null
  let polling: Promise<void> | null = null
  let running = false

  const setDisabled = (system: string, holdUntil: number, reason: string) => {
    const known = disabled.get(system)
    disabled.set(system, Math.max(known ?? 0, holdUntil))
    if (known === undefined) {
      o.log.warn("hermes.bungie.disabled", { system, reason })
      o.onChange(system, false)
    }
  }
  const setEnabled = (system: string) => {
    const holdUntil = disabled.get(system)
    if (holdUntil === undefined || now() < holdUntil) return
    disabled.delete(system)
    o.log.info("hermes.bungie.enabled", { system })
    o.onChange(system, true)
  }

  async function pollOnce(): Promise<void> {
    let systems: Map<string, boolean> | null = null
    try {
      systems = readSystems(await o.getSettings())
    } catch (error) {
      o.log.warn("hermes.bungie.settings_failed", { error })
    }
    if (systems === null) return
    for (const [system, enabled] of systems) {
      if (enabled) setEnabled(system)
      else setDisabled(system, 0, "Settings")
    }
  }

  const schedule = () => {
    if (!running) return
    const wait = disabled.size > 0 ? fastIntervalMs : intervalMs
    timer = setTimeout(
      async () => {
        await monitor.poll()
        schedule()
      },
      wait * (0.9 + 0.2 * Math.random()),
    )
  }

  const monitor: AvailabilityMonitor = {
    isEnabled: (system) => !disabled.has(system),
    reportDisabled(system, reason) {
      const wasEmpty = disabled.size === 0
      setDisabled(system, now() + minDisabledMs, reason)
      // Switch to the fast poll at once.
      if (wasEmpty && running && timer !== null) {
        clearTimeout(timer)
        schedule()
      }
    },
    poll() {
      polling ??= pollOnce().finally(() => {
        polling = null
      })
      return polling
    },
    start() {
      if (running) return
      running = true
      schedule()
    },
    stop() {
      running = false
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
  return monitor
}
