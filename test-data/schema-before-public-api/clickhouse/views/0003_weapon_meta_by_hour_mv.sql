-- One row per (character, weapon) across all players of the instance, bucketed by completion hour.
CREATE MATERIALIZED VIEW IF NOT EXISTS weapon_meta_by_hour_mv
TO weapon_meta_by_hour
AS
SELECT
    toStartOfHour(date_completed) AS hour,
    activity_id,
    weapon.weapon_hash AS weapon_hash,
    toUInt64(count()) AS usage_count,
    toUInt64(sum(weapon.kills)) AS kills,
    toUInt64(sum(weapon.precision_kills)) AS precision_kills
FROM instance
ARRAY JOIN players AS player
ARRAY JOIN player.characters AS character
ARRAY JOIN character.weapons AS weapon
GROUP BY hour, activity_id, weapon_hash
