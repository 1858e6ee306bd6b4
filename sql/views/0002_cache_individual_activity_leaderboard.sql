-- cache._individual_activity_leaderboard_cache: per activity, the eligible players' stats
-- (same eligibility as the global cache) and the per-activity total.
DROP MATERIALIZED VIEW IF EXISTS cache._individual_activity_leaderboard_cache;
CREATE MATERIALIZED VIEW cache._individual_activity_leaderboard_cache AS
SELECT
    ps.activity_id,
    ps.membership_id,
    ps.clears,
    ps.fresh_clears,
    ps.sherpas,
    ps.total_time_played_seconds,
    ps.fastest_instance_id,
    count(*) OVER (PARTITION BY ps.activity_id) AS total_count
FROM core.player_stats ps
JOIN core.player p ON p.membership_id = ps.membership_id
WHERE ps.clears > 0 AND NOT p.is_private AND p.cheat_level < 2
WITH DATA;
CREATE UNIQUE INDEX _individual_activity_leaderboard_cache_pk_idx
    ON cache._individual_activity_leaderboard_cache (activity_id, membership_id);
