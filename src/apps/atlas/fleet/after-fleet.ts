/**
 * A single-process atlas following the head where a fleet ran before (the boxes went back to
 * one): it goes on from the fleet's global low-water mark, as a fleet replacing one box goes on
 * from that box's checkpoint (origin.ts). Ids the fleet resolved above the mark are fetched again
 * (the store is idempotent); nothing below it is.
 */
import type { Sql } from "../../../lib/database/postgres.ts"
import { loadCheckpoint } from "../coordinator/checkpoint.ts"
import { fleetSnapshot } from "./lease-store.ts"

export interface AfterFleet {
  /** Where to start: the fleet's mark. */
  from: bigint
  /** Processes still holding unexpired leases of this crawler (they should be stopped first). */
  liveOwners: string[]
}

/** The fleet's mark when this crawler has leases and their mark is past its own checkpoint; else null. */
export async function startAfterFleet(sql: Sql, crawler: string): Promise<AfterFleet | null> {
  const fleet = await fleetSnapshot(sql, crawler)
  if (fleet.lowWater === null) return null
  const checkpoint = await loadCheckpoint(sql, crawler)
  if (checkpoint && checkpoint.lowWater >= fleet.lowWater) return null
  return { from: fleet.lowWater, liveOwners: fleet.owners }
}
