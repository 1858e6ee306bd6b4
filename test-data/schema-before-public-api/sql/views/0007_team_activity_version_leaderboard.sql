-- leaderboard.team_activity_version_leaderboard: the first 1,000 completions per (activity,
-- version), Guided Games (version 2) excluded, blacklisted runs excluded, with seconds after the
-- hash's release (release_date_override when set) and the finishers.
DROP MATERIALIZED VIEW IF EXISTS leaderboard.team_activity_version_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.team_activity_version_leaderboard AS
WITH candidates AS (
    -- At most 1,000 per hash (index instance_hash_date_completed_idx), then merged per version.
    SELECT av.activity_id, av.version_id, first.instance_id, first.date_completed,
           extract(epoch FROM (first.date_completed - coalesce(av.release_date_override, a.release_date)))::integer AS time_after_launch
    FROM definitions.activity_version av
    JOIN definitions.activity_definition a ON a.id = av.activity_id
    CROSS JOIN LATERAL (
        SELECT i.instance_id, i.date_completed
        FROM core.instance i
        WHERE i.hash = av.hash AND i.completed
          AND NOT EXISTS (SELECT 1 FROM flagging.blacklist_instance b WHERE b.instance_id = i.instance_id)
        ORDER BY i.date_completed ASC, i.instance_id ASC
        LIMIT 1000
    ) first
    WHERE av.version_id <> 2
),
ranked AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY activity_id, version_id ORDER BY date_completed ASC, instance_id ASC) AS position,
           rank() OVER (PARTITION BY activity_id, version_id ORDER BY date_completed ASC) AS rank
    FROM candidates c
)
SELECT
    r.activity_id,
    r.version_id,
    r.position,
    r.rank,
    r.instance_id,
    r.date_completed,
    r.time_after_launch,
    coalesce(players.membership_ids, '[]'::jsonb) AS membership_ids
FROM ranked r
-- Finisher ids as JSON strings: a JSON number above 2^53 loses digits in any JS client.
-- Find a player's rows with membership_ids @> '["<id>"]'.
LEFT JOIN LATERAL (
    SELECT jsonb_agg(f.membership_id::text ORDER BY f.membership_id) AS membership_ids
    FROM (
        SELECT ip.membership_id FROM core.instance_player ip
        WHERE ip.instance_id = r.instance_id AND ip.completed
        ORDER BY ip.membership_id
        LIMIT 25
    ) f
) players ON true
WHERE r.position <= 1000
WITH DATA;
CREATE UNIQUE INDEX team_activity_version_leaderboard_position_idx ON leaderboard.team_activity_version_leaderboard (activity_id, version_id, position);
CREATE INDEX team_activity_version_leaderboard_instance_idx ON leaderboard.team_activity_version_leaderboard (instance_id);
CREATE INDEX team_activity_version_leaderboard_membership_ids_idx ON leaderboard.team_activity_version_leaderboard USING gin (membership_ids);
