-- +goose Up
-- Rooms and bookings (issue 5, item 1): recurring bookings of a room
-- (series), their exceptions, requests for a room from other
-- organisations, and a private calendar feed per room.
--
-- No two bookings of a room overlap, ever: every write of a one-off
-- booking (room_bookings) or a series is checked by one function in the
-- store (checkRoomTx, internal/store/bookings_check.go) against every
-- other booking and series of the room, inside the writing transaction,
-- with the room's row locked on PostgreSQL.

-- Requests for a room from outside the house, sent through the public
-- form. org_name, contact_name, email, phone, purpose and message are
-- sealed in the application (they name a person and how to reach them);
-- the row is deleted at delete_after (90 days after the decision).
CREATE TABLE room_requests (
    id              TEXT PRIMARY KEY,
    venue_id        TEXT NOT NULL REFERENCES venues(id) ON DELETE CASCADE,
    room_id         TEXT REFERENCES rooms(id) ON DELETE SET NULL, -- NULL: any room of the venue
    organisation_id TEXT NOT NULL REFERENCES organisations(id),   -- the house that decides
    status          TEXT NOT NULL CHECK (status IN ('new','approved','declined')),
    org_name        TEXT NOT NULL,             -- sealed
    contact_name    TEXT NOT NULL,             -- sealed
    email           TEXT NOT NULL,             -- sealed
    phone           TEXT NOT NULL DEFAULT '',  -- sealed
    purpose         TEXT NOT NULL DEFAULT '',  -- sealed: what the room is for, in their words
    group_kind      TEXT NOT NULL CHECK (group_kind IN ('self_help','twelve_step','peer','other')),
    kind            TEXT NOT NULL CHECK (kind IN ('once','weekly','biweekly')),
    starts_at       TIMESTAMPTZ NOT NULL,        -- the (first) wished time
    minutes         INTEGER NOT NULL CHECK (minutes BETWEEN 15 AND 1440),
    until_day       TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD, the last wished day of a series ('' = open)
    lang            TEXT NOT NULL DEFAULT 'nb',
    consent_version TEXT NOT NULL,
    message         TEXT NOT NULL DEFAULT '',  -- sealed: the house's answer
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    delete_after    TIMESTAMPTZ NOT NULL
);
CREATE INDEX room_requests_org ON room_requests(organisation_id, status);
CREATE INDEX room_requests_delete_after ON room_requests(delete_after);

-- A recurring booking: the first meeting (its wall clock in Europe/Oslo is
-- the time of every meeting), the length, the pattern (FREQ, INTERVAL and
-- BYDAY of RFC 5545, as domain.ParseRule reads them) and the last day.
-- Who uses the room: a group, or an organisation of the tree, or an
-- outside organisation by name (holder), with a title.
CREATE TABLE room_series (
    id              TEXT PRIMARY KEY,
    room_id         TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    group_id        TEXT REFERENCES groups(id) ON DELETE SET NULL,
    organisation_id TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    holder          TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    starts_at       TIMESTAMPTZ NOT NULL,
    minutes         INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 1440),
    rule            TEXT NOT NULL,
    until_day       TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD, the last day ('' = no end)
    request_id      TEXT REFERENCES room_requests(id) ON DELETE SET NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX room_series_room ON room_series(room_id);
CREATE INDEX room_series_group ON room_series(group_id);

-- Days a series does not meet (EXDATE): holidays, cancelled meetings.
CREATE TABLE room_series_exceptions (
    series_id TEXT NOT NULL REFERENCES room_series(id) ON DELETE CASCADE,
    day       TEXT NOT NULL,                  -- YYYY-MM-DD, local
    reason    TEXT NOT NULL CHECK (reason IN ('holiday','cancelled','other')),
    PRIMARY KEY (series_id, day)
);

-- One-off bookings get who uses the room (as series have it). No foreign
-- keys on these three (SQLite cannot drop a column that has one);
-- request_id is set to NULL when its request is deleted.
ALTER TABLE room_bookings ADD COLUMN organisation_id TEXT;
ALTER TABLE room_bookings ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE room_bookings ADD COLUMN request_id TEXT;

-- The private calendar feed of a room: only the SHA-256 of the token that
-- its address carries.
CREATE TABLE room_feeds (
    room_id    TEXT PRIMARY KEY REFERENCES rooms(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE room_feeds;
ALTER TABLE room_bookings DROP COLUMN request_id;
ALTER TABLE room_bookings DROP COLUMN holder;
ALTER TABLE room_bookings DROP COLUMN organisation_id;
DROP TABLE room_series_exceptions;
DROP TABLE room_series;
DROP TABLE room_requests;
