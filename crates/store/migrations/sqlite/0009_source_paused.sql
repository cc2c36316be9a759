-- A source the operator paused: not polled, its pushes refused, until it is
-- resumed. NULL for a source that is watched.

ALTER TABLE sources ADD COLUMN paused_at TEXT;
