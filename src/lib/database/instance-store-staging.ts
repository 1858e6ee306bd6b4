/**
 * Session-local staging tables for one store batch. Created once per connection (temp tables
 * live for the session) with ON COMMIT DELETE ROWS, so every transaction starts empty and a
 * rolled-back batch leaves nothing behind. One simple-protocol round trip declares them all.
 */
import { insertStagingRows } from "./staging-json.ts"
import { CHARACTER_COLUMNS, INSTANCE_COLUMNS, PLAYER_COLUMNS, WEAPON_COLUMNS, type StagingRows } from "./instance-store-rows.ts"
import type { AnyTx } from "./sql-types.ts"

// Bump the suffix when a staging definition changes: a pooled session may still hold the old one.
const DECLARE_STAGING = `
set local client_min_messages = warning;
create temp table if not exists rh_stg1_instance (
  instance_id bigint not null, hash bigint not null, activity_id integer not null, score integer not null,
  flawless boolean, completed boolean not null, fresh boolean, player_count integer not null,
  date_started timestamptz not null, date_completed timestamptz not null, duration integer not null,
  platform_type integer not null, skull_hashes bigint[] not null, raw bytea not null
) on commit delete rows;
create temp table if not exists rh_stg1_player (
  instance_id bigint not null, membership_id bigint not null, membership_type integer,
  first_seen timestamptz not null, last_seen timestamptz not null, icon_path text, display_name text,
  bungie_global_display_name text, bungie_global_display_name_code text,
  completed boolean not null, time_played_seconds integer not null
) on commit delete rows;
create temp table if not exists rh_stg1_character (
  instance_id bigint not null, membership_id bigint not null, character_id bigint not null,
  class_hash bigint, emblem_hash bigint, completed boolean not null, score integer not null,
  kills integer not null, assists integer not null, deaths integer not null, precision_kills integer not null,
  super_kills integer not null, grenade_kills integer not null, melee_kills integer not null,
  time_played_seconds integer not null, start_seconds integer not null
) on commit delete rows;
create temp table if not exists rh_stg1_weapon (
  instance_id bigint not null, membership_id bigint not null, character_id bigint not null,
  weapon_hash bigint not null, kills integer not null, precision_kills integer not null
) on commit delete rows;
-- Instances this transaction actually inserted (not duplicates), with what the aggregates need.
create temp table if not exists rh_stg1_new (
  instance_id bigint primary key, activity_id integer not null, date_completed timestamptz not null,
  fresh boolean, duration integer not null
) on commit delete rows;
-- First clears that moved: new_instance_id now holds the player's first clear of the activity,
-- old_instance_id (null if none) held it before.
create temp table if not exists rh_stg1_first_clear_move (
  membership_id bigint not null, activity_id integer not null, new_instance_id bigint not null, old_instance_id bigint
) on commit delete rows;
-- Sherpa changes applied to instance_player, summed into player_stats and player afterwards.
create temp table if not exists rh_stg1_sherpa_delta (
  instance_id bigint not null, membership_id bigint not null, activity_id integer not null, delta integer not null
) on commit delete rows;
-- Already-stored instances whose derived values changed: their ClickHouse rows are re-emitted.
create temp table if not exists rh_stg1_changed (instance_id bigint primary key) on commit delete rows;
-- Players whose aggregates are recomputed from rows (recomputePlayerAggregates).
create temp table if not exists rh_stg1_recompute (membership_id bigint primary key) on commit delete rows;
-- Empty at every transaction start; cleared here too for a second pass in the same transaction
-- (replaceInstance recomputes, then stores). rh_stg1_changed deliberately survives that pass.
truncate rh_stg1_new, rh_stg1_first_clear_move, rh_stg1_sherpa_delta;
`

/** Declares the staging tables in this session (no-op when they exist). */
export async function declareStaging(tx: AnyTx): Promise<void> {
  await tx.unsafe(DECLARE_STAGING).simple()
}

/** Loads the batch into the staging tables: one round trip per table. */
export async function loadStaging(tx: AnyTx, rows: StagingRows): Promise<void> {
  await insertStagingRows(tx, "rh_stg1_instance", INSTANCE_COLUMNS, rows.instances)
  await insertStagingRows(tx, "rh_stg1_player", PLAYER_COLUMNS, rows.players)
  await insertStagingRows(tx, "rh_stg1_character", CHARACTER_COLUMNS, rows.characters)
  await insertStagingRows(tx, "rh_stg1_weapon", WEAPON_COLUMNS, rows.weapons)
  // Temp tables have no statistics; without them the planner guesses badly for big batches.
  await tx.unsafe("analyze rh_stg1_instance, rh_stg1_player, rh_stg1_character, rh_stg1_weapon").simple()
}
