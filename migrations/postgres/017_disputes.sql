-- 大调解: mediation committees (people's, specialised, and departments doing
-- 行政调解) and disputes with their parties, mediators, sessions and timeline.

-- +goose Up
CREATE TABLE mediation_committees (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    level     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    district  TEXT NOT NULL DEFAULT '',
    superior  TEXT NOT NULL DEFAULT '',
    grid_ids  TEXT NOT NULL DEFAULT '[]',
    types     TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE disputes (
    id                   BIGSERIAL PRIMARY KEY,
    number               TEXT UNIQUE,
    type                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    level                TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL,
    summary              TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    lat                  DOUBLE PRECISION NOT NULL,
    lng                  DOUBLE PRECISION NOT NULL,
    coord_system         TEXT NOT NULL DEFAULT 'wgs84',
    grid_id              TEXT NOT NULL DEFAULT '',
    district             TEXT NOT NULL DEFAULT '',
    committee_code       TEXT NOT NULL DEFAULT '',
    reporter_id          BIGINT REFERENCES users (id),
    result               TEXT NOT NULL DEFAULT '',
    agreement_number     TEXT UNIQUE,
    terms                TEXT NOT NULL DEFAULT '',
    performance          TEXT NOT NULL DEFAULT '',
    advice               TEXT NOT NULL DEFAULT '',
    outcome_note         TEXT NOT NULL DEFAULT '',
    outcome_at           TIMESTAMPTZ,
    court                TEXT NOT NULL DEFAULT '',
    confirmation_status  TEXT NOT NULL DEFAULT '',
    confirmation_note    TEXT NOT NULL DEFAULT '',
    follow_up_kept       BOOLEAN,
    follow_up_note       TEXT NOT NULL DEFAULT '',
    follow_up_at         TIMESTAMPTZ,
    accepted_at          TIMESTAMPTZ,
    due_at               TIMESTAMPTZ,
    warned_at            TIMESTAMPTZ,
    escalated_at         TIMESTAMPTZ,
    closed_at            TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    version              INTEGER NOT NULL DEFAULT 0
);
-- A committee's queue, a grid's, a citizen's; the statistics by acceptance;
-- the reconciler's open deadlines.
CREATE INDEX disputes_committee_idx ON disputes (committee_code, status);
CREATE INDEX disputes_grid_idx ON disputes (grid_id);
CREATE INDEX disputes_reporter_idx ON disputes (reporter_id);
CREATE INDEX disputes_accepted_idx ON disputes (accepted_at);
CREATE INDEX disputes_due_idx ON disputes (status, due_at);

-- Parties: ID numbers and phones are sealed (encrypted) by the store.
CREATE TABLE dispute_parties (
    id           BIGSERIAL PRIMARY KEY,
    dispute_id   BIGINT NOT NULL REFERENCES disputes (id),
    role         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    id_number    TEXT NOT NULL DEFAULT '',
    credit_code  TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    user_id      BIGINT REFERENCES users (id)
);
CREATE INDEX dispute_parties_dispute_idx ON dispute_parties (dispute_id);

CREATE TABLE dispute_mediators (
    dispute_id  BIGINT NOT NULL REFERENCES disputes (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (dispute_id, user_id)
);
CREATE INDEX dispute_mediators_user_idx ON dispute_mediators (user_id);

CREATE TABLE dispute_sessions (
    id           BIGSERIAL PRIMARY KEY,
    dispute_id   BIGINT NOT NULL REFERENCES disputes (id),
    at           TIMESTAMPTZ NOT NULL,
    place        TEXT NOT NULL,
    status       TEXT NOT NULL,
    record       TEXT NOT NULL DEFAULT '',
    attended     TEXT NOT NULL DEFAULT '',
    reminded_at  TIMESTAMPTZ
);
CREATE INDEX dispute_sessions_dispute_idx ON dispute_sessions (dispute_id);
CREATE INDEX dispute_sessions_due_idx ON dispute_sessions (status, at);

-- The timeline: immutable, one row per transition or timer.
CREATE TABLE dispute_events (
    id           BIGSERIAL PRIMARY KEY,
    dispute_id   BIGINT NOT NULL REFERENCES disputes (id),
    at           TIMESTAMPTZ NOT NULL,
    actor_id     BIGINT REFERENCES users (id),
    actor_name   TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispute_events_dispute_idx ON dispute_events (dispute_id, id);
