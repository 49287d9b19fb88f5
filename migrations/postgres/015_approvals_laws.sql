-- 便民信息: 行政审批查询 (applications as the approval system reports them)
-- and 法律法规 (a library of laws and local regulations, searched in Chinese).

-- +goose Up

-- One row per application, replaced by each higher version the approval
-- system pushes or staff import. The applicant's phone is personal data:
-- sealed (phone_enc), and looked up only by tail_hash, a keyed hash of the
-- number and the phone's last four digits; the name is kept masked only.
CREATE TABLE approvals (
    id              BIGSERIAL PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    matter          TEXT NOT NULL,
    department      TEXT NOT NULL,
    applicant_mask  TEXT NOT NULL DEFAULT '',
    phone_enc       TEXT NOT NULL DEFAULT '',
    tail_hash       TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    changed_at      TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- Immutable: each change of status, the timeline and the audit log.
CREATE TABLE approval_events (
    id           BIGSERIAL PRIMARY KEY,
    approval_id  BIGINT NOT NULL REFERENCES approvals (id),
    version      BIGINT NOT NULL,
    from_status  TEXT NOT NULL DEFAULT '',
    to_status    TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    actor_id     BIGINT REFERENCES users (id),
    at           TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX approval_events_approval_idx ON approval_events (approval_id, id);

-- Citizens who asked to be told of each change.
CREATE TABLE approval_followers (
    approval_id  BIGINT NOT NULL REFERENCES approvals (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (approval_id, user_id)
);
CREATE INDEX approval_followers_user_idx ON approval_followers (user_id);

-- Laws and regulations, each with its articles in order.
CREATE TABLE laws (
    id            BIGSERIAL PRIMARY KEY,
    title         TEXT NOT NULL,
    doc_number    TEXT NOT NULL DEFAULT '',
    authority     TEXT NOT NULL,
    level         TEXT NOT NULL,
    published_on  TIMESTAMPTZ NOT NULL,
    effective_on  TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL,
    created_by    BIGINT REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_by    BIGINT REFERENCES users (id),
    updated_at    TIMESTAMPTZ NOT NULL
);
-- A revised law keeps its title: its versions differ by 公布日期.
CREATE UNIQUE INDEX laws_title_idx ON laws (title, published_on);

CREATE TABLE law_articles (
    id      BIGSERIAL PRIMARY KEY,
    law_id  BIGINT NOT NULL REFERENCES laws (id),
    seq     INTEGER NOT NULL,
    number  TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE UNIQUE INDEX law_articles_law_idx ON law_articles (law_id, seq);

-- Search by any part of a title or an article, as the credit name search
-- does (004_credit.sql): trigram indexes serve ILIKE for three characters or
-- more, the bigram index two. SQLite has an FTS5 table instead.
CREATE INDEX laws_title_trgm_idx ON laws USING gin (title public.gin_trgm_ops);
CREATE INDEX law_articles_text_trgm_idx ON law_articles USING gin (text public.gin_trgm_ops);
CREATE INDEX law_articles_text_bigram_idx ON law_articles USING gin (credit_bigrams(text));
