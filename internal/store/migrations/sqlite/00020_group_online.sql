-- +goose Up
-- How to join a group that meets by telephone or video (issue 6: online
-- meetings in the directory): a https link, a telephone number and a short
-- note ("PIN 1234"). Public only for open groups (join = just_come); a
-- closed group's link is given by the house.
ALTER TABLE groups ADD COLUMN online_url TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN online_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN online_notes TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE groups DROP COLUMN online_notes;
ALTER TABLE groups DROP COLUMN online_phone;
ALTER TABLE groups DROP COLUMN online_url;
