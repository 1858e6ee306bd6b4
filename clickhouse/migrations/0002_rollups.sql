-- Rollup targets fed by the materialized views in clickhouse/views/ (research §4.2). The website
-- reads player_population_by_hour (daily population) and weapon_meta_by_hour (weapon meta).

-- Sum of players in instances running during each hour, per activity. Kept one month.
CREATE TABLE IF NOT EXISTS player_population_by_hour
(
    hour          DateTime('UTC'),
    activity_id   UInt16,
    player_count  UInt64
)
ENGINE = SummingMergeTree(player_count)
ORDER BY (hour, activity_id)
TTL hour + INTERVAL 1 MONTH;

-- Fresh completed clear durations per Bungie day (days roll over at 17:00 UTC, the weekly reset
-- hour, hence date_completed - 17 h). Read with quantilesMerge(0.05, 0.1, 0.5, 0.9)(duration_quantiles)
-- and sum(clears). Kept one year.
CREATE TABLE IF NOT EXISTS clear_time_by_day
(
    bungie_day          Date,
    activity_id         UInt16,
    version_id          UInt16,
    clears              SimpleAggregateFunction(sum, UInt64),
    duration_quantiles  AggregateFunction(quantiles(0.05, 0.1, 0.5, 0.9), UInt32)
)
ENGINE = AggregatingMergeTree
ORDER BY (bungie_day, activity_id, version_id)
TTL bungie_day + INTERVAL 1 YEAR;

-- Weapon usage per hour of completion: usage_count = character loadouts that used the weapon.
CREATE TABLE IF NOT EXISTS weapon_meta_by_hour
(
    hour             DateTime('UTC'),
    activity_id      UInt16,
    weapon_hash      UInt32,
    usage_count      UInt64,
    kills            UInt64,
    precision_kills  UInt64
)
ENGINE = SummingMergeTree((usage_count, kills, precision_kills))
ORDER BY (hour, activity_id, weapon_hash)
TTL hour + INTERVAL 1 MONTH
