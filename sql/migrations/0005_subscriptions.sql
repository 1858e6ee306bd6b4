-- subscriptions: delivery targets and rules for instance notifications (research §4.1, 2026 schema).

CREATE TYPE subscriptions."ChannelType" AS ENUM ('discord_webhook', 'http_callback');
CREATE TYPE subscriptions."RuleScope" AS ENUM ('player', 'clan');

CREATE TABLE subscriptions.destination (
    id                              bigserial PRIMARY KEY,
    channel_type                    subscriptions."ChannelType" NOT NULL,
    is_active                       boolean NOT NULL DEFAULT true,
    consecutive_delivery_failures   integer NOT NULL DEFAULT 0,
    last_delivery_success_at        timestamptz,
    last_delivery_failure_at        timestamptz,
    last_delivery_error             text,
    deactivated_at                  timestamptz,
    deactivation_reason             text,
    created_at                      timestamptz NOT NULL DEFAULT now(),
    updated_at                      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions.discord_destination_config (
    destination_id  bigint PRIMARY KEY REFERENCES subscriptions.destination (id) ON DELETE CASCADE,
    webhook_id      text NOT NULL,
    webhook_token   text NOT NULL,
    guild_id        text,
    channel_id      text
);

CREATE TABLE subscriptions.http_callback_destination_config (
    destination_id  bigint PRIMARY KEY REFERENCES subscriptions.destination (id) ON DELETE CASCADE,
    callback_url    text NOT NULL UNIQUE
);

CREATE TABLE subscriptions.rule (
    id                    bigserial PRIMARY KEY,
    destination_id        bigint NOT NULL REFERENCES subscriptions.destination (id) ON DELETE CASCADE,
    scope                 subscriptions."RuleScope" NOT NULL,
    membership_id         bigint,
    group_id              bigint,
    is_active             boolean NOT NULL DEFAULT true,
    require_fresh         boolean NOT NULL DEFAULT false,
    require_completed     boolean NOT NULL DEFAULT false,
    -- bit (activity_id - 1) set = notify for that raid; null = every raid.
    activity_raid_bitmap  bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rule_scope_target CHECK (
        (scope = 'player' AND membership_id IS NOT NULL AND group_id IS NULL)
        OR (scope = 'clan' AND group_id IS NOT NULL AND membership_id IS NULL)
    )
);
CREATE UNIQUE INDEX rule_active_member_destination_idx ON subscriptions.rule (membership_id, destination_id)
    WHERE is_active AND membership_id IS NOT NULL;
CREATE UNIQUE INDEX rule_active_group_destination_idx ON subscriptions.rule (group_id, destination_id)
    WHERE is_active AND group_id IS NOT NULL;
CREATE INDEX rule_destination_idx ON subscriptions.rule (destination_id);
