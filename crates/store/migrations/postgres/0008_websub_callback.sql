-- The callback address a WebSub subscription was asked with, so a changed
-- public address is subscribed again instead of waiting for the lease to end.

ALTER TABLE websub ADD COLUMN callback TEXT;
