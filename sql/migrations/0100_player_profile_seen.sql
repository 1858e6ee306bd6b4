-- When the profile fields of core.player (icon, display names) were observed: the last_seen of
-- the PGCR entry they came from. The instance store overwrites them only with a newer
-- observation, which makes the stored profile independent of the order PGCRs arrive in (last_seen
-- itself can be advanced by an entry that carried no profile). A profile crawler that writes the
-- fields from a live profile should set this to now().
ALTER TABLE core.player ADD COLUMN IF NOT EXISTS profile_seen_at timestamptz;
