-- The section a whole feed belongs to (a sport feed, say), set by whoever adds
-- it; it stands for the category of items that declare none.

ALTER TABLE sources ADD COLUMN section TEXT;
