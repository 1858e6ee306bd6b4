/**
 * One atlas process of a fleet (`bun run atlas --fleet`): leases a range (lease-store.ts), crawls
 * it as a bounded crawl with this process's own fetchers and addresses, heartbeats the lease with
 * the crawl's low-water mark as resume_from, marks it done when every id is resolved, and leases
 * the next. Each range keeps its own checkpoint row (rangeCrawler), so a process taking over a
 * dead owner's range resumes exactly where that one's last checkpoint left it; resume_from is
 * the coarse mark the leases show (the global low-water mark is built from it).
 *
 * Following the head (no --to), one process holds the leader lease and is the only one leasing
 * fresh ranges at the head; it publishes its frontier estimate, and the others lease only ranges
 * wholly behind it (a catch-up) or take over expired and released ones. A process that wins the
 * leader lease while crawling a range behind the head gives that range back (released at its
 * mark) and goes to the head. A graceful stop releases the range and the leader lease at once.
 */
import type { Sql } from "../../../lib/database/postgres.ts"
import type { Logger } from "../../../lib/monitoring/logger.ts"
import type { FleetStatus } from "../coordinator/atlas-metrics.ts"
import { parkHoldFor, type RangeSizeOptions } from "./lease-plan.ts"
import {
  acquireLeader,
  claimRange,
  completeLease,
  type FleetSnapshot,
  fleetSnapshot,
  forgetMember,
  heartbeatLease,
  type Lease,
  rangeCrawler,
  readLeader,
  releaseLeader,
  releaseLease,
} from "./lease-store.ts"

export interface RangeCrawlRequest {
  /** The range's own checkpoint name. */
  crawler: string
  from: bigint
  /** Inclusive. */
  to: bigint
  /** Newest id known to exist, if any. */
  frontier: bigint | null
}

export interface RangeCrawlResult {
  reason: "rangeResolved" | "stopped" | "fatal"
}

/** A running bounded crawl (startAtlas in production). */
export interface RangeCrawl {
  lowWater(): bigint
  /** Every id of the range was handed out (only retries of unresolved ones remain). */
  claimedAll(): boolean
  frontier(): bigint | null
  /** When the youngest unresolved id of the range began waiting (epoch ms); null: none. */
  holesSince(): number | null
  stop(): Promise<RangeCrawlResult>
  done: Promise<RangeCrawlResult>
}

export interface FleetOptions {
  sql: Sql
  crawler: string
  owner: string
  leaseMs: number
  /** Where an empty fleet starts. */
  origin: bigint
  /** Exclusive end of a bounded fleet; null = follow the head. */
  end: bigint | null
  sizes?: RangeSizeOptions
  log: Logger
  crawlRange(request: RangeCrawlRequest): Promise<RangeCrawl>
  /**
   * A range whose ids were all tried but some stay unresolved this long (holes waiting for
   * publication, ~10 min near the head) is parked: released, held back until its holes' next try
   * (the time they have been missing, between `parkHoldMs` and `parkHoldMaxMs`: lease-plan.ts
   * parkHoldFor), and the process leases the next range (following the head only). Defaults 5 s,
   * 15 s and 120 s (the patient 404 schedule's longest wait).
   */
  parkAfterMs?: number
  parkHoldMs?: number
  parkHoldMaxMs?: number
  /** Wait between claims when nothing can be leased (default a third of the lease period, ≤ 2 s). */
  idleMs?: number
}

export interface FleetEvent {
  kind: "leased" | "done" | "released" | "parked" | "lost" | "leader"
  lease?: Lease
  epoch?: bigint
}

export interface FleetHandle {
  /** The fleet as this process last saw it (refreshed with the heartbeat). */
  status(): FleetStatus
  done: Promise<{ exitCode: number; reason: "rangeDone" | "stopped" | "fatal"; ranges: number }>
  stop(): void
  /** Leases this process worked on, in order (tests, status). */
  readonly events: readonly FleetEvent[]
  isLeader(): boolean
  current(): Lease | null
}

export function startFleet(o: FleetOptions): FleetHandle {
  const events: FleetEvent[] = []
  const heartbeatMs = Math.max(50, Math.floor(o.leaseMs / 3))
  const idleMs = o.idleMs ?? Math.min(2_000, heartbeatMs)
  let stopping = false
  let leader = false
  let head: bigint | null = null
  let current: Lease | null = null
  let crawl: RangeCrawl | null = null
  let wake: () => void = () => {}
  const followHead = o.end === null
  const parkAfterMs = o.parkAfterMs ?? 5_000
  const parkHoldMs = o.parkHoldMs ?? 15_000
  const parkHoldMaxMs = o.parkHoldMaxMs ?? 120_000
  let claimedAllSince: number | null = null
  let parking = false
  /** When parking: the hold decided from the range's holes. */
  let parkHold = parkHoldMs

  const leaderTick = async () => {
    if (!followHead || stopping) return
    const frontier = leader && crawl ? crawl.frontier() : null
    const state = await acquireLeader(o.sql, o.crawler, o.owner, o.leaseMs, frontier)
    const was = leader
    leader = state !== null
    if (state) {
      head = state.frontier ?? head
      if (!was) {
        events.push({ kind: "leader", epoch: state.epoch })
        o.log.info("atlas.fleet.leader", { owner: o.owner, epoch: state.epoch })
        // A range behind the head goes back at once: the head must not wait for it.
        if (current && crawl && head !== null && current.rangeEnd < head) void crawl.stop()
      }
    } else {
      head = (await readLeader(o.sql, o.crawler))?.frontier ?? head
    }
  }

  const heartbeat = async () => {
    const lease = current
    const c = crawl
    if (!lease) return
    // While the range's crawl starts up (threads, start point) the lease is held at its start.
    // Only following the head is there always other work (the next range); a bounded fleet's
    // holes are history (a few quick tries) and parking would only add the hold.
    if (c && !parking && followHead) {
      if (!c.claimedAll()) claimedAllSince = null
      else if (claimedAllSince === null) claimedAllSince = Date.now()
      else if (Date.now() - claimedAllSince >= parkAfterMs) {
        // Only holes left: the range's checkpoint keeps them (with their waiting times) for
        // whoever takes it after the hold; this process goes on with the next range.
        parking = true
        parkHold = parkHoldFor(Date.now(), c.holesSince(), parkHoldMs, parkHoldMaxMs)
        void c.stop()
      }
    }
    const ok = await heartbeatLease(o.sql, lease, o.owner, c ? c.lowWater() : lease.from, o.leaseMs)
    if (!ok && current === lease) {
      // Taken over (this process stalled past its lease): the new owner crawls it; stop here.
      o.log.warn("atlas.fleet.lease_lost", { lease: lease.leaseId, from: lease.rangeStart, to: lease.rangeEnd })
      events.push({ kind: "lost", lease })
      current = null
      if (c) void c.stop()
    }
  }

  let snapshot: FleetSnapshot | null = null
  const observe = async () => {
    snapshot = await fleetSnapshot(o.sql, o.crawler)
  }
  const timer = setInterval(() => {
    Promise.all([leaderTick(), heartbeat(), observe()]).catch((error) => o.log.warn("atlas.fleet.heartbeat_failed", { error }))
  }, heartbeatMs)
  const status = (): FleetStatus => ({
    owner: o.owner,
    leader,
    lowWater: snapshot?.lowWater?.toString() ?? null,
    top: snapshot?.top?.toString() ?? null,
    live: snapshot?.live ?? 0,
    takeable: snapshot?.takeable ?? 0,
    done: snapshot?.done ?? 0,
    owners: snapshot?.owners ?? [],
    range: current
      ? {
          start: current.rangeStart.toString(),
          end: current.rangeEnd.toString(),
          from: current.from.toString(),
          takeover: current.takeover,
        }
      : null,
  })

  const loop = async (): Promise<{ exitCode: number; reason: "rangeDone" | "stopped" | "fatal"; ranges: number }> => {
    let ranges = 0
    try {
      await leaderTick()
      while (!stopping) {
        // A failed claim (Postgres restarting, a live range of another crawler name in the way:
        // the exclusion constraint spans crawlers) is retried after the idle wait, not fatal.
        const claim = await claimRange(o.sql, {
          crawler: o.crawler,
          owner: o.owner,
          leaseMs: o.leaseMs,
          origin: o.origin,
          end: o.end,
          head,
          leader,
          ...(o.sizes ? { sizes: o.sizes } : {}),
        }).catch((error: unknown) => {
          o.log.warn("atlas.fleet.claim_failed", { error })
          return { kind: "none", reason: "allLeased" } as const
        })
        if (claim.kind === "none") {
          if (claim.reason === "rangeDone") return { exitCode: 0, reason: "rangeDone", ranges }
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, idleMs)
          })
          await leaderTick().catch((error) => o.log.warn("atlas.fleet.leader_failed", { error }))
          continue
        }
        const lease = claim.lease
        ranges++
        events.push({ kind: "leased", lease })
        o.log.info("atlas.fleet.leased", {
          lease: lease.leaseId,
          from: lease.from,
          rangeStart: lease.rangeStart,
          rangeEnd: lease.rangeEnd,
          takeover: lease.takeover,
          previousOwner: lease.previousOwner,
          leader,
        })
        current = lease
        claimedAllSince = null
        parking = false
        crawl = await o.crawlRange({ crawler: rangeCrawler(lease), from: lease.from, to: lease.rangeEnd - 1n, frontier: head })
        if (stopping || current !== lease) void crawl.stop()
        const result = await crawl.done
        const lowWater = crawl.lowWater()
        // The next range starts knowing the head (its crawl skips the frontier search).
        head = crawl.frontier() ?? head
        crawl = null
        const mine = current === lease
        current = null
        if (result.reason === "rangeResolved") {
          await completeLease(o.sql, lease)
          events.push({ kind: "done", lease })
          continue
        }
        if (mine) {
          const park = parking && !stopping && result.reason === "stopped"
          await releaseLease(o.sql, lease, o.owner, lowWater, park ? parkHold : 0)
          events.push({ kind: park ? "parked" : "released", lease })
          if (park) o.log.info("atlas.fleet.parked", { lease: lease.leaseId, resumeFrom: lowWater, holdMs: parkHold })
        }
        if (result.reason === "fatal") return { exitCode: 1, reason: "fatal", ranges }
      }
      return { exitCode: 0, reason: "stopped", ranges }
    } finally {
      clearInterval(timer)
      if (leader) await releaseLeader(o.sql, o.crawler, o.owner).catch(() => {})
      await forgetMember(o.sql, o.crawler, o.owner).catch(() => {})
    }
  }

  const done = loop()
  return {
    done,
    status,
    stop() {
      stopping = true
      wake()
      if (crawl) void crawl.stop()
    },
    events,
    isLeader: () => leader,
    current: () => current,
  }
}
