-- leaderboard.clan_leaderboard: per clan, over its known members: sums and averages of clears,
-- fresh clears, sherpas and time played, total world-first score, and the weighted contest
-- score 3 * sum(wfr * 0.9^(intra-clan rank - 6)) / (1 + members)^(1/3), which rewards a deep
-- bench without letting one star carry a clan. (The original divided by (1+n)^(1/3) with
-- integer 1/3 = 0; we use the real cube root as the formula intends.)
DROP MATERIALIZED VIEW IF EXISTS leaderboard.clan_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.clan_leaderboard AS
WITH members AS (
    SELECT
        cm.group_id,
        p.membership_id,
        p.clears,
        p.fresh_clears,
        p.sherpas,
        p.total_time_played_seconds,
        CASE WHEN p.cheat_level < 2 THEN p.wfr_score ELSE 0 END AS wfr_score,
        row_number() OVER (PARTITION BY cm.group_id ORDER BY CASE WHEN p.cheat_level < 2 THEN p.wfr_score ELSE 0 END DESC, p.membership_id ASC) AS intra_clan_ranking
    FROM clan.clan_members cm
    JOIN core.player p ON p.membership_id = cm.membership_id
)
SELECT
    c.group_id,
    c.name,
    count(m.membership_id) AS known_member_count,
    coalesce(sum(m.clears), 0)::bigint AS clears,
    coalesce(round(avg(m.clears)), 0)::bigint AS average_clears,
    coalesce(sum(m.fresh_clears), 0)::bigint AS fresh_clears,
    coalesce(round(avg(m.fresh_clears)), 0)::bigint AS average_fresh_clears,
    coalesce(sum(m.sherpas), 0)::bigint AS sherpas,
    coalesce(round(avg(m.sherpas)), 0)::bigint AS average_sherpas,
    coalesce(sum(m.total_time_played_seconds), 0)::bigint AS time_played_seconds,
    coalesce(round(avg(m.total_time_played_seconds)), 0)::bigint AS average_time_played_seconds,
    coalesce(sum(m.wfr_score), 0)::double precision AS total_contest_score,
    (3 * coalesce(sum(m.wfr_score * power(0.9, m.intra_clan_ranking - 6)), 0)
        / power(1 + count(m.membership_id), 1.0 / 3))::double precision AS weighted_contest_score
FROM clan.clan c
JOIN members m ON m.group_id = c.group_id
GROUP BY c.group_id, c.name
WITH DATA;
CREATE UNIQUE INDEX clan_leaderboard_group_id_idx ON leaderboard.clan_leaderboard (group_id);
CREATE INDEX clan_leaderboard_weighted_contest_score_idx ON leaderboard.clan_leaderboard (weighted_contest_score DESC);
