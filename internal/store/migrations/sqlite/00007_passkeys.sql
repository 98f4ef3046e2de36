-- +goose Up
-- Passkeys (WebAuthn credentials), a second factor beside TOTP. data is the
-- credential as the WebAuthn library keeps it (JSON: public key, sign
-- count, flags, transports); credential_id is its ID in base64url, unique
-- across users.
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE CHECK (credential_id <> ''),
    name          TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- The challenge of a WebAuthn ceremony under way, one per session: taken
-- (deleted) when it is answered, so that it is used once, and refused
-- after expires_at. A new session token (rotation) drops it.
CREATE TABLE passkey_challenges (
    session_hash TEXT PRIMARY KEY REFERENCES sessions(id_hash) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('register', 'login')),
    data         TEXT NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE passkey_challenges;
DROP TABLE passkeys;
