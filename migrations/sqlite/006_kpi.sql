-- KPIs the city is judged by: missed deadlines (超时督办) apart from manual
-- 督办 (人工督办), missed accept deadlines (按时签收率), and every 回访 answer
-- kept for good so that rework never erases a rating (满意率, 解决率).

-- +goose Up
ALTER TABLE complaints RENAME COLUMN escalation TO missed_deadlines;
ALTER TABLE complaints ADD COLUMN manual_escalations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN missed_accepts INTEGER NOT NULL DEFAULT 0;

CREATE TABLE complaint_ratings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    round        INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    solved       BOOLEAN,
    score        INTEGER NOT NULL CHECK (score BETWEEN 1 AND 3),
    comment      TEXT NOT NULL DEFAULT '',
    rater_id     BIGINT REFERENCES users (id),
    created_at   DATETIME NOT NULL,
    UNIQUE (complaint_id, round)
);
CREATE INDEX complaint_ratings_complaint_idx ON complaint_ratings (complaint_id);

-- Ratings given before this table existed.
INSERT INTO complaint_ratings (complaint_id, round, channel, score, comment, created_at)
SELECT id, reopen_count, 'miniprogram', rating, rating_comment, updated_at FROM complaints WHERE rating > 0;
