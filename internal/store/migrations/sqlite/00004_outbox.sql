-- +goose Up
-- The mail outbox: a mail is written here (in the transaction of what caused
-- it) and a job sends it. Rows hold personal data (the address, the text):
-- the body is cleared once the mail is sent, sent rows are deleted after 7
-- days and failed ones after 30 (see store.PurgeOutbox). last_error holds SMTP
-- codes and reasons only, never an address.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    lang            TEXT NOT NULL DEFAULT 'nb',
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    failed_at       TIMESTAMP
);
-- The sender's query (due pending mails, sending ones whose lease ran out),
-- the counts by status and the list of failed mails.
CREATE INDEX outbox_status_due ON outbox(status, next_attempt_at);

-- Leases of jobs: at most one instance holds a name at a time, until the
-- lease runs out or its holder gives it back.
CREATE TABLE job_leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE job_leases;
DROP TABLE outbox;
