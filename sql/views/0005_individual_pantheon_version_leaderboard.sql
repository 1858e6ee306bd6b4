-- leaderboard.individual_pantheon_version_leaderboard: per Pantheon version (encounters of
-- activities 101 and 102) and eligible player: clears, fresh clears and summed score of the
-- player's completed, non-blacklisted runs, with positions and ranks.
DROP MATERIALIZED VIEW IF EXISTS leaderboard.individual_pantheon_version_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.individual_pantheon_version_leaderboard AS
WITH per_player AS (
    SELECT
        av.version_id,
        ip.membership_id,
        count(*) AS clears,
        count(*) FILTER (WHERE i.fresh) AS fresh_clears,
        sum(i.score)::bigint AS score
    FROM definitions.activity_version av
    JOIN core.instance i ON i.hash = av.hash AND i.completed
    JOIN core.instance_player ip ON ip.instance_id = i.instance_id AND ip.completed
    JOIN core.player p ON p.membership_id = ip.membership_id
    WHERE av.activity_id IN (101, 102)
      AND NOT p.is_private AND p.cheat_level < 2
      AND NOT EXISTS (SELECT 1 FROM flagging.blacklist_instance b WHERE b.instance_id = i.instance_id)
    GROUP BY av.version_id, ip.membership_id
)
SELECT
    version_id,
    membership_id,

    clears,
    row_number() OVER (PARTITION BY version_id ORDER BY clears DESC, membership_id ASC) AS clears_position,
    rank() OVER (PARTITION BY version_id ORDER BY clears DESC) AS clears_rank,

    fresh_clears,
    row_number() OVER (PARTITION BY version_id ORDER BY fresh_clears DESC, membership_id ASC) AS fresh_clears_position,
    rank() OVER (PARTITION BY version_id ORDER BY fresh_clears DESC) AS fresh_clears_rank,

    score,
    row_number() OVER (PARTITION BY version_id ORDER BY score DESC, membership_id ASC) AS score_position,
    rank() OVER (PARTITION BY version_id ORDER BY score DESC) AS score_rank
FROM per_player
WITH DATA;
CREATE UNIQUE INDEX individual_pantheon_version_leaderboard_membership_id_idx ON leaderboard.individual_pantheon_version_leaderboard (version_id, membership_id);
CREATE UNIQUE INDEX individual_pantheon_version_leaderboard_clears_idx ON leaderboard.individual_pantheon_version_leaderboard (version_id, clears_position);
CREATE UNIQUE INDEX individual_pantheon_version_leaderboard_fresh_clears_idx ON leaderboard.individual_pantheon_version_leaderboard (version_id, fresh_clears_position);
CREATE UNIQUE INDEX individual_pantheon_version_leaderboard_score_idx ON leaderboard.individual_pantheon_version_leaderboard (version_id, score_position);
