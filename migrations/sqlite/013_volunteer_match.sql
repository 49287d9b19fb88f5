-- 公益海口: volunteers' skills and areas, so teams can find and invite them.

-- +goose Up

-- A volunteer is found by teams only after switching findable on (opt-in).
-- The area is a point and a radius the volunteer is willing to travel.
ALTER TABLE volunteers ADD COLUMN findable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE volunteers ADD COLUMN area_lat REAL;
ALTER TABLE volunteers ADD COLUMN area_lng REAL;
ALTER TABLE volunteers ADD COLUMN area_radius_m REAL NOT NULL DEFAULT 0;
CREATE INDEX volunteers_findable_idx ON volunteers (findable, area_lat, area_lng);

-- One row per skill from the catalogue; verified_by is the team admin who
-- saw the certificate (急救证).
CREATE TABLE volunteer_skills (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    skill        TEXT NOT NULL,
    verified_by  BIGINT REFERENCES users (id),
    verified_at  DATETIME,
    PRIMARY KEY (user_id, skill)
);
CREATE INDEX volunteer_skills_skill_idx ON volunteer_skills (skill, user_id);

-- One invitation per volunteer and activity; it expires at the activity's
-- signup deadline.
CREATE TABLE volunteer_invitations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id  BIGINT NOT NULL REFERENCES volunteer_activities (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    invited_by   BIGINT NOT NULL REFERENCES users (id),
    status       TEXT NOT NULL,
    expires_at   DATETIME NOT NULL,
    signup_id    BIGINT REFERENCES volunteer_signups (id),
    created_at   DATETIME NOT NULL,
    decided_at   DATETIME,
    UNIQUE (activity_id, user_id)
);
CREATE INDEX volunteer_invitations_user_idx ON volunteer_invitations (user_id, id);
