-- leaderboard.individual_raid_leaderboard: per raid (activity) and eligible player, clears,
-- fresh clears, sherpas and time played with position / rank / percentile. Raids only.
DROP MATERIALIZED VIEW IF EXISTS leaderboard.individual_raid_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.individual_raid_leaderboard AS
SELECT
    ps.activity_id,
    ps.membership_id,

    ps.clears,
    row_number() OVER (PARTITION BY ps.activity_id ORDER BY ps.clears DESC, ps.membership_id ASC) AS clears_position,
    rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.clears DESC) AS clears_rank,
    percent_rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.clears ASC) AS clears_percentile,

    ps.fresh_clears,
    row_number() OVER (PARTITION BY ps.activity_id ORDER BY ps.fresh_clears DESC, ps.membership_id ASC) AS fresh_clears_position,
    rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.fresh_clears DESC) AS fresh_clears_rank,
    percent_rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.fresh_clears ASC) AS fresh_clears_percentile,

    ps.sherpas,
    row_number() OVER (PARTITION BY ps.activity_id ORDER BY ps.sherpas DESC, ps.membership_id ASC) AS sherpas_position,
    rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.sherpas DESC) AS sherpas_rank,
    percent_rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.sherpas ASC) AS sherpas_percentile,

    ps.total_time_played_seconds AS total_time_played,
    row_number() OVER (PARTITION BY ps.activity_id ORDER BY ps.total_time_played_seconds DESC, ps.membership_id ASC) AS total_time_played_position,
    rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.total_time_played_seconds DESC) AS total_time_played_rank,
    percent_rank() OVER (PARTITION BY ps.activity_id ORDER BY ps.total_time_played_seconds ASC) AS total_time_played_percentile
FROM core.player_stats ps
JOIN core.player p ON p.membership_id = ps.membership_id
JOIN definitions.activity_definition a ON a.id = ps.activity_id
WHERE a.is_raid AND ps.clears > 0 AND NOT p.is_private AND p.cheat_level < 2
WITH DATA;
CREATE UNIQUE INDEX individual_raid_leaderboard_membership_id_idx ON leaderboard.individual_raid_leaderboard (activity_id, membership_id);
CREATE UNIQUE INDEX individual_raid_leaderboard_clears_idx ON leaderboard.individual_raid_leaderboard (activity_id, clears_position);
CREATE UNIQUE INDEX individual_raid_leaderboard_fresh_clears_idx ON leaderboard.individual_raid_leaderboard (activity_id, fresh_clears_position);
CREATE UNIQUE INDEX individual_raid_leaderboard_sherpas_idx ON leaderboard.individual_raid_leaderboard (activity_id, sherpas_position);
CREATE UNIQUE INDEX individual_raid_leaderboard_total_time_played_idx ON leaderboard.individual_raid_leaderboard (activity_id, total_time_played_position);
