-- core: players, instances, participation and per-activity player stats (research §4.1).

-- Seconds since the Unix epoch. extract(epoch FROM timestamptz) is time-zone independent, but
-- Postgres marks date_part on timestamptz STABLE as a whole, so generated columns need this wrapper.
CREATE FUNCTION core.epoch_seconds(ts timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT extract(epoch FROM ts)::double precision $$;

CREATE TABLE core.player (
    membership_id                       bigint PRIMARY KEY,
    -- null/0 until a profile reveals it; the player-crawl worker fills it in.
    membership_type                     integer,
    icon_path                           text,
    display_name                        text,
    bungie_global_display_name          text,
    bungie_global_display_name_code     text,
    bungie_name                         text GENERATED ALWAYS AS (
        CASE
            WHEN bungie_global_display_name IS NOT NULL AND bungie_global_display_name <> ''
                 AND bungie_global_display_name_code IS NOT NULL AND bungie_global_display_name_code <> ''
            THEN bungie_global_display_name || '#' || bungie_global_display_name_code
            ELSE display_name
        END
    ) STORED,
    last_seen                           timestamptz NOT NULL,
    first_seen                          timestamptz NOT NULL,
    clears                              integer NOT NULL DEFAULT 0,
    fresh_clears                        integer NOT NULL DEFAULT 0,
    sherpas                             integer NOT NULL DEFAULT 0,
    total_time_played_seconds           bigint NOT NULL DEFAULT 0,
    -- Sum of fastest fresh clears over every non-sunset raid; null until the player has one for each.
    sum_of_best                         integer,
    last_crawled                        timestamptz,
    wfr_score                           double precision NOT NULL DEFAULT 0,
    cheat_level                         smallint NOT NULL DEFAULT 0,
    is_private                          boolean NOT NULL DEFAULT false,
    is_whitelisted                      boolean NOT NULL DEFAULT false,
    history_last_crawled                timestamptz,
    updated_at                          timestamptz NOT NULL DEFAULT now(),
    -- Search ranking: more clears, recent activity and world-first score rank higher.
    -- 1503792000 = 2017-08-27T00:00:00Z (epoch seconds), the original's reference date.
    _search_score                       double precision GENERATED ALWAYS AS (
        sqrt(clears + 1)
        * power(2, greatest(0, core.epoch_seconds(last_seen) - 1503792000) / 2e7)
        * sqrt(wfr_score + 1)
    ) STORED,
    CONSTRAINT player_cheat_level_range CHECK (cheat_level BETWEEN 0 AND 4)
);
-- Prefix search by Bungie name / display name, best players first.
CREATE INDEX player_bungie_name_search_idx ON core.player (lower(bungie_name) text_pattern_ops, _search_score DESC);
CREATE INDEX player_display_name_search_idx ON core.player (lower(display_name) text_pattern_ops, _search_score DESC);

CREATE TABLE core.instance (
    instance_id      bigint PRIMARY KEY,
    hash             bigint NOT NULL REFERENCES definitions.activity_version (hash),
    score            integer NOT NULL DEFAULT 0,
    flawless         boolean,
    completed        boolean NOT NULL,
    fresh            boolean,
    player_count     integer NOT NULL,
    date_started     timestamptz NOT NULL,
    date_completed   timestamptz NOT NULL,
    duration         integer NOT NULL,
    platform_type    integer NOT NULL,
    season_id        integer GENERATED ALWAYS AS (definitions.get_season(date_started)) STORED,
    is_whitelisted   boolean NOT NULL DEFAULT false,
    skull_hashes     bigint[] NOT NULL DEFAULT '{}'
);
CREATE INDEX instance_hash_date_completed_idx ON core.instance (hash, date_completed) WHERE completed;
-- "tags" index: lowman and flawless lookups.
CREATE INDEX instance_tags_idx ON core.instance (hash, player_count, fresh, flawless)
    WHERE completed AND (player_count <= 3 OR flawless);
-- speedrun boards.
CREATE INDEX instance_speedrun_idx ON core.instance (hash, duration) WHERE completed AND fresh;
CREATE INDEX instance_score_idx ON core.instance (hash, score DESC) WHERE completed AND fresh AND score > 0;
CREATE INDEX instance_date_started_idx ON core.instance (date_started);
CREATE INDEX instance_date_completed_idx ON core.instance (date_completed);

CREATE TABLE core.instance_player (
    instance_id          bigint NOT NULL REFERENCES core.instance (instance_id),
    membership_id        bigint NOT NULL REFERENCES core.player (membership_id),
    completed            boolean NOT NULL,
    time_played_seconds  integer NOT NULL DEFAULT 0,
    sherpas              integer NOT NULL DEFAULT 0,
    is_first_clear       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (instance_id, membership_id)
);
CREATE INDEX instance_player_instance_id_idx ON core.instance_player (instance_id);
CREATE INDEX instance_player_membership_id_idx ON core.instance_player (membership_id);
CREATE INDEX instance_player_first_clear_idx ON core.instance_player (membership_id) WHERE is_first_clear;

CREATE TABLE core.player_stats (
    membership_id               bigint NOT NULL REFERENCES core.player (membership_id),
    activity_id                 integer NOT NULL REFERENCES definitions.activity_definition (id),
    clears                      integer NOT NULL DEFAULT 0,
    fresh_clears                integer NOT NULL DEFAULT 0,
    sherpas                     integer NOT NULL DEFAULT 0,
    fastest_instance_id         bigint REFERENCES core.instance (instance_id),
    total_time_played_seconds   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (membership_id, activity_id)
);
CREATE INDEX player_stats_activity_id_idx ON core.player_stats (activity_id);
