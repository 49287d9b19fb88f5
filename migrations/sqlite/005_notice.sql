-- 温馨告知: notices the command center publishes for citizens (typhoon,
-- waterlogging, holiday hours), shown only inside their validity window.

-- +goose Up
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    area          TEXT NOT NULL DEFAULT '',
    valid_from    DATETIME NOT NULL,
    valid_until   DATETIME NOT NULL,
    published_by  BIGINT NOT NULL REFERENCES users (id),
    created_at    DATETIME NOT NULL,
    withdrawn_at  DATETIME,
    withdrawn_by  BIGINT REFERENCES users (id)
);
-- Readers ask for what is current now: the window's end prunes most rows.
CREATE INDEX notices_window_idx ON notices (valid_until, valid_from);
