/**
 * Writes a cheat-check verdict (lib/cheat) as flag rows and, for near-certain runs, a blacklist
 * entry. One transaction per verdict.
 *
 * Idempotent per (instance, version): after a write, the flags of that instance at that version
 * are exactly the verdict's reported ones. A redelivered message rewrites the same rows, a player
 * no longer above the threshold loses their row, and `flagged_at` keeps the first write's time
 * (nemesis counts flags by it, so a redelivery must not make an old flag look new).
 *
 * Blacklisting never overrides a person: an existing blacklist row (manual, web report, cascade)
 * is left as it is, and whitelisted instances or participants are never blacklisted (reporting.ts).
 */
import { nameBits } from "../cheat/bits.ts"
import { CHEAT_CHECK_BLACKLIST_REASON, shouldBlacklistInstance, shouldReportInstance, shouldReportPlayer } from "../cheat/reporting.ts"
import type { CheatVerdict } from "../cheat/types.ts"
import type { AnySql, AnyTx } from "./sql-types.ts"

export interface FlagWriteResult {
  instanceFlagged: boolean
  playersFlagged: number
  /** A CheatCheck blacklist row was inserted by this write. */
  blacklisted: boolean
}

/** Postgres numeric holds what a double holds; clamp so the range CHECK never fails on rounding. */
function probabilityParam(p: number): number {
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0
}

/** Prepared statements: the same few run for every checked instance. */
const PREPARED = { prepare: true } as const

export async function writeCheatVerdict(sql: AnySql, verdict: CheatVerdict): Promise<FlagWriteResult> {
  if (!hasReports(verdict)) {
    // Most runs are clean: one statement (atomic by itself) removes whatever an earlier write of
    // this version left, without a transaction's two extra round trips.
    await sql.unsafe(
      `with i as (delete from flagging.flag_instance where instance_id = $1::bigint and cheat_check_version = $2),
            p as (delete from flagging.flag_instance_player where instance_id = $1::bigint and cheat_check_version = $2)
       select 1`,
      [verdict.instanceId.toString(), verdict.version],
      PREPARED,
    )
    return { instanceFlagged: false, playersFlagged: 0, blacklisted: false }
  }
  return sql.begin((tx) => writeCheatVerdictInTx(tx, verdict)) as Promise<FlagWriteResult>
}

function hasReports(verdict: CheatVerdict): boolean {
  if (verdict.skipped !== null) return false
  return shouldReportInstance(verdict.instanceProbability) || verdict.players.some((p) => shouldReportPlayer(p.probability))
}

export async function writeCheatVerdictInTx(tx: AnyTx, verdict: CheatVerdict): Promise<FlagWriteResult> {
  const id = verdict.instanceId.toString()
  const version = verdict.version
  const reportInstance = verdict.skipped === null && shouldReportInstance(verdict.instanceProbability)
  const players = verdict.skipped === null ? verdict.players.filter((p) => shouldReportPlayer(p.probability)) : []

  if (reportInstance) {
    await tx.unsafe(
      `insert into flagging.flag_instance (instance_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
       values ($1::bigint, $2, $3::bigint, $4)
       on conflict (instance_id, cheat_check_version) do update
         set cheat_check_bitmask = excluded.cheat_check_bitmask, cheat_probability = excluded.cheat_probability`,
      [id, version, verdict.instanceBits.toString(), probabilityParam(verdict.instanceProbability)],
      PREPARED,
    )
  } else {
    await tx.unsafe(
      "delete from flagging.flag_instance where instance_id = $1::bigint and cheat_check_version = $2",
      [id, version],
      PREPARED,
    )
  }

  const memberIds = players.map((p) => p.membershipId.toString())
  await tx.unsafe(
    `delete from flagging.flag_instance_player
     where instance_id = $1::bigint and cheat_check_version = $2 and not (membership_id = any($3::bigint[]))`,
    [id, version, memberIds],
    PREPARED,
  )
  if (players.length > 0) {
    // Only participants can be flagged (the FK); the verdict's players come from the stored rows.
    await tx.unsafe(
      `insert into flagging.flag_instance_player (instance_id, membership_id, cheat_check_version, cheat_check_bitmask, cheat_probability)
       select $1::bigint, m, $2, b, p from unnest($3::bigint[], $4::bigint[], $5::float8[]) as t(m, b, p)
       on conflict (instance_id, membership_id, cheat_check_version) do update
         set cheat_check_bitmask = excluded.cheat_check_bitmask, cheat_probability = excluded.cheat_probability`,
      [id, version, memberIds, players.map((p) => p.bits.toString()), players.map((p) => probabilityParam(p.probability))],
      PREPARED,
    )
  }

  let blacklisted = false
  if (reportInstance) {
    const [w] = await tx.unsafe(
      `select i.is_whitelisted as instance_whitelisted,
              exists (select 1 from core.instance_player ip join core.player p on p.membership_id = ip.membership_id
                      where ip.instance_id = i.instance_id and p.is_whitelisted) as participant_whitelisted
       from core.instance i where i.instance_id = $1::bigint`,
      [id],
      PREPARED,
    )
    const candidate = {
      instanceProbability: verdict.instanceProbability,
      instanceWhitelisted: w?.instance_whitelisted === true,
      anyParticipantWhitelisted: w?.participant_whitelisted === true,
    }
    if (w && shouldBlacklistInstance(candidate)) {
      const inserted = await tx.unsafe(
        `insert into flagging.blacklist_instance (instance_id, report_source, cheat_check_version, reason)
         values ($1::bigint, 'CheatCheck', $2, $3)
         on conflict (instance_id) do nothing
         returning instance_id`,
        [id, version, CHEAT_CHECK_BLACKLIST_REASON],
      )
      blacklisted = inserted.length > 0
      if (blacklisted && players.length > 0) {
        // The admin standing page shows these per player: which of them the check blamed, and why.
        await tx.unsafe(
          `insert into flagging.blacklist_instance_player (instance_id, membership_id, reason)
           select $1::bigint, m, r from unnest($2::bigint[], $3::text[]) as t(m, r)
           on conflict (instance_id, membership_id) do nothing`,
          [id, memberIds, players.map((p) => playerReason(p.probability, p.bits))],
        )
      }
    }
  }
  return { instanceFlagged: reportInstance, playersFlagged: players.length, blacklisted }
}

function playerReason(probability: number, bits: bigint): string {
  return `Cheat check ${probability.toFixed(3)}: ${nameBits(bits).join(", ")}`
}
