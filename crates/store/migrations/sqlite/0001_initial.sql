-- ajil's first schema. Times are TEXT in a fixed-width UTC form
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ) so that string comparison is time order.

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT    NOT NULL UNIQUE,
    name                 TEXT    NOT NULL,
    interval_secs        INTEGER NOT NULL DEFAULT 300,
    etag                 TEXT,
    last_modified        TEXT,
    created_at           TEXT    NOT NULL,
    last_fetch_at        TEXT,
    last_success_at      TEXT,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_fetch_at        TEXT    NOT NULL
);
CREATE INDEX sources_next_fetch ON sources (next_fetch_at);

-- story_id has no foreign key: the clusterer owns story ids and the pipeline
-- may tag an article before or after it upserts the story row.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    guid          TEXT    NOT NULL,
    url           TEXT    NOT NULL,
    canonical_url TEXT,
    title         TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    summary       TEXT,
    lang          TEXT    NOT NULL,
    published     TEXT    NOT NULL,
    fetched_at    TEXT    NOT NULL,
    author        TEXT,
    wire          TEXT,
    content_hash  INTEGER NOT NULL,
    analysis      TEXT    NOT NULL,
    story_id      INTEGER,
    copy_of       INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    UNIQUE (source_id, guid)
);
CREATE INDEX articles_published ON articles (published, id);
CREATE INDEX articles_story ON articles (story_id);

CREATE TABLE stories (
    id                  INTEGER PRIMARY KEY,
    title               TEXT    NOT NULL,
    lang                TEXT    NOT NULL,
    first_seen          TEXT    NOT NULL,
    last_seen           TEXT    NOT NULL,
    article_count       INTEGER NOT NULL DEFAULT 0,
    outlet_count        INTEGER NOT NULL DEFAULT 0,
    independent_outlets INTEGER NOT NULL DEFAULT 0,
    state               TEXT    NOT NULL DEFAULT 'new'
                        CHECK (state IN ('new', 'developing', 'breaking')),
    breaking_at         TEXT
);
CREATE INDEX stories_last_seen ON stories (last_seen);

CREATE TABLE subscribers (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    ui_lang    TEXT    NOT NULL DEFAULT 'ar',
    status     TEXT    NOT NULL DEFAULT 'active'
               CHECK (status IN ('active', 'unsubscribed', 'suspended')),
    created_at TEXT    NOT NULL
);

CREATE TABLE subscriptions (
    id             INTEGER PRIMARY KEY,
    subscriber_id  INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    query          TEXT    NOT NULL,
    langs          TEXT,
    cadence        TEXT    NOT NULL CHECK (cadence IN ('realtime', 'hourly', 'daily')),
    breaking_only  INTEGER NOT NULL DEFAULT 0,
    status         TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'active', 'removed')),
    created_at     TEXT    NOT NULL,
    confirmed_at   TEXT,
    last_digest_at TEXT
);
CREATE INDEX subscriptions_subscriber ON subscriptions (subscriber_id);

CREATE TABLE emails (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('alert', 'digest', 'confirm')),
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    recipient       TEXT    NOT NULL,
    message_id      TEXT    NOT NULL UNIQUE,
    subject         TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX emails_due ON emails (status, next_attempt_at);

-- The row that keeps the promise "at most one alert per (subscription, story)".
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    story_id        INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    email_id        INTEGER REFERENCES emails (id) ON DELETE SET NULL,
    digest_pending  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (subscription_id, story_id)
);
CREATE INDEX alerts_digest ON alerts (subscription_id, digest_pending);
