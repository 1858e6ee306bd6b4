-- Roles for the RaidHub public API (research raidhub-api.md §1.1), which connects with two pools:
--
--   readonly            SELECT on every table, view and materialized view of every schema of
--                       this database, including those created later by the role that runs the
--                       migrations (default privileges). The API's reader pool and POST /admin/query.
--   raidhub_api_writer  exactly what the API's writable pool does: subscription reads and writes,
--                       blacklisting / whitelisting instances, a player's cheat level.
--
-- Both are created NOLOGIN (no password in a migration): give them to login roles with
-- `GRANT readonly TO <login>` or `ALTER ROLE readonly LOGIN PASSWORD '...'`. A role that already
-- exists (the original system's `readonly` is a LOGIN role) is left as it is, attributes and
-- password included; roles are cluster-wide, so concurrent runs on other databases of the same
-- server may create them at the same moment, which is tolerated too.

DO $$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['readonly', 'raidhub_api_writer'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = wanted) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', wanted);
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN
                    NULL; -- created by a concurrent run a moment ago
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'role % does not exist and % may not create roles', wanted, current_user
                        USING HINT = 'create it once as a superuser (CREATE ROLE ' || wanted || ' NOLOGIN) or run the migrations as a role with CREATEROLE';
            END;
        END IF;
    END LOOP;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO readonly, raidhub_api_writer', current_database());
END
$$;

-- readonly: every schema of the database as it is now, and what the migrating role creates later.
DO $$
DECLARE
    schema_name text;
BEGIN
    FOR schema_name IN
        SELECT nspname FROM pg_catalog.pg_namespace
        WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
        ORDER BY nspname
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO readonly', schema_name);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO readonly', schema_name);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO readonly', schema_name);
    END LOOP;
END
$$;

-- raidhub_api_writer: the writable pool's statements, table by table.
GRANT USAGE ON SCHEMA definitions, core, flagging, subscriptions TO raidhub_api_writer;
GRANT SELECT ON definitions.activity_definition TO raidhub_api_writer;
-- PATCH /admin/reporting/player/:id sets cheat_level; PUT .../blacklist (removeBlacklist) whitelists.
GRANT SELECT, UPDATE (cheat_level) ON core.player TO raidhub_api_writer;
GRANT SELECT, UPDATE (is_whitelisted) ON core.instance TO raidhub_api_writer;
-- Blacklist writes; deleting an instance's row cascades to its player rows as the table owner.
GRANT SELECT, INSERT, DELETE ON flagging.blacklist_instance TO raidhub_api_writer;
GRANT SELECT, INSERT ON flagging.blacklist_instance_player TO raidhub_api_writer;
GRANT USAGE ON TYPE flagging."BlacklistReportSource" TO raidhub_api_writer;
-- Discord subscriptions: reads and upserts (ids from the bigserial sequences).
GRANT SELECT, INSERT, UPDATE ON subscriptions.destination, subscriptions.discord_destination_config, subscriptions.rule
    TO raidhub_api_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA subscriptions TO raidhub_api_writer;
