-- +goose Up
-- Single sign-on (OpenID Connect) for the staff of organisations that have
-- their own identity provider (Entra ID, Feide, any standard provider).
--
-- oidc_providers: the settings of one provider for one organisation. The
-- client secret is stored as the administrator gave it (to be sealed with
-- the application key once there is one); no page ever shows it again.
-- scopes and email_domains are lists separated by single spaces, lower-case
-- domains; trust_mfa: the provider's amr claim, when it shows a second
-- factor, counts as this sign-in's second factor.
CREATE TABLE oidc_providers (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (name <> ''),
    issuer          TEXT NOT NULL CHECK (issuer <> ''),
    client_id       TEXT NOT NULL CHECK (client_id <> ''),
    client_secret   TEXT NOT NULL DEFAULT '',
    scopes          TEXT NOT NULL DEFAULT 'openid email profile',
    email_domains   TEXT NOT NULL DEFAULT '',
    trust_mfa       BOOLEAN NOT NULL DEFAULT FALSE,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_providers_org ON oidc_providers(organisation_id);

-- An account at a provider (its subject, the "sub" claim) linked to a staff
-- user. Users are never created from single sign-on: a link is made only to
-- an invited user, by a verified e-mail address.
CREATE TABLE user_identities (
    provider_id TEXT NOT NULL REFERENCES oidc_providers(id) ON DELETE CASCADE,
    subject     TEXT NOT NULL CHECK (subject <> ''),
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);

-- Sign-ins under way: the SHA-256 of the state sent to the provider (the
-- browser holds the state in a cookie too), with the nonce and the PKCE
-- verifier. A row lives ten minutes and is deleted when it is used, so a
-- state works once, on one instance or another.
CREATE TABLE oidc_logins (
    state_hash    TEXT PRIMARY KEY,
    provider_id   TEXT NOT NULL REFERENCES oidc_providers(id) ON DELETE CASCADE,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to     TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL DEFAULT 'nb',
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins(expires_at);

-- +goose Down
DROP TABLE oidc_logins;
DROP TABLE user_identities;
DROP TABLE oidc_providers;
