-- +goose Up
-- Events (issue 5 item 3): information meetings, public meetings, seminars
-- for services, starter courses and other events of an organisation, with
-- co-organisers, and sign-up with a capacity and a waiting list.
--
-- An event is public data except its sign-ups. listed: shown in the public
-- calendar and the house's feed (an unlisted event is reached by its link
-- only). When room_id is set, booking_id is the one-off room_bookings row
-- (purpose 'event') that holds the room for the event's time.
--
-- signed_up_count and waiting_count hold the numbers once the sign-ups are
-- deleted (signups_deleted_at, 30 days after the event); before that they
-- are counted from event_signups. cancelled_count counts the sign-ups
-- cancelled (by the person's link or by staff), whose rows are deleted at
-- once. attended is the number staff record after the event (NULL: not yet).
CREATE TABLE events (
    id                 TEXT PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    organisation_id    TEXT NOT NULL REFERENCES organisations(id),
    kind               TEXT NOT NULL CHECK (kind IN
                       ('information_meeting','public_meeting','seminar','starter_course','other')),
    title              TEXT NOT NULL DEFAULT '{}',   -- a text per language (JSON), nb required
    description        TEXT NOT NULL DEFAULT '{}',
    starts_at          TIMESTAMPTZ NOT NULL,
    ends_at            TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
    tz                 TEXT NOT NULL DEFAULT 'Europe/Oslo',
    venue_id           TEXT REFERENCES venues(id) ON DELETE SET NULL,
    room_id            TEXT REFERENCES rooms(id) ON DELETE SET NULL,
    booking_id         TEXT REFERENCES room_bookings(id) ON DELETE SET NULL,
    online             BOOLEAN NOT NULL DEFAULT FALSE,
    online_url         TEXT NOT NULL DEFAULT '',      -- sent to those with a place, never shown on the page
    municipality_id    TEXT REFERENCES municipalities(id),
    capacity           INTEGER NOT NULL DEFAULT 0 CHECK (capacity BETWEEN 0 AND 100000), -- 0: no limit
    signup_open        BOOLEAN NOT NULL DEFAULT TRUE,
    listed             BOOLEAN NOT NULL DEFAULT TRUE,
    status             TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','cancelled')),
    attended           INTEGER CHECK (attended >= 0),
    signed_up_count    INTEGER NOT NULL DEFAULT 0,
    waiting_count      INTEGER NOT NULL DEFAULT 0,
    cancelled_count    INTEGER NOT NULL DEFAULT 0,
    signups_deleted_at TIMESTAMPTZ,
    created_by         TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_starts ON events(starts_at);
CREATE INDEX events_ends ON events(ends_at);
CREATE INDEX events_org ON events(organisation_id);

-- The other organisations that hold an event together with its organiser.
CREATE TABLE event_organisers (
    event_id        TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, organisation_id)
);
CREATE INDEX event_organisers_org ON event_organisers(organisation_id);

-- One person signed up for an event: personal data. name and contact are
-- sealed in the application (package seal, bound to the row);
-- contact_index is a keyed hash of the normalised contact, so that one
-- contact signs up once per event. token_hash is the SHA-256 of the token
-- of the link in the first message (cancellation by link); link_hash that
-- of the newest link sent since (moved up, reminder, changed). status
-- 'confirmed' has a place, 'waiting' is on the waiting list in the order of
-- seq (1, 2, … per event, in the order people signed up). A cancelled sign-up is deleted at once; every sign-up is
-- deleted 30 days after its event (the events job), leaving the counts on
-- the event row. Messages to the person carry outbox.ref 'signup:<id>'.
CREATE TABLE event_signups (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('confirmed','waiting')),
    name            TEXT NOT NULL,
    contact_kind    TEXT NOT NULL CHECK (contact_kind IN ('email','phone')),
    contact         TEXT NOT NULL,
    contact_index   TEXT NOT NULL,
    lang            TEXT NOT NULL DEFAULT 'nb',
    consent_version TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    link_hash       TEXT UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL,
    moved_up_at     TIMESTAMPTZ,
    reminded_at     TIMESTAMPTZ,
    UNIQUE (event_id, contact_index),
    UNIQUE (event_id, seq)
);

-- +goose Down
DROP TABLE event_signups;
DROP TABLE event_organisers;
DROP TABLE events;
