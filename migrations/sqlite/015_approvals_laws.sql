-- 便民信息: 行政审批查询 (applications as the approval system reports them)
-- and 法律法规 (a library of laws and local regulations, searched in Chinese).

-- +goose Up

-- One row per application, replaced by each higher version the approval
-- system pushes or staff import. The applicant's phone is personal data:
-- sealed (phone_enc), and looked up only by tail_hash, a keyed hash of the
-- number and the phone's last four digits; the name is kept masked only.
CREATE TABLE approvals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL UNIQUE,
    matter          TEXT NOT NULL,
    department      TEXT NOT NULL,
    applicant_mask  TEXT NOT NULL DEFAULT '',
    phone_enc       TEXT NOT NULL DEFAULT '',
    tail_hash       TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    changed_at      DATETIME NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);

-- Immutable: each change of status, the timeline and the audit log.
CREATE TABLE approval_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    approval_id  BIGINT NOT NULL REFERENCES approvals (id),
    version      BIGINT NOT NULL,
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    actor_id     BIGINT REFERENCES users (id),
    at           DATETIME NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX approval_events_approval_idx ON approval_events (approval_id, id);

-- Citizens who asked to be told of each change.
CREATE TABLE approval_followers (
    approval_id  BIGINT NOT NULL REFERENCES approvals (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (approval_id, user_id)
);
CREATE INDEX approval_followers_user_idx ON approval_followers (user_id);

-- Laws and regulations, each with its articles in order.
CREATE TABLE laws (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    doc_number    TEXT NOT NULL DEFAULT '',
    authority     TEXT NOT NULL,
    level         TEXT NOT NULL,
    published_on  DATETIME NOT NULL,
    effective_on  DATETIME NOT NULL,
    status        TEXT NOT NULL,
    created_by    BIGINT REFERENCES users (id),
    created_at    DATETIME NOT NULL,
    updated_by    BIGINT REFERENCES users (id),
    updated_at    DATETIME NOT NULL
);
-- A revised law keeps its title: its versions differ by 公布日期.
CREATE UNIQUE INDEX laws_title_idx ON laws (title, published_on);

CREATE TABLE law_articles (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    law_id  BIGINT NOT NULL REFERENCES laws (id),
    seq     INTEGER NOT NULL,
    number  TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE UNIQUE INDEX law_articles_law_idx ON law_articles (law_id, seq);

-- Search by any part of a title or an article: an FTS5 table with the
-- trigram tokenizer finds a substring of three characters or more (the store
-- asks LIKE for shorter ones). One row per law's title (rowid = -law id) and
-- one per article (rowid = article id); the store keeps it in step.
-- PostgreSQL has trigram and bigram indexes instead.
CREATE VIRTUAL TABLE law_fts USING fts5(title, text, law_id UNINDEXED, tokenize = 'trigram');
