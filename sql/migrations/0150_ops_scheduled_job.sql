-- ops: the scheduler's shared state. One row per scheduled job: the newest schedule slot a run
-- was started for (so two schedulers on two boxes never run one slot twice: the run that
-- advances last_slot under the job's advisory lock is the only one), and how the last run ended
-- (metrics survive a restart, operators read it).
CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE ops.scheduled_job (
    job               text PRIMARY KEY,
    last_slot         timestamptz NOT NULL,
    last_started_at   timestamptz NOT NULL,
    last_host         text NOT NULL,
    last_finished_at  timestamptz,
    -- success | failure | timeout | interrupted; null while the run is going.
    last_outcome      text,
    last_exit_code    integer,
    last_duration_ms  integer,
    last_success_at   timestamptz,
    runs              bigint NOT NULL DEFAULT 1,
    CONSTRAINT scheduled_job_outcome CHECK (last_outcome IS NULL OR last_outcome IN ('success', 'failure', 'timeout', 'interrupted'))
);

-- A new schema: readonly (0112) reads every schema, and what is created in it later.
GRANT USAGE ON SCHEMA ops TO readonly;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA ops GRANT SELECT ON TABLES TO readonly;
