-- Messages reach people: every staff member's inbox (站内消息), delivery
-- outcomes that tell "no channel bound" from "no consent" from "failed", and
-- SMS to 12345 callers, who may opt out.

-- +goose Up

-- Inbox messages are notifications on the "inbox" channel, written as sent in
-- the transaction of the change they report; read_at is when their reader
-- marked them read.
ALTER TABLE notifications ADD COLUMN read_at DATETIME;
CREATE INDEX notifications_inbox_idx ON notifications (recipient_id, id) WHERE channel = 'inbox';
CREATE INDEX notifications_unread_idx ON notifications (recipient_id) WHERE channel = 'inbox' AND read_at IS NULL;
-- The re-queue of undelivered messages runs every few seconds; the dashboard counts outcomes.
CREATE INDEX notifications_undelivered_idx ON notifications (id) WHERE status IN ('pending', 'retrying');
CREATE INDEX notifications_status_idx ON notifications (status, created_at);

-- The caller asked the agent for no SMS (受理 and 办结 texts, the rating link).
ALTER TABLE complaints ADD COLUMN sms_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
