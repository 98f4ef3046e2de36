-- +goose Up
-- Starter courses for the reports (issue 7, "starter courses held"): one
-- anonymous row per course completed, with the month, the organisation
-- (the organiser, else the starter's), the starter's municipality then and
-- the kind. It stays when the starter's profile, and with it the course,
-- is deleted, so past figures do not change; deleting a course entered by
-- mistake deletes its row.
CREATE TABLE starter_course_stats (
    course_id       TEXT PRIMARY KEY,
    month           TEXT NOT NULL CHECK (length(month) = 7), -- YYYY-MM
    organisation_id TEXT NOT NULL,
    municipality_id TEXT NOT NULL,
    kind            TEXT NOT NULL
);
INSERT INTO starter_course_stats (course_id, month, organisation_id, municipality_id, kind)
    SELECT sc.id, substr(sc.completed_on, 1, 7), COALESCE(sc.organiser_id, sp.organisation_id), sp.municipality_id, sc.kind
    FROM starter_courses sc JOIN starter_profiles sp ON sp.id = sc.profile_id;

-- +goose Down
DROP TABLE starter_course_stats;
