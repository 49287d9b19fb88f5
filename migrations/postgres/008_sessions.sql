-- Users and sessions: a token is good only while its session is (logout and
-- a password change end sessions server-side), an administrator can disable
-- an account, and every change to an account is audited.

-- +goose Up

-- Disabling is how an administrator removes someone: the row stays for the
-- timelines and audit that name them.
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

-- One row per sign-in; the id is the token's jti. A token whose session is
-- missing, revoked or expired is refused.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ,
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Immutable: who changed which account, when, from what to what. actor_id
-- is NULL for the command line (actor then says "cli" and the OS user).
CREATE TABLE user_audit (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   BIGINT REFERENCES users (id),
    actor      TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    event      TEXT NOT NULL,
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_audit_user_idx ON user_audit (user_id, id);
