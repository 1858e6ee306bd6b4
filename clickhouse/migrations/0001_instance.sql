-- One row per stored raid instance, written through the outbox after the Postgres commit
-- (research raidhub.md §4.2). ReplacingMergeTree on (date_completed, instance_id): a relay that
-- delivers a row twice after a crash leaves one row after merges (query with FINAL for exact
-- counts before then).
--
-- Differences from the original, on purpose:
--  * activity_id and version_id are stored on the row. The original's rollup views joined remote
--    Postgres tables (PostgreSQL engine) to find them; we have no such link in tests or in the
--    embedded engine, and the writer already knows both from the definitions.
--  * players / characters / weapons are Array(Tuple(...)) with named elements, not Nested.
--    Nested inside Nested needs flatten_nested = 0 in the creating session; named tuples give the
--    same layout regardless of session settings. JSONEachRow accepts each tuple as an object.
--  * fresh and flawless: 0 = false, 1 = true, 2 = unknown (null in Postgres), as the original.
CREATE TABLE IF NOT EXISTS instance
(
    instance_id      Int64,
    hash             UInt32,
    activity_id      UInt16,
    version_id       UInt16,
    completed        UInt8,
    fresh            UInt8,
    flawless         UInt8,
    player_count     UInt32,
    date_started     DateTime('UTC'),
    date_completed   DateTime('UTC'),
    platform_type    UInt16,
    duration         UInt32,
    score            Int32,
    skull_hashes     Array(UInt32),
    players Array(Tuple(
        membership_id        Int64,
        membership_type      UInt16,
        completed            UInt8,
        time_played_seconds  UInt32,
        sherpas              UInt32,
        is_first_clear       UInt8,
        characters Array(Tuple(
            character_id         Int64,
            class_hash           UInt32,
            emblem_hash          UInt32,
            completed            UInt8,
            score                Int32,
            kills                UInt32,
            deaths               UInt32,
            assists              UInt32,
            precision_kills      UInt32,
            super_kills          UInt32,
            grenade_kills        UInt32,
            melee_kills          UInt32,
            start_seconds        UInt32,
            time_played_seconds  UInt32,
            weapons Array(Tuple(
                weapon_hash      UInt32,
                kills            UInt32,
                precision_kills  UInt32
            ))
        ))
    ))
)
ENGINE = ReplacingMergeTree
ORDER BY (date_completed, instance_id)
PRIMARY KEY (date_completed, instance_id)
