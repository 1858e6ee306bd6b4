-- cache._global_leaderboard_cache: the players eligible for public leaderboards (at least one
-- clear, public profile, cheat level below 2) with their totals, plus how many there are.
-- Refreshed before the leaderboards; the API uses total_count for percentiles and page counts.
-- Every views file drops and recreates its own view, and no view reads another view, so a file
-- can be re-applied alone. REFRESH ... CONCURRENTLY needs the unique index.
DROP MATERIALIZED VIEW IF EXISTS cache._global_leaderboard_cache;
CREATE MATERIALIZED VIEW cache._global_leaderboard_cache AS
SELECT
    p.membership_id,
    p.clears,
    p.fresh_clears,
    p.sherpas,
    p.sum_of_best,
    p.total_time_played_seconds,
    p.wfr_score,
    count(*) OVER () AS total_count
FROM core.player p
WHERE p.clears > 0 AND NOT p.is_private AND p.cheat_level < 2
WITH DATA;
CREATE UNIQUE INDEX _global_leaderboard_cache_membership_id_idx ON cache._global_leaderboard_cache (membership_id);
