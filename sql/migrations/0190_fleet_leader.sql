-- The atlas fleet (several crawler processes sharing one crawler's id space, issue 23). Ranges
-- are leased in crawl.id_range_lease (0006); this is the leader lease: the one process that
-- follows the head. It is taken when absent or expired, renewed by its owner's heartbeat; epoch
-- counts the hand-overs. frontier_estimate is the leader's newest known id: the others lease
-- catch-up ranges only wholly behind it.
CREATE TABLE crawl.fleet_leader (
    crawler            text PRIMARY KEY,
    owner              text NOT NULL,
    epoch              bigint NOT NULL DEFAULT 1,
    acquired_at        timestamptz NOT NULL DEFAULT now(),
    heartbeat_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    frontier_estimate  bigint
);

-- A takeover looks for expired or released ranges of one crawler.
CREATE INDEX id_range_lease_open_idx ON crawl.id_range_lease (crawler, range_start) WHERE state <> 'done';
