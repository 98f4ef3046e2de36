-- +goose Up
-- What a room has (issue 5: rooms with capacity, equipment and
-- accessibility): equipment as codes separated by spaces (see
-- domain.RoomEquipment), and the room's own accessibility beside its
-- venue's (a step-free building may have a room up a stair).
ALTER TABLE rooms ADD COLUMN equipment TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN step_free BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rooms ADD COLUMN hearing_loop BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE rooms DROP COLUMN hearing_loop;
ALTER TABLE rooms DROP COLUMN step_free;
ALTER TABLE rooms DROP COLUMN equipment;
