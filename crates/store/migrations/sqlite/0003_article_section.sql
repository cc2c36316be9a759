-- The section (feed category) an article ran in, such as 'sport': the story
-- index reads it again when it is rebuilt, as reports from quiet sections never
-- confirm breaking.

ALTER TABLE articles ADD COLUMN section TEXT;
