/**
 * Undoing cheat-detection verdicts (docs/cheat-detection.md, "Clearing a false positive").
 *
 * clearFlags: a systematic false positive (a rule that was wrong for a while): deletes the flags
 * carrying every bit of a mask in a date range, and the CheatCheck blacklists those flags caused
 * (an instance keeps its blacklist while another flag of it is still ≥ 0.95). Blacklists people
 * made (Manual, WebReport) and cascades stay: the original deleted every blacklist row of an
 * affected instance, an operator's decision included.
 *
 * clearPlayer: one player wrongly judged: their player flags, the cascade blacklists their level
 * caused, their rows on other blacklists, and (unless kept) their level back to 0; optionally
 * whitelisted so the evidence stops counting.
 *
 * Both run in one transaction; a dry run runs it and rolls back, so its counts are exact.
 */
import { describeCascadeReason } from "../../lib/cheat/nemesis/cascade.ts"
import { BLACKLIST_THRESHOLD } from "../../lib/cheat/reporting.ts"
import type { AnySql, AnyTx } from "../../lib/database/sql-types.ts"

class DryRunRollback extends Error {}

async function inTransaction<T>(sql: AnySql, dryRun: boolean, work: (tx: AnyTx) => Promise<T>): Promise<T> {
  let result: T | undefined
  try {
    await sql.begin(async (tx) => {
      result = await work(tx)
      if (dryRun) throw new DryRunRollback()
    })
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error
  }
  return result as T
}

export interface ClearFlagsOptions {
  /** Flags with every one of these bits set (64-bit). */
  mask: bigint
  /** flagged_at ≥ since. */
  since: Date
  /** flagged_at < until; null = no upper bound. */
  until: Date | null
  /** Only this cheat-check version; null = every version but `exceptVersion`. */
  version: string | null
  /** The version left alone when `version` is null (the current one: its re-check would write the flags again). */
  exceptVersion: string | null
  dryRun: boolean
}

export interface ClearFlagsReport {
  dryRun: boolean
  instanceFlags: number
  playerFlags: number
  /** Instances with a deleted flag (instance or player), ascending. */
  instances: string[]
  /** CheatCheck blacklist rows removed, ascending. */
  blacklistsRemoved: string[]
}

export function clearFlags(sql: AnySql, o: ClearFlagsOptions): Promise<ClearFlagsReport> {
  if (o.mask <= 0n) throw new Error("clearFlags: an empty mask would match every flag")
  const params = [o.mask.toString(), o.since, o.until, o.version, o.exceptVersion]
  const where = `(cheat_check_bitmask & $1::bigint) = $1::bigint and flagged_at >= $2
    and ($3::timestamptz is null or flagged_at < $3)
    and ($4::text is null or cheat_check_version = $4)
    and ($4::text is not null or $5::text is null or cheat_check_version <> $5)`
  return inTransaction(sql, o.dryRun, async (tx) => {
    const instanceRows = await tx.unsafe(`delete from flagging.flag_instance where ${where} returning instance_id::text as id`, params)
    const playerRows = await tx.unsafe(`delete from flagging.flag_instance_player where ${where} returning instance_id::text as id`, params)
    const instanceIds = [...new Set(instanceRows.map((r) => r.id as string))]
    const removed = await tx.unsafe(
      `delete from flagging.blacklist_instance b
       where b.instance_id = any($1::bigint[]) and b.report_source = 'CheatCheck'
         and not exists (select 1 from flagging.flag_instance f where f.instance_id = b.instance_id and f.cheat_probability >= $2)
       returning b.instance_id::text as id`,
      [instanceIds, BLACKLIST_THRESHOLD],
    )
    const all = new Set([...instanceIds, ...playerRows.map((r) => r.id as string)])
    return {
      dryRun: o.dryRun,
      instanceFlags: instanceRows.length,
      playerFlags: playerRows.length,
      instances: sortIds([...all]),
      blacklistsRemoved: sortIds(removed.map((r) => r.id as string)),
    }
  })
}

export interface ClearPlayerOptions {
  membershipId: bigint
  /** Leave core.player.cheat_level as it is (default: back to 0). */
  keepLevel: boolean
  /** Set core.player.is_whitelisted (future flags stop counting, no cascade, no automatic blacklist). */
  whitelist: boolean
  dryRun: boolean
}

export interface ClearPlayerReport {
  dryRun: boolean
  found: boolean
  playerFlags: number
  /** Cascade blacklists caused by this player, removed, ascending. */
  cascadesRemoved: string[]
  /** The player's rows on blacklists that stay (someone else's cascade, a manual one, a CheatCheck one). */
  blacklistPlayerRows: number
  levelFrom: number | null
  levelTo: number | null
  whitelisted: boolean
}

export function clearPlayer(sql: AnySql, o: ClearPlayerOptions): Promise<ClearPlayerReport> {
  const id = o.membershipId.toString()
  return inTransaction(sql, o.dryRun, async (tx) => {
    const [player] = await tx.unsafe("select cheat_level, is_whitelisted from core.player where membership_id = $1::bigint for update", [
      id,
    ])
    const flags = await tx.unsafe("delete from flagging.flag_instance_player where membership_id = $1::bigint returning instance_id", [id])
    const cascades = await tx.unsafe(
      `delete from flagging.blacklist_instance
       where report_source = 'BlacklistedPlayerCascade' and reason = $1
       returning instance_id::text as id`,
      [describeCascadeReason(o.membershipId)],
    )
    // Their rows on the blacklists that stay (the cascade's own went with their parent rows).
    const rows = await tx.unsafe("delete from flagging.blacklist_instance_player where membership_id = $1::bigint returning instance_id", [
      id,
    ])
    let levelTo: number | null = player ? Number(player.cheat_level) : null
    if (player && !o.keepLevel) {
      await tx.unsafe("update core.player set cheat_level = 0, updated_at = now() where membership_id = $1::bigint", [id])
      levelTo = 0
    }
    if (player && o.whitelist) {
      await tx.unsafe("update core.player set is_whitelisted = true, updated_at = now() where membership_id = $1::bigint", [id])
    }
    return {
      dryRun: o.dryRun,
      found: player !== undefined,
      playerFlags: flags.length,
      cascadesRemoved: sortIds(cascades.map((r) => r.id as string)),
      blacklistPlayerRows: rows.length,
      levelFrom: player ? Number(player.cheat_level) : null,
      levelTo,
      whitelisted: player ? o.whitelist || player.is_whitelisted === true : false,
    }
  })
}

function sortIds(ids: string[]): string[] {
  return ids.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
}
