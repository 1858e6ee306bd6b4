-- leaderboard.world_first_contest_leaderboard: the race to world first. For every hash flagged
-- is_world_first, completed non-blacklisted runs started before the contest ended (no contest:
-- before now) and completed before week one ended, ordered by completion per activity.
DROP MATERIALIZED VIEW IF EXISTS leaderboard.world_first_contest_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.world_first_contest_leaderboard AS
WITH entries AS (
    SELECT
        av.activity_id,
        av.version_id,
        i.instance_id,
        i.date_completed,
        -- Read raw by the public API as a JSON number: float8 (extract() alone is numeric).
        extract(epoch FROM (i.date_completed - a.release_date))::double precision AS time_after_launch,
        v.is_challenge_mode
    FROM definitions.activity_version av
    JOIN definitions.activity_definition a ON a.id = av.activity_id
    JOIN definitions.version_definition v ON v.id = av.version_id
    JOIN core.instance i ON i.hash = av.hash
    WHERE av.is_world_first
      AND i.completed
      AND i.date_started < coalesce(a.contest_end, now())
      AND i.date_completed < coalesce(a.week_one_end, 'infinity'::timestamptz)
      AND NOT EXISTS (SELECT 1 FROM flagging.blacklist_instance b WHERE b.instance_id = i.instance_id)
)
SELECT
    e.activity_id,
    e.version_id,
    row_number() OVER (PARTITION BY e.activity_id ORDER BY e.date_completed ASC, e.instance_id ASC) AS position,
    rank() OVER (PARTITION BY e.activity_id ORDER BY e.date_completed ASC) AS rank,
    e.instance_id,
    e.date_completed,
    e.time_after_launch,
    e.is_challenge_mode,
    coalesce(players.membership_ids, '[]'::jsonb) AS membership_ids
FROM entries e
-- Finisher ids as JSON numbers, as the public API searches them (membership_ids @> '<id>'):
-- jsonb numerics are exact. A JS client must not JSON.parse the array (ids above 2^53 would lose
-- digits); read players through core.instance_player instead.
LEFT JOIN LATERAL (
    SELECT jsonb_agg(f.membership_id ORDER BY f.membership_id) AS membership_ids
    FROM (
        SELECT ip.membership_id
        FROM core.instance_player ip
        WHERE ip.instance_id = e.instance_id AND ip.completed
        ORDER BY ip.membership_id
        LIMIT 25
    ) f
) players ON true
WITH DATA;
CREATE UNIQUE INDEX world_first_contest_leaderboard_instance_idx ON leaderboard.world_first_contest_leaderboard (instance_id);
CREATE UNIQUE INDEX world_first_contest_leaderboard_position_idx ON leaderboard.world_first_contest_leaderboard (activity_id, position);
CREATE INDEX world_first_contest_leaderboard_membership_ids_idx ON leaderboard.world_first_contest_leaderboard USING gin (membership_ids);
