/**
 * Where an empty fleet starts following the head: --from, else the single-process crawler's
 * checkpoint (a fleet replacing one box goes on from its mark), else a little behind the newest
 * stored raid, else a little behind a known frontier (the simulator's). Once any range is leased
 * the leases say where the fleet is and this is not used.
 */
import { UsageError } from "../../../lib/cli/usage-error.ts"
import type { Sql } from "../../../lib/database/postgres.ts"
import { loadCheckpoint, loadNewestStoredInstance } from "../coordinator/checkpoint.ts"

export async function fleetOrigin(sql: Sql, crawler: string, from: bigint | null, frontierHint: bigint | null): Promise<bigint> {
  if (from !== null) return from
  const checkpoint = await loadCheckpoint(sql, crawler)
  if (checkpoint) return checkpoint.lowWater
  const stored = await loadNewestStoredInstance(sql)
  if (stored !== null) return stored > 10_000n ? stored - 10_000n : 1n
  if (frontierHint !== null) return frontierHint > 2_000n ? frontierHint - 2_000n : 1n
  throw new UsageError("--fleet on an empty database needs --from <id> (where the fleet starts)")
}
