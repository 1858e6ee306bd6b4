-- An exact restart (issue 13): besides the low-water mark, the crawler stores which ids between
-- the low-water and the high-water mark are NOT resolved yet, each run with how long it has been
-- waiting (src/apps/atlas/coordinator/resume-state.ts: version byte, varint deltas). A restart
-- fetches only those and resumes claiming at high_water_mark; NULL (rows written before this, or
-- an unreadable state) means "refetch everything from low_water_mark", the old behaviour.
ALTER TABLE crawl.crawler_state ADD COLUMN resume_state bytea;
COMMENT ON COLUMN crawl.crawler_state.high_water_mark IS
    'Claiming resumes here: every id below it was handed out; with resume_state, those not listed there are resolved.';
COMMENT ON COLUMN crawl.crawler_state.resume_state IS
    'Unresolved runs in [low_water_mark, high_water_mark) with their waiting times (atlas resume-state.ts encoding); NULL = unknown.';
