-- Fleet processes seen lately. A process between ranges holds no lease, so the leases alone do
-- not show it alive; the leader, which leaves parked ranges to live others, then took them itself
-- and left the head. Every claim stamps its owner here (the claim's advisory lock serialises it);
-- a process stopping cleanly deletes its row, and rows unseen for an hour are dropped by claims.
CREATE TABLE crawl.fleet_member (
    crawler  text NOT NULL,
    owner    text NOT NULL,
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (crawler, owner)
);
