/**
 * pgcr_blocked: owns the PGCRs Bungie withholds (code 12), sent here by atlas (outbox), pgcr_exists
 * and hades when a broker is configured.
 *
 * While the floodgates are closed the queue does not consume: its messages wait in pgcr_blocked
 * itself (the public status page reads that queue's backlog and rates), and a prober tries the
 * message at the head every `probeIntervalMs` (basic.get; a still-withheld id goes back to the
 * head, no retry burned). Once several withheld ids come back within minutes (floodgates.ts),
 * the consumers resume and drain the queue at full speed, still-withheld ids going to the tail;
 * when a run of attempts finds only withheld ids, the gates count as closed again.
 *
 * An id withheld for `patienceMs` (24 h, counted from when it was first withheld: the payload's
 * `blockedAt`, else the x-first-blocked-at header this worker sets) goes to the missed ledger as
 * `blocked`, which hades retries daily for 30 days. Each release sets floodgates_recent_pgcr.
 */
import type { AnySql } from "../../lib/database/sql-types.ts"
import type { Definitions } from "../../lib/definitions.ts"
import { type Delivery, type Outcome, ok, type QueueControl, type QueueWorker, retry } from "../../lib/messaging/queue-worker.ts"
import { decodeJsonObject } from "../../lib/messaging/wire-format.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { fetchPgcr, type PgcrBungie } from "../pgcr/fetch-pgcr.ts"
import { isStored, recordLedger, resolveLedger } from "../pgcr/ledger.ts"
import { createStoreBatcher } from "../pgcr/store-batcher.ts"
import { DEFAULT_FLOODGATE_PARAMS, FloodgateDetector, type FloodgateParams } from "./floodgates.ts"

export const FIRST_BLOCKED_HEADER = "x-first-blocked-at"
const QUEUE = "pgcr_blocked"
const GATES = "floodgates"
const DAY = 24 * 60 * 60_000

export interface PgcrBlockedDeps {
  sql: AnySql
  bungie: PgcrBungie
  defs: Definitions
  log: Logger
  /** Newest released id (the floodgates_recent_pgcr gauge). */
  onReleased(id: bigint): void
  now?: () => number
  random?: () => number
  /** How long an id may stay withheld before it goes to the ledger (default 24 h). */
  patienceMs?: number
  /** Wait between probes while the gates are closed (default 30 s, jittered). */
  probeIntervalMs?: number
  /** When the ledger's replayer retries a blocked id (default: daily). */
  ledgerRetryMs?: number
  floodgates?: Partial<FloodgateParams>
}

export interface PgcrBlockedWorker extends QueueWorker<bigint> {
  readonly gates: FloodgateDetector
}

export function createPgcrBlockedWorker(deps: PgcrBlockedDeps): PgcrBlockedWorker {
  const now = deps.now ?? Date.now
  const store = createStoreBatcher(deps.sql, { crawler: QUEUE, now })
  const random = deps.random ?? Math.random
  const patienceMs = deps.patienceMs ?? DAY
  const probeIntervalMs = deps.probeIntervalMs ?? 30_000
  const gates = new FloodgateDetector({ ...DEFAULT_FLOODGATE_PARAMS, ...deps.floodgates })
  let control: QueueControl | null = null
  let running = false
  let loop: Promise<void> | null = null
  let wake: (() => void) | null = null

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    }).finally(() => {
      wake = null
    })

  function released(id: bigint): void {
    gates.noteReleased(id, now())
    deps.onReleased(gates.newestReleased ?? id)
  }

  async function stillBlocked(delivery: Delivery<bigint>, firstBlockedAt: number | null): Promise<Outcome> {
    gates.noteBlocked()
    const id = delivery.value
    const since = firstBlockedAt ?? now()
    if (now() - since >= patienceMs) {
      await recordLedger(deps.sql, QUEUE, {
        id: id.toString(),
        reason: "blocked",
        lastResult: `blocked since ${new Date(since).toISOString()}`,
        httpStatus: 403,
        errorCode: 12,
        attempts: 1,
        nextRetryAt: now() + (deps.ledgerRetryMs ?? DAY),
      })
      deps.log.info("pgcr_blocked.ledgered", { id, since: new Date(since).toISOString() })
      return ok
    }
    const open = gates.isOpen(now())
    if (!open && control && !control.pauseReasons.includes(GATES)) {
      deps.log.info("pgcr_blocked.gates_closed", { recentReleases: gates.recentReleases(now()) })
      control.pause(GATES)
    }
    // Keep the oldest at the head while closed; when open, let the others through first.
    if (!open && firstBlockedAt !== null) return { kind: "requeue", reason: "withheld", position: "head" }
    return { kind: "requeue", reason: "withheld", position: "tail", headers: { [FIRST_BLOCKED_HEADER]: new Date(since).toISOString() } }
  }

  async function probeLoop(): Promise<void> {
    while (running) {
      const c = control!
      const onlyGates = c.pauseReasons.length === 1 && c.pauseReasons[0] === GATES
      if (!onlyGates) {
        await sleep(1_000)
        continue
      }
      let outcome: Outcome | null = null
      try {
        deps.log.debug("pgcr_blocked.probe", {})
        outcome = await c.probe()
        deps.log.debug("pgcr_blocked.probed", { outcome: outcome?.kind ?? null })
      } catch (error) {
        deps.log.warn("pgcr_blocked.probe_failed", { error })
      }
      if (!running) return
      if (gates.isOpen(now())) {
        deps.log.info("pgcr_blocked.gates_open", { recentReleases: gates.recentReleases(now()), newest: gates.newestReleased })
        c.resume(GATES)
        continue
      }
      // The head left the queue (released, ledgered, retried): look at the next one at once.
      if (outcome !== null && (outcome.kind === "ok" || outcome.kind === "retry" || outcome.kind === "reject")) continue
      await sleep(probeIntervalMs * (0.8 + 0.4 * random()))
    }
  }

  return {
    queue: QUEUE,
    gates,
    start(c) {
      control = c
      running = true
      // Until releases prove otherwise, the gates are closed: probe instead of consuming.
      c.pause(GATES)
      loop = probeLoop()
    },
    async stop() {
      running = false
      wake?.()
      await loop
    },
    async handle(delivery): Promise<Outcome> {
      const id = delivery.value
      if (await isStored(deps.sql, id)) return ok
      const firstBlockedAt = readFirstBlockedAt(delivery)
      const fetched = await fetchPgcr(id, { bungie: deps.bungie, defs: deps.defs, signal: delivery.signal })
      switch (fetched.kind) {
        case "raid": {
          const stored = await store.store(fetched.item)
          if (stored === "unknownHash") deps.log.warn("pgcr_blocked.unknown_hash", { id, hash: fetched.item.instance.hash })
          released(id)
          return ok
        }
        case "nonRaid":
          await resolveLedger(deps.sql, id, "nonRaid")
          released(id)
          return ok
        case "blocked":
          return stillBlocked(delivery, firstBlockedAt)
        case "notFound":
          await recordLedger(deps.sql, QUEUE, {
            id: id.toString(),
            reason: "notFound",
            lastResult: "notFound after being withheld",
            httpStatus: fetched.meta.httpStatus,
            errorCode: fetched.meta.errorCode,
            attempts: 1,
            nextRetryAt: now() + 60 * 60_000,
          })
          return ok
        case "badFormat":
          await recordLedger(deps.sql, QUEUE, {
            id: id.toString(),
            reason: "badFormat",
            lastResult: `badFormat: ${fetched.reason}`.slice(0, 500),
            httpStatus: fetched.meta?.httpStatus ?? null,
            errorCode: fetched.meta?.errorCode ?? null,
            attempts: 1,
            nextRetryAt: now() + 30 * 60_000,
          })
          released(id)
          return ok
        case "incomplete":
          released(id)
          return retry(fetched.reason)
        case "disabled":
          return { kind: "pause", reason: "SystemDisabled", system: "Destiny2" }
        case "transient":
        case "fatal":
          return retry(`${fetched.kind}: ${fetched.reason}`)
      }
    },
  }
}

/** When the id was first withheld: our header, else the producer's `blockedAt`; null when unknown. */
export function readFirstBlockedAt(delivery: Pick<Delivery<unknown>, "headers" | "body" | "contentType">): number | null {
  const header = delivery.headers[FIRST_BLOCKED_HEADER]
  if (typeof header === "string") {
    const t = Date.parse(header)
    if (Number.isFinite(t)) return t
  }
  const first = delivery.body[0]
  if (first !== 0x7b /* { */) return null
  const decoded = decodeJsonObject(delivery.body)
  if (!decoded.ok || typeof decoded.value.blockedAt !== "string") return null
  const t = Date.parse(decoded.value.blockedAt)
  return Number.isFinite(t) ? t : null
}
