-- Cheat flags by time: nemesis reads every player flag of the last 60 days (4× a day) and
-- clear-flags deletes flags by date. Without these both scan the whole flag tables.
CREATE INDEX IF NOT EXISTS flag_instance_player_flagged_at_idx ON flagging.flag_instance_player (flagged_at);
CREATE INDEX IF NOT EXISTS flag_instance_flagged_at_idx ON flagging.flag_instance (flagged_at);
