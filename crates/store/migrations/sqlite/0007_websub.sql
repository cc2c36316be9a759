-- WebSub (push) subscriptions: a source whose feed names a hub is also
-- subscribed there, so new items arrive as they are published instead of at
-- the next poll. One row per source; `expires_at` stays NULL until the hub
-- has verified the subscription.

CREATE TABLE websub (
    source_id    INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    hub          TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    secret       TEXT    NOT NULL,
    requested_at TEXT    NOT NULL,
    expires_at   TEXT
);
