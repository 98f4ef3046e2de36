-- +goose Up
-- Invitations by e-mail get what the back office needs beyond the token:
-- an ID of their own (the token's hash never leaves the store, and the
-- audit log names an invitation by this ID), the name the inviter gave,
-- and the language of the mail, so that a resent invitation is in the same
-- language. Rows written before this version (nothing wrote them) keep
-- their token hash as ID.
ALTER TABLE invites ADD COLUMN id TEXT;
UPDATE invites SET id = token_hash WHERE id IS NULL;
CREATE UNIQUE INDEX invites_id ON invites(id);
ALTER TABLE invites ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN lang TEXT NOT NULL DEFAULT 'nb';
CREATE INDEX invites_organisation ON invites(organisation_id);

-- +goose Down
DROP INDEX invites_organisation;
DROP INDEX invites_id;
ALTER TABLE invites DROP COLUMN lang;
ALTER TABLE invites DROP COLUMN name;
ALTER TABLE invites DROP COLUMN id;
