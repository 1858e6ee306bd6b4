-- hades (process-missed-pgcrs) counts its own replays of a ledger row apart from the crawler's
-- fetch attempts: atlas may try an id dozens of times near the head before ledgering it, and
-- that must not use up the replayer's budget. A row becomes terminal (lost) on replays alone.
ALTER TABLE crawl.missed_pgcr ADD COLUMN IF NOT EXISTS replays integer NOT NULL DEFAULT 0;
ALTER TABLE crawl.missed_pgcr ADD CONSTRAINT missed_pgcr_replays_nonnegative CHECK (replays >= 0);
