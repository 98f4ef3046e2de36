-- +goose Up
-- Group self-service (issue 5, item 4) and the outreach log (item 5).
--
-- group_links: the private link of a group's contact person, who has no
-- account. One row per group; only the SHA-256 of the link's token is kept.
-- A new link replaces the row, so the old link stops working at once. The
-- contact's e-mail address is not stored here: it is typed when the link is
-- sent, and only the outbox holds it (sealed, ref 'grouplink:<group id>')
-- until the mail is sent and purged.
CREATE TABLE group_links (
    group_id   TEXT PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL DEFAULT ''          -- the staff user who sent it
);

-- What a group reports for a month (YYYY-MM, in Europe/Oslo): meetings held
-- and how many people took part. Numbers only, one row per group and month.
CREATE TABLE group_reports (
    group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    month      TEXT NOT NULL CHECK (length(month) = 7),
    meetings   INTEGER NOT NULL CHECK (meetings BETWEEN 0 AND 62),
    present    INTEGER NOT NULL CHECK (present BETWEEN 0 AND 500),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, month)
);
CREATE INDEX group_reports_month ON group_reports(month);

-- A group's request to its house for another room or time. message is
-- sealed (the contact is asked not to write names or health details, but
-- it is free text from a member of the public); a handled request is
-- deleted 90 days after it was marked done (store.PurgeGroupRequests).
CREATE TABLE group_requests (
    id              TEXT PRIMARY KEY,
    group_id        TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('room','time','other')),
    message         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    done_at         TIMESTAMP,
    done_by         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX group_requests_org ON group_requests(organisation_id, created_at);
CREATE INDEX group_requests_group ON group_requests(group_id);
CREATE INDEX group_requests_done ON group_requests(done_at);

-- The outreach log: a house's record of its information work (talks,
-- media, stands, brochures, contacts with partners). No personal data:
-- audience names a group of people or a service, never a person.
-- day is a calendar date (YYYY-MM-DD); totals group by its first 7
-- characters. reached: people reached, or brochures handed out; 0 when
-- not counted.
CREATE TABLE outreach_entries (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    day             TEXT NOT NULL CHECK (length(day) = 10),
    kind            TEXT NOT NULL CHECK (kind IN ('talk','media','stand','brochures','partner','other')),
    audience        TEXT NOT NULL DEFAULT '',
    reached         INTEGER NOT NULL DEFAULT 0 CHECK (reached BETWEEN 0 AND 1000000),
    note            TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX outreach_entries_org_day ON outreach_entries(organisation_id, day);

-- +goose Down
DROP TABLE outreach_entries;
DROP TABLE group_requests;
DROP TABLE group_reports;
DROP TABLE group_links;
