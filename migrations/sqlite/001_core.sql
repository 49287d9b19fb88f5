-- Core of the complaint loop: people, catalogue, grids, complaints and their timelines.

-- +goose Up
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    department  TEXT NOT NULL,
    district    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT UNIQUE,
    password_hash  TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    phone_enc      TEXT NOT NULL DEFAULT '',
    phone_hash     TEXT NOT NULL DEFAULT '',
    unit_code      TEXT NOT NULL DEFAULT '',
    grid_id        TEXT NOT NULL DEFAULT '',
    openid         TEXT UNIQUE,
    unionid        TEXT NOT NULL DEFAULT '',
    wecom_userid   TEXT NOT NULL DEFAULT '',
    on_duty        BOOLEAN NOT NULL DEFAULT FALSE,
    lat            REAL NOT NULL DEFAULT 0,
    lng            REAL NOT NULL DEFAULT 0,
    position_at    DATETIME,
    created_at     DATETIME NOT NULL
);
CREATE INDEX users_crew_idx ON users (unit_code, grid_id, role, on_duty);

CREATE TABLE grids (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    district   TEXT NOT NULL,
    street     TEXT NOT NULL DEFAULT '',
    community  TEXT NOT NULL DEFAULT '',
    geometry   TEXT NOT NULL
);

CREATE TABLE grid_units (
    grid_id     TEXT NOT NULL REFERENCES grids (id),
    department  TEXT NOT NULL,
    unit_code   TEXT NOT NULL REFERENCES units (code),
    PRIMARY KEY (grid_id, department)
);

CREATE TABLE categories (
    code                TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL,
    major               TEXT NOT NULL,
    department          TEXT NOT NULL,
    point_to_point      BOOLEAN NOT NULL DEFAULT FALSE,
    accept_within_s     BIGINT NOT NULL,
    arrive_within_s     BIGINT NOT NULL,
    resolve_within_s    BIGINT NOT NULL,
    resolve_mode        TEXT NOT NULL DEFAULT 'natural',
    duplicate_radius_m  REAL NOT NULL DEFAULT 50,
    updated_at          DATETIME NOT NULL
);

CREATE TABLE complaints (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    category        TEXT NOT NULL REFERENCES categories (code),
    description     TEXT NOT NULL,
    lat             REAL NOT NULL,
    lng             REAL NOT NULL,
    coord_system    TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    reporter_id     BIGINT NOT NULL REFERENCES users (id),
    caller_name     TEXT NOT NULL DEFAULT '',
    caller_phone_enc TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    grid_id         TEXT NOT NULL DEFAULT '',
    district        TEXT NOT NULL DEFAULT '',
    unit_code       TEXT NOT NULL DEFAULT '',
    assignee_id     BIGINT REFERENCES users (id),
    attempt         INTEGER NOT NULL DEFAULT 0,
    duplicate_of    BIGINT REFERENCES complaints (id),
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    escalation      INTEGER NOT NULL DEFAULT 0,
    overdue         BOOLEAN NOT NULL DEFAULT FALSE,
    accept_by       DATETIME,
    arrive_by       DATETIME,
    resolve_by      DATETIME,
    dispatched_at   DATETIME,
    accepted_at     DATETIME,
    arrived_at      DATETIME,
    resolved_at     DATETIME,
    closed_at       DATETIME,
    version         INTEGER NOT NULL DEFAULT 0,
    rating          INTEGER NOT NULL DEFAULT 0,
    rating_comment  TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX complaints_status_idx ON complaints (status, unit_code);
CREATE INDEX complaints_assignee_idx ON complaints (assignee_id, status);
CREATE INDEX complaints_reporter_idx ON complaints (reporter_id);
-- Duplicate search: a narrow latitude band of one category, then longitude.
CREATE INDEX complaints_nearby_idx ON complaints (category, lat, lng);

-- Immutable: the timeline and the audit log. Rows are only ever inserted.
CREATE TABLE complaint_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id  BIGINT NOT NULL REFERENCES complaints (id),
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL DEFAULT '',
    actor_id      BIGINT,
    actor_role    TEXT NOT NULL DEFAULT '',
    assignee_id   BIGINT,
    unit_code     TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    lat           REAL,
    lng           REAL,
    at            DATETIME NOT NULL
);
CREATE INDEX complaint_events_complaint_idx ON complaint_events (complaint_id, id);

-- SLA timers as data: asynq holds the derived schedule, this table the truth,
-- so a reconciler can re-arm whatever Redis lost.
CREATE TABLE complaint_timers (
    complaint_id  BIGINT NOT NULL REFERENCES complaints (id),
    kind          TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    due_at        DATETIME NOT NULL,
    fired_at      DATETIME,
    cancelled_at  DATETIME,
    PRIMARY KEY (complaint_id, kind, seq)
);
CREATE INDEX complaint_timers_pending_idx ON complaint_timers (fired_at, cancelled_at, due_at);

-- Everyone who reported the same problem follows the original complaint.
CREATE TABLE complaint_followers (
    complaint_id  BIGINT NOT NULL REFERENCES complaints (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (complaint_id, user_id)
);

CREATE TABLE photos (
    id            TEXT PRIMARY KEY,
    complaint_id  BIGINT REFERENCES complaints (id),
    kind          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    uploaded_by   BIGINT NOT NULL REFERENCES users (id),
    hidden        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    DATETIME NOT NULL
);
CREATE INDEX photos_complaint_idx ON photos (complaint_id);

CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_id  BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    template      TEXT NOT NULL,
    complaint_id  BIGINT,
    data          TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    sent_at       DATETIME
);
CREATE INDEX notifications_complaint_idx ON notifications (complaint_id);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id);

CREATE TABLE idempotency_keys (
    user_id     BIGINT NOT NULL,
    key         TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, key)
);
