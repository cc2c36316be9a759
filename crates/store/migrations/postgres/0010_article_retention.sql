-- When an article's text, feed summary and analysis were dropped under the
-- retention policy (`retention_days`); NULL while it keeps them. The row itself
-- stays: its (source, guid) keeps a feed that still lists the item from
-- bringing it back as new, and its title, link and story keep the story pages
-- whole.

ALTER TABLE articles ADD COLUMN pruned_at TEXT;
CREATE INDEX articles_unpruned ON articles (published) WHERE pruned_at IS NULL;
