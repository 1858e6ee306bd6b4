-- States the player-side queue workers record instead of retrying (issue 16, docs/hermes.md).
--
-- player_crawl: Bungie said the account does not exist (1601 DestinyAccountNotFound, or 8 for an
-- id out of range) when it was last crawled. last_crawled is set too, so the player is not asked
-- again within the re-crawl window; a later successful crawl clears it. The public API does not
-- read this column.
ALTER TABLE core.player ADD COLUMN IF NOT EXISTS profile_missing_at timestamptz;

-- clan_crawl: Bungie answered 686 GroupNotFound (the clan was deleted). Its member rows are
-- removed (the clan leaderboard then drops it); the clan row stays, marked, so the crawl does not
-- ask again within the re-crawl window. A later successful crawl clears it.
ALTER TABLE clan.clan ADD COLUMN IF NOT EXISTS deleted_at timestamptz;
