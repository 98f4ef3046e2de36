-- +goose Up
-- A user has at most one account at each provider: the store checks it,
-- and this index makes two links made at the same moment unable to break it.
CREATE UNIQUE INDEX user_identities_user_provider ON user_identities(provider_id, user_id);

-- +goose Down
DROP INDEX user_identities_user_provider;
