-- Subscription deliveries (issue 20). The public API never reads these; it keeps creating
-- destinations and rules in the tables of 0005 unchanged.
--
-- subscriptions.delivery: one row per (instance, destination), written by subscription_match in
-- the same transaction as the outbox row of its delivery message, so a redelivered match message
-- creates nothing twice; subscription_delivery claims the row before it POSTs and records the
-- outcome, so a redelivered delivery message never posts twice (docs/subscriptions.md).
--   pending    waiting for (another) attempt
--   sending    claimed by an attempt whose outcome is not recorded yet
--   sent       the receiver answered 2xx
--   failed     given up: permanent HTTP error, or the destination was deactivated
--   abandoned  an attempt died between claim and outcome (hermes killed mid-POST): whether the
--              receiver got it is unknown, and it is never posted again
--   skipped    the destination was inactive when the message arrived
CREATE TABLE IF NOT EXISTS subscriptions.delivery (
    id              text PRIMARY KEY,
    destination_id  bigint NOT NULL REFERENCES subscriptions.destination (id) ON DELETE CASCADE,
    instance_id     bigint NOT NULL,
    state           text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'abandoned', 'skipped')),
    attempts        integer NOT NULL DEFAULT 0,
    claim_token     text,
    claimed_at      timestamptz,
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX IF NOT EXISTS delivery_destination_idx ON subscriptions.delivery (destination_id, created_at);
CREATE INDEX IF NOT EXISTS delivery_instance_idx ON subscriptions.delivery (instance_id);

-- HMAC key of an HTTP callback (subscription-onboard generates one). Null: unsigned, only the
-- deployment-wide X-RaidHub-Key header when HERMES_SUBSCRIPTION_CALLBACK_KEY is set.
ALTER TABLE subscriptions.http_callback_destination_config ADD COLUMN IF NOT EXISTS signing_secret text;
