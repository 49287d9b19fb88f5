-- Open311 GeoReport v2 clients: systems that file requests with an API key.

-- +goose Up

-- The key is kept as its hex sha256 only; each client files as its own
-- system user (user_id), so complaints record who sent them. services is a
-- comma list of the service codes it may file ('' = every public one).
CREATE TABLE open311_clients (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    services    TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX open311_clients_name_idx ON open311_clients (name) WHERE revoked_at IS NULL;
-- servicerequestupdates reads events by time.
CREATE INDEX complaint_events_at_idx ON complaint_events (at);

