-- +goose Up
-- Staff accounts, their roles in the organisation tree, sessions, and the
-- counters of rate limits. Passwords are argon2id PHC strings (with their
-- parameters); session tokens and invite or reset tokens are stored only as
-- the SHA-256 of the token, so a copy of the database signs nobody in.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE CHECK (email <> ''), -- trimmed, lower-case, NFC (in Go)
    name           TEXT NOT NULL,
    password_hash  TEXT,                                      -- NULL: no password (single sign-on only)
    admin          BOOLEAN NOT NULL DEFAULT FALSE,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret    TEXT,                                      -- base32; set at enrolment, used once enabled
    totp_enabled   BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step BIGINT NOT NULL DEFAULT 0,                 -- the last time step used: never again
    failed_signins INTEGER NOT NULL DEFAULT 0,                -- since the last successful sign-in
    locked_until   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    last_signin_at TIMESTAMP
);

-- A user's roles: coordinator (the organisation and everything under it),
-- starter (what is assigned to them), partner (read-only).
CREATE TABLE memberships (
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('coordinator','starter','partner')),
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);
CREATE INDEX memberships_org ON memberships(organisation_id);

-- Sessions: the SHA-256 of the cookie's random token. last_seen_at gives the
-- idle timeout, expires_at the absolute one. mfa: the second factor was given.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    mfa          BOOLEAN NOT NULL DEFAULT FALSE,
    agent        TEXT NOT NULL DEFAULT '', -- "Firefox, Linux": a summary, never the raw User-Agent
    source       TEXT NOT NULL DEFAULT ''  -- the network, truncated (store.SourceOf)
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Fixed-window counters shared by every instance. A key never holds raw
-- personal data: e-mail addresses are keyed hashes, addresses truncated.
CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits(window_start);

-- Random keys of the installation, made on first use and shared by every
-- instance (such as the key of the hashes in rate_limits).
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Reserved for the next steps: invitations by e-mail and password reset, each
-- a single-use token stored as its SHA-256.
CREATE TABLE invites (
    token_hash      TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations(id) ON DELETE CASCADE,
    role            TEXT CHECK (role IN ('coordinator','starter','partner')),
    admin           BOOLEAN NOT NULL DEFAULT FALSE,
    created_by      TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    used_at         TIMESTAMP,
    CHECK ((organisation_id IS NULL) = (role IS NULL))
);
CREATE INDEX invites_email ON invites(email);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- +goose Down
DROP TABLE password_resets;
DROP TABLE invites;
DROP TABLE server_keys;
DROP TABLE rate_limits;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
