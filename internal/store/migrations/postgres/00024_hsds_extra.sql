-- +goose Up
-- HSDS import without loss (issue 6): for each object imported from an
-- HSDS document, the original object as read (raw, its JSON) and what
-- fellesrom made of it then (base, the modelled fields as JSON), so that
-- the export writes the original again with only what was changed in
-- fellesrom since. kind is the HSDS kind ("service", "organization",
-- "location"); id the fellesrom object's ID; hsds_id the original's id.
CREATE TABLE hsds_extra (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    hsds_id    TEXT NOT NULL,
    raw        TEXT NOT NULL,
    base       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, id)
);

-- +goose Down
DROP TABLE hsds_extra;
