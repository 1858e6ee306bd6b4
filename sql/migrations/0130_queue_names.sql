-- Queue names: the system's names everywhere (research raidhub.md §5.1; the public API publishes to
-- player_crawl / clan_crawl / character_fill and reads pgcr_blocked). Outbox rows written under the
-- earlier names and not yet relayed move to the new topics, so nothing pending is lost or stranded.
UPDATE crawl.outbox SET topic = 'queue.pgcr_cheat_check' WHERE topic = 'queue.instance_cheat_check' AND delivered_at IS NULL;
UPDATE crawl.outbox SET topic = 'queue.activity_history' WHERE topic = 'queue.activity_history_crawl' AND delivered_at IS NULL;
UPDATE crawl.outbox SET topic = 'queue.pgcr_blocked' WHERE topic = 'queue.pgcr_blocked_retry' AND delivered_at IS NULL;

COMMENT ON COLUMN crawl.outbox.topic IS
    'Destination: clickhouse.instance, or queue.<name> for a queue of src/lib/messaging/queues.ts (e.g. queue.player_crawl, queue.character_fill, queue.pgcr_cheat_check, queue.pgcr_blocked).';
