-- The public API's subscription routes write subscriptions.discord_destination_config.updated_at
-- (INSERT ... ON CONFLICT (destination_id) DO UPDATE SET ..., updated_at = NOW()) and expect
-- created_at to default. It also looks configs up by channel_id (research raidhub-api.md §1.2).
ALTER TABLE subscriptions.discord_destination_config
    ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

CREATE INDEX IF NOT EXISTS discord_destination_config_channel_id_idx
    ON subscriptions.discord_destination_config (channel_id);
