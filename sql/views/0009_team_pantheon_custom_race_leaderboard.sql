-- leaderboard.team_pantheon_custom_race_leaderboard: the Pantheon community race (research
-- raidhub.md §4.1), a fixed 48-hour window from the launch of Insurrection Prime Revolutionary
-- (version 134), 2026-06-13 17:00 UTC to 2026-06-15 17:00 UTC, counting completions in the
-- window that ran exactly five distinct feats. A feat is a skull in core.instance.skull_hashes
-- that definitions.activity_feat_definition knows; the "empty feat" skull 790421403 does not
-- count. Blacklisted runs are excluded. Ordered by completion: `value` = seconds from the race
-- start (double precision, as the public API reads it), finishers as exact JSON numbers.
--
-- The public API reads this view only while leaderboard.pantheon_custom_race_snapshot does not
-- exist (it falls back on "relation does not exist"), so no snapshot table is created here.
DROP MATERIALIZED VIEW IF EXISTS leaderboard.team_pantheon_custom_race_leaderboard;
CREATE MATERIALIZED VIEW leaderboard.team_pantheon_custom_race_leaderboard AS
WITH race AS (
    SELECT
        timestamptz '2026-06-13 17:00:00+00' AS starts_at,
        timestamptz '2026-06-15 17:00:00+00' AS ends_at,
        134 AS version_id,
        790421403::bigint AS empty_feat_skull,
        5 AS feat_count
),
entries AS (
    SELECT
        i.instance_id,
        i.date_completed,
        extract(epoch FROM (i.date_completed - race.starts_at))::double precision AS value
    FROM race
    JOIN definitions.activity_version av ON av.version_id = race.version_id
    JOIN core.instance i ON i.hash = av.hash
    WHERE i.completed
      AND i.date_completed >= race.starts_at
      AND i.date_completed < race.ends_at
      AND NOT EXISTS (SELECT 1 FROM flagging.blacklist_instance b WHERE b.instance_id = i.instance_id)
      AND (
          SELECT count(DISTINCT skull.hash)
          FROM unnest(i.skull_hashes) AS skull(hash)
          WHERE skull.hash <> race.empty_feat_skull
            AND EXISTS (SELECT 1 FROM definitions.activity_feat_definition f WHERE f.skull_hash = skull.hash)
      ) = race.feat_count
)
SELECT
    row_number() OVER (ORDER BY e.date_completed ASC, e.instance_id ASC) AS position,
    rank() OVER (ORDER BY e.date_completed ASC) AS rank,
    e.value,
    e.instance_id,
    coalesce(players.membership_ids, '[]'::jsonb) AS membership_ids
FROM entries e
LEFT JOIN LATERAL (
    SELECT jsonb_agg(f.membership_id ORDER BY f.membership_id) AS membership_ids
    FROM (
        SELECT ip.membership_id FROM core.instance_player ip
        WHERE ip.instance_id = e.instance_id AND ip.completed
        ORDER BY ip.membership_id
        LIMIT 25
    ) f
) players ON true
WITH DATA;
CREATE UNIQUE INDEX team_pantheon_custom_race_leaderboard_position_idx ON leaderboard.team_pantheon_custom_race_leaderboard (position);
CREATE UNIQUE INDEX team_pantheon_custom_race_leaderboard_instance_idx ON leaderboard.team_pantheon_custom_race_leaderboard (instance_id);
CREATE INDEX team_pantheon_custom_race_leaderboard_membership_ids_idx ON leaderboard.team_pantheon_custom_race_leaderboard USING gin (membership_ids);
