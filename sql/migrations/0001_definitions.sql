-- Schemas and the definitions schema (activities, versions, hashes, seasons, weapons, classes, feats).
-- Layout and names follow the original RaidHub schema (research raidhub.md §4.1) so a RaidHub-style
-- API can read this database unchanged. The migration runner wraps this file in one transaction.

CREATE SCHEMA IF NOT EXISTS definitions;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS extended;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS clan;
CREATE SCHEMA IF NOT EXISTS flagging;
CREATE SCHEMA IF NOT EXISTS leaderboard;
CREATE SCHEMA IF NOT EXISTS cache;
CREATE SCHEMA IF NOT EXISTS subscriptions;
CREATE SCHEMA IF NOT EXISTS crawl;

-- Adds a UTC interval to a timestamptz. timestamptz + interval is only STABLE (day arithmetic
-- depends on the session time zone), so generated columns need this pinned-to-UTC variant.
CREATE FUNCTION definitions.add_utc_interval(ts timestamptz, delta interval)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ((ts AT TIME ZONE 'UTC') + delta) AT TIME ZONE 'UTC' $$;

CREATE TABLE definitions.activity_definition (
    id            integer PRIMARY KEY,
    name          text NOT NULL,
    is_sunset     boolean NOT NULL DEFAULT false,
    is_raid       boolean NOT NULL DEFAULT true,
    path          text NOT NULL,
    release_date  timestamptz NOT NULL,
    day_one_end   timestamptz GENERATED ALWAYS AS (definitions.add_utc_interval(release_date, interval '1 day')) STORED,
    contest_end   timestamptz,
    week_one_end  timestamptz,
    milestone_hash bigint,
    splash_path   text
);

CREATE TABLE definitions.version_definition (
    id                      integer PRIMARY KEY,
    name                    text NOT NULL,
    associated_activity_id  integer REFERENCES definitions.activity_definition (id),
    path                    text NOT NULL,
    is_challenge_mode       boolean NOT NULL DEFAULT false
);

CREATE TABLE definitions.activity_version (
    hash                    bigint PRIMARY KEY,
    activity_id             integer NOT NULL REFERENCES definitions.activity_definition (id),
    version_id              integer NOT NULL REFERENCES definitions.version_definition (id),
    is_world_first          boolean NOT NULL DEFAULT false,
    release_date_override   timestamptz
);
CREATE INDEX activity_version_activity_version_idx ON definitions.activity_version (activity_id, version_id);

CREATE TABLE definitions.season (
    id          integer PRIMARY KEY,
    short_name  text NOT NULL,
    long_name   text NOT NULL,
    dlc         text NOT NULL,
    start_date  timestamptz NOT NULL
);
CREATE UNIQUE INDEX season_start_date_idx ON definitions.season (start_date);

-- The season a moment falls in: the latest season that started before it. Declared IMMUTABLE (as
-- the original did) so core.instance.season_id can be a generated column; that is sound only
-- because season rows are append-only history, never rewritten for past dates.
CREATE FUNCTION definitions.get_season(ts timestamptz)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog
AS $$
DECLARE
    found_id integer;
BEGIN
    SELECT s.id INTO found_id
    FROM definitions.season s
    WHERE s.start_date < ts
    ORDER BY s.start_date DESC
    LIMIT 1;
    IF found_id IS NULL THEN
        RAISE EXCEPTION 'no season starts before %', ts;
    END IF;
    RETURN found_id;
END
$$;

CREATE TABLE definitions.class_definition (
    hash  bigint PRIMARY KEY,
    name  text NOT NULL
);

CREATE TYPE definitions."WeaponType" AS ENUM (
    'Auto Rifle', 'Shotgun', 'Machine Gun', 'Hand Cannon', 'Rocket Launcher', 'Fusion Rifle',
    'Sniper Rifle', 'Pulse Rifle', 'Scout Rifle', 'Sidearm', 'Sword', 'Linear Fusion Rifle',
    'Grenade Launcher', 'Submachine Gun', 'Trace Rifle', 'Bow', 'Glaive'
);
CREATE TYPE definitions."WeaponElement" AS ENUM ('Kinetic', 'Arc', 'Solar', 'Void', 'Stasis', 'Strand');
CREATE TYPE definitions."WeaponSlot" AS ENUM ('Kinetic', 'Energy', 'Power');
CREATE TYPE definitions."WeaponAmmoType" AS ENUM ('Primary', 'Special', 'Heavy');
CREATE TYPE definitions."WeaponRarity" AS ENUM ('Basic', 'Common', 'Rare', 'Legendary', 'Exotic');

CREATE TABLE definitions.weapon_definition (
    hash         bigint PRIMARY KEY,
    name         text NOT NULL,
    icon_path    text NOT NULL,
    weapon_type  definitions."WeaponType" NOT NULL,
    element      definitions."WeaponElement" NOT NULL,
    slot         definitions."WeaponSlot" NOT NULL,
    ammo_type    definitions."WeaponAmmoType" NOT NULL,
    rarity       definitions."WeaponRarity" NOT NULL
);

-- Manifest number -> enum helpers used by the manifest loader (DestinyItemSubType,
-- DamageType, equipment slot type hash, DestinyAmmunitionType, tier type name).
CREATE FUNCTION definitions.get_weapon_type(item_sub_type integer)
RETURNS definitions."WeaponType"
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE item_sub_type
        WHEN 6 THEN 'Auto Rifle' WHEN 7 THEN 'Shotgun' WHEN 8 THEN 'Machine Gun'
        WHEN 9 THEN 'Hand Cannon' WHEN 10 THEN 'Rocket Launcher' WHEN 11 THEN 'Fusion Rifle'
        WHEN 12 THEN 'Sniper Rifle' WHEN 13 THEN 'Pulse Rifle' WHEN 14 THEN 'Scout Rifle'
        WHEN 17 THEN 'Sidearm' WHEN 18 THEN 'Sword' WHEN 22 THEN 'Linear Fusion Rifle'
        WHEN 23 THEN 'Grenade Launcher' WHEN 24 THEN 'Submachine Gun' WHEN 25 THEN 'Trace Rifle'
        WHEN 31 THEN 'Bow' WHEN 33 THEN 'Glaive'
    END::definitions."WeaponType"
$$;

CREATE FUNCTION definitions.get_weapon_element(damage_type integer)
RETURNS definitions."WeaponElement"
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE damage_type
        WHEN 1 THEN 'Kinetic' WHEN 2 THEN 'Arc' WHEN 3 THEN 'Solar' WHEN 4 THEN 'Void'
        WHEN 6 THEN 'Stasis' WHEN 7 THEN 'Strand'
    END::definitions."WeaponElement"
$$;

CREATE FUNCTION definitions.get_weapon_slot(equipment_slot_type_hash bigint)
RETURNS definitions."WeaponSlot"
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE equipment_slot_type_hash
        WHEN 1498876634 THEN 'Kinetic' WHEN 2465295065 THEN 'Energy' WHEN 953998645 THEN 'Power'
    END::definitions."WeaponSlot"
$$;

CREATE FUNCTION definitions.get_weapon_ammo_type(ammo_type integer)
RETURNS definitions."WeaponAmmoType"
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE ammo_type WHEN 1 THEN 'Primary' WHEN 2 THEN 'Special' WHEN 3 THEN 'Heavy' END::definitions."WeaponAmmoType"
$$;

CREATE FUNCTION definitions.get_weapon_rarity(tier_type_name text)
RETURNS definitions."WeaponRarity"
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE tier_type_name
        WHEN 'Basic' THEN 'Basic' WHEN 'Common' THEN 'Common' WHEN 'Rare' THEN 'Rare'
        WHEN 'Legendary' THEN 'Legendary' WHEN 'Exotic' THEN 'Exotic'
    END::definitions."WeaponRarity"
$$;

CREATE TABLE definitions.activity_feat_definition (
    hash                          bigint PRIMARY KEY,
    skull_hash                    bigint NOT NULL,
    name                          text NOT NULL,
    name_short                    text GENERATED ALWAYS AS (btrim(regexp_replace(name, '^Feat:\s*', ''))) STORED,
    description                   text NOT NULL DEFAULT '',
    icon_path                     text NOT NULL DEFAULT '',
    description_short             text NOT NULL DEFAULT '',
    modifier_power_contribution   integer NOT NULL DEFAULT 0,
    created_at                    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_feat_definition_skull_hash_idx ON definitions.activity_feat_definition (skull_hash);
