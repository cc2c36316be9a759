-- Per-subscriber pacing (time zone, quiet hours, daily cap), the reason an
-- address was suppressed, one-time story updates, and bounce/complaint
-- feedback.

ALTER TABLE subscribers ADD COLUMN tz TEXT NOT NULL DEFAULT 'UTC';
-- Local 'HH:MM-HH:MM' in which real-time alerts wait; NULL for none.
ALTER TABLE subscribers ADD COLUMN quiet_hours TEXT;
-- Real-time alerts per local day before the rest fold into a digest.
ALTER TABLE subscribers ADD COLUMN daily_cap INTEGER;
ALTER TABLE subscribers ADD COLUMN suppressed_at TEXT;
ALTER TABLE subscribers ADD COLUMN suppressed_reason TEXT;

-- The one "story turned breaking" email of an alerted story; set once, so it
-- can never repeat.
ALTER TABLE alerts ADD COLUMN update_email_id INTEGER REFERENCES emails (id) ON DELETE SET NULL;

CREATE TABLE feedback (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('hard_bounce', 'soft_bounce', 'complaint')),
    status        TEXT,
    diagnostic    TEXT,
    message_id    TEXT,
    -- 'dsn', 'arf' (imported reports) or 'smtp' (rejected while sending).
    origin        TEXT    NOT NULL,
    -- Makes importing the same mailbox twice a no-op.
    dedup_key     TEXT    UNIQUE,
    created_at    TEXT    NOT NULL
);
CREATE INDEX feedback_subscriber ON feedback (subscriber_id, kind, created_at);
CREATE INDEX emails_recipient ON emails (recipient, kind, created_at);
CREATE INDEX emails_subscriber ON emails (subscriber_id, kind, created_at);
