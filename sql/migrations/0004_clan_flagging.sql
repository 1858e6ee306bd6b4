-- clan (rebuilt weekly by the clan crawl) and flagging (cheat checks and blacklists), research §4.1.

CREATE TABLE clan.clan (
    group_id          bigint PRIMARY KEY,
    name              text NOT NULL,
    motto             text NOT NULL DEFAULT '',
    call_sign         text NOT NULL DEFAULT '',
    clan_banner_data  jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clan.clan_members (
    group_id       bigint NOT NULL REFERENCES clan.clan (group_id) ON DELETE CASCADE,
    membership_id  bigint NOT NULL REFERENCES core.player (membership_id),
    PRIMARY KEY (group_id, membership_id)
);
CREATE INDEX clan_members_membership_id_idx ON clan.clan_members (membership_id);

CREATE TABLE flagging.flag_instance (
    instance_id          bigint NOT NULL REFERENCES core.instance (instance_id),
    cheat_check_version  text NOT NULL,
    cheat_check_bitmask  bigint NOT NULL,
    flagged_at           timestamptz NOT NULL DEFAULT now(),
    cheat_probability    numeric NOT NULL,
    PRIMARY KEY (instance_id, cheat_check_version),
    CONSTRAINT flag_instance_probability_range CHECK (cheat_probability >= 0 AND cheat_probability <= 1)
);

CREATE TABLE flagging.flag_instance_player (
    instance_id          bigint NOT NULL,
    membership_id        bigint NOT NULL,
    cheat_check_version  text NOT NULL,
    cheat_check_bitmask  bigint NOT NULL,
    flagged_at           timestamptz NOT NULL DEFAULT now(),
    cheat_probability    numeric NOT NULL,
    PRIMARY KEY (instance_id, membership_id, cheat_check_version),
    FOREIGN KEY (instance_id, membership_id) REFERENCES core.instance_player (instance_id, membership_id),
    CONSTRAINT flag_instance_player_probability_range CHECK (cheat_probability >= 0 AND cheat_probability <= 1)
);
CREATE INDEX flag_instance_player_membership_idx ON flagging.flag_instance_player (membership_id, flagged_at);

CREATE TYPE flagging."BlacklistReportSource" AS ENUM ('Manual', 'WebReport', 'CheatCheck', 'BlacklistedPlayerCascade');

CREATE TABLE flagging.blacklist_instance (
    instance_id          bigint PRIMARY KEY REFERENCES core.instance (instance_id),
    report_source        flagging."BlacklistReportSource" NOT NULL,
    report_id            bigint,
    cheat_check_version  text,
    reason               text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE flagging.blacklist_instance_player (
    instance_id    bigint NOT NULL REFERENCES flagging.blacklist_instance (instance_id) ON DELETE CASCADE,
    membership_id  bigint NOT NULL,
    reason         text NOT NULL,
    PRIMARY KEY (instance_id, membership_id)
);
CREATE INDEX blacklist_instance_player_membership_idx ON flagging.blacklist_instance_player (membership_id);
