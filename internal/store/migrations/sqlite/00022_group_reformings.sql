-- +goose Up
-- A closed group re-formed (issue 7: "groups re-formed"): one row for each
-- new round of invitations to a running group, with when it began. The
-- invitations go when the people's data is deleted; this row, which names
-- no one, stays for the reports. Rounds begun before this table are taken
-- from the invitations still there.
CREATE TABLE group_reformings (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    round    INTEGER NOT NULL,
    began_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, round)
);
INSERT INTO group_reformings (group_id, round, began_at)
    SELECT group_id, round, MIN(created_at) FROM group_invitations WHERE round > 0 GROUP BY group_id, round;

-- +goose Down
DROP TABLE group_reformings;
