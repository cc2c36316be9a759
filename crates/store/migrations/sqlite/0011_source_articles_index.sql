-- A source's articles by publication time: how many it published in the last
-- day (which sets how often it is polled) and when its latest one came, each
-- an index range instead of a pass over every article of the source.

CREATE INDEX articles_source_published ON articles (source_id, published);
