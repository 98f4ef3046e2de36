-- +goose Up
-- The outbox seals what it holds (package seal, context
-- outbox.<column>:<id>): to_addr, subject and body_text hold
-- "s1.<key>.<ciphertext>" from now on. Rows written before are sealed by
-- `fellesrom keys reseal` (serve runs it at start).
--
-- channel: how a message goes out, by e-mail or as a text message (SMS; then
-- to_addr is a number in E.164 form and the subject is empty).
-- attachment: one file a mail carries (an iCalendar invitation), sealed
-- JSON; '' for none. Cleared, with the subject and the body, once sent.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email','sms'));
ALTER TABLE outbox ADD COLUMN attachment TEXT NOT NULL DEFAULT '';
-- Each channel's sender claims its own due messages.
DROP INDEX outbox_status_due;
CREATE INDEX outbox_channel_due ON outbox(channel, status, next_attempt_at);

-- +goose Down
DROP INDEX outbox_channel_due;
CREATE INDEX outbox_status_due ON outbox(status, next_attempt_at);
ALTER TABLE outbox DROP COLUMN attachment;
ALTER TABLE outbox DROP COLUMN channel;
