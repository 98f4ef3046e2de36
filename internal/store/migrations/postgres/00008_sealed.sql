-- +goose Up
-- Secrets are sealed in the application from now on (package seal): the
-- TOTP secrets in users.totp_secret and the client secrets in
-- oidc_providers.client_secret hold "s1.<key>.<ciphertext>". Values stored
-- before are sealed by `fellesrom keys reseal` (serve runs it at start).
--
-- trust_email: the provider's email claim counts as verified without an
-- email_verified claim (Entra ID sends none).
ALTER TABLE oidc_providers ADD COLUMN trust_email BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE oidc_providers DROP COLUMN trust_email;
