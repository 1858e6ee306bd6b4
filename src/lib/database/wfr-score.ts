/**
 * core.player.wfr_score from the world-first contest leaderboard (research §4.1): for each player
 * and raid, the best (lowest) rank r among the player's finished world-first runs scores
 * 1/sqrt(r) x 1.25^(activity_id - 1), and the score is the sum over raids (newer raids weigh
 * more). The global and clan leaderboards and the search score read it, so it is recomputed after
 * every refresh of leaderboard.world_first_contest_leaderboard. Players who dropped off the board
 * (a blacklisted run) go back to 0. One statement; only rows whose score changes are written.
 */
import type { AnySql } from "./sql-types.ts"

export interface WfrScoreReport {
  /** Players with a score above 0. */
  scored: number
  /** Rows whose score changed. */
  updated: number
}

export async function updateWfrScores(sql: AnySql, options: { dryRun?: boolean } = {}): Promise<WfrScoreReport> {
  const scores = `
    with best as (
      select ip.membership_id, w.activity_id, min(w.rank) as r
      from leaderboard.world_first_contest_leaderboard w
      join core.instance_player ip on ip.instance_id = w.instance_id and ip.completed
      group by ip.membership_id, w.activity_id
    )
    select membership_id, sum(power(1.25, activity_id - 1) / sqrt(r))::double precision as score
    from best group by membership_id`
  const [row] = await sql.unsafe<{ scored: number; updated: number }[]>(
    options.dryRun
      ? `with s as (${scores})
         select (select count(*)::int from s) as scored,
                (select count(*)::int from core.player p left join s using (membership_id)
                 where p.wfr_score is distinct from coalesce(s.score, 0)) as updated`
      : `with s as (${scores}),
         changed as (
           update core.player p set wfr_score = coalesce(s.score, 0), updated_at = now()
           from (select membership_id from s union select membership_id from core.player where wfr_score <> 0) t
           left join s using (membership_id)
           where p.membership_id = t.membership_id and p.wfr_score is distinct from coalesce(s.score, 0)
           returning 1)
         select (select count(*)::int from s) as scored, (select count(*)::int from changed) as updated`,
  )
  return { scored: row?.scored ?? 0, updated: row?.updated ?? 0 }
}
