-- Whether an article joined its story as an angle: a report swept into the story
-- as it turned breaking, whose keys stay out of the story's core. The story index
-- reads it again when it is rebuilt, so the core comes back as it was.

ALTER TABLE articles ADD COLUMN angle INTEGER NOT NULL DEFAULT 0;
