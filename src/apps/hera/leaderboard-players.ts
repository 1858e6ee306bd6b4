/**
 * The players hera looks at: ranked within the top `top` of any global leaderboard (clears, fresh
 * clears, sherpas, speed, time played, world-first score) or any per-raid leaderboard (clears,
 * fresh clears, sherpas, time played), with a known membership type (Bungie's group lookup needs
 * it; 0 and 4 are not real platforms). A board's empty tail (no speed, no sherpas, no score) does
 * not count as a placement.
 */
import type { Sql } from "../../lib/database/postgres.ts"

export interface LeaderboardPlayer {
  membershipId: string
  membershipType: number
}

export async function selectLeaderboardPlayers(sql: Sql, top: number): Promise<LeaderboardPlayer[]> {
  const rows = await sql<{ id: string; type: number }[]>`
    with ranked as (
      select membership_id from leaderboard.individual_global_leaderboard
      where clears_position <= ${top} or fresh_clears_position <= ${top}
         or (sherpas > 0 and sherpas_position <= ${top}) or (speed is not null and speed_position <= ${top})
         or total_time_played_position <= ${top} or (wfr_score > 0 and wfr_score_position <= ${top})
      union
      select membership_id from leaderboard.individual_raid_leaderboard
      where clears_position <= ${top} or fresh_clears_position <= ${top}
         or (sherpas > 0 and sherpas_position <= ${top}) or total_time_played_position <= ${top}
    )
    select p.membership_id::text as id, p.membership_type as type
    from ranked r join core.player p using (membership_id)
    where p.membership_type is not null and p.membership_type not in (0, 4)
    order by p.membership_id`
  return rows.map((r) => ({ membershipId: r.id, membershipType: r.type }))
}
