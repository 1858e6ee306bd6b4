-- extended: per-character and per-weapon rows (the original put this schema on its own disk);
-- raw: the stored PGCR (research §3.5, §4.1).

CREATE TABLE extended.instance_character (
    instance_id          bigint NOT NULL,
    membership_id        bigint NOT NULL,
    character_id         bigint NOT NULL,
    -- null when the PGCR hid it (0); the character-fill worker fills it in later.
    class_hash           bigint,
    emblem_hash          bigint,
    completed            boolean NOT NULL,
    score                integer NOT NULL DEFAULT 0,
    kills                integer NOT NULL DEFAULT 0,
    assists              integer NOT NULL DEFAULT 0,
    deaths               integer NOT NULL DEFAULT 0,
    precision_kills      integer NOT NULL DEFAULT 0,
    super_kills          integer NOT NULL DEFAULT 0,
    grenade_kills        integer NOT NULL DEFAULT 0,
    melee_kills          integer NOT NULL DEFAULT 0,
    time_played_seconds  integer NOT NULL DEFAULT 0,
    start_seconds        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (instance_id, membership_id, character_id),
    FOREIGN KEY (instance_id, membership_id) REFERENCES core.instance_player (instance_id, membership_id)
);
CREATE INDEX instance_character_membership_id_idx ON extended.instance_character (membership_id);
-- character-fill looks for rows still missing class or emblem.
CREATE INDEX instance_character_missing_class_idx ON extended.instance_character (character_id)
    WHERE class_hash IS NULL OR emblem_hash IS NULL;

CREATE TABLE extended.instance_character_weapon (
    instance_id      bigint NOT NULL,
    membership_id    bigint NOT NULL,
    character_id     bigint NOT NULL,
    weapon_hash      bigint NOT NULL,
    kills            integer NOT NULL DEFAULT 0,
    precision_kills  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (instance_id, membership_id, character_id, weapon_hash),
    FOREIGN KEY (instance_id, membership_id, character_id)
        REFERENCES extended.instance_character (instance_id, membership_id, character_id)
);

-- The PGCR as received (typed subset, §4.3). Readers must sniff the gzip magic 1F 8B: old rows
-- are gzip, and our writer may store compressed bytes too.
CREATE TABLE raw.pgcr (
    instance_id   bigint PRIMARY KEY,
    data          bytea NOT NULL,
    date_crawled  timestamptz NOT NULL DEFAULT now()
);
