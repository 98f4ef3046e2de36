-- +goose Up
-- Harvested feeds (issue 6 item 3): an organisation registers a feed of
-- groups (Meeting Guide JSON, an HSDS API, or the CSV layout); the
-- harvest job reads it on a schedule. group_sources says which feed a
-- group came from and what its fields were when last harvested (a hash),
-- so that a local edit is seen as a conflict rather than overwritten.
-- Every run and every change it made or refused is kept for the log.
CREATE TABLE feeds (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations(id),
    url              TEXT NOT NULL,
    format           TEXT NOT NULL CHECK (format IN ('meetingguide','hsds','csv')),
    model_id         TEXT NOT NULL REFERENCES group_models(id),
    municipality_id  TEXT REFERENCES municipalities(id),
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes >= 15),
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    allow_mass_removal BOOLEAN NOT NULL DEFAULT FALSE,
    etag             TEXT NOT NULL DEFAULT '',
    last_modified    TEXT NOT NULL DEFAULT '',
    last_run_at      TIMESTAMPTZ,
    next_run_at      TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (organisation_id, url)
);
CREATE INDEX feeds_due ON feeds (next_run_at);

CREATE TABLE group_sources (
    group_id       TEXT PRIMARY KEY REFERENCES groups(id),
    feed_id        TEXT NOT NULL REFERENCES feeds(id),
    source_key     TEXT NOT NULL,
    harvested_hash TEXT NOT NULL,
    harvested_at   TIMESTAMPTZ NOT NULL,
    removed_at     TIMESTAMPTZ,
    UNIQUE (feed_id, source_key)
);

CREATE TABLE harvest_runs (
    id          TEXT PRIMARY KEY,
    feed_id     TEXT NOT NULL REFERENCES feeds(id),
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      TEXT NOT NULL CHECK (status IN ('running','ok','error')),
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    conflicts   INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX harvest_runs_feed ON harvest_runs (feed_id, started_at);

CREATE TABLE harvest_changes (
    id         TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES harvest_runs(id),
    seq        INTEGER NOT NULL,
    source_key TEXT NOT NULL,
    group_id   TEXT REFERENCES groups(id),
    kind       TEXT NOT NULL CHECK (kind IN ('created','updated','removed','conflict','rejected','linked')),
    detail     TEXT NOT NULL DEFAULT '',
    -- a conflict keeps the feed's version (JSON) until someone resolves it:
    -- 'feed' (the feed's version taken) or 'local' (the local one kept)
    proposed    TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('','feed','local')),
    resolved_by TEXT NOT NULL DEFAULT '',
    resolved_at TIMESTAMPTZ
);
CREATE INDEX harvest_changes_run ON harvest_changes (run_id, seq);

-- +goose Down
DROP TABLE harvest_changes;
DROP TABLE harvest_runs;
DROP TABLE group_sources;
DROP TABLE feeds;
