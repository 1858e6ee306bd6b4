/**
 * Session-local staging tables for one store batch. Created once per connection (temp tables
 * live for the session) with ON COMMIT DELETE ROWS, so every transaction starts empty and a
 * rolled-back batch leaves nothing behind. One simple-protocol round trip declares them all.
 */

import { CHARACTER_COLUMNS, INSTANCE_COLUMNS, PLAYER_COLUMNS, type StagingRows, WEAPON_COLUMNS } from "./instance-store-rows.ts"
import { encodeStagingTsv, insertStagingTsv, selectTsvColumns, type TsvColumn } from "./instance-store-staging-tsv.ts"
import type { AnyTx } from "./sql-types.ts"
import { encodeStagingJson, type StagingCell } from "./staging-json.ts"

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
  await insertStagingInstances(tx, rows.instances)
  await insertStagingTsv(tx, "rh_stg1_player", PLAYER_TSV, rows.players)
  await insertStagingTsv(tx, "rh_stg1_character", CHARACTER_TSV, rows.characters)
  await insertStagingTsv(tx, "rh_stg1_weapon", WEAPON_TSV, rows.weapons)
  // Temp tables have no statistics; without them the planner guesses badly for big batches.
  // Only the join keys matter to the plans (row counts come with any column list); analysing
  // every column (the raw bytea, names, counters) cost more than the statements it helps.
  await tx
    .unsafe(`analyze rh_stg1_instance (instance_id), rh_stg1_player (instance_id, membership_id),
    rh_stg1_character (instance_id), rh_stg1_weapon (instance_id)`)
    .simple()
}

const RAW_INDEX = INSTANCE_COLUMNS.indexOf("raw")
const NON_RAW_COLUMNS = INSTANCE_COLUMNS.filter((c) => c !== "raw")

// The staging tables' types, in the column order of instance-store-rows.ts, for the TSV loader.
const typed = (names: readonly string[], types: readonly string[]): TsvColumn[] => {
  if (names.length !== types.length) throw new Error("staging column/type lists differ")
  return names.map((name, i) => ({ name, type: types[i]! }))
}
const INSTANCE_TSV = typed(NON_RAW_COLUMNS, [
  "bigint",
  "bigint",
  "integer",
  "integer",
  "boolean",
  "boolean",
  "boolean",
  "integer",
  "timestamptz",
  "timestamptz",
  "integer",
  "integer",
  "bigint[]",
])
const CHARACTER_TSV = typed(CHARACTER_COLUMNS, [
  "bigint",
  "bigint",
  "bigint",
  "bigint",
  "bigint",
  "boolean",
  "integer",
  "integer",
  "integer",
  "integer",
  "integer",
  "integer",
  "integer",
  "integer",
  "integer",
  "integer",
])
const PLAYER_TSV = typed(PLAYER_COLUMNS, [
  "bigint",
  "bigint",
  "integer",
  "timestamptz",
  "timestamptz",
  "text",
  "text",
  "text",
  "text",
  "boolean",
  "integer",
])
const WEAPON_TSV = typed(WEAPON_COLUMNS, ["bigint", "bigint", "bigint", "bigint", "integer", "integer"])

/**
 * Loads the instance rows. The raw PGCR bytes (most of the batch's volume) do not go through the
 * text rows: hex-escaped inside one big JSON text they cost more to lex than every other staging
 * row together. They travel as one bytea parameter (all bodies concatenated) with per-row offsets
 * and lengths, matched to the rows by position.
 */
async function insertStagingInstances(tx: AnyTx, rows: readonly (readonly StagingCell[])[]): Promise<void> {
  if (rows.length === 0) return
  const raws = rows.map((r) => r[RAW_INDEX] as Uint8Array)
  const offsets: number[] = []
  let offset = 0
  for (const raw of raws) {
    offsets.push(offset)
    offset += raw.byteLength
  }
  const tsv = encodeStagingTsv(NON_RAW_COLUMNS.length, rows)
  const source =
    tsv === null
      ? `(select j.*, j.ordinality as n from json_populate_recordset(null::rh_stg1_instance, ($1::text)::json) with ordinality j) s`
      : `(select ${selectTsvColumns(INSTANCE_TSV)}, t.n
        from unnest(string_to_array($1::text, E'\\n')) with ordinality t(l, n),
             lateral (select string_to_array(t.l, E'\\t', '\\N') as a offset 0) x) s`
  const list = NON_RAW_COLUMNS.join(", ")
  await tx.unsafe(
    `insert into rh_stg1_instance (${list}, raw)
     select ${NON_RAW_COLUMNS.map((c) => `s.${c}`).join(", ")}, substring($2::bytea from r.o + 1 for r.l)
     from ${source}
     join unnest($3::int[], $4::int[]) with ordinality r(o, l, n) on r.n = s.n`,
    [tsv ?? encodeStagingJson(NON_RAW_COLUMNS, rows), Buffer.concat(raws), offsets, raws.map((r) => r.byteLength)],
  )
}
