-- Where a story merged into another went, so links to it (in alerts already sent)
-- lead to the story that holds its articles now. `into_id` is always a story that
-- was not merged further when the row was last written: a merge of `into_id`
-- rewrites the rows that point to it.

CREATE TABLE story_merges (
    from_id BIGINT PRIMARY KEY,
    into_id BIGINT NOT NULL
);
