-- An invitation expires at its activity's signup deadline as the activity
-- has it now, read with the activity: a copy taken at invitation time went
-- stale when the activity was moved (改期). "expired" is decided when read,
-- never stored, so an invitation to an activity open again is pending again.

-- +goose Up

UPDATE volunteer_invitations SET status = 'pending', decided_at = NULL WHERE status = 'expired';
ALTER TABLE volunteer_invitations DROP COLUMN expires_at;

-- +goose Down

ALTER TABLE volunteer_invitations ADD COLUMN expires_at TIMESTAMPTZ;
UPDATE volunteer_invitations SET expires_at = (SELECT a.signup_deadline FROM volunteer_activities a WHERE a.id = activity_id);
ALTER TABLE volunteer_invitations ALTER COLUMN expires_at SET NOT NULL;
