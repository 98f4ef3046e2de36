-- +goose Up
-- The matching flow (issue 4): a person's enquiry (henvendelse), the pool it
-- waits in, the invitations that form a new closed group, the start-up
-- meeting booked in a room, the starter assigned to the group, and the
-- anonymous statistics left when an enquiry is deleted.
--
-- Everything in enquiries is special-category personal data. The columns
-- name, contact, own_words and intake_note hold values sealed in the
-- application (package seal: "s1.<key>.<ciphertext>", bound to the row);
-- contact_index is a keyed hash of the normalised contact for exact-match
-- look-ups. There is no diagnosis field and no national ID number, on
-- purpose. The retention job deletes rows on the clock in delete_after;
-- enquiry_themes, enquiry_history and invitations go with them (CASCADE).
CREATE TABLE enquiries (
    id                   TEXT PRIMARY KEY,
    organisation_id      TEXT NOT NULL REFERENCES organisations(id),
    status               TEXT NOT NULL CHECK (status IN
                         ('unconfirmed','new','intake','waiting','invited','placed','paused','withdrawn','closed')),
    channel              TEXT NOT NULL CHECK (channel IN ('web','phone','walk_in','referral')),
    referral_kind        TEXT NOT NULL DEFAULT '' CHECK (referral_kind IN ('','gp','nav','lms','other')),
    referred_by          TEXT NOT NULL DEFAULT '',  -- the partner user who filled the form with the person
    name                 TEXT NOT NULL,             -- sealed: a first name or chosen name
    contact_kind         TEXT NOT NULL CHECK (contact_kind IN ('email','phone')),
    contact              TEXT NOT NULL,             -- sealed: the one way to reach the person
    contact_index        TEXT NOT NULL,             -- keyed hash of the normalised contact
    own_words            TEXT NOT NULL DEFAULT '',  -- sealed: what they would like to talk about
    intake_note          TEXT NOT NULL DEFAULT '',  -- sealed: the coordinator's note (never a diagnosis)
    municipality_id      TEXT NOT NULL REFERENCES municipalities(id),
    travel_km            INTEGER NOT NULL DEFAULT 0 CHECK (travel_km BETWEEN 0 AND 1000),
    not_own_municipality BOOLEAN NOT NULL DEFAULT FALSE,
    formats              TEXT NOT NULL,             -- "in_person phone video" (at least one)
    slots                TEXT NOT NULL DEFAULT '',  -- "mon-evening thu-afternoon"; '' = any time
    languages            TEXT NOT NULL DEFAULT 'nb',
    adult                BOOLEAN NOT NULL DEFAULT FALSE, -- confirmed 18 or over
    consent_version      TEXT NOT NULL,             -- the consent text accepted
    consent_recorded_by  TEXT NOT NULL DEFAULT '',  -- staff user who recorded oral consent ('' = in the form)
    lang                 TEXT NOT NULL DEFAULT 'nb', -- language of what the person is sent
    token_hash           TEXT NOT NULL UNIQUE,      -- SHA-256 of the token of the person's private link
    group_id             TEXT REFERENCES groups(id) ON DELETE SET NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    confirmed_at         TIMESTAMPTZ,
    status_changed_at    TIMESTAMPTZ NOT NULL,
    waiting_since        TIMESTAMPTZ,                 -- in the pool since
    asked_at             TIMESTAMPTZ,                 -- asked "still interested?" (retention)
    delete_after         TIMESTAMPTZ                  -- the retention job deletes the row after this
);
CREATE INDEX enquiries_org_status ON enquiries(organisation_id, status);
CREATE INDEX enquiries_contact ON enquiries(contact_index);
CREATE INDEX enquiries_delete_after ON enquiries(delete_after);
CREATE INDEX enquiries_group ON enquiries(group_id);

CREATE TABLE enquiry_themes (
    enquiry_id TEXT NOT NULL REFERENCES enquiries(id) ON DELETE CASCADE,
    theme_id   TEXT NOT NULL REFERENCES themes(id),
    PRIMARY KEY (enquiry_id, theme_id)
);

-- What happened to an enquiry, without personal data: status changes with
-- who made them (a staff user id, "person" for the person's own link,
-- "system" for jobs).
CREATE TABLE enquiry_history (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enquiry_id TEXT NOT NULL REFERENCES enquiries(id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL,
    status     TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT ''             -- a code ("declined", "no_answer"), never free text
);
CREATE INDEX enquiry_history_enquiry ON enquiry_history(enquiry_id, at);

-- Forming a closed group from a pool: the group being formed, how many
-- accepts it needs to start, the planned start-up meeting, the room and
-- the starter. reformed counts re-formings (a running group that takes in
-- new members starts again with a new start date, its history kept).
CREATE TABLE group_formations (
    group_id        TEXT PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    needed          INTEGER NOT NULL DEFAULT 4 CHECK (needed BETWEEN 1 AND 8),
    municipality_id TEXT REFERENCES municipalities(id), -- where it meets (NULL for phone/video)
    format          TEXT NOT NULL DEFAULT 'in_person' CHECK (format IN ('in_person','phone','video')),
    startup_at      TIMESTAMPTZ,                          -- the planned start-up meeting
    room_id         TEXT REFERENCES rooms(id) ON DELETE SET NULL,
    deadline        TIMESTAMPTZ NOT NULL,                 -- answers wanted by
    started_at      TIMESTAMPTZ,                          -- moved to "starting"
    reformed        INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);

-- An invitation to one person to join a group being formed, answered by a
-- private link (accept or decline, no reason asked).
CREATE TABLE group_invitations (
    id          TEXT PRIMARY KEY,
    group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    enquiry_id  TEXT NOT NULL REFERENCES enquiries(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('pending','accepted','declined','expired','withdrawn')),
    deadline    TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ
);
CREATE INDEX group_invitations_group ON group_invitations(group_id, status);
CREATE INDEX group_invitations_enquiry ON group_invitations(enquiry_id);

-- One-off bookings of a room (the start-up meeting of a group; recurring
-- series and requests from other organisations come with the house's daily
-- work). No two bookings of a room overlap: checked in the store, in the
-- transaction that books.
CREATE TABLE room_bookings (
    id         TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    group_id   TEXT REFERENCES groups(id) ON DELETE SET NULL,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL CHECK (ends_at > starts_at),
    purpose    TEXT NOT NULL CHECK (purpose IN ('startup','meeting','event','other')),
    title      TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX room_bookings_room ON room_bookings(room_id, starts_at);

-- A starter (igangsetter: a user with the starter role) assigned to a group:
-- they attend the first meetings; a follow-up reminder goes to them and the
-- coordinator after follow_up_after meetings; the group runs itself from
-- handed_over_at.
CREATE TABLE starter_assignments (
    id                TEXT PRIMARY KEY,
    group_id          TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    start_date        TIMESTAMPTZ NOT NULL,
    follow_up_after   INTEGER NOT NULL DEFAULT 4 CHECK (follow_up_after BETWEEN 1 AND 20),
    follow_up_sent_at TIMESTAMPTZ,
    handed_over_at    TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX starter_assignments_group ON starter_assignments(group_id);
CREATE INDEX starter_assignments_user ON starter_assignments(user_id);

-- Anonymous statistics of enquiries: one row per confirmed enquiry, kept
-- when the enquiry is deleted (enquiry_id is then set to NULL, and nothing
-- links the row to a person). Reports count these rows, never enquiries.
-- themes: theme slugs separated by spaces; month: YYYY-MM of the enquiry.
CREATE TABLE enquiry_stats (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enquiry_id      TEXT UNIQUE,
    month           TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    channel         TEXT NOT NULL,
    referral_kind   TEXT NOT NULL DEFAULT '',
    themes          TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL CHECK (outcome IN ('waiting','placed','withdrawn','no_group','unanswered','closed')),
    placed_month    TEXT NOT NULL DEFAULT '',
    waited_days     INTEGER
);
CREATE INDEX enquiry_stats_month ON enquiry_stats(month);

-- Mails and text messages to a person carry ref = 'enquiry:<id>', so that
-- deleting the enquiry deletes them from the outbox too.
ALTER TABLE outbox ADD COLUMN ref TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_ref ON outbox(ref);

-- +goose Down
DROP INDEX outbox_ref;
ALTER TABLE outbox DROP COLUMN ref;
DROP TABLE enquiry_stats;
DROP TABLE starter_assignments;
DROP TABLE room_bookings;
DROP TABLE group_invitations;
DROP TABLE group_formations;
DROP TABLE enquiry_history;
DROP TABLE enquiry_themes;
DROP TABLE enquiries;
