-- A reported dispute not accepted within its committee's time to accept is
-- escalated (督办) once; accept_escalated_at says when.

-- +goose Up

ALTER TABLE disputes ADD COLUMN accept_escalated_at DATETIME;
CREATE INDEX disputes_awaiting_idx ON disputes (status, created_at) WHERE accept_escalated_at IS NULL;

-- +goose Down

DROP INDEX disputes_awaiting_idx;
ALTER TABLE disputes DROP COLUMN accept_escalated_at;
