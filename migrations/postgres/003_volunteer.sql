-- 公益海口: volunteers, teams, activities, signups, the hours ledger,
-- certificates, help requests and albums.

-- +goose Up

-- Real-name certification. The ID number is encrypted; its keyed hash makes
-- one ID number certify one account only.
CREATE TABLE volunteers (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT NOT NULL UNIQUE REFERENCES users (id),
    name            TEXT NOT NULL,
    id_number_enc   TEXT NOT NULL,
    id_number_hash  TEXT NOT NULL UNIQUE,
    phone_enc       TEXT NOT NULL DEFAULT '',
    skills          TEXT NOT NULL DEFAULT '[]',
    availability    TEXT NOT NULL DEFAULT '',
    certified_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE volunteer_teams (
    id                 BIGSERIAL PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    organisation       TEXT NOT NULL,
    credit_code        TEXT NOT NULL DEFAULT '',
    contact_name       TEXT NOT NULL,
    contact_phone_enc  TEXT NOT NULL DEFAULT '',
    district           TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    lat                DOUBLE PRECISION NOT NULL DEFAULT 0,
    lng                DOUBLE PRECISION NOT NULL DEFAULT 0,
    status             TEXT NOT NULL,
    review_note        TEXT NOT NULL DEFAULT '',
    created_by         BIGINT NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL,
    certified_at       TIMESTAMPTZ
);
CREATE INDEX volunteer_teams_nearby_idx ON volunteer_teams (status, lat, lng);

CREATE TABLE volunteer_team_members (
    team_id    BIGINT NOT NULL REFERENCES volunteer_teams (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL,
    joined_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX volunteer_team_members_user_idx ON volunteer_team_members (user_id);

-- confirmed counts the places taken; the CHECK is the last word on capacity:
-- whatever happens above, the database refuses to commit an oversold activity.
-- version guards edits (optimistic lock); the counters change without it.
CREATE TABLE volunteer_activities (
    id               BIGSERIAL PRIMARY KEY,
    team_id          BIGINT NOT NULL REFERENCES volunteer_teams (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL,
    lat              DOUBLE PRECISION NOT NULL,
    lng              DOUBLE PRECISION NOT NULL,
    coord_system     TEXT NOT NULL,
    radius_m         DOUBLE PRECISION NOT NULL,
    start_at         TIMESTAMPTZ NOT NULL,
    end_at           TIMESTAMPTZ NOT NULL,
    signup_deadline  TIMESTAMPTZ NOT NULL,
    capacity         INTEGER NOT NULL,
    requirements     TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '[]',
    cover_photo      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    review_note      TEXT NOT NULL DEFAULT '',
    confirmed        INTEGER NOT NULL DEFAULT 0,
    waitlisted       INTEGER NOT NULL DEFAULT 0,
    waitlist_seq     BIGINT NOT NULL DEFAULT 0,
    version          INTEGER NOT NULL DEFAULT 0,
    created_by       BIGINT NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    settled_at       TIMESTAMPTZ,
    CHECK (capacity >= 1),
    CHECK (confirmed >= 0 AND confirmed <= capacity),
    CHECK (waitlisted >= 0),
    CHECK (end_at > start_at)
);
CREATE INDEX volunteer_activities_status_idx ON volunteer_activities (status, start_at);
CREATE INDEX volunteer_activities_team_idx ON volunteer_activities (team_id);
CREATE INDEX volunteer_activities_nearby_idx ON volunteer_activities (lat, lng);

-- A signup's reminder is a timer derived from this row (remind_at, not yet
-- reminded_at): the reconciler re-arms it from here. One active signup per
-- person and activity; cancelled rows stay as history.
CREATE TABLE volunteer_signups (
    id               BIGSERIAL PRIMARY KEY,
    activity_id      BIGINT NOT NULL REFERENCES volunteer_activities (id),
    user_id          BIGINT NOT NULL REFERENCES users (id),
    status           TEXT NOT NULL,
    waitlist_seq     BIGINT NOT NULL DEFAULT 0,
    remind_at        TIMESTAMPTZ,
    reminded_at      TIMESTAMPTZ,
    checkin_at       TIMESTAMPTZ,
    checkin_lat      DOUBLE PRECISION,
    checkin_lng      DOUBLE PRECISION,
    checkin_manual   BOOLEAN NOT NULL DEFAULT FALSE,
    checkout_at      TIMESTAMPTZ,
    checkout_lat     DOUBLE PRECISION,
    checkout_lng     DOUBLE PRECISION,
    checkout_manual  BOOLEAN NOT NULL DEFAULT FALSE,
    auto_checkout    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    cancelled_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX volunteer_signups_active_idx ON volunteer_signups (activity_id, user_id) WHERE status <> 'cancelled';
CREATE INDEX volunteer_signups_activity_idx ON volunteer_signups (activity_id, status, waitlist_seq);
CREATE INDEX volunteer_signups_user_idx ON volunteer_signups (user_id);
CREATE INDEX volunteer_signups_remind_idx ON volunteer_signups (status, reminded_at, remind_at);

-- The hours ledger is append-only: the store only ever inserts. A
-- correction is a new row pointing at the entry it corrects. An attendance
-- is credited once.
CREATE TABLE volunteer_hours (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    team_id      BIGINT NOT NULL REFERENCES volunteer_teams (id),
    activity_id  BIGINT REFERENCES volunteer_activities (id),
    signup_id    BIGINT REFERENCES volunteer_signups (id),
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    corrects_id  BIGINT REFERENCES volunteer_hours (id),
    entered_by   BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX volunteer_hours_signup_idx ON volunteer_hours (signup_id) WHERE signup_id IS NOT NULL AND corrects_id IS NULL;
CREATE INDEX volunteer_hours_user_idx ON volunteer_hours (user_id, team_id);
CREATE INDEX volunteer_hours_team_idx ON volunteer_hours (team_id);
CREATE INDEX volunteer_hours_corrects_idx ON volunteer_hours (corrects_id);
CREATE INDEX volunteer_hours_created_idx ON volunteer_hours (created_at);

-- An issued certificate is a snapshot: lines and totals as on the day.
CREATE TABLE volunteer_certificates (
    number            TEXT PRIMARY KEY,
    code              TEXT NOT NULL,
    user_id           BIGINT NOT NULL REFERENCES users (id),
    team_id           BIGINT NOT NULL REFERENCES volunteer_teams (id),
    team_name         TEXT NOT NULL,
    name              TEXT NOT NULL,
    masked_id_number  TEXT NOT NULL,
    volunteer_number  TEXT NOT NULL,
    lines             TEXT NOT NULL,
    credit_minutes    INTEGER NOT NULL,
    honor_minutes     INTEGER NOT NULL,
    issued_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX volunteer_certificates_user_idx ON volunteer_certificates (user_id);

CREATE TABLE volunteer_help_requests (
    id            BIGSERIAL PRIMARY KEY,
    requester_id  BIGINT NOT NULL REFERENCES users (id),
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL,
    lat           DOUBLE PRECISION NOT NULL,
    lng           DOUBLE PRECISION NOT NULL,
    coord_system  TEXT NOT NULL,
    needed_at     TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL,
    team_id       BIGINT REFERENCES volunteer_teams (id),
    review_note   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX volunteer_help_requests_status_idx ON volunteer_help_requests (status, needed_at);
CREATE INDEX volunteer_help_requests_requester_idx ON volunteer_help_requests (requester_id);

CREATE TABLE volunteer_photos (
    id            TEXT PRIMARY KEY,
    activity_id   BIGINT NOT NULL REFERENCES volunteer_activities (id),
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    uploaded_by   BIGINT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX volunteer_photos_activity_idx ON volunteer_photos (activity_id);

-- Immutable: the timeline and audit log of teams, activities, signups and
-- help requests. Rows are only ever inserted.
CREATE TABLE volunteer_events (
    id          BIGSERIAL PRIMARY KEY,
    subject     TEXT NOT NULL,
    subject_id  BIGINT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT,
    note        TEXT NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION,
    lng         DOUBLE PRECISION,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX volunteer_events_subject_idx ON volunteer_events (subject, subject_id, id);
