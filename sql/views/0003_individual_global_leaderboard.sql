-- leaderboard.individual_global_leaderboard: one row per eligible player; for each metric the
-- value, a unique position (row_number, ties broken by membership id), the rank (ties share)
-- and a percentile (share of eligible players ranked strictly behind, 0..1).
-- speed is the sum of best fresh clears (lower is better); players without one sort last.
DROP MATERIALIZED VIEW IF EXISTS leaderboard.individual_global_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.individual_global_leaderboard AS
SELECT
    membership_id,

    clears,
    row_number() OVER (ORDER BY clears DESC, membership_id ASC) AS clears_position,
    rank() OVER (ORDER BY clears DESC) AS clears_rank,
    percent_rank() OVER (ORDER BY clears ASC) AS clears_percentile,

    fresh_clears,
    row_number() OVER (ORDER BY fresh_clears DESC, membership_id ASC) AS fresh_clears_position,
    rank() OVER (ORDER BY fresh_clears DESC) AS fresh_clears_rank,
    percent_rank() OVER (ORDER BY fresh_clears ASC) AS fresh_clears_percentile,

    sherpas,
    row_number() OVER (ORDER BY sherpas DESC, membership_id ASC) AS sherpas_position,
    rank() OVER (ORDER BY sherpas DESC) AS sherpas_rank,
    percent_rank() OVER (ORDER BY sherpas ASC) AS sherpas_percentile,

    sum_of_best AS speed,
    row_number() OVER (ORDER BY sum_of_best ASC NULLS LAST, membership_id ASC) AS speed_position,
    rank() OVER (ORDER BY sum_of_best ASC NULLS LAST) AS speed_rank,
    percent_rank() OVER (ORDER BY sum_of_best DESC NULLS FIRST) AS speed_percentile,

    total_time_played_seconds AS total_time_played,
    row_number() OVER (ORDER BY total_time_played_seconds DESC, membership_id ASC) AS total_time_played_position,
    rank() OVER (ORDER BY total_time_played_seconds DESC) AS total_time_played_rank,
    percent_rank() OVER (ORDER BY total_time_played_seconds ASC) AS total_time_played_percentile,

    wfr_score,
    row_number() OVER (ORDER BY wfr_score DESC, membership_id ASC) AS wfr_score_position,
    rank() OVER (ORDER BY wfr_score DESC) AS wfr_score_rank,
    percent_rank() OVER (ORDER BY wfr_score ASC) AS wfr_score_percentile
FROM core.player
WHERE clears > 0 AND NOT is_private AND cheat_level < 2
WITH DATA;
CREATE UNIQUE INDEX individual_global_leaderboard_membership_id_idx ON leaderboard.individual_global_leaderboard (membership_id);
CREATE UNIQUE INDEX individual_global_leaderboard_clears_idx ON leaderboard.individual_global_leaderboard (clears_position);
CREATE UNIQUE INDEX individual_global_leaderboard_fresh_clears_idx ON leaderboard.individual_global_leaderboard (fresh_clears_position);
CREATE UNIQUE INDEX individual_global_leaderboard_sherpas_idx ON leaderboard.individual_global_leaderboard (sherpas_position);
CREATE UNIQUE INDEX individual_global_leaderboard_speed_idx ON leaderboard.individual_global_leaderboard (speed_position);
CREATE UNIQUE INDEX individual_global_leaderboard_total_time_played_idx ON leaderboard.individual_global_leaderboard (total_time_played_position);
CREATE UNIQUE INDEX individual_global_leaderboard_wfr_score_idx ON leaderboard.individual_global_leaderboard (wfr_score_position);
