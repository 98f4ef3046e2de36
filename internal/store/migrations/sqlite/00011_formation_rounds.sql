-- +goose Up
-- Forming a group in rounds (brief I): a running closed group that takes in
-- new members re-forms (group_formations.reformed + 1) and sends a new
-- round of invitations; round says which round an invitation belongs to,
-- so the counts of a round never mix with an earlier one's, and the
-- earlier rounds stay as history.
-- slot: the planned day and part of day ("tue-evening", '' = not decided),
-- shown to the people invited. startup_minutes: the length of the start-up
-- meeting (its booking holds the same span).
ALTER TABLE group_invitations ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE group_formations ADD COLUMN slot TEXT NOT NULL DEFAULT '';
ALTER TABLE group_formations ADD COLUMN startup_minutes INTEGER NOT NULL DEFAULT 0;
CREATE INDEX room_bookings_group ON room_bookings(group_id);

-- +goose Down
DROP INDEX room_bookings_group;
ALTER TABLE group_formations DROP COLUMN startup_minutes;
ALTER TABLE group_formations DROP COLUMN slot;
ALTER TABLE group_invitations DROP COLUMN round;
