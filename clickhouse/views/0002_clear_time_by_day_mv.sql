-- Fresh, completed clears only (fresh = 1; unknown freshness, 2, is excluded).
CREATE MATERIALIZED VIEW IF NOT EXISTS clear_time_by_day_mv
TO clear_time_by_day
AS
SELECT
    toDate(date_completed - INTERVAL 17 HOUR) AS bungie_day,
    activity_id,
    version_id,
    toUInt64(count()) AS clears,
    quantilesState(0.05, 0.1, 0.5, 0.9)(duration) AS duration_quantiles
FROM instance
WHERE completed = 1 AND fresh = 1
GROUP BY bungie_day, activity_id, version_id
