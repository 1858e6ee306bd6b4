-- crawl: what our design adds to the original schema. Crawl progress (cursor / low-water mark per
-- crawler, leased id ranges so several crawler boxes can share the id space), the missed-PGCR
-- ledger with gap ranges, and the transactional outbox for side effects.
--
-- Id ranges are half-open everywhere: [range_start, range_end), [start_id, end_id).
-- Non-raid ids are NOT recorded one by one (tens per second, billions in total): an id below a
-- crawler's low_water_mark is resolved, i.e. stored as a raid, known to be a non-raid, or present
-- in crawl.missed_pgcr.

CREATE TABLE crawl.crawler_state (
    crawler                 text PRIMARY KEY,
    -- Every id below this is resolved; a restart resumes here and stores nothing twice.
    low_water_mark          bigint NOT NULL,
    -- Highest id handed out to fetchers so far (ids between the marks may be in flight).
    high_water_mark         bigint,
    -- Best estimate of the newest published instance id, and when it was taken.
    frontier_estimate       bigint,
    frontier_estimated_at   timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT crawler_state_marks_ordered CHECK (high_water_mark IS NULL OR high_water_mark >= low_water_mark)
);

CREATE TYPE crawl.lease_state AS ENUM ('leased', 'done', 'released');

-- A block of ids leased to one crawler box. Expired leases are taken over by another owner;
-- active (leased) ranges may never overlap.
CREATE TABLE crawl.id_range_lease (
    lease_id          bigserial PRIMARY KEY,
    crawler           text NOT NULL,
    range_start       bigint NOT NULL,
    range_end         bigint NOT NULL,
    owner             text NOT NULL,
    state             crawl.lease_state NOT NULL DEFAULT 'leased',
    leased_at         timestamptz NOT NULL DEFAULT now(),
    lease_expires_at  timestamptz NOT NULL,
    heartbeat_at      timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    -- Lowest id of the range not yet resolved: a takeover resumes here.
    resume_from       bigint,
    CONSTRAINT id_range_lease_nonempty CHECK (range_end > range_start),
    CONSTRAINT id_range_lease_resume_in_range CHECK (resume_from IS NULL OR (resume_from >= range_start AND resume_from <= range_end)),
    CONSTRAINT id_range_lease_no_overlap EXCLUDE USING gist (int8range(range_start, range_end) WITH &&) WHERE (state = 'leased')
);
CREATE INDEX id_range_lease_expiry_idx ON crawl.id_range_lease (lease_expires_at) WHERE state = 'leased';
CREATE INDEX id_range_lease_crawler_idx ON crawl.id_range_lease (crawler, range_start);

-- pending: will be retried at next_retry_at; blocked: Bungie answered 12 (floodgates), retried
-- on the long blocked schedule; resolved: fetched in the end (raid stored or non-raid);
-- lost: gave up after the retry budget (terminal, reported).
CREATE TYPE crawl.missed_state AS ENUM ('pending', 'blocked', 'resolved', 'lost');

CREATE TABLE crawl.missed_pgcr (
    instance_id        bigint PRIMARY KEY,
    crawler            text,
    first_seen_at      timestamptz NOT NULL DEFAULT now(),
    attempts           integer NOT NULL DEFAULT 0,
    -- BungieResult kind of the last attempt: notFound, blocked, disabled, throttled, transient,
    -- badFormat, fatal, or a storage failure such as storeFailed.
    last_result        text NOT NULL,
    last_http_status   integer,
    last_error_code    integer,
    last_error_status  text,
    last_reason        text,
    next_retry_at      timestamptz,
    state              crawl.missed_state NOT NULL DEFAULT 'pending',
    -- How it ended when resolved: 'raid' or 'nonRaid'.
    resolution         text,
    resolved_at        timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT missed_pgcr_attempts_nonnegative CHECK (attempts >= 0),
    CONSTRAINT missed_pgcr_resolution_when_resolved CHECK ((state = 'resolved') = (resolution IS NOT NULL))
);
-- The retry loop: next due ids among the non-terminal ones.
CREATE INDEX missed_pgcr_next_retry_idx ON crawl.missed_pgcr (next_retry_at)
    WHERE state IN ('pending', 'blocked');
CREATE INDEX missed_pgcr_state_idx ON crawl.missed_pgcr (state, updated_at);

-- Blocks of ids that answered "not found" long past the frontier (found by the forward search):
-- recorded so they are rechecked rather than silently skipped.
CREATE TABLE crawl.gap_range (
    id           bigserial PRIMARY KEY,
    crawler      text,
    start_id     bigint NOT NULL,
    end_id       bigint NOT NULL,
    found_at     timestamptz NOT NULL DEFAULT now(),
    reason       text NOT NULL,
    resolved     boolean NOT NULL DEFAULT false,
    resolved_at  timestamptz,
    CONSTRAINT gap_range_nonempty CHECK (end_id > start_id)
);
CREATE INDEX gap_range_unresolved_idx ON crawl.gap_range (start_id) WHERE NOT resolved;

-- Transactional outbox. Writers insert rows in the same transaction as the data they describe;
-- a relay claims due rows with
--   SELECT ... WHERE delivered_at IS NULL AND next_attempt_at <= now()
--   ORDER BY next_attempt_at, id LIMIT n FOR UPDATE SKIP LOCKED
-- delivers them (ClickHouse insert / RabbitMQ publish with confirms, message id = outbox id so
-- a redelivery after a crash is recognisable), then deletes the rows or sets delivered_at. A
-- failed delivery bumps attempts and pushes next_attempt_at out with jittered backoff.
CREATE TABLE crawl.outbox (
    id               bigserial PRIMARY KEY,
    -- Destination, e.g. 'clickhouse.instance', 'queue.player_crawl', 'queue.character_fill',
    -- 'queue.instance_cheat_check', 'queue.instance_participant_refresh'.
    topic            text NOT NULL,
    -- Opaque bytes (JSON or msgpack); content_type says which.
    payload          bytea NOT NULL,
    content_type     text NOT NULL DEFAULT 'application/json',
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    delivered_at     timestamptz,
    CONSTRAINT outbox_topic_format CHECK (topic ~ '^(clickhouse|queue)\.[a-z0-9_]+$'),
    CONSTRAINT outbox_attempts_nonnegative CHECK (attempts >= 0)
);
CREATE INDEX outbox_undelivered_idx ON crawl.outbox (next_attempt_at, id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_undelivered_topic_idx ON crawl.outbox (topic, next_attempt_at) WHERE delivered_at IS NULL;
