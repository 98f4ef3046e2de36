-- +goose Up
-- The free-text sections of a house's yearly report to its funder (issue 7,
-- item 4), one row per organisation, year and section ('done': what was
-- done; 'plans': plans; 'story': the story behind the numbers). The form
-- asks the house not to write anything that identifies a person; the text
-- goes into the exported report as written. updated_by: the staff user.
CREATE TABLE report_texts (
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    year            INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    section         TEXT NOT NULL CHECK (section IN ('done', 'plans', 'story')),
    body            TEXT NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    updated_by      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (organisation_id, year, section)
);

-- +goose Down
DROP TABLE report_texts;
