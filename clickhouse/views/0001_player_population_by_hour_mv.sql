-- Expands each instance into every clock hour it spanned (start hour .. completion hour) and
-- adds its player count to each. Instances with 50+ players are bugged/outlier lobbies and
-- would distort population, so they are skipped (as the original did).
CREATE MATERIALIZED VIEW IF NOT EXISTS player_population_by_hour_mv
TO player_population_by_hour
AS
SELECT
    arrayJoin(
        arrayMap(
            h -> toStartOfHour(date_started) + toIntervalHour(h),
            range(toUInt64(dateDiff('hour', toStartOfHour(date_started), toStartOfHour(date_completed)) + 1))
        )
    ) AS hour,
    activity_id,
    toUInt64(player_count) AS player_count
FROM instance
WHERE player_count < 50
