-- subscriptions.rule.activity_raid_bitmap in the public API's (and the original's) convention,
-- before any matcher reads it: never null, 0 = every raid, otherwise the OR of 1 << activity_id
-- for raids 1..32 and 1 << 33 for Pantheon (activity 101). The API writes it (newer revisions
-- pass a value; older ones rely on the default). Rows left null by the first schema meant
-- "every raid", which is 0 now.
UPDATE subscriptions.rule SET activity_raid_bitmap = 0 WHERE activity_raid_bitmap IS NULL;
ALTER TABLE subscriptions.rule
    ALTER COLUMN activity_raid_bitmap SET DEFAULT 0,
    ALTER COLUMN activity_raid_bitmap SET NOT NULL;
COMMENT ON COLUMN subscriptions.rule.activity_raid_bitmap IS
    '0 = every raid; else OR of (1 << activity_id) for raids 1..32 and (1 << 33) for activity 101';
