/**
 * Test support: the RaidHub public API's own SQL (Raid-Hub/API src/services, 2026), transcribed
 * so public-api-compat.integration.test.ts can run it against our schema exactly as the API's routes do.
 * Relations are unqualified and resolve through the API's search_path (API_SEARCH_PATH).
 *
 * One deliberate difference: where the API binds a membership id to `$n::jsonb`, node-postgres
 * sends the parameter untyped (text), so `'4611...'` becomes the JSON number 4611...; postgres.js
 * would JSON-encode a JS string bound to jsonb (`"4611..."`), so these read `$n::text::jsonb`.
 */

export const API_SEARCH_PATH = "core,definitions,clan,flagging,leaderboard,extended,raw"

/** GET /instance/:id — the instance row (services/instance/instance.ts getInstance). */
export const GET_INSTANCE = `
SELECT
    instance_id AS "instanceId",
    hash AS "hash",
    activity_id::int AS "activityId",
    version_id::int AS "versionId",
    completed AS "completed",
    player_count::int AS "playerCount",
    score::int AS "score",
    fresh AS "fresh",
    flawless AS "flawless",
    skull_hashes AS "skullHashes",
    date_started AS "dateStarted",
    date_completed AS "dateCompleted",
    season_id::int AS "season",
    duration::int AS "duration",
    platform_type AS "platformType",
    date_completed < COALESCE(day_one_end, TIMESTAMP 'epoch') AS "isDayOne",
    date_completed < COALESCE(contest_end, TIMESTAMP 'epoch') AS "isContest",
    date_completed < COALESCE(week_one_end, TIMESTAMP 'epoch') AS "isWeekOne",
    (b.instance_id IS NOT NULL AND NOT COALESCE(instance.is_whitelisted, false)) AS "isBlacklisted"
FROM instance
INNER JOIN activity_version av USING (hash)
INNER JOIN activity_definition ON activity_definition.id = av.activity_id
LEFT JOIN blacklist_instance b USING (instance_id)
WHERE instance_id = $1::bigint
LIMIT 1;`

/** GET /instance/:id — players with characters and weapons (getInstanceExtended). */
export const GET_INSTANCE_PLAYERS = `
SELECT
    completed as "completed",
    is_first_clear as "isFirstClear",
    ap.sherpas::int as "sherpas",
    time_played_seconds::int as "timePlayedSeconds",
    JSONB_BUILD_OBJECT(
        'membershipId', "membership_id"::text,
        'membershipType', "membership_type",
        'iconPath', "icon_path",
        'displayName', "display_name",
        'bungieGlobalDisplayName', "bungie_global_display_name",
        'bungieGlobalDisplayNameCode', "bungie_global_display_name_code",
        'lastSeen', "last_seen",
        'isPrivate', "is_private",
        'cheatLevel', "cheat_level"
    ) AS "playerInfo",
    "t1"."characters_json" AS "characters"
FROM "instance_player" "ap"
LEFT JOIN "player" USING (membership_id)
LEFT JOIN LATERAL (
    SELECT JSONB_AGG(
        JSONB_BUILD_OBJECT(
            'characterId', "character_id"::text,
            'classHash', "class_hash",
            'emblemHash', "emblem_hash",
            'completed', "completed",
            'timePlayedSeconds', "time_played_seconds"::int,
            'startSeconds', "start_seconds"::int,
            'score', "score"::int,
            'kills', "kills"::int,
            'assists', "assists"::int,
            'deaths', "deaths"::int,
            'precisionKills', "precision_kills"::int,
            'superKills', "super_kills"::int,
            'grenadeKills', "grenade_kills"::int,
            'meleeKills', "melee_kills"::int,
            'weapons', "weapons_json"
        )
    ) AS "characters_json"
    FROM (
        SELECT "ac".*, "t2".* FROM "instance_character" "ac"
        LEFT JOIN LATERAL (
            SELECT COALESCE(
                JSONB_AGG(
                    JSONB_BUILD_OBJECT(
                        'weaponHash', w."weapon_hash",
                        'kills', w."kills"::int,
                        'precisionKills', w."precision_kills"::int
                    )
                ), '[]'::jsonb
            ) AS "weapons_json"
            FROM (
                SELECT "weapon_hash", "kills", "precision_kills"
                FROM "instance_character_weapon"
                WHERE "character_id" = "ac"."character_id"
                    AND "membership_id" = "ac"."membership_id"
                    AND "instance_id" = "ac"."instance_id"
                ORDER BY "kills" DESC
            ) AS w
        ) as "t2" ON true
        WHERE "ap"."membership_id" = "ac"."membership_id"
            AND "ap"."instance_id" = "ac"."instance_id"
        ORDER BY "completed" DESC, "time_played_seconds" DESC
    ) AS "c"
) AS "t1" ON true
WHERE instance_id = $1::bigint
ORDER BY completed DESC, time_played_seconds DESC;`

/** GET /instance/:id — activity and version names (getInstanceMetadataByHash). */
export const GET_INSTANCE_METADATA = `
SELECT
    ad.name AS "activityName",
    vd.name AS "versionName",
    ad.is_raid AS "isRaid"
FROM activity_version ah
INNER JOIN activity_definition ad ON ad.id = ah.activity_id
INNER JOIN version_definition vd ON vd.id = ah.version_id
WHERE hash = $1::bigint
LIMIT 1;`

/** GET /instance/:id — its first-team leaderboard placement (getLeaderboardEntryForInstance). */
export const GET_INSTANCE_TEAM_RANK = `
SELECT rank::int
FROM team_activity_version_leaderboard
WHERE instance_id = $1::bigint
ORDER BY rank ASC
LIMIT 1;`

/** GET /instance/:id — its Pantheon race placement; `source` is the snapshot table or the view. */
export const getInstancePantheonRaceRank = (source: string) => `
SELECT rank::int
FROM ${source}
WHERE instance_id = $1::bigint
LIMIT 1;`

/** GET /pgcr/:id (services/pgcr.ts getRawCompressedPGCR). */
export const GET_RAW_PGCR = "SELECT data FROM pgcr WHERE instance_id = $1::bigint"

/** /status and the admin standing: the instance joined to its raw PGCR (getInstanceBasic). */
export const GET_INSTANCE_BASIC = `
SELECT
    instance_id AS "instanceId",
    hash AS "hash",
    completed AS "completed",
    player_count::int AS "playerCount",
    score::int AS "score",
    fresh AS "fresh",
    flawless AS "flawless",
    skull_hashes AS "skullHashes",
    date_started AT TIME ZONE 'UTC' AS "dateStarted",
    date_completed AT TIME ZONE 'UTC' AS "dateCompleted",
    season_id::int AS "season",
    duration::int AS "duration",
    platform_type AS "platformType",
    pgcr.date_crawled AS "dateResolved"
FROM instance
JOIN pgcr USING (instance_id)
WHERE instance_id = $1::bigint
LIMIT 1;`

const teamPlayersLateral = (source: string) => `
LEFT JOIN LATERAL (
    SELECT
        JSONB_AGG(
            JSONB_BUILD_OBJECT(
                'membershipId', membership_id::text,
                'membershipType', membership_type,
                'iconPath', icon_path,
                'displayName', display_name,
                'bungieGlobalDisplayName', bungie_global_display_name,
                'bungieGlobalDisplayNameCode', bungie_global_display_name_code,
                'lastSeen', last_seen,
                'isPrivate', is_private,
                'cheatLevel', cheat_level
            )
        ) as "players"
    FROM instance_player
    INNER JOIN player USING (membership_id)
    WHERE instance_player.instance_id = ${source}.instance_id
        AND instance_player.completed
) as "lateral" ON true`

/** GET /leaderboard/team/first/:activity/:version — a page (getFirstTeamActivityVersionLeaderboard). */
export const GET_FIRST_TEAM_PAGE = `
SELECT
    position::int,
    rank::int,
    value,
    instance_id as "instanceId",
    "lateral".players
FROM team_activity_version_leaderboard
${teamPlayersLateral("team_activity_version_leaderboard")}
WHERE position > $1 AND position <= ($1 + $2)
    AND activity_id = $3 AND version_id = $4
ORDER BY position ASC`

/** GET /leaderboard/team/first/... ?search= — the player's position (searchFirstTeamActivityVersionLeaderboard). */
export const SEARCH_FIRST_TEAM = `
SELECT position::int
FROM team_activity_version_leaderboard
WHERE membership_ids @> $1::text::jsonb
    AND activity_id = $2 AND version_id = $3
ORDER BY position ASC
LIMIT 1`

/** GET /leaderboard/team/contest/:raid — a page (getContestTeamLeaderboard). */
export const GET_CONTEST_PAGE = `
SELECT
    position::int,
    rank::int,
    time_after_launch AS "value",
    instance_id as "instanceId",
    "lateral".players
FROM world_first_contest_leaderboard
${teamPlayersLateral("world_first_contest_leaderboard")}
WHERE position > $1 AND position <= ($1 + $2)
    AND activity_id = $3
ORDER BY position ASC`

/** GET /leaderboard/team/contest/:raid ?search= (searchContestTeamLeaderboard). */
export const SEARCH_CONTEST = `
SELECT position::int
FROM world_first_contest_leaderboard
WHERE membership_ids @> $1::text::jsonb
    AND activity_id = $2
ORDER BY position ASC
LIMIT 1`

/** GET /leaderboard/team/custom/pantheon-community-race — a page from the snapshot or the view. */
export const getPantheonRacePage = (source: string) => `
SELECT
    position::int,
    rank::int,
    value,
    instance_id as "instanceId",
    "lateral".players
FROM ${source}
LEFT JOIN LATERAL (
    SELECT
        COALESCE(
            JSONB_AGG(
                JSONB_BUILD_OBJECT(
                    'membershipId', membership_id::text,
                    'membershipType', membership_type,
                    'iconPath', icon_path,
                    'displayName', display_name,
                    'bungieGlobalDisplayName', bungie_global_display_name,
                    'bungieGlobalDisplayNameCode', bungie_global_display_name_code,
                    'lastSeen', last_seen,
                    'isPrivate', is_private,
                    'cheatLevel', cheat_level
                )
            ),
            '[]'::jsonb
        ) as "players"
    FROM instance_player
    INNER JOIN player USING (membership_id)
    WHERE instance_player.instance_id = ${source}.instance_id
        AND instance_player.completed
) as "lateral" ON true
WHERE position > $1 AND position <= ($1 + $2)
ORDER BY position ASC`

/** ... ?search= against the snapshot table (tried first). */
export const SEARCH_PANTHEON_RACE_SNAPSHOT = `
SELECT s.position::int
FROM pantheon_custom_race_snapshot s
WHERE EXISTS (
    SELECT 1
    FROM instance_player ip
    WHERE ip.instance_id = s.instance_id
        AND ip.membership_id = $1::bigint
        AND ip.completed
)
ORDER BY s.position ASC
LIMIT 1`

/** ... ?search= against the view (the fallback we serve). */
export const SEARCH_PANTHEON_RACE_VIEW = `
SELECT position::int
FROM team_pantheon_custom_race_leaderboard
WHERE membership_ids @> $1::text::jsonb
ORDER BY position ASC
LIMIT 1`

/** GET /player/:id/profile — the player (services/player.ts getPlayer). */
export const GET_PLAYER = `
SELECT
    membership_id AS "membershipId",
    membership_type AS "membershipType",
    icon_path AS "iconPath",
    display_name AS "displayName",
    bungie_global_display_name AS "bungieGlobalDisplayName",
    bungie_global_display_name_code AS "bungieGlobalDisplayNameCode",
    last_seen AS "lastSeen",
    is_private AS "isPrivate",
    cheat_level AS "cheatLevel"
FROM player
WHERE membership_id = $1::bigint`

/** GET /player/:id/profile — per-activity stats with the fastest clear (getPlayerActivityStats). */
export const GET_PLAYER_ACTIVITY_STATS = `
SELECT
    activity_definition.id::int AS "activityId",
    COALESCE(player_stats.fresh_clears, 0)::int AS "freshClears",
    COALESCE(player_stats.clears, 0)::int AS "clears",
    COALESCE(player_stats.sherpas, 0)::int AS "sherpas",
    CASE WHEN fastest_instance_id IS NOT NULL
        THEN JSONB_BUILD_OBJECT(
            'instanceId', fastest.instance_id::text,
            'hash', fastest.hash,
            'activityId', av.activity_id,
            'versionId', av.version_id::int,
            'completed', fastest.completed,
            'playerCount', fastest.player_count::int,
            'score', fastest.score::int,
            'fresh', fastest.fresh,
            'flawless', fastest.flawless,
            'skullHashes', fastest.skull_hashes,
            'dateStarted', fastest.date_started,
            'dateCompleted', fastest.date_completed,
            'season', fastest.season_id::int,
            'duration', fastest.duration::int,
            'platformType', fastest.platform_type,
            'isDayOne', date_completed < COALESCE(day_one_end, TIMESTAMP 'epoch'),
            'isContest', date_completed < COALESCE(contest_end, TIMESTAMP 'epoch'),
            'isWeekOne', date_completed < COALESCE(week_one_end, TIMESTAMP 'epoch'),
            'isBlacklisted', bi.instance_id IS NOT NULL
        )
        ELSE NULL
    END as "fastestInstance"
FROM activity_definition
LEFT JOIN player_stats ON activity_definition.id = player_stats.activity_id
    AND player_stats.membership_id = $1::bigint
LEFT JOIN instance fastest ON player_stats.fastest_instance_id = fastest.instance_id
LEFT JOIN blacklist_instance bi ON player_stats.fastest_instance_id = bi.instance_id
LEFT JOIN activity_version av ON fastest.hash = av.hash
ORDER BY activity_definition.id`

/** GET /player/:id/profile — global stats with ranks (getPlayerGlobalStats). */
export const GET_PLAYER_GLOBAL_STATS = `
SELECT
    JSONB_BUILD_OBJECT(
        'value', COALESCE(lb.clears, player.clears, 0)::int,
        'rank', lb.clears_rank::int,
        'percentile', lb.clears_percentile
    ) AS "clears",
    JSONB_BUILD_OBJECT(
        'value', COALESCE(lb.fresh_clears, player.fresh_clears, 0)::int,
        'rank', lb.fresh_clears_rank::int,
        'percentile', lb.fresh_clears_percentile
    ) AS "freshClears",
    JSONB_BUILD_OBJECT(
        'value', COALESCE(lb.sherpas, player.sherpas, 0)::int,
        'rank', lb.sherpas_rank::int,
        'percentile', lb.sherpas_percentile
    ) AS "sherpas",
    JSONB_BUILD_OBJECT(
        'value', COALESCE(lb.total_time_played, player.total_time_played_seconds, 0)::int,
        'rank', lb.total_time_played_rank::int,
        'percentile', lb.total_time_played_percentile
    ) AS "totalTimePlayed",
    JSONB_BUILD_OBJECT(
        'value', COALESCE(lb.speed, player.sum_of_best, 0)::int,
        'rank', lb.speed_rank::int,
        'percentile', lb.speed_percentile
    ) AS "sumOfBest",
    JSONB_BUILD_OBJECT(
        'value', COALESCE(lb.wfr_score, player.wfr_score, 0),
        'rank', lb.wfr_score_rank::int,
        'percentile', lb.wfr_score_percentile
    ) AS "contest"
FROM player
LEFT JOIN individual_global_leaderboard lb USING (membership_id)
WHERE membership_id = $1::bigint`

/** GET /player/:id/profile — world-first entries (getWorldFirstEntries). */
export const GET_WORLD_FIRST_ENTRIES = `
SELECT DISTINCT ON (activity_definition.id)
    activity_definition.id::int AS "activityId",
    rank::int,
    instance_id AS "instanceId",
    time_after_launch::int AS "timeAfterLaunch",
    (CASE WHEN instance_id IS NOT NULL THEN date_completed < COALESCE(day_one_end, TIMESTAMP 'epoch') ELSE false END) AS "isDayOne",
    (CASE WHEN instance_id IS NOT NULL THEN date_completed < COALESCE(contest_end, TIMESTAMP 'epoch') ELSE false END) AS "isContest",
    (CASE WHEN instance_id IS NOT NULL THEN date_completed < COALESCE(week_one_end, TIMESTAMP 'epoch') ELSE false END) AS "isWeekOne",
    COALESCE(is_challenge_mode, false) AS "isChallengeMode"
FROM world_first_contest_leaderboard
JOIN activity_definition ON world_first_contest_leaderboard.activity_id = activity_definition.id
WHERE membership_ids @> $1::text::jsonb
    AND rank <= 500
    AND activity_definition.is_raid = true
ORDER BY activity_definition.id ASC, rank ASC;`

/** PUT /subscriptions/discord/webhooks — the writable pool's statements (services/subscriptions/discord-webhooks.ts). */
export const SUBSCRIPTION_WRITES = {
  insertDestination: `INSERT INTO subscriptions.destination (channel_type)
     VALUES ($1)
     RETURNING id::text AS "id"`,
  upsertDiscordConfig: `INSERT INTO subscriptions.discord_destination_config
        (destination_id, guild_id, channel_id, webhook_id, webhook_token, updated_at)
     VALUES ($1::bigint, $2, $3, $4, $5, NOW())
     ON CONFLICT (destination_id)
     DO UPDATE SET
        guild_id = EXCLUDED.guild_id,
        channel_id = EXCLUDED.channel_id,
        webhook_id = EXCLUDED.webhook_id,
        webhook_token = EXCLUDED.webhook_token,
        updated_at = NOW()`,
  insertPlayerRule: `INSERT INTO subscriptions.rule (destination_id, scope, membership_id, require_fresh, require_completed)
     SELECT $1::bigint, 'player', $2::bigint, $3, $4
     WHERE NOT EXISTS (
         SELECT 1 FROM subscriptions.rule r
         WHERE r.destination_id = $1::bigint
           AND r.scope = 'player'
           AND r.membership_id = $2::bigint
           AND r.is_active
     )
     RETURNING 1 AS "rowCount"`,
  deactivateOtherPlayerRules: `UPDATE subscriptions.rule
     SET is_active = false,
         updated_at = NOW()
     WHERE destination_id = $1::bigint
       AND scope = 'player'
       AND is_active
       AND (
            array_length($2::bigint[], 1) IS NULL
            OR membership_id <> ALL($2::bigint[])
       )`,
  updateGuild: `UPDATE subscriptions.discord_destination_config
     SET guild_id = $2,
         updated_at = NOW()
     WHERE destination_id = $1::bigint`,
  findByChannel: `SELECT c.destination_id::text AS "destinationId", c.webhook_id AS "webhookId", d.is_active AS "isActive"
     FROM subscriptions.discord_destination_config c
     INNER JOIN subscriptions.destination d ON d.id = c.destination_id
     WHERE c.channel_id = $1
     LIMIT 1`,
  deactivate: `UPDATE subscriptions.destination
     SET is_active = false, deactivated_at = NOW(), deactivation_reason = 'api_deactivate', updated_at = NOW()
     WHERE id = $1::bigint`,
}

/**
 * Admin reporting routes on the writable pool (services/reporting/*). The blacklist statements
 * are qualified and cast the report source, as research raidhub-api.md §1.2 describes them.
 */
export const ADMIN_WRITES = {
  blacklist: `INSERT INTO flagging.blacklist_instance (instance_id, report_source, report_id, reason)
     VALUES ($1::bigint, $2::flagging."BlacklistReportSource", $3, $4)
     ON CONFLICT (instance_id) DO NOTHING`,
  blacklistPlayer: `INSERT INTO flagging.blacklist_instance_player (instance_id, membership_id, reason)
     VALUES ($1::bigint, $2::bigint, $3)
     ON CONFLICT (instance_id, membership_id) DO NOTHING`,
  removeBlacklist: "DELETE FROM flagging.blacklist_instance WHERE instance_id = $1::bigint",
  whitelist: "UPDATE instance SET is_whitelisted = true WHERE instance_id = $1::bigint",
  cheatLevel: `UPDATE player
     SET cheat_level = COALESCE($2, cheat_level)
     WHERE membership_id = $1::bigint`,
}

/** GET /metrics/weapons/rolling-week (ClickHouse; services/metrics/rolling-weapon-meta.ts). */
export const CLICKHOUSE_ROLLING_WEAPON_META = `SELECT
    wd.slot,
    wd.hash::UInt32 AS hash,
    SUM(wm.usage_count)::Int AS totalUsage,
    SUM(wm.kill_count)::Int AS totalKills,
    SUM(wm.precision_kill_count)::Int AS totalPrecisionKills
FROM weapon_meta_by_hour AS wm
INNER JOIN weapon_definition AS wd ON wm.weapon_hash = wd.hash
WHERE wm.hour BETWEEN toStartOfHour(now() - INTERVAL 1 WEEK) AND toStartOfHour(now())
GROUP BY wd.slot, wd.hash
ORDER BY wd.slot, {sortColumn:Identifier} DESC
LIMIT {count:Int} BY wd.slot;`

/** GET /metrics/population/rolling-day (ClickHouse; services/metrics/daily-player-population.ts). */
export const CLICKHOUSE_ROLLING_POPULATION = `WITH aggregated AS (
    SELECT
        hour,
        activity_id,
        SUM(player_count)::UInt32 AS total_player_count
    FROM player_population_by_hour
    WHERE hour BETWEEN toStartOfHour(now() - INTERVAL 1 DAY) AND toStartOfHour(now())
    GROUP BY hour, activity_id
)
SELECT
    hour,
    mapFromArrays(groupArray(activity_id), groupArray(total_player_count)) AS population
FROM aggregated
GROUP BY hour
ORDER BY hour DESC;`
