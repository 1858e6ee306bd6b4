-- What the RaidHub public API's weapon-meta route reads (research raidhub-api.md §2):
-- weapon_meta_by_hour with the original's column names usage_count, kill_count and
-- precision_kill_count, joined to a weapon_definition table (hash, slot Kinetic/Energy/Power).
--
-- weapon_meta_by_hour's summed columns cannot be renamed in place (ClickHouse refuses to rename
-- a SummingMergeTree's sum columns), and the table is derived data, so it is dropped and rebuilt
-- from `instance` (FINAL: a re-emitted instance counts once). Every statement is safe to run
-- again, so a run that failed half-way can simply be repeated. The materialized view that feeds
-- the table is recreated by clickhouse/views/0003 right after the migrations; instances inserted
-- in between are not counted, so run migrations with the writers stopped.
DROP VIEW IF EXISTS weapon_meta_by_hour_mv;

DROP TABLE IF EXISTS weapon_meta_by_hour;

-- Weapon usage per hour of completion: usage_count = character loadouts that used the weapon.
CREATE TABLE weapon_meta_by_hour
(
    hour                  DateTime('UTC'),
    activity_id           UInt16,
    weapon_hash           UInt32,
    usage_count           UInt64,
    kill_count            UInt64,
    precision_kill_count  UInt64
)
ENGINE = SummingMergeTree((usage_count, kill_count, precision_kill_count))
ORDER BY (hour, activity_id, weapon_hash)
TTL hour + INTERVAL 1 MONTH;

-- The same rows clickhouse/views/0003 produces, for the month the table keeps.
INSERT INTO weapon_meta_by_hour
SELECT
    toStartOfHour(date_completed) AS hour,
    activity_id,
    weapon.weapon_hash AS weapon_hash,
    toUInt64(count()) AS usage_count,
    toUInt64(sum(weapon.kills)) AS kill_count,
    toUInt64(sum(weapon.precision_kills)) AS precision_kill_count
FROM instance FINAL
ARRAY JOIN players AS player
ARRAY JOIN player.characters AS character
ARRAY JOIN character.weapons AS weapon
WHERE date_completed >= now() - INTERVAL 1 MONTH
GROUP BY hour, activity_id, weapon_hash;

-- definitions.weapon_definition mirrored for the weapon-meta join. The original used a
-- PostgreSQL-engine table; that needs ClickHouse to reach Postgres with credentials, which the
-- embedded engine (tests, single-box runs) cannot count on. A key-value table instead: inserting
-- a hash again replaces its row, so a sync never leaves a duplicate for the join to count twice.
-- Filled by syncClickhouseWeaponDefinitions (src/lib/database/clickhouse-weapon-definitions.ts,
-- `bun run tool sync-clickhouse-definitions`) after the manifest changes.
CREATE TABLE IF NOT EXISTS weapon_definition
(
    hash         Int64,
    name         String,
    icon_path    String,
    weapon_type  String,
    element      String,
    slot         String,
    ammo_type    String,
    rarity       String
)
ENGINE = EmbeddedRocksDB
PRIMARY KEY hash;
