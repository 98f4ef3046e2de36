-- +goose Up
-- Starters (igangsettere) and volunteers (issue 5, item 2): a profile with
-- the least data that works, the courses they have completed, when they
-- can start groups, and what the assignments to groups need beyond
-- 00009's starter_assignments.
--
-- A profile belongs to an organisation (the house whose volunteer the
-- person is). user_id links it to a staff account with the starter role;
-- NULL for a volunteer without an account (a profile only: such a person
-- cannot be assigned to a group, since an assignment is to an account).
-- These are staff and volunteers, not members of the public: nothing here
-- is sealed, as users' names and addresses are not; every staff read of a
-- profile writes an audit row (starter.read, starter.list).
-- Dates without a time of day are text, "YYYY-MM-DD" ('' = none), the same
-- on both engines and ordered as text.
CREATE TABLE starter_profiles (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    user_id         TEXT UNIQUE REFERENCES users(id) ON DELETE SET NULL,
    name            TEXT NOT NULL CHECK (name <> ''),
    email           TEXT NOT NULL DEFAULT '',            -- normalised (store.NormalizeContact)
    phone           TEXT NOT NULL DEFAULT '',            -- E.164
    municipality_id TEXT NOT NULL REFERENCES municipalities(id),
    languages       TEXT NOT NULL DEFAULT 'nb',          -- "nb en": languages a group can be started in
    slots           TEXT NOT NULL DEFAULT '',            -- "mon-evening thu-afternoon"; '' = any time
    available_from  TEXT NOT NULL DEFAULT '',            -- YYYY-MM-DD; '' = from now on
    available_until TEXT NOT NULL DEFAULT '',            -- YYYY-MM-DD; '' = until further notice
    max_groups      INTEGER NOT NULL DEFAULT 1 CHECK (max_groups BETWEEN 0 AND 10), -- groups at once
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CHECK (email <> '' OR phone <> '')
);
CREATE INDEX starter_profiles_org ON starter_profiles(organisation_id);

-- Courses completed: the starter course (igangsetterkurs), a refresher,
-- or another course; when, who organised it, and a free-text title.
CREATE TABLE starter_courses (
    id           TEXT PRIMARY KEY,
    profile_id   TEXT NOT NULL REFERENCES starter_profiles(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('starter','refresher','other')),
    completed_on TEXT NOT NULL CHECK (length(completed_on) = 10), -- YYYY-MM-DD
    organiser_id TEXT REFERENCES organisations(id) ON DELETE SET NULL,
    title        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX starter_courses_profile ON starter_courses(profile_id, completed_on);

-- An assignment's planned follow-up and hand-over dates (set by the
-- coordinator), and when the starter marked the follow-up done
-- (follow_up_sent_at is the reminder; handed_over_at the hand-over).
ALTER TABLE starter_assignments ADD COLUMN follow_up_on TEXT NOT NULL DEFAULT '';
ALTER TABLE starter_assignments ADD COLUMN hand_over_on TEXT NOT NULL DEFAULT '';
ALTER TABLE starter_assignments ADD COLUMN follow_up_done_at TIMESTAMP;

-- +goose Down
ALTER TABLE starter_assignments DROP COLUMN follow_up_done_at;
ALTER TABLE starter_assignments DROP COLUMN hand_over_on;
ALTER TABLE starter_assignments DROP COLUMN follow_up_on;
DROP TABLE starter_courses;
DROP TABLE starter_profiles;
