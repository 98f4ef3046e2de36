-- +goose Up
CREATE TABLE counties (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE municipalities (
    id           TEXT PRIMARY KEY,
    county_id    TEXT NOT NULL REFERENCES counties(id),
    name         TEXT NOT NULL,
    sami_name    TEXT NOT NULL DEFAULT '',
    adm_centre   TEXT NOT NULL DEFAULT '',
    population   INTEGER NOT NULL DEFAULT 0,
    area_km2     REAL NOT NULL DEFAULT 0,
    written_form TEXT NOT NULL DEFAULT ''
);

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    parent_id     TEXT REFERENCES organisations(id),
    kind          TEXT NOT NULL CHECK (kind IN ('national_centre','district_office','self_help_house','volunteer_centre','learning_mastery_centre','municipality','user_organisation','fellowship','other')),
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '{}',
    email         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    website       TEXT NOT NULL DEFAULT '',
    venue_id      TEXT,
    opening_hours TEXT NOT NULL DEFAULT '{}',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE organisation_municipalities (
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    PRIMARY KEY (organisation_id, municipality_id)
);

CREATE TABLE themes (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '{}',
    sort_order INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE group_models (
    id           TEXT PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL DEFAULT '{}',
    description  TEXT NOT NULL DEFAULT '{}',
    intake       TEXT NOT NULL CHECK (intake IN ('closed','open','varies')),
    leadership   TEXT NOT NULL CHECK (leadership IN ('starter','chair','peer','other')),
    who_may_come TEXT NOT NULL DEFAULT '{}',
    size_min     INTEGER NOT NULL DEFAULT 0,
    size_max     INTEGER NOT NULL DEFAULT 0,
    default_join TEXT NOT NULL CHECK (default_join IN ('via_house','just_come','contact_org')),
    sort_order   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE venues (
    id                TEXT PRIMARY KEY,
    organisation_id   TEXT REFERENCES organisations(id),
    name              TEXT NOT NULL DEFAULT '',
    street            TEXT NOT NULL DEFAULT '',
    postal_code       TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    municipality_id   TEXT NOT NULL REFERENCES municipalities(id),
    lat               REAL,
    lon               REAL,
    step_free         BOOLEAN NOT NULL DEFAULT FALSE,
    hearing_loop      BOOLEAN NOT NULL DEFAULT FALSE,
    accessible_toilet BOOLEAN NOT NULL DEFAULT FALSE,
    address_public    BOOLEAN NOT NULL DEFAULT FALSE,
    directions        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX venues_org ON venues(organisation_id);

CREATE TABLE rooms (
    id       TEXT PRIMARY KEY,
    venue_id TEXT NOT NULL REFERENCES venues(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    capacity INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE groups (
    id                TEXT PRIMARY KEY,
    slug              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL DEFAULT '{}',
    description       TEXT NOT NULL DEFAULT '{}',
    model_id          TEXT NOT NULL REFERENCES group_models(id),
    organisation_id   TEXT NOT NULL REFERENCES organisations(id),
    format            TEXT NOT NULL CHECK (format IN ('in_person','telephone','video','hybrid')),
    age_group         TEXT NOT NULL CHECK (age_group IN ('adults','young_adults','all')),
    gender            TEXT NOT NULL CHECK (gender IN ('everyone','women','men')),
    for_relatives     BOOLEAN NOT NULL DEFAULT FALSE,
    status            TEXT NOT NULL CHECK (status IN ('planned','recruiting','starting','running','paused','ended')),
    takes_new_members BOOLEAN NOT NULL DEFAULT FALSE,
    capacity          INTEGER NOT NULL DEFAULT 0,
    join_method       TEXT NOT NULL CHECK (join_method IN ('via_house','just_come','contact_org')),
    schedule_start    TIMESTAMP,
    schedule_minutes  INTEGER NOT NULL DEFAULT 0,
    schedule_tz       TEXT NOT NULL DEFAULT 'Europe/Oslo',
    schedule_rrule    TEXT NOT NULL DEFAULT '',
    schedule_exdates  TEXT NOT NULL DEFAULT '',
    venue_id          TEXT REFERENCES venues(id),
    room_id           TEXT REFERENCES rooms(id),
    municipality_id   TEXT REFERENCES municipalities(id),
    verified_at       TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX groups_org ON groups(organisation_id);
CREATE INDEX groups_municipality ON groups(municipality_id);

CREATE TABLE group_themes (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    theme_id TEXT NOT NULL REFERENCES themes(id),
    PRIMARY KEY (group_id, theme_id)
);
CREATE INDEX group_themes_theme ON group_themes(theme_id);

CREATE TABLE group_languages (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    lang     TEXT NOT NULL,
    PRIMARY KEY (group_id, lang)
);

CREATE TABLE group_status_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    changed_at TIMESTAMP NOT NULL,
    changed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX group_status_history_group ON group_status_history(group_id, changed_at);

-- One row: bumped in the same transaction as every change to the public
-- directory, so that every instance's in-memory finder index knows when to reload.
CREATE TABLE directory_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

-- +goose Down
DROP TABLE directory_version;
DROP TABLE group_status_history;
DROP TABLE group_languages;
DROP TABLE group_themes;
DROP TABLE groups;
DROP TABLE rooms;
DROP TABLE venues;
DROP TABLE group_models;
DROP TABLE themes;
DROP TABLE organisation_municipalities;
DROP TABLE organisations;
DROP TABLE municipalities;
DROP TABLE counties;
